"""The database-free half of an import: parse rows, find exact and near duplicates, group events.

:func:`prepare` reads a source and yields :class:`Batch` es of events and items: as rows the
database driver takes (:class:`RecordBuilder`), or, for clean rows, still in columns that the
writing side turns into such rows. It needs no session, so a large import runs it in a
worker process (:mod:`astara.imports.worker`) while the importing process writes
(:mod:`astara.imports.service`). Rows of one-row events (the IDS layout) are parsed a chunk at a
time, column by column (:mod:`astara.imports.chunks`); rows with problems, and files whose rows
group into events by a key, go through :class:`RowParser` one row at a time. What it finds out
about the file (rows read, rejects, warnings, duplicates) goes into the :class:`ImportReport` it is
given, which in a worker is its own and is copied into the job's report at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path
from typing import Any, NamedTuple

from astara.db.rowsets import Rows
from astara.imports.chunks import Chunk, ChunkParser, FastRows, per_distinct
from astara.imports.mapping import Mapping
from astara.imports.nearby import PLACE_FIELDS, NearIndex, place_of
from astara.imports.readers import Source
from astara.imports.records import RecordBuilder, RecordLayouts
from astara.imports.rows import ParsedRow, Problem
from astara.imports.schemas import MAX_LISTED, ImportOptions, ImportReport
from astara.kit.ids import stable_id
from astara.kit.spreadsheet import CsvWriter

NEAR_TOLERANCE = 0.001  # kilogram equivalents within 0.1 % count as "the same quantity"


class Columns(NamedTuple):
    """Events of clean rows still in columns (:meth:`RecordBuilder.from_columns` makes their rows)."""

    rows: FastRows
    ids: list[str]  # each row's event id
    duplicate_of: list[str | None]  # the event each may duplicate
    flags: list[Sequence[str]]  # each row's quality flags
    merged: dict[int, list[int]]  # for events exact duplicates were merged into (by index): all their rows


class Batch(NamedTuple):
    """Events ready to write: the driver's event and item rows, each event's person, if any, and
    more events in columns. The writing side turns the columns into rows
    (:meth:`RecordBuilder.from_columns`): that keeps the two processes of a large import about
    equally busy, and columns cross between them more cheaply than rows."""

    events: list[Rows]
    items: list[Rows]
    # (event id, event values) of events naming a person or a conveyance (matching-store entities)
    people: list[tuple[str, dict[str, Any]]]
    columns: Columns | None = None


Merged = list[tuple[str, list[int]]]  # an event exact duplicates merged into, and all its rows


class Rejects:
    """Collects bad rows; writes them with their reasons to a CSV file when asked."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.rows: list[tuple[list[Problem], list[object]]] = []

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rejects-", suffix=".csv")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = CsvWriter(f)
            writer.writerow(["row", "column", "reason", *self.header])
            for problems, values in sorted(self.rows, key=lambda r: r[0][0].row):
                writer.writerow(
                    [
                        problems[0].row,
                        "; ".join(p.column for p in problems),
                        "; ".join(p.reason for p in problems),
                    ]
                    + ["" if v is None else str(v) for v in values]
                )
        os.replace(tmp, path)


def reject(report: ImportReport, rejects: Rejects, problems: list[Problem], values: list[object]) -> None:
    """Count a bad row, list its problems (up to MAX_LISTED) and keep it for the rejects file."""
    report.rejected_rows += 1
    room = MAX_LISTED - len(report.errors)
    report.errors.extend(p.as_dict() for p in problems[: max(room, 0)])
    rejects.rows.append((problems, values))


@dataclass
class Job:
    """What :func:`prepare` needs to know about the import, all of it plain data (it may cross processes)."""

    agency_code: str
    options: ImportOptions
    batch: int  # rows a batch
    layouts: RecordLayouts  # the tables' columns, for the driver rows
    shared: dict[str, Any] = field(default_factory=dict)  # values every event has (RecordBuilder)
    by_columns: bool = True  # parse clean rows column by column where the mapping allows


