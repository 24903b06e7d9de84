"""REST API for imports: upload a spreadsheet, get the report (or the row errors)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile

from astara.imports.schemas import ImportOptions, ImportReport
from astara.imports.service import run_import
from astara.web.deps import runtime_of, unit
from astara.web.inputs import safe_file_name

router = APIRouter(prefix="/api/imports", tags=["imports"])


@router.post("", response_model=ImportReport, status_code=201)
def upload(
    request: Request,
    file: Annotated[UploadFile, File(description="CSV, XLSX, ODS or ZIP.")],
    mapping: Annotated[str, Form()] = "astara",
    keep_valid: Annotated[bool, Form()] = False,
    dry_run: Annotated[bool, Form()] = False,
) -> ImportReport:
    settings = runtime_of(request).settings
    limit = settings.max_import_mb * 1_000_000
    name = safe_file_name(file.filename)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out, 1 << 20)
        options = ImportOptions(mapping=mapping, keep_valid=keep_valid, dry_run=dry_run, limit_bytes=limit,
                                limits=settings.read_limits())  # fmt: skip
        with unit(request) as (session, scope):
            return run_import(session, scope, path, options)
