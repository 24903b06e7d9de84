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
import lzma
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

from python_calamine import CalamineWorkbook

from astara.errors import InvalidInput
from astara.kit.limits import ReadLimits

TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
SHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
SNIFF_BYTES = 65536
BLOCK = 1 << 20  # bytes decompressed at a time
# What decompressing a damaged archive raises (gzip and bz2: OSError; zipfile: BadZipFile and,
# for an unsupported method or an encrypted member, NotImplementedError or RuntimeError).
DAMAGED = (
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
)
RATIO_FROM = 10_000_000  # smaller expansions are not held to the ratio: a near-empty template compresses well


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


class _Counted(io.RawIOBase):
    """A decompressing stream that counts what it gives and stops at the limits: the sizes an
    archive's header states are not trusted."""

    def __init__(self, name: str, stream: IO[bytes], compressed: int, limits: ReadLimits) -> None:
        super().__init__()
        self.name, self.stream, self.limits = name, stream, limits
        self.most = min(limits.decompressed_bytes, max(RATIO_FROM, compressed * limits.compression_ratio))
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        try:
            data = self.stream.read(len(buffer))
        except DAMAGED as exc:
            raise InvalidInput(f"{self.name} is damaged: it cannot be decompressed ({exc})") from None
        self.add(len(data))
        buffer[: len(data)] = data
        return len(data)

    def add(self, size: int) -> None:
        self.count += size
        if self.count > self.most:
            raise InvalidInput(_expands(self.name, self.count, self.limits))


def _expands(name: str, count: int, limits: ReadLimits) -> str:
    return (
        f"{name} expands to more than {count / 1e6:,.0f} MB when decompressed, beyond the limits of "
        f"{limits.decompressed_bytes / 1e6:,.0f} MB and {limits.compression_ratio} times its compressed size "
        "(ASTARA_MAX_DECOMPRESSED_MB, ASTARA_MAX_COMPRESSION_RATIO)"
    )


def _check_archive(name: str, data: IO[bytes], compressed: int, limits: ReadLimits) -> None:
    """Decompress every member of a ZIP-based file (XLSX, ODS) once, counting, before a reader
    that holds it in memory sees it."""
    try:
        archive = zipfile.ZipFile(data)
    except zipfile.BadZipFile:
        return  # not a ZIP (an old .xls): nothing expands, the sheet reader says what it is
    counter = _Counted(name, data, compressed, limits)
    try:
        with archive:
            for info in archive.infolist():
                with archive.open(info) as member:
                    while block := member.read(BLOCK):
                        counter.add(len(block))
    except DAMAGED as exc:
        raise InvalidInput(f"{name} is not a readable spreadsheet: {exc}") from None
    finally:
        data.seek(0)


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


class _Lines:
    """The lines of a text stream for the CSV reader, none longer than the limit, and the lines
    of the record being read (to check a record that spans lines)."""

    def __init__(self, name: str, text: IO[str], limit: int) -> None:
        self.name, self.text, self.limit = name, text, limit
        self.number = 0
        self.record: list[str] = []

    def __iter__(self) -> Iterator[str]:
        readline, limit = self.text.readline, self.limit
        while line := readline(limit + 2):  # (room for the line's end, \r\n)
            self.number += 1
            if len(line) > limit and len(line.rstrip("\r\n")) > limit:
                raise InvalidInput(
                    f"{self.name}, line {self.number}: the line is longer than {limit:,} characters "
                    "(ASTARA_MAX_LINE_CHARS)",
                    details=[{"row": self.number, "reason": "line too long"}],
                )
            self.record.append(line)
            yield line

    def take(self) -> list[str]:
        """The lines of the record just read."""
        lines, self.record = self.record, []
        return lines


def _check_quotes(name: str, lines: list[str], start: int, sep: str, *, last: bool = False) -> None:
    """A record read across lines must also read strictly: an unclosed quote swallows every line
    after it into one cell. The file's last record is only checked for a quote still open."""
    try:
        for _ in csv.reader(lines, delimiter=sep, strict=True):
            pass
    except csv.Error as exc:
        if last and "unexpected end of data" not in str(exc):
            return
        raise InvalidInput(
            f"{name}, row {start}: a quoted value opened on this row is not closed ({exc}); "
            "the rows after it would be read as one cell",
            details=[{"row": start, "reason": "unclosed quote"}],
        ) from None


