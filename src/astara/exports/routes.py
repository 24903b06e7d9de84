"""REST API for exports: the agency's seizures as a file download."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from astara.exports.service import export
from astara.web.deps import unit

router = APIRouter(prefix="/api/export", tags=["exports"])
MEDIA = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jsonl": "application/x-ndjson",
    "geojson": "application/geo+json",
}


@router.get("")
def download(
    request: Request,
    format: str = "csv",
    layout: str = "astara",
    where: Annotated[list[str], Query()] = [],  # noqa: B006 - read only
) -> FileResponse:
    tmp = Path(tempfile.mkdtemp())
    path = tmp / f"seizures-{layout}.{format}"
    with unit(request) as (session, scope):
        export(session, scope, path, fmt=format, layout=layout, where=where)
    cleanup = BackgroundTask(shutil.rmtree, tmp, ignore_errors=True)
    return FileResponse(
        path, media_type=MEDIA.get(format, "application/octet-stream"), filename=path.name, background=cleanup
    )
