"""Writes of the import job: batched inserts, existing-id checks, the job row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped
from astara.db.bulk import bulk_update, refresh_statistics
from astara.db.models import ImportJob, SeizureEvent, SeizureItem
from astara.imports.records import RecordWriter

EVENTS = cast(Table, SeizureEvent.__table__)
ITEMS = cast(Table, SeizureItem.__table__)
EVENT_COLUMNS = tuple(c.name for c in SeizureEvent.__table__.columns)
ITEM_COLUMNS = tuple(c.name for c in SeizureItem.__table__.columns if c.name != "id")


def existing_hashes(session: Session, scope: Scope, ids: Sequence[str]) -> dict[str, str | None]:
    """Which of ``ids`` the agency already holds, with their content hashes."""
    found: dict[str, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stmt = scoped(select(SeizureEvent.id, SeizureEvent.content_hash), SeizureEvent, scope)
        for event_id, content_hash in session.execute(stmt.where(SeizureEvent.id.in_(chunk))):
            found[event_id] = content_hash
    return found


def record_writer(session: Session, shared: dict[str, Any]) -> RecordWriter:
    """A writer of event and item rows; ``shared`` holds the event values every row of the job has."""
    return RecordWriter(session, EVENTS, EVENT_COLUMNS, ITEMS, ITEM_COLUMNS, shared)


def agency_has_events(session: Session, scope: Scope) -> bool:
    return session.scalar(scoped(select(SeizureEvent.id), SeizureEvent, scope).limit(1)) is not None


def after_import(session: Session) -> None:
    refresh_statistics(session)


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
