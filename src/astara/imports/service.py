"""Run one import: read, parse, de-duplicate, write in batches, report. One transaction.

The caller owns the transaction (:func:`astara.db.engine.transaction`): when this function
raises, nothing it wrote survives. Bad rows fail the whole import unless ``keep_valid`` is set,
in which case they go to the report and the rejects file, and the valid rows are stored.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import os
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.bulk import large_write_cache
from astara.db.models import ImportJob, utcnow
from astara.errors import ImportFailed
from astara.imports import repository
from astara.imports.mapping import Mapping, get_mapping
from astara.imports.nearby import NearIndex
from astara.imports.readers import open_source
from astara.imports.rows import ParsedRow, Problem, RowParser
from astara.imports.schemas import MAX_LISTED, ImportOptions, ImportReport
from astara.kit.cache import figures, store_of
from astara.kit.ids import stable_id
from astara.sharing import outbox as sharing_outbox

BATCH = 2000
NEAR_TOLERANCE = 0.001  # kilogram equivalents within 0.1 % count as "the same quantity"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _fewer_collections() -> Iterator[None]:
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


class _Rejects:
    """Collects bad rows; writes them with their reasons to a CSV file when asked."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        self.rows: list[tuple[list[Problem], list[object]]] = []

    def add(self, problems: list[Problem], values: list[object]) -> None:
        self.rows.append((problems, values))

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".rejects-", suffix=".csv")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["row", "column", "reason", *self.header])
            for problems, values in self.rows:
                writer.writerow(
                    [
                        problems[0].row,
                        "; ".join(p.column for p in problems),
                        "; ".join(p.reason for p in problems),
                    ]
                    + ["" if v is None else str(v) for v in values]
                )
        os.replace(tmp, path)


