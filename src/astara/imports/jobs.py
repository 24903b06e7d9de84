"""A large import as a job: the browser's confirmed upload, imported by the job runner with progress.

The import is the same call as a synchronous one (:func:`astara.imports.service.run_import`) in
the job's one transaction, so it stays all-or-nothing; a failed job leaves the upload in place for
the user to try again or cancel.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.errors import ImportFailed
from astara.imports import uploads
from astara.imports.schemas import ImportOptions
from astara.imports.service import run_import
from astara.jobs import service as jobs
from astara.jobs.schemas import JobOut
from astara.jobs.service import Work
from astara.settings import Settings

KIND = "imports.run"
NAMED_PROBLEMS = 5  # the first bad rows named in a failed job's message


def start_import(session: Session, scope: Scope, settings: Settings, token: str, keep_valid: bool) -> JobOut:
    """Queue the import of the acting user's upload ``token`` (once: a second confirm gets the same job)."""
    require(scope, "records.write")
    upload = uploads.find(settings.data_dir / "uploads", scope, token)
    params = {"upload": upload.token, "file": upload.file_name, "keep_valid": keep_valid}
    return jobs.enqueue(session, scope, KIND, params, once=True)


def import_job(work: Work, params: dict[str, Any]) -> dict[str, Any]:
    """The job of :func:`start_import`: progress is the rows read and the records written so far."""
    root, settings = work.settings.data_dir / "uploads", work.settings

    def told(rows_read: int, rows_written: int) -> None:
        work.progress(rows_read, None, "", rows_read=rows_read, rows_written=rows_written)

    with work.unit() as (session, scope):
        upload = uploads.find(root, scope, str(params["upload"]))
        options = ImportOptions(
            mapping=upload.mapping,
            keep_valid=bool(params.get("keep_valid")),
            rejects_path=upload.rejects(root),
            limit_bytes=settings.max_import_mb * 1_000_000,
            limits=settings.read_limits(),
        )
        try:
            report = run_import(session, scope, upload.file(root), options, progress=told)
        except ImportFailed as exc:
            raise ImportFailed(_with_rows(exc), details=exc.details) from None
    upload.file(root).unlink(missing_ok=True)  # (after the commit) the rejects stay for download
    return {"upload": upload.token, "rejects": upload.rejects(root).exists(),
            "report": report.model_dump(mode="json")}  # fmt: skip


def _with_rows(exc: ImportFailed) -> str:
    """The failure with its first bad rows named: a job's page has no table of problems."""
    named = [
        f"row {d.get('row')}, {d.get('column')}: {d.get('reason')}"
        for d in exc.details[:NAMED_PROBLEMS]
        if isinstance(d, dict)
    ]
    return "; ".join([exc.message, *named])
