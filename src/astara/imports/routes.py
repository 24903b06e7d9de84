"""REST API for imports: upload a spreadsheet, get the report (or the row errors).

The caller is authenticated, and the declared size checked, before a byte of the body is read.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from astara.errors import InvalidInput
from astara.imports.schemas import ImportOptions, ImportReport
from astara.imports.service import run_import
from astara.web.deps import require_login, runtime_of, unit
from astara.web.inputs import read_upload_form, safe_file_name

router = APIRouter(prefix="/api/imports", tags=["imports"])

# The multipart form, documented by hand: the body is read by the route, after authentication.
UPLOAD_FORM: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "CSV, XLSX, ODS or ZIP.",
                        },
                        "mapping": {"type": "string", "default": "astara"},
                        "keep_valid": {"type": "boolean", "default": False},
                        "dry_run": {"type": "boolean", "default": False},
                    },
                }
            }
        },
    }
}


def _flag(value: object) -> bool:
    if value in (None, "", "false", "False", "0", "off"):
        return False
    if value in ("true", "True", "1", "on"):
        return True
    raise InvalidInput(f"a flag is true or false, not {value!r}")


@router.post("", response_model=ImportReport, status_code=201, openapi_extra=UPLOAD_FORM)
async def upload(request: Request) -> ImportReport:
    await run_in_threadpool(require_login, request)  # before reading the body
    limit = runtime_of(request).settings.max_import_mb * 1_000_000
    form = await read_upload_form(request, limit)
    try:
        file, mapping = form.get("file"), form.get("mapping", "astara")
        if not isinstance(file, UploadFile) or not isinstance(mapping, str):
            raise InvalidInput(
                "the request is not valid", details=[{"field": "file", "reason": "Field required"}]
            )
        options = ImportOptions(mapping=mapping, keep_valid=_flag(form.get("keep_valid")),
                                dry_run=_flag(form.get("dry_run")), limit_bytes=limit,
                                limits=runtime_of(request).settings.read_limits())  # fmt: skip
        return await run_in_threadpool(_run, request, file, options)
    finally:
        await form.close()


def _run(request: Request, file: UploadFile, options: ImportOptions) -> ImportReport:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / safe_file_name(file.filename)
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        with unit(request) as (session, scope):
            return run_import(session, scope, path, options)
