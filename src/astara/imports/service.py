"""Run one import: read, parse, de-duplicate, write in batches, report. One transaction.

The caller owns the transaction (:func:`astara.db.engine.transaction`): when this function
raises, nothing it wrote survives. Bad rows fail the whole import unless ``keep_valid`` is set,
in which case they go to the report and the rejects file, and the valid rows are stored.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable, Generator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db import snapshot_log, versions
from astara.db.bulk_load import BulkLoad, Plan, bulk_load
from astara.db.models import ImportJob, utcnow
from astara.db.rowsets import Rows, with_values
from astara.errors import ImportFailed
from astara.imports import repository, spawn
from astara.imports.mapping import Mapping, get_mapping
from astara.imports.prepare import Batch, Job, Merged, Rejects, drain, prepare, reject
from astara.imports.readers import Source
from astara.imports.records import RecordBuilder, source_rows, values, without
from astara.imports.rows import Problem
from astara.imports.schemas import ImportOptions, ImportReport
from astara.imports.worker import open_job_source, prepare_in_worker
from astara.kit.deferred import deferred
from astara.kit.ids import file_sha256
from astara.sharing import audit
from astara.sharing import outbox as sharing_outbox

if TYPE_CHECKING:
    from astara.matching import conveyances, identities
    from astara.matching import store as matching_store
else:
    conveyances = deferred("astara.matching.conveyances", "only events that name persons or vehicles need it")
    identities = deferred("astara.matching.identities", "only imports that name persons or vehicles resolve")
    matching_store = deferred("astara.matching.store", "only events that name persons or vehicles need it")

# From this size on (estimated from the data's size), an import is a large bulk load: its steps
# that only pay at scale are taken (astara.db.bulk_load).
DEFER_INDEXES_ROWS = 50_000
PARALLEL_ROWS, BYTES_PER_ROW = spawn.PARALLEL_ROWS, spawn.BYTES_PER_ROW  # (when a worker prepares)
BATCH, BY_COLUMNS = spawn.BATCH, spawn.BY_COLUMNS  # rows written at a time; parsed by columns
TABLES = ("seizure_events", "seizure_items")
# Indexes a large import keeps up to date rather than rebuilds at its end. Some keys arrive in order
# (the events of one job; creation times, batch after batch; the few events of several drugs); the
# others cost the writing side more than a rebuild would, but while it waits for the worker's
# next batch, where a rebuild would come after the worker has finished.
KEPT_INDEXES = (
    "ix_events_agency_import",
    "ix_events_agency_created",
    "ix_events_agency_mixed_drugs",
    "ix_events_agency_country_date",
    "ix_events_agency_date",
)


class _Writer:
    """The database half of an import: writes prepared batches, skipping events already stored."""

    def __init__(self, session: Session, scope: Scope, mapping: Mapping, options: ImportOptions,
                 report: ImportReport, job: Job, load: BulkLoad, progress: Progress | None,
                 ) -> None:  # fmt: skip
        self.session, self.scope, self.mapping = session, scope, mapping
        self.options, self.report, self.load, self.progress = options, report, load, progress
        self.builder = RecordBuilder(job.layouts, job.shared)
        # A first import into an empty agency store cannot meet its own events again (the
        # preparer's duplicates cover that).
        self.store_had_events = repository.agency_has_events(session, scope)
        self.created: set[str] = set()
        self.conflicts: list[Problem] = []  # events whose key is stored with other content
        self.entities: dict[str, list[str]] = {"person": [], "vehicle": []}  # written, to resolve at the end

    def write(self, batch: Batch) -> None:
        """Write one batch, then tell the bulk load and the caller's progress."""
        self._write(batch)
        if self.progress is not None:
            self.progress(self.report.rows_read, self.report.events_created)

    def _write(self, batch: Batch) -> None:
        events, items, people, columns = batch
        # Each batch's events are created when it is written: the index on the creation time
        # (agency, created_at, id), which a large import keeps up to date (KEPT_INDEXES), then
        # takes each batch's keys at its end rather than among all the import's earlier ones.
        now = utcnow()
        stamp = self.builder.stamp({"created_at": now, "updated_at": now})
        events = with_values(events, stamp)  # (rows the preparing side built)
        if columns is not None:
            more_events, more_items = self.builder.from_columns(*columns)
            events, items = more_events + events, more_items + items
        ids = values(events, "id")
        if not ids:
            return
        if self.store_had_events:
            existing = repository.existing_hashes(self.session, self.scope, ids)
            if existing:
                present = self._present(existing, events)
                events, items = without(events, "id", present), without(items, "event_id", present)
                people = [p for p in people if p[0] not in present]
                ids = [i for i in ids if i not in present]
        if not self.options.dry_run:  # a dry run counts what it would write
            repository.insert_records(self.session, events, items)
            self.load.batch_written()
            if people:  # the event's person and vehicles, their match keys and watch-list alerts
                self._add_entities(people)
        self.created.update(ids)
        self.report.events_created += len(ids)
        self.report.items_created += sum(len(group.rows) for group in items)

    def _add_entities(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        """The persons (astara.matching.store) and vehicles (astara.matching.conveyances) the events name."""
        persons, alerts = matching_store.add_imported_persons(
            self.session, self.scope, [e for e in events if e[1].get("person_name")], self.entities["person"]
        )
        vehicles, more = conveyances.add_imported_vehicles(
            self.session, self.scope, events, self.entities["vehicle"]
        )
        self.report.persons_created += persons
        self.report.vehicles_created += vehicles
        self.report.watch_alerts += alerts + more

    def _present(self, existing: dict[str, str | None], events: list[Rows]) -> set[str]:
        """The events already stored; a stored key with other content is also a conflict."""
        key = self.mapping.event_key
        present = set()
        columns = ("id", "content_hash", "reference", "source_rows")
        for event_id, content_hash, reference, rows in zip(
            *(values(events, c) for c in columns), strict=True
        ):
            if event_id not in existing:
                continue
            present.add(event_id)
            if existing[event_id] != content_hash and key:
                reason = f"{key} {reference!r} already exists with other content"
                self.conflicts.append(Problem(source_rows(rows)[0], key, "", reason))
            else:
                self.report.events_already_present += 1
        return present

    def finish_duplicates(self, merged: Merged) -> None:
        """Store, on each event exact duplicates were merged into, every source row it stands for."""
        if not self.options.dry_run:
            created = self.created
            repository.record_duplicate_rows(self.session, self.scope, [m for m in merged if m[0] in created])


def _batches(
    path: Path, source: Source, job: Job, mapping: Mapping, report: ImportReport, rejects: Rejects
) -> Generator[Batch, None, Merged]:
    """The prepared batches: from a worker process for a large file (see worker.py), else from here."""
    # (an embedded interpreter without sys.executable cannot start a worker: it prepares here)
    if source.size // BYTES_PER_ROW >= PARALLEL_ROWS and (os.cpu_count() or 1) > 1 and sys.executable:
        return (yield from prepare_in_worker(path, job, report, rejects))
    spawn.discard()  # (a worker started early for a file that turned out small)
    return (yield from prepare(job, mapping, source, report, rejects))


Progress = Callable[[int, int], None]  # (rows read so far, events written so far)


def run_import(
    session: Session,
    scope: Scope,
    path: Path,
    options: ImportOptions,
    *,
    may_hold_store: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``path`` for ``scope``'s agency. Raises ImportFailed (nothing written) on bad rows.

    ``may_hold_store``: the caller (``astara import``) may keep other readers of an embedded store
    waiting while a large import runs, if nothing else has the store open; then the import writes
    through a rollback journal rather than the write-ahead log (:func:`astara.db.bulk_load.rollback_journal`).
    A server keeps answering during its imports, so it does not pass it.

    ``progress`` is called after each batch written (about :data:`BATCH` rows), never more often.
    """
    require(scope, "records.write")
    started = time.perf_counter()
    mapping = get_mapping(options.mapping)
    sha = file_sha256(path) if path.is_file() else ""
    report = ImportReport(job_id=None, file=path.name, file_sha256=sha, mapping=mapping.name,
                          status="running")  # fmt: skip
    with ExitStack() as files:
        source = open_job_source(path, options, files, mapping.delimiter)
        report.file = source.name
        report.unused_columns = mapping.unused_columns(source.header, mapping.resolve_columns(source.header))
        rejects = Rejects(source.header)
        plan = Plan(TABLES, source.size // BYTES_PER_ROW, DEFER_INDEXES_ROWS, KEPT_INDEXES,
                    hold_store=may_hold_store, writes=not options.dry_run)  # fmt: skip
        with bulk_load(session, plan) as load:
            job = None if options.dry_run else _start_job(session, scope, options, report)
            work = _work(session, scope, mapping, options, report)
            writer = _Writer(session, scope, mapping, options, report, work, load, progress)
            merged = drain(_batches(path, source, work, mapping, report, rejects), writer.write)
            if report.rows_read == 0:
                raise ImportFailed(f"{source.name} has a header but no data rows")
            for problem in writer.conflicts:
                reject(report, rejects, [problem], [])
            failed = bool(report.rejected_rows) and not options.keep_valid
            if not failed:  # (a failed import is rolled back: what the load set aside comes back with it)
                writer.finish_duplicates(merged)
                load.finish()
                if any(writer.entities.values()):  # once every row (and index) is in
                    identities.resolve_imported(session, scope, writer.entities)
            if report.events_created and job is not None and not failed:
                sharing_outbox.job_changed(session, scope, job.id, options.today)  # same transaction
                versions.changed(session, scope.agency_id)  # (written beside the ORM: said here)
                snapshot_log.imported(session, scope.agency_id, job.id)
    report.seconds = round(time.perf_counter() - started, 3)
    if options.rejects_path and rejects.rows:
        rejects.write(options.rejects_path)
        report.rejects_file = str(options.rejects_path)
    if failed:
        report.status = "failed"
        raise ImportFailed(
            f"{source.name}: {report.rejected_rows:,} of {report.rows_read:,} rows are bad; "
            "nothing was imported "
            "(fix them, or use --keep-valid to store the valid rows and get a rejects file)",
            details=[dict(problem) for problem in report.errors],
        )
    report.status = "dry_run" if options.dry_run else ("partial" if report.rejected_rows else "completed")
    if job is not None:
        _close_job(session, scope, job, report)
    return report


def _start_job(session: Session, scope: Scope, options: ImportOptions, report: ImportReport) -> ImportJob:
    """The job's row, running (the import's first write: after the bulk load's start steps)."""
    job = ImportJob(
        id=uuid.uuid4().hex,
        agency_id=scope.agency_id,
        user_id=scope.user_id,
        file_name=report.file,
        file_sha256=report.file_sha256,
        mapping=report.mapping,
        status="running",
        options=options.model_dump(mode="json", exclude={"today"}),
    )
    repository.add_job(session, job)
    report.job_id = job.id
    return job


def _work(
    session: Session, scope: Scope, mapping: Mapping, options: ImportOptions, report: ImportReport
) -> Job:
    """What preparing the rows needs to know (plain data: it may go to a worker process), with the
    values every event of the import shares."""
    now = utcnow()
    shared = dict(
        agency_id=scope.agency_id, transit_countries=[], conveyance_ids=[], participating_agencies=[],
        source_type=mapping.source_type, tlp="amber", validation_status="draft", created_by=scope.user_id,
        created_at=now, updated_at=now, import_job_id=report.job_id, source_file=report.file, version=1,
        total_kg=0.0, item_count=0, items_without_kg=0, duplicate_count=1, source_rows=[],
        quality_flags=[],
    )  # fmt: skip
    layouts = repository.record_layouts(session.connection().dialect.name)
    return Job(scope.agency_code, options, BATCH, layouts, shared, BY_COLUMNS)


def _close_job(session: Session, scope: Scope, job: ImportJob, report: ImportReport) -> None:
    """The job's row with the report's figures, and the import in the audit trail."""
    job.status, job.finished_at = report.status, utcnow()
    job.rows_read, job.events_created = report.rows_read, report.events_created
    job.events_already_present = report.events_already_present
    job.exact_duplicates = report.exact_duplicate_rows
    job.near_duplicates, job.rejected = report.near_duplicates, report.rejected_rows
    job.report = report.model_dump(mode="json")
    counts = {"rows": report.rows_read, "created": report.events_created, "rejected": report.rejected_rows}
    audit.append(session, scope, "import", details={"job": report.job_id, "file": report.file, **counts})
