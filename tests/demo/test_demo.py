"""The shipped demo data loads and answers the founding question for Azerbaijan 2016."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.analysis.service import stats
from astara.db.engine import transaction
from astara.demo.service import load_demo
from conftest import TODAY


@pytest.mark.slow
def test_demo_data_loads_and_counts_like_the_raw_file(engine: Engine, scope: Scope) -> None:
    with transaction(engine) as session:
        report = load_demo(session, scope, today=TODAY)
    assert report.rows_read == 39_944
    assert report.events_created + report.exact_duplicate_rows + report.rejected_rows == report.rows_read
    assert all(e["column"] in ("AMOUNT", "DRUG_UNIT") for e in report.errors)  # zero or missing amounts/units
    with transaction(engine) as session:
        result = stats(session, scope, ["departure_country"], ["country=AZ", "year=2016"])
        again = load_demo(session, scope, today=TODAY)
    # Counted by hand from the raw rows: 205 Azerbaijani seizures in 2016, none duplicated.
    assert result.total_events == 205 and result.total_source_rows == 205
    assert {g.key: g.events for g in result.groups} == {"AF": 100, None: 56, "IR": 47, "IL": 1, "TR": 1}
    assert (
        again.status == f"already loaded ({report.status})" and again.events_created == report.events_created
    )
