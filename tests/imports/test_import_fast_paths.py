"""The import's fast paths: batches, restored settings, errors after rows were written."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import SeizureEvent, SeizureItem
from astara.errors import ImportFailed
from astara.imports import service
from astara.imports.schemas import ImportOptions
from conftest import TODAY
from fixtures.make import ids_row, write_ids


def _rows(count: int) -> list[dict[str, str]]:
    return [ids_row(AMOUNT=str(10 + n)) for n in range(count)]


def _count(engine: Engine, model: type) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_bad_row_after_written_batches_leaves_nothing(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "BATCH", 3)  # several batches are written before the bad row
    path = write_ids(tmp_path / "ids.csv", [*_rows(10), ids_row(DRUG_NAME="Unobtainium")])
    thresholds = gc.get_threshold()
    with pytest.raises(ImportFailed), transaction(engine) as session:
        service.run_import(session, scope, path, ImportOptions(mapping="unodc_ids", today=TODAY))
    assert (_count(engine, SeizureEvent), _count(engine, SeizureItem)) == (0, 0)
    assert gc.get_threshold() == thresholds


def test_batches_store_every_row_and_restore_settings(
    engine: Engine, scope: Scope, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "BATCH", 3)
    path = write_ids(tmp_path / "ids.csv", [*_rows(10), ids_row(AMOUNT="10")])  # the last: an exact duplicate
    thresholds = gc.get_threshold()
    sqlite = engine.dialect.name == "sqlite"
    pragma = "PRAGMA cache_size"
    with transaction(engine) as session:
        before = session.connection().exec_driver_sql(pragma).scalar() if sqlite else None
        report = service.run_import(session, scope, path, ImportOptions(mapping="unodc_ids", today=TODAY))
        after = session.connection().exec_driver_sql(pragma).scalar() if sqlite else None
    assert (report.events_created, report.items_created, report.exact_duplicate_rows) == (10, 10, 1)
    assert gc.get_threshold() == thresholds
    assert after == before  # the larger page cache was for the import only
    with transaction(engine) as session:
        first = session.scalars(select(SeizureEvent).where(SeizureEvent.duplicate_count == 2)).one()
        assert first.source_rows == [2, 12]
        assert [i.position for i in first.items] == [1]
