"""Trends with seasonality, route shares and their shifts, hotspots, periods and quarters."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.analysis.flows import route_flows, share_shift
from astara.analysis.hotspots import hotspots
from astara.analysis.periods import Period, parse_period
from astara.analysis.service import stats
from astara.analysis.trends import robust_scores, trends
from astara.db.engine import transaction
from astara.errors import InvalidInput
from fixtures.make import ids_row, import_file, write_ids

IRAN = "Iran, Islamic Republic of"


def test_a_month_that_is_high_every_year_is_not_an_anomaly_but_a_one_off_spike_is() -> None:
    # Three years; every July is a harvest peak (60), one March is a one-off spike (55).
    values = [float(60 if m == 6 else 10 + (y + m) % 3) for y in range(3) for m in range(12)]
    values[24 + 2] = 55.0
    scores = robust_scores(values)
    assert scores.seasonal
    flagged = {i for i, z in enumerate(scores.scores) if z is not None and abs(z) > 3.5}
    assert 26 in flagged
    assert not flagged & {18, 30}  # the Julys of the second and third year
    # The same numbers scored without seasonality would call every July an anomaly.
    flat = robust_scores(values, season=None)
    assert all(abs(flat.scores[i] or 0) > 3.5 for i in (6, 18, 30))


def test_periods_are_parsed_and_know_the_one_before() -> None:
    assert parse_period("2016") == Period(2016)
    assert parse_period("2016Q1").previous() == Period(2015, "quarter", 4)
    assert parse_period("2016-q3").where() == "quarter=20163"
    assert parse_period("2016-01").previous().label == "2015-12"
    with pytest.raises(InvalidInput):
        parse_period("2016Q5")


def test_share_shift_needs_both_size_and_significance() -> None:
    big = share_shift("Iran → Azerbaijan", 20, 100, 60, 100, ("2016", "2017"))
    assert big.flagged and big.delta_points == 40.0 and "60 of 100, 60.0 %" in big.explanation
    small_sample = share_shift("Iran → Azerbaijan", 1, 4, 3, 5, ("2016", "2017"))
    assert not small_sample.flagged  # +35 points, but on nine seizures


@pytest.fixture
def loaded(engine: Engine, scope: Scope, tmp_path: Path) -> Scope:
    """2016: 40 seizures, 10 from Iran; 2017: 210 seizures, 184 from Iran (the founding article)."""
    rows = [
        ids_row(SEIZURE_DATE=f"2016-{1 + i % 12:02d}-05", DEPARTURE_COUNTRY="Afghanistan") for i in range(30)
    ]
    rows += [ids_row(SEIZURE_DATE=f"2016-{1 + i % 12:02d}-06", AMOUNT=str(5 + i)) for i in range(10)]
    rows += [ids_row(SEIZURE_DATE=f"2017-{1 + i % 12:02d}-07", AMOUNT=str(10 + i)) for i in range(184)]
    rows += [
        ids_row(
            SEIZURE_DATE="2017-06-01",
            DEPARTURE_COUNTRY="Turkey",
            PLACE="Baku",
            ADMINISTRATIVE_DIVISION="Baku",
        )
        for _ in range(26)
    ]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows), duplicates="keep")
    return scope


def test_routes_give_the_share_and_flag_its_shift(engine: Engine, loaded: Scope) -> None:
    with transaction(engine) as session:
        result = route_flows(
            session, loaded, ["country=AZ", "year=2017"], baseline_where=["country=AZ", "year=2016"]
        )
    top = result.routes[0]
    assert top.departure_country == "IR" and top.share == "184 of 210, 87.6 %"
    assert top.route.startswith("Afghanistan (produced) → Iran → Azerbaijan")
    shift = next(s for s in result.shifts if s.route == top.route)
    assert shift.flagged and shift.before == "10 of 40, 25.0 %" and shift.after == "184 of 210, 87.6 %"
    stages = {e.stage for e in result.edges}
    assert stages == {"departure→seizure", "seizure→destination"}


def test_hotspots_by_border_post_admin_area_and_h3(engine: Engine, loaded: Scope) -> None:
    with transaction(engine) as session:
        posts = hotspots(session, loaded, ["year=2017"], level="border_post", baseline_where=["year=2016"])
        areas = hotspots(session, loaded, ["year=2017"], level="admin_area")
        cells = hotspots(session, loaded, ["year=2017"], level="h3", resolution=5)
    assert posts.hotspots[0].label.startswith("Astara") and posts.hotspots[0].share == "184 of 210, 87.6 %"
    assert posts.hotspots[0].baseline_events == 40 and not posts.hotspots[0].new
    assert {h.key: h.events for h in areas.hotspots} == {"Astara": 184, "Baku": 26}
    assert sum(h.events for h in cells.hotspots) == 210 and len(cells.hotspots) == 2


def test_monthly_trend_and_quarter_filter(engine: Engine, loaded: Scope) -> None:
    with transaction(engine) as session:
        monthly = trends(session, loaded, ["country=AZ"], period="month")
        yearly = trends(session, loaded, ["country=AZ"], period="year")
        q2 = stats(session, loaded, ["month"], ["quarter=2017Q2"], sort="key")
        by_quarter = stats(session, loaded, ["quarter"], ["year=2017"], sort="key")
    assert [p.period for p in monthly.points][:2] == ["2016-01", "2016-02"] and len(monthly.points) == 24
    june = next(p for p in monthly.points if p.period == "2017-06")
    assert june.events == 15 + 26 and june.change_text.startswith("+26")
    assert [(p.period, p.events) for p in yearly.points] == [("2016", 40), ("2017", 210)]
    assert yearly.points[1].change_text == "+170 (+425.0 %)"
    assert [g.label for g in q2.groups] == ["2017-04", "2017-05", "2017-06"]
    assert [g.label for g in by_quarter.groups] == ["2017 Q1", "2017 Q2", "2017 Q3", "2017 Q4"]
