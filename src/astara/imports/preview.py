"""What an upload looks like before it is imported: which column feeds which field, the first rows."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from pydantic import BaseModel

from astara.imports.mapping import get_mapping
from astara.imports.readers import open_source
from astara.kit.limits import ReadLimits


class ColumnUse(BaseModel):
    column: str
    field: str | None  # None: the mapping does not read this column


class ImportPreview(BaseModel):
    file: str
    mapping: str
    columns: list[ColumnUse]
    missing_optional: list[str]  # fields the mapping could read but the file lacks
    rows: list[list[str]]  # the first rows, as text, in header order


def preview_file(
    path: Path,
    mapping_name: str,
    limit_bytes: int = 1 << 30,
    rows: int = 5,
    limits: ReadLimits = ReadLimits(),  # noqa: B008 - frozen
) -> ImportPreview:
    """Open ``path`` as an import would (raising the same errors) and describe it; writes nothing."""
    mapping = get_mapping(mapping_name)
    with ExitStack() as stack:
        source = open_source(
            path, stack, limit_bytes=limit_bytes, preferred_delimiter=mapping.delimiter, limits=limits
        )
        used = mapping.resolve_columns(source.header)
        field_of = {index: field for field, index in used.items()}
        sample = []
        for _number, values in source.rows:
            sample.append(["" if v is None else str(v) for v in values])
            if len(sample) >= rows:
                break
    return ImportPreview(
        file=source.name,
        mapping=mapping.name,
        columns=[ColumnUse(column=str(c), field=field_of.get(i)) for i, c in enumerate(source.header)],
        missing_optional=[f for f in mapping.fields if f not in used],
        rows=sample,
    )
