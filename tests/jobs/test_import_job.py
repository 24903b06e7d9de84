"""A large import as a job: progress told between batches (outside the import's own transaction),
the same counts as a synchronous import, a bad file failing with its rows named and nothing
stored, and nobody but the uploader (or an administrator) seeing it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.auth.service import add_user, scope_of
from astara.db.engine import transaction
from astara.db.models import SeizureEvent
from astara.errors import NotFound
from astara.imports import service as imports
from astara.imports import uploads
from astara.imports.jobs import start_import
from astara.jobs import progress, service
from astara.jobs.runner import Runner
from astara.runtime import Runtime
from astara.settings import Settings
from fixtures.make import ids_row, import_file, write_ids

ROWS = 230


def _upload(settings: Settings, scope: Scope, rows: list[list[str]]) -> uploads.Upload:
    upload = uploads.create(settings.data_dir / "uploads", scope, "seizures.csv", "unodc_ids")
    write_ids(upload.file(settings.data_dir / "uploads"), rows)
    return upload


def _rows(bad_at: int | None = None) -> list[list[str]]:
    return [ids_row(AMOUNT="x" if n == bad_at else f"{n + 1}.5") for n in range(ROWS)]


def _run(settings: Settings, engine: Engine, scope: Scope, upload: uploads.Upload) -> Any:
    with transaction(engine) as session:
        job_id = start_import(session, scope, settings, upload.token, keep_valid=False).id
    assert Runner(Runtime(settings)).run_once() == 1
    with transaction(engine) as session:
        return service.get_job(session, scope, job_id, settings.data_dir)


def _events(engine: Engine, scope: Scope) -> int:
    with transaction(engine) as session:
        query = (
            select(func.count()).select_from(SeizureEvent).where(SeizureEvent.agency_id == scope.agency_id)
        )
        return int(session.scalar(query) or 0)


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, int]]:
    """Small batches, and every progress the runner writes beside the store."""
    monkeypatch.setattr(imports, "BATCH", 50)
    seen: list[dict[str, int]] = []
    real = progress.write

    def recording(data_dir: Path, job_id: str, done: int, total: Any, message: str, figures: Any) -> None:
        seen.append(dict(figures))
        real(data_dir, job_id, done, total, message, figures)

    monkeypatch.setattr(progress, "write", recording)
    return seen


def test_an_import_job_tells_its_progress_and_ends_with_a_synchronous_imports_counts(
    settings: Settings,
    engine: Engine,
    scope: Scope,
    scope_b: Scope,
    told: list[dict[str, int]],
    tmp_path: Path,
) -> None:
    upload = _upload(settings, scope, _rows())
    job = _run(settings, engine, scope, upload)
    assert job.status == "done" and job.error is None
    assert len(told) > 1 and told[0]["rows_read"] < told[-1]["rows_read"] == ROWS
    assert [t["rows_written"] for t in told] == sorted(t["rows_written"] for t in told)
    assert job.progress_done == ROWS  # the last figures outlive the progress file
    assert not (settings.data_dir / "jobs" / f"{job.id}.progress").exists()

    synchronous = import_file(engine, scope_b, write_ids(tmp_path / "same.csv", _rows()))
    report = job.result["report"]
    for count in ("rows_read", "events_created", "items_created", "rejected_rows"):
        assert report[count] == getattr(synchronous, count)
    assert _events(engine, scope) == synchronous.events_created == ROWS
    assert job.result["upload"] == upload.token and not upload.file(settings.data_dir / "uploads").exists()


def test_a_bad_file_fails_the_job_with_the_row_named_stores_nothing_and_keeps_the_upload(
    settings: Settings, engine: Engine, scope: Scope, told: list[dict[str, int]]
) -> None:
    upload = _upload(settings, scope, _rows(bad_at=170))
    job = _run(settings, engine, scope, upload)
    assert job.status == "failed" and job.result is None
    assert "nothing was imported" in job.error and "row 172, AMOUNT" in job.error  # header is row 1
    assert _events(engine, scope) == 0
    assert upload.file(settings.data_dir / "uploads").exists()  # to try again, or cancel


def test_another_user_cannot_see_the_import_job(settings: Settings, engine: Engine, scope: Scope) -> None:
    upload = _upload(settings, scope, _rows())
    with transaction(engine) as session:
        job_id = start_import(session, scope, settings, upload.token, keep_valid=False).id
        liaison = scope_of(session, add_user(session, scope, "leyla@az-scs", "analyst", None))
        with pytest.raises(NotFound):
            service.get_job(session, liaison, job_id, settings.data_dir)
        with pytest.raises(NotFound):  # nor queue an import of the upload
            start_import(session, liaison, settings, upload.token, keep_valid=False)


def test_a_large_file_prepared_by_the_worker_process_tells_its_progress_too(
    settings: Settings,
    engine: Engine,
    scope: Scope,
    told: list[dict[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(imports, "PARALLEL_ROWS", 0)  # the rows are read in the worker process
    job = _run(settings, engine, scope, _upload(settings, scope, _rows()))
    assert job.status == "done" and job.result["report"]["events_created"] == ROWS
    read = [t["rows_read"] for t in told]
    assert len(read) > 1 and 0 < read[0] < read[-1] == ROWS