class Preparer:
    """Duplicates and the rows to write, one parsed row (or one chunk of rows) at a time."""

    def __init__(self, job: Job, mapping: Mapping, report: ImportReport, rejects: Rejects) -> None:
        self.job, self.mapping, self.report, self.rejects = job, mapping, report, rejects
        self.builder = RecordBuilder(job.layouts, job.shared)
        self.keep_all = job.options.duplicates != "merge"
        self.pending: list[tuple[ParsedRow, str]] = []
        self.seen: dict[str, tuple[str, int]] = {}  # content hash -> its first row's (event id, row)
        self.occurrences: dict[str, int] = {}  # content hash -> rows read with it (duplicates kept)
        self.merged_rows: dict[str, list[int]] = {}  # event id -> its first row and those merged into it
        # event id -> how many of those rows its event row was written with (the others are
        # recorded at the end: merged())
        self.sent_rows: dict[str, int] = {}
        self.near = NearIndex(NEAR_TOLERANCE)
        self.id_prefix = hashlib.sha256(f"{job.agency_code}\x1e{mapping.name}\x1e".encode())
        # plain counters, added to the report at the end: a pydantic attribute write per row
        # costs about a second per 300,000 rows
        self.flagged = 0  # valid rows with a quality flag
        self.exact_duplicates = self.near_duplicates = 0
        self.examples = report.duplicate_examples  # (a list: appending to it is no attribute write)
        self.flagged_events: set[str] = set()  # events with a plausibility flag (column path)
        self.failed = False  # a bad row and no --keep-valid: the import will fail, stop building

    def reject(self, problems: list[Problem], values: list[object]) -> None:
        reject(self.report, self.rejects, problems, values)
        if not self.job.options.keep_valid:
            self.failed = True

    def check(self, row: ParsedRow, values: list[object]) -> bool:
        """Report a parsed row's warnings and errors; whether it is valid."""
        if row.warnings:
            _collect_warnings(self.report, row)
        if row.errors:
            self.reject(row.errors, values)
            return False
        return True

    def _exact(self, number: int, content_hash: str) -> tuple[str, str | None]:
        """A row's event id, and the event it merges into when it repeats an earlier row exactly
        (then the id is that event's; unless duplicates are kept, the row adds no event)."""
        first = self.seen.get(content_hash)
        if first is None:
            event_id = self._event_id(content_hash, 0)
            self.seen[content_hash] = (event_id, number)
            return event_id, None
        self.exact_duplicates += 1
        if not self.keep_all:
            rows = self.merged_rows.get(first[0])
            if rows is None:
                self.merged_rows[first[0]] = [first[1], number]
            else:
                rows.append(number)
            return first[0], first[0]
        occurrence = self.occurrences.get(content_hash, 1)
        self.occurrences[content_hash] = occurrence + 1
        return self._event_id(content_hash, occurrence), None

    def _event_id(self, content_hash: str, occurrence: int) -> str:
        """stable_id(agency code, mapping name, content hash, occurrence), the first two hashed once."""
        digest = self.id_prefix.copy()
        digest.update(f"{content_hash}\x1e{occurrence}".encode())
        return digest.hexdigest()[:32]

    def _noted(self, number: int, other: tuple[str, int]) -> None:
        """Count a near duplicate (and keep the first ones as examples)."""
        self.near_duplicates += 1
        if len(self.examples) < 20:
            self.examples.append({"row": number, "duplicate_of_row": other[1]})

    def add_row(self, row: ParsedRow) -> None:
        """A valid row, parsed alone: kept as a pending event unless it merges into an earlier one."""
        self.flagged += bool(row.flags)
        event_id, merged_into = self._exact(row.number, row.content_hash)
        if merged_into is None:
            self._near_row(row, event_id)

    def _near_row(self, row: ParsedRow, event_id: str) -> None:
        """Flag a row whose country, date, drug and quantity (number, or kilograms) match an
        earlier row's of a compatible place (:mod:`astara.imports.nearby`); keep it as a pending event."""
        e, i = row.event, row.item
        key = (e.get("country"), e.get("date"), i["drug_code"])
        place = place_of(*map(e.get, PLACE_FIELDS))
        other = self.near.add(key, i["quantity"], i["kg"], event_id, row.number, place)
        if other is not None:
            self._noted(row.number, other)
            e["possible_duplicate_of"] = other[0]
            row.flags.append(_near_flag(other[1]))
        self.pending.append((row, event_id))

    def add_chunk(self, parser: ChunkParser, chunk: Chunk, slow: list[tuple[int, ParsedRow]]) -> Batch:
        """A chunk's valid rows (clean ones as columns, the others parsed alone), in reading order;
        its events, ready to write.

        Exact duplicates are found first, so that only the rows that become events are laid out
        in columns (:meth:`ChunkParser.fill`); then near duplicates, in reading order.
        """
        order: list[tuple[int, int | ParsedRow]] = [(p, j) for j, p in enumerate(chunk.positions)]
        if slow:
            order = sorted([*order, *slow], key=lambda entry: entry[0])
        kept: list[tuple[int | ParsedRow, str]] = []  # (clean row index or parsed row, event id)
        keep: list[int] = []
        merged_into: list[str] = []  # the events clean rows merged into (their flags count too)
        numbers, hashes, exact = chunk.numbers, chunk.hashes, self._exact
        for _position, entry in order:
            if isinstance(entry, int):
                event_id, into = exact(numbers[entry], hashes[entry])
                if into is None:
                    kept.append((len(keep), event_id))
                    keep.append(entry)
                else:
                    merged_into.append(into)
            else:
                self.flagged += bool(entry.flags)
                event_id, into = exact(entry.number, entry.content_hash)
                if into is None:
                    kept.append((entry, event_id))
                    if entry.flags:
                        self.flagged_events.add(event_id)
        fast = parser.fill(chunk, None if len(keep) == len(chunk.numbers) else keep)
        flags = fast.flags
        flagged = len(flags) - flags.count(None)
        self.flagged += flagged
        if flagged:
            self.flagged_events.update(e for e, f in zip(fast_ids(kept), flags, strict=True) if f is not None)
        if merged_into:
            self.flagged += sum(e in self.flagged_events for e in merged_into)
        keys = list(zip(*(fast.column(fast.event, name) for name in ("country", "date")),
                        fast.column(fast.item, "drug_code"), strict=True))  # fmt: skip
        place_values = zip(*(fast.column(fast.event, name) for name in PLACE_FIELDS), strict=True)
        places = per_distinct(list(place_values), lambda values: place_of(*values))
        quantities, kgs, numbers = (
            fast.column(fast.item, "quantity"),
            fast.column(fast.item, "kg"),
            fast.numbers,
        )
        ids: list[str] = []
        duplicate_of: list[str | None] = []
        row_flags: list[Sequence[str]] = []
        near = self.near.add
        for entry, event_id in kept:
            if not isinstance(entry, int):
                self._near_row(entry, event_id)
                continue
            j = entry
            ids.append(event_id)
            other = near(keys[j], quantities[j], kgs[j], event_id, numbers[j], places[j])
            flag = flags[j]
            if other is None:
                duplicate_of.append(None)
                row_flags.append(() if flag is None else (flag,))
            else:
                self._noted(numbers[j], other)
                duplicate_of.append(other[0])
                row_flags.append((_near_flag(other[1]),) if flag is None else (flag, _near_flag(other[1])))
        rest = self.take()
        if self.failed or not ids:
            return rest
        merged = self._merged_so_far(ids, merged_into)
        return Batch(
            rest.events, rest.items, rest.people, Columns(fast, ids, duplicate_of, row_flags, merged)
        )

    def _merged_so_far(self, ids: list[str], merged_into: list[str]) -> dict[int, list[int]]:
        """For the events among ``ids`` that rows were merged into so far, by index: all their rows.
        (Most exact duplicates of a file follow their first row closely: their events are written
        with every row, and only the rest is recorded at the end.)"""
        if not merged_into:
            return {}
        wanted = set(merged_into)
        return {j: self._written_with(event_id) for j, event_id in enumerate(ids) if event_id in wanted}

    def _written_with(self, event_id: str) -> list[int]:
        """Every row merged into ``event_id`` so far, now written with its event row."""
        rows = self.merged_rows[event_id]
        self.sent_rows[event_id] = len(rows)
        return sorted(rows)

    def take(self) -> Batch:
        """The pending rows as events of one item each."""
        pending, self.pending = self.pending, []
        return self.build([(row, event_id, [row]) for row, event_id in pending])

    def build(self, groups: list[tuple[ParsedRow, str, list[ParsedRow]]]) -> Batch:
        """Events: each the first row's event values and every row's item."""
        if self.failed:
            return Batch([], [], [])
        build_event, build_item = self.builder.event, self.builder.item
        events: list[tuple[Any, ...]] = []
        items: list[tuple[Any, ...]] = []
        people: list[tuple[str, dict[str, Any]]] = []
        for first, event_id, rows in groups:
            numbers = [r.number for r in rows]
            if len(rows) == 1 and event_id in self.merged_rows:  # rows merged into it so far
                numbers = self._written_with(event_id)
            events.append(build_event(first.event, event_id, numbers, first.flags,
                                      _group_hash(rows), [r.item for r in rows]))  # fmt: skip
            items.extend(build_item(r.item, event_id, n) for n, r in enumerate(rows, start=1))
            if first.event.get("person_name") or first.event.get("conveyance_ids"):
                people.append((event_id, first.event))
        return Batch(*self.builder.groups(events, items), people)

    def merged(self) -> Merged:
        """Each event that exact duplicates were merged into after its row was built, with every
        source row it stands for."""
        sent = self.sent_rows
        return [(eid, sorted(rows)) for eid, rows in self.merged_rows.items() if len(rows) > sent.get(eid, 0)]


