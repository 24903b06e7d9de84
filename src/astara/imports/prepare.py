"""The database-free half of an import: parse rows, find exact and near duplicates, group events.

:func:`prepare` reads a source and yields batches of :data:`Prepared` events: ids, hashes, event
and item values, source rows. It needs no session, so a large import runs it in a worker process
(:mod:`astara.imports.worker`) while the importing process builds the driver rows and writes them
(:mod:`astara.imports.service`). What it finds out about the file (rows read, rejects, warnings,
duplicates) goes into the :class:`ImportReport` it is given, which in a worker is its own and is
copied into the job's report at the end.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from astara.imports.mapping import Mapping
from astara.imports.nearby import NearIndex
from astara.imports.readers import Source
from astara.imports.rows import ParsedRow, Problem, RowParser
from astara.imports.schemas import MAX_LISTED, ImportOptions, ImportReport
from astara.kit.ids import stable_id

NEAR_TOLERANCE = 0.001  # kilogram equivalents within 0.1 % count as "the same quantity"

# One event ready to write: (event id, content hash, event values, quality flags, the source rows
# it stands for, the values of each of its items). The writing side turns the values into the
# driver's rows (RecordBuilder): that work is left to it so that the two processes of a large
# import carry about the same load.
Prepared = tuple[str, str, dict[str, Any], list[str], list[int], list[dict[str, Any]]]


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while an import runs, then as before.

    An import allocates several small objects per row (dicts, lists, tuples) and keeps hundreds of
    thousands alive (duplicate indexes, pending rows); with the default thresholds the collector
    re-walks them all again and again: about 15 % of a 300,000-row import. The rows make no
    reference cycles, so collecting rarely frees the same memory.
    """
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


