"""The dashboard shows a period against the one before, with the same figures as the stats."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from fixtures.make import ids_row, import_file, write_ids


def test_dashboard_figures_match_the_stats(
    api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    assert "No seizure records yet" in api_client.get("/dashboard").text
    rows = [ids_row(AMOUNT=str(1000 + i), SEIZURE_DATE=f"2016-0{1 + i % 9}-05") for i in range(12)]
    rows += [ids_row(AMOUNT=str(2000 + i), SEIZURE_DATE="2015-03-03", DRUG_NAME="Opium") for i in range(4)]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    page = api_client.get("/dashboard", params={"period": "2016"})
    assert page.status_code == 200
    text = page.text
    assert "Seizure events, 2016" in text and "<strong>12</strong>" in text and "2015: 4" in text
    assert "+200.0 %" in text  # 12 against 4
    stats = api_client.get("/api/stats", params={"by": "drug", "where": "year=2016"}).json()
    top = stats["groups"][0]
    assert top["label"] in text and top["share"] in text  # "12 of 12, 100.0 %"
    assert "data:image/svg+xml;base64," in text and "Astara" in text  # the monthly chart, the busiest place
    assert "http://" not in text.replace("http://testserver", "")  # nothing fetched from elsewhere
    import base64
    import re

    images = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', text)
    hotspot_map = next(
        base64.b64decode(i).decode()
        for i in images
        if "Seizure hotspots, 2016" in base64.b64decode(i).decode()
    )
    assert "<circle" in hotspot_map and "Astara" in hotspot_map  # the crossing drawn on the outlines


def test_dashboard_counts_partner_records_without_opening_them(
    api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    from sqlalchemy import func, select

    from astara.db.engine import transaction
    from astara.db.models import AuditEntry
    from astara.sharing import service as sharing
    from astara.sharing.keys import load_or_create

    import_file(engine, scope, write_ids(tmp_path / "ids.csv", [ids_row(AMOUNT="5")]))
    partner_key = load_or_create(tmp_path / "partner").public_b64
    with transaction(engine) as session:
        sharing.add_partner(session, scope, sharing.PartnerIn(code="IR-ANP", url=None, key=partner_key))
        audited = session.scalar(select(func.count()).select_from(AuditEntry))
    page = api_client.get("/dashboard").text
    assert "Records from partners" in page and '<td><bdi class="data">IR-ANP</bdi></td>' in page
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audited  # no view logged


def test_the_list_and_the_latest_records_name_each_drug_by_its_label(
    api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    rows = [ids_row(DRUG_NAME="Cannabis resin", AMOUNT="5", DRUG_UNIT="Kilogram")]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    for page in ("/", "/dashboard"):
        text = api_client.get(page).text
        assert "Cannabis resin (hashish) 5 kg" in text, page
