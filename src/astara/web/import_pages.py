"""Spreadsheet import in the browser: upload, see the mapping and every row error, then confirm.

The upload is kept on the server (``imports/uploads.py``: a folder under DATA_DIR/uploads named by
a random token and bound to the uploader), so nobody else can confirm, download or cancel it, and
the cookie carries nothing about it. The uploader is authenticated, and the declared size checked,
before a byte of the body is read. Checking is a dry run of the real import (same parser, same
messages); confirming runs the import for real in one transaction, by a job with a progress page
for a large file.
"""

from __future__ import annotations

import shutil
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from astara.errors import AstaraError, InvalidInput, NotAuthenticated, NotFound
from astara.i18n import translate
from astara.imports import uploads
from astara.imports.jobs import start_import
from astara.imports.mapping import builtin_mappings
from astara.imports.preview import preview_file
from astara.imports.schemas import ImportOptions
from astara.imports.service import BYTES_PER_ROW, run_import
from astara.imports.worker import open_job_source
from astara.web.deps import require_login, runtime_of, unit
from astara.web.i18n import language_of
from astara.web.inputs import read_upload_form, safe_file_name
from astara.web.jobs_pages import wake_runner
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
# A file larger than this (about 20,000 rows, or 5 MB of a denser layout) is imported by a job
# whose page shows its progress; a smaller one is imported while the request waits, in seconds.
JOB_BYTES = min(20_000 * BYTES_PER_ROW, 5_000_000)


def _root(request: Request) -> Path:
    return runtime_of(request).settings.data_dir / "uploads"


def _limit(request: Request) -> int:
    return runtime_of(request).settings.max_import_mb * 1_000_000


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    title = translate(language_of(request), "import.title")
    return templates.TemplateResponse(request, name, {"page_title": title, **context}, status_code=status)


def _mappings() -> list[str]:
    return sorted(builtin_mappings())


def _failed(request: Request, exc: AstaraError) -> HTMLResponse:
    """The upload form again, with the message and (for a bad file) the first problems."""
    return _page(request, "import_upload.html", status=exc.status_code, mappings=_mappings(),
                 error=exc.message, details=exc.details[:50])  # fmt: skip


@router.get("/imports/new", response_class=HTMLResponse)
def upload_form(request: Request) -> HTMLResponse:
    with unit(request):
        pass
    return _page(request, "import_upload.html", mappings=_mappings(), error=None)


@router.post("/imports/new", response_class=HTMLResponse)
async def check_upload(request: Request) -> Response:
    """Keep the upload, then show its columns, first rows, and what a real import would report."""
    await run_in_threadpool(require_login, request)  # before reading the body
    try:
        form = await read_upload_form(request, _limit(request))
    except AstaraError as exc:
        return _failed(request, exc)
    try:
        file, mapping, csrf = form.get("file"), form.get("mapping", "astara"), form.get("csrf_token", "")
        if not isinstance(file, UploadFile) or not isinstance(mapping, str) or not isinstance(csrf, str):
            return _failed(request, InvalidInput("choose a spreadsheet file to upload"))
        return await run_in_threadpool(_check, request, file, mapping, csrf)
    finally:
        await form.close()


def _check(request: Request, file: UploadFile, mapping: str, csrf: str) -> Response:
    root, limit = _root(request), _limit(request)
    upload = None
    try:
        with unit(request, csrf=csrf) as (session, scope):
            if mapping not in builtin_mappings():
                raise NotFound(
                    f"no mapping {mapping!r}; built-in mappings: {', '.join(sorted(builtin_mappings()))}"
                )
            upload = uploads.create(root, scope, safe_file_name(file.filename), mapping)
            path = upload.file(root)
            with path.open("wb") as out:
                shutil.copyfileobj(file.file, out, 1 << 20)
            limits = runtime_of(request).settings.read_limits()
            preview = preview_file(path, mapping, limit, limits=limits)
            check = ImportOptions(mapping=mapping, keep_valid=True, dry_run=True, limit_bytes=limit,
                                  limits=limits)  # fmt: skip
            report = run_import(session, scope, path, check)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        if upload is not None:
            uploads.remove(root, upload)
        return _failed(request, exc)
    return _page(request, "import_check.html", token=upload.token, preview=preview, report=report)


@router.post("/imports/{token}/confirm", response_class=HTMLResponse)
def confirm(
    request: Request,
    token: str,
    keep_valid: Annotated[bool, Form()] = False,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    root = _root(request)
    job = None
    try:
        with unit(request, csrf=csrf_token) as (session, scope):
            upload = uploads.find(root, scope, token)
            rejects, limit = upload.rejects(root), _limit(request)
            limits = runtime_of(request).settings.read_limits()
            options = ImportOptions(mapping=upload.mapping, keep_valid=keep_valid, rejects_path=rejects,
                                    limit_bytes=limit, limits=limits)  # fmt: skip
            if _data_bytes(upload.file(root), options) > JOB_BYTES:
                job = start_import(session, scope, runtime_of(request).settings, token, keep_valid)
            else:
                report = run_import(session, scope, upload.file(root), options)
    except (NotAuthenticated, NotFound):
        raise
    except AstaraError as exc:
        return _failed(request, exc)
    if job is not None:  # the job's page shows its progress, then the same report as below
        wake_runner(request)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)
    upload.file(root).unlink(missing_ok=True)  # the rejects stay for download until the folder is stale
    kept = upload.rejects(root).exists()
    return _page(request, "import_done.html", token=upload.token, report=report, rejects=kept)


def _data_bytes(path: Path, options: ImportOptions) -> int:
    """The size of the file's data, uncompressed (estimated for gzip and workbooks), read from its start."""
    if not path.is_file():
        return 0  # (imported already: run_import says so)
    with ExitStack() as stack:
        return open_job_source(path, options, stack, None).size


@router.get("/imports/{token}/rejects.csv")
def rejects_file(request: Request, token: str) -> Response:
    root = _root(request)
    with unit(request) as (_session, scope):
        rejects = uploads.find(root, scope, token).rejects(root)
    if not rejects.exists():
        raise NotFound("no rejects file for this import")
    return FileResponse(rejects, media_type="text/csv", filename="rejects.csv")


@router.post("/imports/{token}/cancel")
def cancel(request: Request, token: str, csrf_token: Annotated[str, Form()] = "") -> Response:
    root = _root(request)
    with unit(request, csrf=csrf_token) as (_session, scope):
        uploads.remove(root, uploads.find(root, scope, token))
    return RedirectResponse("/imports/new", status_code=303)