def fast_ids(kept: list[tuple[int | ParsedRow, str]]) -> list[str]:
    """The event ids of the clean rows among ``kept``, in order."""
    return [event_id for entry, event_id in kept if isinstance(entry, int)]


def _near_flag(row: int) -> str:
    return f"possible duplicate of row {row} (same country, date, drug, place and quantity)"


def _group_hash(rows: list[ParsedRow]) -> str:
    if len(rows) == 1:
        return rows[0].content_hash
    return hashlib.sha256("\x1e".join(sorted(r.content for r in rows)).encode()).hexdigest()


def _group_by_key(preparer: Preparer, rows: list[tuple[ParsedRow, list[object]]]) -> Iterator[Batch]:
    """Template layout: rows sharing the event key are one event; their event values must agree."""
    key_field = preparer.mapping.event_key or ""
    groups: dict[str, list[ParsedRow]] = {}
    for row, values in rows:
        key = str(row.event.get(key_field, ""))
        group = groups.setdefault(key, [])
        if group and group[0].event != row.event:
            diff = sorted(
                k for k in set(group[0].event) | set(row.event) if group[0].event.get(k) != row.event.get(k)
            )
            reason = (
                f"event values ({', '.join(diff)}) differ from row {group[0].number} of the same {key_field}"
            )
            preparer.reject([Problem(row.number, ", ".join(diff), "", reason)], values)
            continue
        group.append(row)
    batch = []
    for key, group in groups.items():
        event_id = stable_id(preparer.job.agency_code, "reference", key)
        for row in group:
            preparer.flagged += bool(row.flags)
        batch.append((group[0], event_id, group))
    size = preparer.job.batch
    for start in range(0, len(batch), size):
        yield preparer.build(batch[start : start + size])