class _Importer:
    def __init__(
        self,
        session: Session,
        scope: Scope,
        mapping: Mapping,
        options: ImportOptions,
        report: ImportReport,
        job_id: str | None,
        header: list[str],
    ) -> None:
        self.session, self.scope, self.mapping, self.options = session, scope, mapping, options
        self.report, self.job_id = report, job_id
        self.rejects = _Rejects(header)
        # A first import into an empty agency store cannot meet its own events again (``seen`` covers that).
        self.store_had_events = repository.agency_has_events(session, scope)
        if self.store_had_events:
            repository.after_import(session)  # fresh planner statistics keep id look-ups on the key
        self.first_rows: dict[str, int] = {}  # event id -> the row it was first read from
        self.pending: list[tuple[ParsedRow, str]] = []
        self.seen: dict[str, str] = {}  # content hash -> event id (first occurrence)
        self.occurrences: dict[str, int] = defaultdict(int)
        self.merged_rows: dict[str, list[int]] = {}  # event id -> every source row it stands for
        self.near = NearIndex(NEAR_TOLERANCE)
        self.created: set[str] = set()
        self.exact_duplicate_rows = 0  # copied to the report at the end (see run_import)
        self.failed = False
        self.source_file = report.file
        now = utcnow()
        self.writer = repository.record_writer(session, dict(
            agency_id=scope.agency_id, transit_countries=[], conveyance_ids=[], participating_agencies=[],
            source_type=mapping.source_type, tlp="amber", validation_status="draft", created_by=scope.user_id,
            created_at=now, updated_at=now, import_job_id=job_id, source_file=report.file, version=1,
            total_kg=0.0, item_count=0, items_without_kg=0, duplicate_count=1, source_rows=[],
            quality_flags=[],
        ))  # fmt: skip

    # -- duplicates -----------------------------------------------------------------------------
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
            self.exact_duplicate_rows += 1
            if self.options.duplicates == "merge":
                self.merged_rows.setdefault(first, []).append(row.number)
                return
        self.occurrences[content_hash] += 1
        occurrence = self.occurrences[content_hash] - 1
        event_id = stable_id(self.scope.agency_code, self.mapping.name, content_hash, str(occurrence))
        if first is None:
            self.seen[content_hash] = event_id
            self.first_rows[event_id] = row.number
        self._near_duplicate(row, event_id)
        self.pending.append((row, event_id))
        if len(self.pending) >= BATCH:
            self.flush()

    # -- writing --------------------------------------------------------------------------------
    def flush(self, groups: list[tuple[ParsedRow, str, list[ParsedRow]]] | None = None) -> None:
        """Write pending events (each with one item, or with the grouped rows' items)."""
        batch = groups if groups is not None else [(row, eid, [row]) for row, eid in self.pending]
        self.pending = []
        if self.failed or not batch:
            return
        hashes = {eid: _group_hash(rows) for _, eid, rows in batch}
        existing = (
            repository.existing_hashes(self.session, self.scope, list(hashes))
            if self.store_had_events
            else {}
        )
        events: list[tuple[Any, ...]] = []
        items: list[tuple[Any, ...]] = []
        writer = self.writer
        for first, event_id, rows in batch:
            if event_id in existing:
                if existing[event_id] != hashes[event_id] and self.mapping.event_key:
                    key = first.event.get("reference")
                    reason = f"{self.mapping.event_key} {key!r} already exists with other content"
                    self.reject([Problem(first.number, self.mapping.event_key, "", reason)], [])
                else:
                    self.report.events_already_present += 1
                continue
            events.append(writer.event(first.event, event_id, [r.number for r in rows], first.flags,
                                       hashes[event_id], [r.item["kg"] for r in rows]))  # fmt: skip
            items.extend(writer.item(row.item, event_id, n) for n, row in enumerate(rows, start=1))
            self.created.add(event_id)
        if not self.options.dry_run:  # a dry run counts what it would write
            writer.insert(events, items)
            created = self.created
            people = [(eid, f.event) for f, eid, _ in batch if eid in created and f.event.get("person_name")]
            if people:  # the event's person, its match keys and watch-list alerts (astara.matching.store)
                from astara.matching.store import add_imported_persons

                persons, alerts = add_imported_persons(self.session, self.scope, people)
                self.report.persons_created += persons
                self.report.watch_alerts += alerts
        self.report.events_created += len(events)
        self.report.items_created += len(items)

    def reject(self, problems: list[Problem], values: list[object]) -> None:
        self.report.rejected_rows += 1
        room = MAX_LISTED - len(self.report.errors)
        self.report.errors.extend(p.as_dict() for p in problems[: max(room, 0)])
        self.rejects.add(problems, values)
        if not self.options.keep_valid:
            self.failed = True

    def finish_duplicates(self) -> None:
        self.report.exact_duplicate_rows += self.exact_duplicate_rows
        if self.failed or self.options.dry_run:
            return
        merged = [
            (eid, sorted([self.first_rows[eid], *rows]))
            for eid, rows in self.merged_rows.items()
            if eid in self.created
        ]
        repository.record_duplicate_rows(self.session, self.scope, merged)


def _group_hash(rows: list[ParsedRow]) -> str:
    if len(rows) == 1:
        return rows[0].content_hash
    return hashlib.sha256("\x1e".join(sorted(r.content for r in rows)).encode()).hexdigest()


def _group_by_key(importer: _Importer, rows: list[tuple[ParsedRow, list[object]]]) -> None:
    """Template layout: rows sharing the event key are one event; their event values must agree."""
    key_field = importer.mapping.event_key or ""
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
            importer.reject([Problem(row.number, ", ".join(diff), "", reason)], values)
            continue
        group.append(row)
    batch = []
    for key, group in groups.items():
        event_id = stable_id(importer.scope.agency_code, "reference", key)
        for row in group:
            importer.report.flagged += bool(row.flags)
        batch.append((group[0], event_id, group))
    for start in range(0, len(batch), BATCH):
        importer.flush(batch[start : start + BATCH])


