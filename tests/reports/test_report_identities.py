"""The bilateral report lists the identities seen on both sides of the border in the period."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.analysis.periods import parse_period
from astara.db.engine import transaction
from astara.matching import store
from astara.reports.identities import in_period
from astara.reports.schemas import ReportRequest
from astara.reports.service import build_report, render_html
from astara.seizures.schemas import SeizureCreate, SeizureItemIn
from astara.seizures.service import create_seizure
from fixtures.make import TODAY

REZAEI = {"birth_date": "1984-03-21", "nationality": "IR", "id_number": "K12345678"}


def _seizure(engine: Engine, scope: Scope, country: str, date: str, person: dict[str, str]) -> None:
    with transaction(engine) as session:
        event = create_seizure(
            session,
            scope,
            SeizureCreate(
                date=date,
                country=country,
                place="Astara",
                departure_country="IR",
                items=[SeizureItemIn(drug="heroin", quantity=5, unit="kg")],
            ),
            TODAY,
        )
        store.create_entity(session, scope, "person", person, event_id=event.id, role="driver")


def test_an_identity_seized_in_both_countries_is_listed_in_the_reports_languages(
    engine: Engine, scope: Scope
) -> None:
    _seizure(engine, scope, "AZ", "2017-03-02", {"name": "Mohammad Rezaei", **REZAEI})
    _seizure(engine, scope, "IR", "2017-05-20", {"name": "محمد رضایی", **REZAEI})
    _seizure(engine, scope, "IR", "2017-08-01", {"name": "Мохаммад Резаи", **REZAEI})
    _seizure(engine, scope, "AZ", "2017-04-04", {"name": "Rauf Quliyev", "birth_date": "1970-01-01"})
    _seizure(engine, scope, "IR", "2016-04-04", {"name": "Рауф Кулиев", "birth_date": "1970-01-01"})  # before
    request = ReportRequest(type="bilateral", country="AZ", period="2017", partner="IR", language="fa")
    with transaction(engine) as session:
        report = build_report(session, scope, request)
        brief = build_report(session, scope, request.model_copy(update={"type": "route-brief"}))
    assert [(i["kind"], i["country"], i["partner"], i["records"]) for i in report.identities] == [
        ("person", 1, 2, 3)
    ]
    assert set(report.identities[0]["names"]) == {"Mohammad Rezaei", "محمد رضایی", "Мохаммад Резаи"}
    assert brief.identities == []
    html = render_html(report)
    assert "دیده‌شده در دو سوی مرز" in html and "محمد رضایی" in html and "Rauf" not in html
    english = render_html(
        report.model_copy(update={"request": request.model_copy(update={"language": "en"})})
    )
    assert "Seen on both sides of the border" in english


@pytest.mark.parametrize(
    ("date", "period", "inside"),
    [("2017-05-20", "2017", True), ("2017-05-20", "2017Q2", True), ("2017-07-01", "2017Q2", False),
     ("2017-05", "2017-05", True), ("2016-12-31", "2017", False), (None, "2017", False),
     ("x", "2017", False)],
)  # fmt: skip
def test_a_received_records_date_is_placed_in_the_period(date: str | None, period: str, inside: bool) -> None:
    assert in_period(date, parse_period(period)) is inside
