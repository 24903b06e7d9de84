"""Writes of the import job: batched inserts, existing-id checks, the job row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped
from astara.db.bulk import bulk_update, insert_groups, table_layout
from astara.db.models import ImportJob, SeizureEvent, SeizureItem
from astara.db.rowsets import Rows
from astara.imports.records import RecordLayouts

EVENTS = cast(Table, SeizureEvent.__table__)
ITEMS = cast(Table, SeizureItem.__table__)


def record_layouts(dialect: str) -> RecordLayouts:
    """The two tables an import writes, as its record builders take them (plain data)."""
    events = [c.name for c in EVENTS.columns]
    items = [c.name for c in ITEMS.columns if c.name != "id"]  # (the database numbers items)
    return RecordLayouts(dialect, table_layout(EVENTS, events, dialect), table_layout(ITEMS, items, dialect))


def insert_records(session: Session, events: list[Rows], items: list[Rows]) -> None:
    """Insert the groups of rows :class:`RecordBuilder` built (events first: items refer to them)."""
    insert_groups(session, EVENTS, events)
    insert_groups(session, ITEMS, items)


def existing_hashes(session: Session, scope: Scope, ids: Sequence[str]) -> dict[str, str | None]:
    """Which of ``ids`` the agency already holds, with their content hashes.

    Looked up by primary key alone, the agency checked on the rows found: with the agency's
    condition in the query, SQLite's sampled statistics (``db/bulk_load.refresh_statistics``) can make the
    planner walk the agency's index instead, about 0.2 s a look-up on a store of 300,000 events,
    which made importing the IDS file a second time take 100 s instead of a few.
    """
    found: dict[str, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stmt = select(SeizureEvent.id, SeizureEvent.content_hash, SeizureEvent.agency_id)
        for event_id, content_hash, agency_id in session.execute(stmt.where(SeizureEvent.id.in_(chunk))):
            if agency_id == scope.agency_id:
                found[event_id] = content_hash
    return found


def agency_has_events(session: Session, scope: Scope) -> bool:
    return session.scalar(scoped(select(SeizureEvent.id), SeizureEvent, scope).limit(1)) is not None


def record_duplicate_rows(
    session: Session, scope: Scope, rows_by_event: Iterable[tuple[str, list[int]]]
) -> None:
    """Store, on each event, every source row it stands for (exact duplicates merged into it)."""
    rows = [(len(numbers), numbers, eid, scope.agency_id) for eid, numbers in rows_by_event]
    bulk_update(session, EVENTS, ("duplicate_count", "source_rows"), ("id", "agency_id"), rows)


def add_job(session: Session, job: ImportJob) -> None:
    session.add(job)
    session.flush()


def list_jobs(session: Session, scope: Scope, limit: int = 50) -> list[ImportJob]:
    stmt = scoped(select(ImportJob), ImportJob, scope).order_by(ImportJob.started_at.desc()).limit(limit)
    return list(session.scalars(stmt))
