"""Spreadsheet import in the browser: upload, see the mapping and every row error, then confirm.

The upload is kept in DATA_DIR/uploads/<token>/ until it is imported or cancelled; the token lives
in the uploader's session, so nobody else can confirm or read it. Checking is a dry run of the real
import (same parser, same messages); confirming runs the import for real in one transaction.
"""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from astara.errors import AstaraError, NotAuthenticated, NotFound
from astara.imports.mapping import builtin_mappings
from astara.imports.preview import preview_file
from astara.imports.schemas import ImportOptions
from astara.imports.service import run_import
from astara.web.deps import check_csrf, runtime_of, unit
from astara.web.i18n import language_of, translate
from astara.web.inputs import safe_file_name
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
STALE_SECONDS = 24 * 3600


def _uploads(request: Request) -> Path:
    return runtime_of(request).settings.data_dir / "uploads"


def _forget_stale(folder: Path) -> None:
    """Remove uploads nobody confirmed or cancelled within a day."""
    if folder.exists():
        for entry in folder.iterdir():
            if entry.is_dir() and time.time() - entry.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(entry, ignore_errors=True)


def _upload(request: Request, token: str) -> dict[str, str]:
    upload = request.session.get("uploads", {}).get(token)
    if not upload or not Path(upload["path"]).exists():
        raise NotFound(
            "this upload is no longer here (imported, cancelled or older than a day); upload it again"
        )
    return dict(upload)


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
def check_upload(
    request: Request,
    file: Annotated[UploadFile, File()],
    mapping: Annotated[str, Form()] = "astara",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Keep the upload, then show its columns, first rows, and what a real import would report."""
    settings = runtime_of(request).settings
    token = secrets.token_urlsafe(12)
    folder = _uploads(request)
    _forget_stale(folder)
    path = folder / token / safe_file_name(file.filename)
    try:
        with unit(request, csrf=csrf_token) as (session, scope):
            if mapping not in builtin_mappings():
                raise NotFound(
                    f"no mapping {mapping!r}; built-in mappings: {', '.join(sorted(builtin_mappings()))}"
                )
            path.parent.mkdir(parents=True)
            with path.open("wb") as out:
                shutil.copyfileobj(file.file, out, 1 << 20)
            limit = settings.max_import_mb * 1_000_000
            preview = preview_file(path, mapping, limit, limits=settings.read_limits())
            check = ImportOptions(mapping=mapping, keep_valid=True, dry_run=True, limit_bytes=limit,
                                  limits=settings.read_limits())  # fmt: skip
            report = run_import(session, scope, path, check)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        shutil.rmtree(path.parent, ignore_errors=True)
        return _failed(request, exc)
    request.session.setdefault("uploads", {})[token] = {"path": str(path), "mapping": mapping}
    request.session["uploads"] = dict(request.session["uploads"])  # mark the session changed
    return _page(request, "import_check.html", token=token, preview=preview, report=report)


@router.post("/imports/{token}/confirm", response_class=HTMLResponse)
def confirm(
    request: Request,
    token: str,
    keep_valid: Annotated[bool, Form()] = False,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    upload = _upload(request, token)
    path = Path(upload["path"])
    rejects = path.parent / "rejects.csv"
    options = ImportOptions(mapping=upload["mapping"], keep_valid=keep_valid, rejects_path=rejects,
                            limit_bytes=runtime_of(request).settings.max_import_mb * 1_000_000,
                            limits=runtime_of(request).settings.read_limits())  # fmt: skip
    try:
        with unit(request, csrf=csrf_token) as (session, scope):
            report = run_import(session, scope, path, options)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        return _failed(request, exc)
    path.unlink(missing_ok=True)  # the rejects file stays for download until the folder goes stale
    return _page(request, "import_done.html", token=token, report=report, rejects=rejects.exists())


@router.get("/imports/{token}/rejects.csv")
def rejects_file(request: Request, token: str) -> Response:
    with unit(request):
        pass
    upload = request.session.get("uploads", {}).get(token)
    rejects = Path(upload["path"]).parent / "rejects.csv" if upload else None
    if rejects is None or not rejects.exists():
        raise NotFound("no rejects file for this import")
    return FileResponse(rejects, media_type="text/csv", filename="rejects.csv")


@router.post("/imports/{token}/cancel")
def cancel(request: Request, token: str, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    upload = request.session.get("uploads", {}).get(token)
    if upload:
        shutil.rmtree(Path(upload["path"]).parent, ignore_errors=True)
        uploads = dict(request.session["uploads"])
        uploads.pop(token, None)
        request.session["uploads"] = uploads
    return RedirectResponse("/imports/new", status_code=303)
