"""Read spreadsheets as a header and numbered rows, streaming: CSV (any separator), XLSX/ODS, ZIP.

Rows come out as ``(row_number, values)`` where the number is what a person sees in the file
(the header is row 1). Problems that make the whole file unreadable raise :class:`InvalidInput`
with the reason; problems with one row are left to the caller.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from python_calamine import CalamineWorkbook

from astara.errors import InvalidInput

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
SHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
SNIFF_BYTES = 65536
csv.field_size_limit(1 << 20)


@dataclass
class Source:
    """An open spreadsheet: its name as shown in reports, its header, and its rows."""

    name: str
    header: list[str]
    rows: Iterator[tuple[int, list[object]]]
    size: int = 0  # bytes of the data, uncompressed where known (an estimate for gzip and sheets)


def _check_size(name: str, size: int, limit_bytes: int) -> None:
    if size == 0:
        raise InvalidInput(f"{name} is empty")
    if size > limit_bytes:
        raise InvalidInput(
            f"{name} is {size / 1e6:,.0f} MB, more than the import limit of {limit_bytes / 1e6:,.0f} MB "
            "(raise ASTARA_MAX_IMPORT_MB, or split the file)"
        )


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) * 0.01


def _sniff_delimiter(sample: str, name: str, preferred: str | None) -> str:
    first = sample.splitlines()[0] if sample else ""
    if preferred and preferred in first:
        return preferred
    counts = {d: first.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise InvalidInput(f"{name}: the first line has no ';', ',', tab or '|' separator: {first[:120]!r}")
    return best


def _text_source(
    name: str, raw: IO[bytes], encoding: str, delimiter: str | None, preferred: str | None
) -> Source:
    head = raw.peek(SNIFF_BYTES)[:SNIFF_BYTES] if hasattr(raw, "peek") else b""
    if _looks_binary(head):
        raise InvalidInput(f"{name} does not look like a text spreadsheet: it contains binary data")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise InvalidInput(f"unknown encoding {encoding!r}") from None
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    try:
        sample = head.decode(encoding, errors="strict") if head else ""
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data":  # a real error, not a character cut by the sample's end
            line = head[: exc.start].count(b"\n") + 1
            raise InvalidInput(
                f"{name}, line {line}: the file is not {encoding} (byte 0x{head[exc.start]:02x}); "
                "re-save it as UTF-8 or give its encoding with --encoding (e.g. cp1251, cp1256)"
            ) from None
        sample = head[: exc.start].decode(encoding, errors="ignore")
    sep = delimiter or _sniff_delimiter(sample.lstrip("\ufeff"), name, preferred)
    reader = csv.reader(text, delimiter=sep)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput(f"{name} is empty") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{name}, line 1: the file is not {encoding} ({exc.reason}); give its encoding"
        ) from None
    except csv.Error as exc:
        raise InvalidInput(f"{name}, line 1: {exc}") from None
    header = [h.lstrip("\ufeff").strip() for h in header]
    if len(header) < 2:
        raise InvalidInput(f"{name}: the header has one column {header!r}; is {sep!r} the right separator?")

    def rows() -> Iterator[tuple[int, list[object]]]:
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    f"{name}, after line {reader.line_num}: the file is not {encoding} ({exc.reason}); "
                    "give its encoding with --encoding"
                ) from None
            except csv.Error as exc:
                raise InvalidInput(f"{name}, line {reader.line_num}: {exc}") from None
            # Skip blank lines. The reader makes a new list per row, so no copy is needed; joining
            # then stripping is the same test as "any value is not blank", at a fraction of the cost.
            if "".join(values).strip():
                yield reader.line_num, values  # type: ignore[misc]

    return Source(name=name, header=header, rows=rows())


def _sheet_source(name: str, data: IO[bytes]) -> Source:
    try:
        workbook = CalamineWorkbook.from_filelike(data)
    except Exception as exc:  # calamine raises its own error types per format
        raise InvalidInput(f"{name} is not a readable spreadsheet: {exc}") from exc
    if not workbook.sheet_names:
        raise InvalidInput(f"{name} has no sheets")
    sheet = workbook.get_sheet_by_index(0)
    iterator = iter(sheet.iter_rows())
    for first in iterator:
        if any(str(v).strip() for v in first):
            header = [str(v).strip() for v in first]
            break
    else:
        raise InvalidInput(f"{name} is empty (sheet {workbook.sheet_names[0]!r} has no rows)")

    def rows() -> Iterator[tuple[int, list[object]]]:
        number = 1
        for values in iterator:
            number += 1
            if any(str(v).strip() for v in values):
                yield number, list(values)

    return Source(name=name, header=header, rows=rows())


def open_source(
    path: Path,
    stack: ExitStack,
    *,
    encoding: str = "utf-8-sig",
    delimiter: str | None = None,
    limit_bytes: int = 1 << 30,
    member: str | None = None,
    preferred_delimiter: str | None = None,
) -> Source:
    """Open ``path`` for reading inside ``stack``; ZIP archives yield their one spreadsheet."""
    if not path.exists():
        raise InvalidInput(f"{path} does not exist")
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder, not a file")
    size = path.stat().st_size
    _check_size(path.name, size, limit_bytes)
    suffix = path.suffix.lower()
    with path.open("rb") as probe:
        magic = probe.read(4)
    if suffix == ".gz" or magic[:2] == b"\x1f\x8b":
        inner = Path(path.stem)
        if inner.suffix.lower() not in TEXT_SUFFIXES:
            raise InvalidInput(f"{path.name}: only gzip-compressed CSV files are read (name.csv.gz)")
        unzipped = cast(IO[bytes], stack.enter_context(gzip.open(path, "rb")))  # noqa: SIM115 - the ExitStack closes it
        return _sized(
            _text_source(path.name, unzipped, encoding, delimiter, preferred_delimiter),
            size * 5,
        )
    if suffix == ".zip" or (magic == b"PK\x03\x04" and suffix not in SHEET_SUFFIXES):
        return _zip_source(path, stack, encoding, delimiter, limit_bytes, member, preferred_delimiter)
    if suffix in SHEET_SUFFIXES:
        return _sized(_sheet_source(path.name, stack.enter_context(path.open("rb"))), size * 8)
    if suffix and suffix not in TEXT_SUFFIXES:
        raise InvalidInput(f"{path.name}: unsupported file type {suffix!r} (use CSV, XLSX, ODS or ZIP)")
    raw = stack.enter_context(path.open("rb", buffering=1 << 20))
    return _sized(_text_source(path.name, raw, encoding, delimiter, preferred_delimiter), size)


def _sized(source: Source, size: int) -> Source:
    """``source`` with its size in bytes (compressed formats: times a typical compression ratio)."""
    source.size = size
    return source


def _zip_source(
    path: Path,
    stack: ExitStack,
    encoding: str,
    delimiter: str | None,
    limit_bytes: int,
    member: str | None,
    preferred: str | None,
) -> Source:
    try:
        archive = stack.enter_context(zipfile.ZipFile(path))
    except zipfile.BadZipFile as exc:
        raise InvalidInput(f"{path.name} is not a valid ZIP archive: {exc}") from exc
    names = [
        n.filename
        for n in archive.infolist()
        if not n.is_dir()
        and Path(n.filename).suffix.lower() in TEXT_SUFFIXES | SHEET_SUFFIXES
        and not n.filename.startswith("__MACOSX")
    ]
    if "[Content_Types].xml" in archive.namelist():
        raise InvalidInput(f"{path.name} is an Office document: give it the .xlsx suffix")
    if member:
        names = [n for n in names if n == member]
    if len(names) != 1:
        found = ", ".join(names) or "none"
        raise InvalidInput(
            f"{path.name}: expected one CSV or spreadsheet inside, found {found} (use --member)"
        )
    info = archive.getinfo(names[0])
    _check_size(f"{path.name}:{info.filename}", info.file_size, limit_bytes)
    inner_name = f"{path.name}:{info.filename}"
    if Path(info.filename).suffix.lower() in SHEET_SUFFIXES:
        return _sized(_sheet_source(inner_name, io.BytesIO(archive.read(info))), info.file_size * 8)
    member_stream = stack.enter_context(archive.open(info))
    return _sized(_text_source(inner_name, member_stream, encoding, delimiter, preferred), info.file_size)