def _text_source(
    name: str,
    raw: IO[bytes],
    encoding: str,
    delimiter: str | None,
    preferred: str | None,
    limits: ReadLimits,
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
    feed = _Lines(name, text, limits.line_chars)
    csv.field_size_limit(limits.cell_chars)  # (process-wide; every import reads with the same settings)
    reader = csv.reader(feed, delimiter=sep)

    def problem(exc: csv.Error, line: int) -> InvalidInput:
        if "field larger than field limit" in str(exc):
            return InvalidInput(
                f"{name}, line {line}: a cell is longer than {limits.cell_chars:,} characters "
                "(ASTARA_MAX_CELL_CHARS)",
                details=[{"row": line, "reason": "cell too long"}],
            )
        return InvalidInput(f"{name}, line {line}: {exc}", details=[{"row": line, "reason": str(exc)}])

    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput(f"{name} is empty") from None
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{name}, line 1: the file is not {encoding} ({exc.reason}); give its encoding"
        ) from None
    except csv.Error as exc:
        raise problem(exc, 1) from None
    last = feed.take()  # the lines of the last record read, checked at the end of the file
    _check_quotes(name, last, 1, sep, last=len(last) == 1)
    header = [h.lstrip("\ufeff").strip() for h in header]
    if len(header) < 2:
        raise InvalidInput(f"{name}: the header has one column {header!r}; is {sep!r} the right separator?")
    _check_columns(name, len(header), 1, limits)

    def rows() -> Iterator[tuple[int, list[object]]]:
        nonlocal last
        most = limits.columns
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                if len(last) == 1:  # (a record of several lines was checked when read)
                    _check_quotes(name, last, start - 1, sep, last=True)
                return
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    f"{name}, after line {reader.line_num}: the file is not {encoding} ({exc.reason}); "
                    "give its encoding with --encoding"
                ) from None
            except csv.Error as exc:
                raise problem(exc, reader.line_num) from None
            last = feed.take()
            if len(last) > 1:
                _check_quotes(name, last, start, sep)
            if len(values) > most:
                _check_columns(name, len(values), start, limits)
            # Skip blank lines. The reader makes a new list per row, so no copy is needed; joining
            # then stripping is the same test as "any value is not blank", at a fraction of the cost.
            if "".join(values).strip():
                yield reader.line_num, values  # type: ignore[misc]

    return Source(name=name, header=header, rows=rows())


def _width(values: Sequence[object]) -> int:
    """Cells up to the last one not empty (a sheet's rows are as wide as its widest row)."""
    width = len(values)
    while width and values[width - 1] in ("", None):
        width -= 1
    return width


def _check_cells(name: str, values: Sequence[object], row: int, limits: ReadLimits) -> None:
    longest = max((len(v) for v in values if type(v) is str), default=0)
    if longest > limits.cell_chars:
        raise InvalidInput(
            f"{name}, row {row}: a cell is longer than {limits.cell_chars:,} characters "
            "(ASTARA_MAX_CELL_CHARS)",
            details=[{"row": row, "reason": "cell too long"}],
        )


def _check_columns(name: str, count: int, row: int, limits: ReadLimits) -> None:
    if count > limits.columns:
        raise InvalidInput(
            f"{name}, row {row}: {count:,} columns, more than the limit of {limits.columns:,} "
            "(ASTARA_MAX_COLUMNS)",
            details=[{"row": row, "reason": "too many columns"}],
        )


def _sheet_source(name: str, data: IO[bytes], compressed: int, limits: ReadLimits) -> Source:
    _check_archive(name, data, compressed, limits)
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
    _check_columns(name, _width(header), 1, limits)
    _check_cells(name, header, 1, limits)

    def rows() -> Iterator[tuple[int, list[object]]]:
        number = 1
        for values in iterator:
            number += 1
            if any(str(v).strip() for v in values):
                row: list[object] = list(values)
                if len(row) > limits.columns:
                    _check_columns(name, _width(row), number, limits)
                _check_cells(name, row, number, limits)
                yield number, row

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
    limits: ReadLimits = ReadLimits(),  # noqa: B008 - frozen, never mutated
) -> Source:
    """Open ``path`` for reading inside ``stack``; ZIP archives yield their one spreadsheet.

    What a compressed file expands to, its lines, cells and columns are held to ``limits``.
    """
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
        counted = io.BufferedReader(_Counted(path.name, unzipped, size, limits), BLOCK)
        return _sized(
            _text_source(path.name, counted, encoding, delimiter, preferred_delimiter, limits),
            size * 5,
        )
    if suffix == ".zip" or (magic == b"PK\x03\x04" and suffix not in SHEET_SUFFIXES):
        return _zip_source(path, stack, encoding, delimiter, limit_bytes, member, preferred_delimiter, limits)
    if suffix in SHEET_SUFFIXES:
        return _sized(_sheet_source(path.name, stack.enter_context(path.open("rb")), size, limits), size * 8)
    if suffix and suffix not in TEXT_SUFFIXES:
        raise InvalidInput(f"{path.name}: unsupported file type {suffix!r} (use CSV, XLSX, ODS or ZIP)")
    raw = stack.enter_context(path.open("rb", buffering=1 << 20))
    return _sized(_text_source(path.name, raw, encoding, delimiter, preferred_delimiter, limits), size)


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
    limits: ReadLimits,
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
    size = path.stat().st_size
    member_stream = stack.enter_context(archive.open(info))
    counted = io.BufferedReader(_Counted(inner_name, member_stream, size, limits), BLOCK)
    if Path(info.filename).suffix.lower() in SHEET_SUFFIXES:
        data = io.BytesIO(counted.read())
        return _sized(_sheet_source(inner_name, data, len(data.getvalue()), limits), info.file_size * 8)
    return _sized(_text_source(inner_name, counted, encoding, delimiter, preferred, limits), info.file_size)