class Rejects:
    """Collects bad rows; writes them with their reasons to a CSV file when asked."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.rows: list[tuple[list[Problem], list[object]]] = []

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rejects-", suffix=".csv")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
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
    batch: int  # events a batch


class Preparer:
    """Duplicates and the rows to write, one parsed row at a time."""

    def __init__(self, job: Job, mapping: Mapping, report: ImportReport, rejects: Rejects) -> None:
        self.job, self.mapping, self.report, self.rejects = job, mapping, report, rejects
        self.keep_all = job.options.duplicates != "merge"
        self.first_rows: dict[str, int] = {}  # event id -> the row it was first read from
        self.pending: list[tuple[ParsedRow, str]] = []
        self.seen: dict[str, str] = {}  # content hash -> event id (first occurrence)
        self.occurrences: dict[str, int] = defaultdict(int)
        self.merged_rows: dict[str, list[int]] = {}  # event id -> the later rows merged into it
        self.near = NearIndex(NEAR_TOLERANCE)
        self.failed = False  # a bad row and no --keep-valid: the import will fail, stop building

    def reject(self, problems: list[Problem], values: list[object]) -> None:
        reject(self.report, self.rejects, problems, values)
        if not self.job.options.keep_valid:
            self.failed = True

    def _near_duplicate(self, row: ParsedRow, event_id: str) -> None:
        """Flag a row whose country, date, drug and quantity (number, or kilograms) match an earlier row."""
        e, i = row.event, row.item
        key = (e.get("country"), e.get("date"), i["drug_code"])
        other = self.near.add(key, i["quantity"], i["kg"], event_id, row.number)
        if other is None:
            return
        e["possible_duplicate_of"] = other[0]
        row.flags.append(f"possible duplicate of row {other[1]} (same country, date, drug and quantity)")
        self.report.near_duplicates += 1
        if len(self.report.duplicate_examples) < 20:
            self.report.duplicate_examples.append({"row": row.number, "duplicate_of_row": other[1]})

    def add_row(self, row: ParsedRow) -> None:
        content_hash = row.content_hash
        first = self.seen.get(content_hash)
        if first is not None:
            self.report.exact_duplicate_rows += 1
            if not self.keep_all:
                self.merged_rows.setdefault(first, []).append(row.number)
                return
        occurrence = self.occurrences[content_hash]
        self.occurrences[content_hash] = occurrence + 1
        event_id = stable_id(self.job.agency_code, self.mapping.name, content_hash, str(occurrence))
        if first is None:
            self.seen[content_hash] = event_id
            self.first_rows[event_id] = row.number
        self._near_duplicate(row, event_id)
        self.pending.append((row, event_id))

    def take(self) -> list[Prepared]:
        """The pending rows as events of one item each."""
        pending, self.pending = self.pending, []
        return self.build([(row, event_id, [row]) for row, event_id in pending])

    def build(self, groups: list[tuple[ParsedRow, str, list[ParsedRow]]]) -> list[Prepared]:
        """Events: each the first row's event values and every row's item."""
        if self.failed:
            return []
        return [
            (
                event_id,
                _group_hash(rows),
                first.event,
                first.flags,
                [r.number for r in rows],
                [r.item for r in rows],
            )
            for first, event_id, rows in groups
        ]

    def merged(self) -> list[tuple[str, list[int]]]:
        """Each event that exact duplicates were merged into, with every source row it stands for."""
        return [(eid, sorted([self.first_rows[eid], *rows])) for eid, rows in self.merged_rows.items()]


def _group_hash(rows: list[ParsedRow]) -> str:
    if len(rows) == 1:
        return rows[0].content_hash
    return hashlib.sha256("\x1e".join(sorted(r.content for r in rows)).encode()).hexdigest()


def _group_by_key(preparer: Preparer, rows: list[tuple[ParsedRow, list[object]]]) -> Iterator[list[Prepared]]:
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
            preparer.report.flagged += bool(row.flags)
        batch.append((group[0], event_id, group))
    size = preparer.job.batch
    for start in range(0, len(batch), size):
        yield preparer.build(batch[start : start + size])


def prepare(
    job: Job, mapping: Mapping, source: Source, report: ImportReport, rejects: Rejects
) -> Generator[list[Prepared], None, list[tuple[str, list[int]]]]:
    """Read ``source`` to the end; yield the events to write in batches of ``job.batch``.

    Bad rows, warnings and duplicates go to ``report`` and ``rejects``. After the last batch,
    ``report.rows_read`` is set and the generator returns the merged duplicate rows
    (:meth:`Preparer.merged`) as its value.
    """
    options = job.options
    columns = mapping.resolve_columns(source.header)
    parser = RowParser(mapping, columns, source.header, options.today)
    preparer = Preparer(job, mapping, report, rejects)
    keyed: list[tuple[ParsedRow, list[object]]] = []
    rows_read = flagged = 0  # plain counters: a pydantic attribute write per row costs ~1 s per 300,000
    for number, values in source.rows:
        rows_read += 1
        row = parser.parse(number, values)
        if row.warnings:
            _collect_warnings(report, row)
        if row.errors:
            preparer.reject(row.errors, values)
            continue
        if mapping.event_key:
            keyed.append((row, values))
            continue
        if row.flags:
            flagged += 1
        preparer.add_row(row)
        if len(preparer.pending) >= job.batch:
            yield preparer.take()
    report.rows_read = rows_read
    report.flagged += flagged
    if mapping.event_key:
        yield from _group_by_key(preparer, keyed)
    else:
        yield preparer.take()
    return preparer.merged()


def drain(
    batches: Generator[list[Prepared], None, list[tuple[str, list[int]]]],
    each: Callable[[list[Prepared]], None],
) -> list[tuple[str, list[int]]]:
    """Hand every batch of :func:`prepare` (or of the worker) to ``each``; return the merged rows."""
    while True:
        try:
            each(next(batches))
        except StopIteration as done:
            merged: list[tuple[str, list[int]]] = done.value
            return merged


def _collect_warnings(report: ImportReport, row: ParsedRow) -> None:
    report.warning_count += len(row.warnings)
    room = MAX_LISTED - len(report.warnings)
    if room > 0 and row.warnings:
        report.warnings.extend(w.as_dict() for w in row.warnings[:room])
