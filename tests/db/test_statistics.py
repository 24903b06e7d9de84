"""After an import the planner knows how many rows an agency holds, though SQLite's statistics are sampled."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.db import bulk_load
from astara.db.engine import transaction
from fixtures.make import ids_row, import_file, write_ids


@pytest.fixture
def sqlite_only(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's statistics are its own")


def _rows_per_agency(engine: Engine, index: str) -> int:
    with transaction(engine) as session:
        stat = (
            session.connection()
            .exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE idx = ?", (index,))
            .scalar()
        )
    return int(str(stat).split()[1])


@pytest.mark.usefixtures("sqlite_only")
def test_the_planner_is_told_how_many_rows_an_agency_holds(
    engine: Engine, scope: Scope, scope_b: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sample smaller than the file, as 2,000 index entries are against the IDS file's 270,000
    # events: sampled, every entry read belongs to the first agency, and the planner was told an
    # agency holds a few rows (here 6 of 60). On a large store it then walked an agency index for
    # every question instead of reading the table once (bench/import_ids.py: 0.14 s against 0.06 s).
    monkeypatch.setattr(bulk_load, "ANALYSIS_ROWS", 5)
    rows = [ids_row(AMOUNT=str(10 + n)) for n in range(60)]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    assert _rows_per_agency(engine, "ix_events_agency_date") == 60
    assert _rows_per_agency(engine, "ix_events_agency_country_date") == 60
    import_file(engine, scope_b, write_ids(tmp_path / "ids.csv", rows[:40]))
    assert _rows_per_agency(engine, "ix_events_agency_date") == 50  # 100 events, 2 agencies
