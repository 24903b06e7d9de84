"""Write the agency's seizures (optionally filtered) as CSV, XLSX, JSON lines or GeoJSON.

Files are written to a temporary name beside the target and renamed when complete, so a
failed export never leaves a half-written file behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.db.models import SeizureEvent
from astara.errors import InvalidInput
from astara.exports.layouts import LAYOUTS, columns
from astara.kit.spreadsheet import CsvWriter, escape_row
from astara.seizures import repository
from astara.seizures.dimensions import parse_where
from astara.seizures.schemas import SeizureEventOut
from astara.sharing import audit

FORMATS = ("csv", "xlsx", "jsonl", "geojson")


def _rows(events: Iterator[SeizureEvent], layout: str) -> Iterator[dict[str, Any]]:
    make = LAYOUTS[layout]
    for event in events:
        for item in event.items:
            yield make(event, item)


def _write_csv(f: IO[str], events: Iterator[SeizureEvent], layout: str) -> int:
    cols = columns(layout)
    writer = CsvWriter(f, delimiter=";" if layout == "ids" else ",")
    writer.writerow(cols)
    n = 0
    for row in _rows(events, layout):
        writer.writerow([row[c] for c in cols])
        n += 1
    return n


def _write_xlsx(path: Path, events: Iterator[SeizureEvent], layout: str) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("seizures")
    cols = columns(layout)
    sheet.append(escape_row(cols))
    n = 0
    for row in _rows(events, layout):
        sheet.append(escape_row(row[c] for c in cols))
        n += 1
    workbook.save(path)
    return n


def _feature(event: SeizureEvent) -> dict[str, Any]:
    record = SeizureEventOut.model_validate(event).model_dump(mode="json")
    geometry = None
    if event.lat is not None and event.lon is not None:
        geometry = {"type": "Point", "coordinates": [event.lon, event.lat]}
    return {"type": "Feature", "id": event.id, "geometry": geometry, "properties": record}


def _write_json(f: IO[str], events: Iterator[SeizureEvent], fmt: str) -> int:
    n = 0
    if fmt == "geojson":
        f.write('{"type": "FeatureCollection", "features": [\n')
    for event in events:
        if fmt == "geojson":
            f.write((",\n" if n else "") + json.dumps(_feature(event), ensure_ascii=False))
        else:
            f.write(SeizureEventOut.model_validate(event).model_dump_json() + "\n")
        n += 1
    if fmt == "geojson":
        f.write("\n]}\n")
    return n


def export(
    session: Session,
    scope: Scope,
    path: Path,
    *,
    fmt: str | None = None,
    layout: str = "astara",
    where: list[str] | None = None,
    q: str | None = None,
) -> int:
    """Export to ``path``; the format follows the suffix unless given. Returns the rows written.

    ``where`` and ``q`` (the list's text search) select the events as the seizure list does."""
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if layout not in LAYOUTS:
        raise InvalidInput(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    events = repository.iter_events(session, scope, parse_where(where or []), q=q or None)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        if fmt == "xlsx":
            os.close(fd)
            n = _write_xlsx(tmp, events, layout)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                n = _write_csv(f, events, layout) if fmt == "csv" else _write_json(f, events, fmt)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    details = {"file": path.name, "format": fmt, "layout": layout, "rows": n, "where": where or []}
    audit.append(session, scope, "export", details={**details, "q": q} if q else details)
    return n