Row = tuple[int, list[object]]  # a file row: its number and its values


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def chunk_parser(mapping: Mapping, source: Source, today: dt.date) -> ChunkParser:
    return ChunkParser(mapping, mapping.resolve_columns(source.header), source.header, today)


def parsed_chunks(parser: ChunkParser, source: Source, size: int) -> Iterator[tuple[list[Row], Chunk]]:
    """The rows of ``source`` still to read, in chunks of ``size``, each with its parse."""
    for chunk in _chunks(source.rows, size):
        yield chunk, parser.parse_chunk(chunk)


def prepare(
    job: Job,
    mapping: Mapping,
    source: Source,
    report: ImportReport,
    rejects: Rejects,
    parser: ChunkParser | None = None,
    ahead: Sequence[tuple[list[Row], Chunk]] = (),
) -> Generator[Batch, None, Merged]:
    """Read ``source`` to the end; yield the events to write in batches of about ``job.batch`` rows.

    Bad rows, warnings and duplicates go to ``report`` and ``rejects``. After the last batch,
    ``report.rows_read`` is set and the generator returns the merged duplicate rows
    (:meth:`Preparer.merged`) as its value. ``ahead``: the first chunks, already read and parsed
    by ``parser`` (:func:`parsed_chunks`; the worker does that while it waits for its job).
    """
    parser = parser or chunk_parser(mapping, source, job.options.today)
    preparer = Preparer(job, mapping, report, rejects)
    rows_read = 0
    if job.by_columns and parser.usable():
        for chunk, split in chain(ahead, parsed_chunks(parser, source, job.batch)):
            rows_read += len(chunk)
            report.rows_read = rows_read  # (so far: an import's progress reads it between batches)
            valid = [
                (position, row) for position, row in split.slow if preparer.check(row, chunk[position][1])
            ]
            yield preparer.add_chunk(parser, split, valid)
    else:
        keyed: list[tuple[ParsedRow, list[object]]] = []
        for number, values in source.rows:
            rows_read += 1
            row = parser.parse(number, values)
            if not preparer.check(row, values):
                continue
            if mapping.event_key:
                keyed.append((row, values))
                continue
            preparer.add_row(row)
            if len(preparer.pending) >= job.batch:
                report.rows_read = rows_read
                yield preparer.take()
        report.rows_read = rows_read
        if mapping.event_key:
            yield from _group_by_key(preparer, keyed)
        else:
            yield preparer.take()
    report.rows_read = rows_read
    report.flagged += preparer.flagged
    report.exact_duplicate_rows += preparer.exact_duplicates
    report.near_duplicates += preparer.near_duplicates
    return preparer.merged()


def drain(batches: Generator[Batch, None, Merged], each: Callable[[Batch], None]) -> Merged:
    """Hand every batch of :func:`prepare` (or of the worker) to ``each``; return the merged rows."""
    while True:
        try:
            each(next(batches))
        except StopIteration as done:
            merged: Merged = done.value
            return merged


def _collect_warnings(report: ImportReport, row: ParsedRow) -> None:
    report.warning_count += len(row.warnings)
    room = MAX_LISTED - len(report.warnings)
    if room > 0 and row.warnings:
        report.warnings.extend(w.as_dict() for w in row.warnings[:room])