def run_import(session: Session, scope: Scope, path: Path, options: ImportOptions) -> ImportReport:
    """Import ``path`` for ``scope``'s agency. Raises ImportFailed (nothing written) on bad rows."""
    require(scope, "records.write")
    started = time.perf_counter()
    mapping = get_mapping(options.mapping)
    sha = file_sha256(path) if path.is_file() else ""
    report = ImportReport(
        job_id=None, file=path.name, file_sha256=sha, mapping=mapping.name, status="completed"
    )
    job_id = uuid.uuid4().hex
    with ExitStack() as stack:
        source = open_source(
            path,
            stack,
            encoding=options.encoding,
            delimiter=options.delimiter,
            limit_bytes=options.limit_bytes,
            member=options.member,
            preferred_delimiter=mapping.delimiter,
        )
        report.file = source.name
        columns = mapping.resolve_columns(source.header)
        report.unused_columns = mapping.unused_columns(source.header, columns)
        if not options.dry_run:
            job = ImportJob(
                id=job_id,
                agency_id=scope.agency_id,
                user_id=scope.user_id,
                file_name=source.name,
                file_sha256=sha,
                mapping=mapping.name,
                status="running",
                options=options.model_dump(mode="json", exclude={"today"}),
            )
            repository.add_job(session, job)
            report.job_id = job_id
        stack.enter_context(large_write_cache(session))
        stack.enter_context(_fewer_collections())
        importer = _Importer(session, scope, mapping, options, report, report.job_id, source.header)
        parser = RowParser(mapping, columns, source.header, options.today)
        keyed: list[tuple[ParsedRow, list[object]]] = []
        rows_read = flagged = 0  # plain counters: a pydantic attribute write per row costs ~1 s per 300,000
        for number, values in source.rows:
            rows_read += 1
            row = parser.parse(number, values)
            if row.warnings:
                _collect_warnings(report, row)
            if row.errors:
                importer.reject(row.errors, values)
                continue
            if mapping.event_key:
                keyed.append((row, values))
                continue
            if row.flags:
                flagged += 1
            importer.add_row(row)
        report.rows_read = rows_read
        report.flagged += flagged
        if report.rows_read == 0:
            raise ImportFailed(f"{source.name} has a header but no data rows")
        if mapping.event_key:
            _group_by_key(importer, keyed)
        else:
            importer.flush()
        importer.finish_duplicates()
        if report.events_created and not options.dry_run:
            sharing_outbox.job_changed(session, scope, report.job_id, options.today)  # same transaction
            repository.after_import(session)
            figures.forget(store_of(session), scope.agency_id)
    report.seconds = round(time.perf_counter() - started, 3)
    if options.rejects_path and importer.rejects.rows:
        importer.rejects.write(options.rejects_path)
        report.rejects_file = str(options.rejects_path)
    if importer.failed:
        report.status = "failed"
        raise ImportFailed(
            f"{source.name}: {report.rejected_rows:,} of {report.rows_read:,} rows are bad; "
            "nothing was imported "
            "(fix them, or use --keep-valid to store the valid rows and get a rejects file)",
            details=report.errors,
        )
    report.status = "dry_run" if options.dry_run else ("partial" if report.rejected_rows else "completed")
    if not options.dry_run:
        job.status, job.finished_at = report.status, utcnow()
        job.rows_read, job.events_created = report.rows_read, report.events_created
        job.events_already_present, job.exact_duplicates = (
            report.events_already_present,
            report.exact_duplicate_rows,
        )
        job.near_duplicates, job.rejected = report.near_duplicates, report.rejected_rows
        job.report = report.model_dump(mode="json")
    return report


def _collect_warnings(report: ImportReport, row: ParsedRow) -> None:
    report.warning_count += len(row.warnings)
    room = MAX_LISTED - len(report.warnings)
    if room > 0 and row.warnings:
        report.warnings.extend(w.as_dict() for w in row.warnings[:room])
