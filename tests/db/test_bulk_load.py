"""The bulk-load seam (``db/bulk_load.py``): each step named, explained and documented; a large
import takes the steps of its database and names the others; its text index ends whole."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope
from astara.db import bulk_load as seam
from astara.db.engine import transaction
from astara.db.models import SeizureEvent
from astara.imports import service
from astara.seizures import service as seizures
from fixtures.make import ids_row, import_file, large_imports_seen, write_ids

ARCHITECTURE = Path(__file__).resolve().parents[2] / "ARCHITECTURE.md"
SQLITE_ONLY = {"rollback_journal", "unchecked_references", "transaction_begun", "null_adapter", "page_cache",
               "set_indexes_aside", "text_index_by_batch", "flush_meanwhile", "rebuild_indexes",
               "text_index_whole"}  # fmt: skip


def test_every_step_says_why_and_is_in_the_architecture_table() -> None:
    documented = re.findall(r"^\| `(\w+)` \| (?:SQLite|both) \|", ARCHITECTURE.read_text(), re.MULTILINE)
    assert documented == [step.name for step in seam.STEPS]  # the same steps, in the order they run
    for step in seam.STEPS:
        assert len(step.why.split()) >= 6, step.name


def _loads(monkeypatch: pytest.MonkeyPatch) -> list[seam.BulkLoad]:
    """Every bulk load an import opens, kept for a look once it is over."""
    loads: list[seam.BulkLoad] = []
    real = service.bulk_load

    def spy(session: Any, plan: seam.Plan) -> Any:
        manager = real(session, plan)
        load = manager.__enter__()
        loads.append(load)

        class Kept:
            def __enter__(self) -> seam.BulkLoad:
                return load

            def __exit__(self, *exc: Any) -> Any:
                return manager.__exit__(*exc)

        return Kept()

    monkeypatch.setattr(service, "bulk_load", spy)
    return loads


def test_a_large_import_takes_the_steps_of_its_database_and_names_the_others(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = _loads(monkeypatch)
    monkeypatch.setattr(service, "DEFER_INDEXES_ROWS", 0)  # every import counts as large
    report = import_file(engine, scope, write_ids(tmp_path / "ids.csv", [ids_row(AMOUNT="7")]))
    assert report.events_created == 1
    (load,) = loads
    assert sorted(load.taken + load.skipped) == sorted(step.name for step in seam.STEPS)
    if engine.dialect.name == "sqlite":
        assert {"set_indexes_aside", "text_index_by_batch", "rebuild_indexes", "planner_statistics"} <= set(
            load.taken
        )
        assert "rollback_journal" in load.skipped  # run_import was not told it may hold the store
    else:
        assert load.taken == ["gc_thresholds", "planner_statistics"]
        assert set(load.skipped) == SQLITE_ONLY


def test_a_dry_run_and_a_failed_import_take_no_end_step(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = _loads(monkeypatch)
    monkeypatch.setattr(service, "DEFER_INDEXES_ROWS", 0)
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", [ids_row(AMOUNT="7")]), dry_run=True)
    with pytest.raises(service.ImportFailed):
        import_file(engine, scope, write_ids(tmp_path / "bad.csv", [ids_row(DRUG_NAME="Unobtainium")]))
    dry, failed = loads
    assert not {"set_indexes_aside", "page_cache", "planner_statistics"} & set(dry.taken)
    assert not {"rebuild_indexes", "planner_statistics"} & set(failed.taken)


def _search(engine: Engine, scope: Scope, q: str) -> list[str]:
    with transaction(engine) as session:
        return sorted(e.id for e in seizures.list_seizures(session, scope, q=q, limit=100).items)


def test_a_large_import_into_a_store_with_events_leaves_each_event_in_the_text_index_once(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's text index is an ordinary index, kept row by row")
    places = ["Qumlaq", "Yardimli", "Masalli", "Lerik", "Jalilabad", "Goytapa", "Bilasuvar"]
    import_file(engine, scope, write_ids(tmp_path / "a.csv", [ids_row(PLACE=p) for p in places[:2]]))
    triggers = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'seizure_events_fts%'"
    seen = large_imports_seen(monkeypatch, lambda c: c.exec_driver_sql(triggers).scalar())
    monkeypatch.setattr(service, "BATCH", 2)  # several batches, each indexed after it is written
    rows = [ids_row(PLACE=p, AMOUNT=str(20 + n)) for n, p in enumerate(places[2:])]
    assert import_file(engine, scope, write_ids(tmp_path / "b.csv", rows)).events_created == 5
    assert seen and set(seen) == {0}  # written while the triggers were off
    with transaction(engine) as session:
        connection = session.connection()
        connection.exec_driver_sql(
            "INSERT INTO seizure_events_fts(seizure_events_fts) VALUES ('integrity-check')"
        )
        indexed = connection.exec_driver_sql("SELECT id FROM seizure_events_fts_docsize ORDER BY id").all()
        stored = connection.exec_driver_sql("SELECT rowid FROM seizure_events ORDER BY rowid").all()
        assert indexed == stored
        for place in places:  # each event found once, by its own place
            hits = connection.exec_driver_sql(
                "SELECT rowid FROM seizure_events_fts WHERE seizure_events_fts MATCH ?", (place,)
            ).all()
            assert len(hits) == 1, place
        moved = session.scalars(select(SeizureEvent).where(SeizureEvent.place_text == "Lerik")).one()
        moved.place_text = "Shirvan"
    assert _search(engine, scope, "shirvan") == [moved.id]  # kept row by row again
    assert _search(engine, scope, "lerik") == []
