"""Writes of the import job: batched inserts, existing-id checks, the job row."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped
from astara.db.bulk import bulk_insert, refresh_statistics
from astara.db.models import ImportJob, SeizureEvent, SeizureItem

EVENTS = cast(Table, SeizureEvent.__table__)
ITEMS = cast(Table, SeizureItem.__table__)
EVENT_COLUMNS = tuple(c.name for c in SeizureEvent.__table__.columns)
ITEM_COLUMNS = tuple(c.name for c in SeizureItem.__table__.columns if c.name != "id")
_event_row = operator.itemgetter(*EVENT_COLUMNS)
_item_row = operator.itemgetter(*ITEM_COLUMNS)


def existing_hashes(session: Session, scope: Scope, ids: Sequence[str]) -> dict[str, str | None]:
    """Which of ``ids`` the agency already holds, with their content hashes."""
    found: dict[str, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        stmt = scoped(select(SeizureEvent.id, SeizureEvent.content_hash), SeizureEvent, scope)
        for event_id, content_hash in session.execute(stmt.where(SeizureEvent.id.in_(chunk))):
            found[event_id] = content_hash
    return found


def insert_events(session: Session, events: list[dict[str, Any]], items: list[dict[str, Any]]) -> None:
    bulk_insert(session, EVENTS, EVENT_COLUMNS, [_event_row(e) for e in events])
    bulk_insert(session, ITEMS, ITEM_COLUMNS, [_item_row(i) for i in items])


def agency_has_events(session: Session, scope: Scope) -> bool:
    return session.scalar(scoped(select(SeizureEvent.id), SeizureEvent, scope).limit(1)) is not None


def after_import(session: Session) -> None:
    refresh_statistics(session)


def record_duplicate_rows(
    session: Session, scope: Scope, rows_by_event: Iterable[tuple[str, list[int]]]
) -> None:
    """Store, on each event, every source row it stands for (exact duplicates merged into it)."""
    params = [{"b_id": eid, "b_count": len(rows), "b_rows": rows} for eid, rows in rows_by_event]
    if not params:
        return
    table = EVENTS.c
    stmt = (
        update(EVENTS)
        .where(table.id == bindparam("b_id"), table.agency_id == scope.agency_id)
        .values(duplicate_count=bindparam("b_count"), source_rows=bindparam("b_rows"))
    )
    session.execute(stmt, params)


def add_job(session: Session, job: ImportJob) -> None:
    session.add(job)
    session.flush()


def list_jobs(session: Session, scope: Scope, limit: int = 50) -> list[ImportJob]:
    stmt = scoped(select(ImportJob), ImportJob, scope).order_by(ImportJob.started_at.desc()).limit(limit)
    return list(session.scalars(stmt))
