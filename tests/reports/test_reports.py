"""Reports carry the figures ``astara stats`` gives, draw offline, and are reproducible."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.analysis.service import stats
from astara.db.engine import transaction
from astara.errors import InvalidInput
from astara.reports import charts, maps
from astara.reports.charts import period_bars
from astara.reports.schemas import ReportRequest
from astara.reports.service import build_report, render_html, render_pdf, write_report
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from astara.seizures.service import create_seizure
from astara.settings import Settings
from astara.web.app import create_app
from fixtures.make import TODAY, ids_row, import_file, write_ids

REQUEST = ReportRequest(type="bilateral", country="Azerbaijan", period="2017", partner="IR")


@pytest.fixture
def loaded(engine: Engine, scope: Scope, tmp_path: Path) -> Scope:
    """210 seizures in Azerbaijan in 2017, 184 shipped from Iran: 200 imported, 10 entered by hand."""
    rows = [
        ids_row(SEIZURE_DATE=f"2017-{1 + i % 12:02d}-{1 + i % 28:02d}", AMOUNT=str(10 + i))
        for i in range(174)
    ]
    rows += [
        ids_row(SEIZURE_DATE="2017-06-01", AMOUNT=str(500 + i), DEPARTURE_COUNTRY="Turkey") for i in range(26)
    ]
    rows += [ids_row(SEIZURE_DATE="2016-03-01", AMOUNT=str(1 + i)) for i in range(12)]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    with transaction(engine) as session:
        for i in range(10):
            seizure = SeizureCreate(
                date=f"2017-09-{10 + i}",
                country="AZ",
                place="Astara",
                departure_country="Iran",
                destination_country="Russia",
                items=[SeizureItemIn(drug="heroin", quantity=2 + i, unit="kg")],
            )
            create_seizure(session, scope, seizure, TODAY)
    return scope


def test_bilateral_report_shows_the_founding_share_as_stats_does(engine: Engine, loaded: Scope) -> None:
    with transaction(engine) as session:
        figures = stats(session, loaded, ["departure_country"], ["country=AZ", "year=2017"])
        report = build_report(session, loaded, REQUEST)
    iran = next(g for g in figures.groups if g.key == "IR")
    assert iran.share == "184 of 210, 87.6 %"
    html = render_html(report)
    assert 'departed from Iran</td><td class="n">184 of 210, 87.6 %' in html
    assert "astara stats --by departure_country --where country=AZ --where year=2017" in html
    assert "Bilateral periodic report: Azerbaijan – Iran, 2017" in html
    assert "Azərbaycan" in html and "ایران" in html  # Azerbaijani and Persian names of the pair
    assert html.count("<svg") >= 5  # monthly chart, drugs chart, flow diagram, flow map, hotspot map
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        "http://www.w3.org/1999/xlink", ""
    )  # nothing is fetched from the network


def test_same_data_gives_the_same_report_but_for_the_timestamp(engine: Engine, loaded: Scope) -> None:
    with transaction(engine) as session:
        first = render_html(build_report(session, loaded, REQUEST, dt.datetime(2026, 1, 1, 9, 0)))
        second = render_html(build_report(session, loaded, REQUEST, dt.datetime(2026, 3, 5, 17, 30)))
    assert first != second
    stamp = re.compile(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")
    assert stamp.sub("", first) == stamp.sub("", second)


def test_pdf_embeds_the_vendored_font(engine: Engine, loaded: Scope, tmp_path: Path) -> None:
    with transaction(engine) as session:
        pdf = render_pdf(build_report(session, loaded, REQUEST))
        path = write_report(
            session, loaded, REQUEST.model_copy(update={"type": "route-brief"}), tmp_path / "r.pdf"
        )
    streams = [pdf]
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, flags=re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            continue
    assert pdf.startswith(b"%PDF") and any(b"Vazirmatn" in s for s in streams)
    assert path.read_bytes().startswith(b"%PDF")


def test_bad_requests_are_clear_errors(engine: Engine, loaded: Scope, tmp_path: Path) -> None:
    with transaction(engine) as session:
        with pytest.raises(InvalidInput, match="report type"):
            build_report(session, loaded, REQUEST.model_copy(update={"type": "weekly"}))
        with pytest.raises(InvalidInput, match="period"):
            build_report(session, loaded, REQUEST.model_copy(update={"period": "last year"}))
        with pytest.raises(InvalidInput, match=r"\.html or \.pdf"):
            write_report(session, loaded, REQUEST, tmp_path / "r.docx")


def test_hotspot_map_draws_outlines_and_points_offline() -> None:
    svg = maps.hotspot_map([maps.Point("Astara crossing", 48.87, 38.44, 12)], "AZ", "IR")
    assert svg.startswith("<svg") and "<title>AZ</title>" in svg and "<title>IR</title>" in svg
    assert "Astara crossing (12)" in svg and "Natural Earth" in svg
    lon, lat = maps.anchor("AZ") or (0.0, 0.0)
    assert 44 < lon < 51 and 38 < lat < 42


def test_reports_and_analysis_are_in_the_api(settings: Settings) -> None:
    # Requests themselves need the API's authentication; the routes' services are tested above.
    paths = create_app(settings).openapi()["paths"]
    assert {"/api/reports/{report_type}", "/api/trends", "/api/routes", "/api/hotspots", "/api/stats"} <= set(
        paths
    )
    parameters = {p["name"] for p in paths["/api/reports/{report_type}"]["get"]["parameters"]}
    assert {"country", "period", "partner", "format"} <= parameters


def test_report_and_analysis_endpoints_answer(api_client: TestClient, loaded: Scope) -> None:
    params = {"country": "AZ", "period": "2017", "partner": "IR"}
    page = api_client.get("/api/reports/bilateral", params=params)
    assert page.status_code == 200 and "184 of 210, 87.6 %" in page.text
    assert "style-src 'unsafe-inline'" in page.headers["content-security-policy"]
    pdf = api_client.get("/api/reports/route-brief", params={**params, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    routes = api_client.get("/api/routes", params={"where": ["country=AZ"], "period": "2017"}).json()
    assert routes["routes"][0]["share"] == "174 of 210, 82.9 %"
    hot = api_client.get("/api/hotspots", params={"level": "border_post", "period": "2017"}).json()
    assert hot["hotspots"][0]["events"] == 210  # every 2017 seizure of the fixture was at the Astara crossing
    trend = api_client.get("/api/trends", params={"where": ["country=AZ"], "interval": "year"}).json()
    assert [p["events"] for p in trend["points"]] == [12, 210]
    bad = api_client.get("/api/reports/bilateral", params={"country": "Narnia", "period": "2017"})
    assert bad.status_code == 422


def test_a_report_can_be_narrowed_to_one_border_post(engine: Engine, loaded: Scope) -> None:
    request = REQUEST.model_copy(update={"place": "az-ir-astara-road", "period": "2017Q3"})
    with transaction(engine) as session:
        figures = stats(
            session, loaded, ["country"], ["country=AZ", "place=az-ir-astara-road", "quarter=2017Q3"]
        )
        report = build_report(session, loaded, request)
    crossing = "Astara–Astara road crossing (Astarachay bridges)"
    assert report.title == f"Bilateral periodic report: Azerbaijan – Iran, {crossing}, 2017 Q3"
    assert report.summary["events"] == figures.total_events > 0 and report.baseline == "2017 Q2"
    assert "--where place=az-ir-astara-road --where quarter=20173" in render_html(report)


def test_two_years_of_months_label_the_chart_without_crowding() -> None:
    months = [f"{year}-{month:02d}" for year in (2015, 2016) for month in range(1, 13)]
    svg = period_bars(months, [float(n) for n in range(24)])
    shown = [m for m in months if f">{m}<" in svg]
    assert shown[0] == "2015-01"
    assert 4 <= len(shown) <= charts.MAX_PERIOD_LABELS
