"""Each agency's store version: a number every write of its seizure data moves, in the same transaction.

Figures cached anywhere (:mod:`astara.kit.cache`, in any server process) are keyed by it, so the
next request after a write, by whichever process, computes afresh, while a cached answer costs one
read of one indexed row. A transaction records which agencies' seizure data it changed (:func:`changed`):

- the ORM's writes of events and items are seen at each flush (``after_flush``), which also
  counts the snapshot parts it inserted events into (:mod:`astara.db.snapshot_log`);
- ``UPDATE`` and ``DELETE`` statements on those tables are seen as they run: the agency is the
  one :func:`astara.agencies.scope.scoped_update` names, or every agency when none is named;
- writes beside the ORM (the importer's driver-level inserts, a restore) call :func:`changed` or
  :func:`bump_all` themselves.

Just before the commit the versions of those agencies move, one ``UPDATE`` each per transaction;
a rollback leaves them as they were. A version is the time in milliseconds (or one more than the
last, if that is later), so a store restored from a backup never repeats a version seen before.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import bindparam, event, inspect, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from astara.db import snapshot_log

SEIZURE_TABLES = frozenset({"seizure_events", "seizure_items"})
AGENCY_OPTION = "astara_agency"  # the execution option naming the agency an UPDATE or DELETE writes
EVERY = -1  # "every agency": a write whose agency is not known
_CHANGED = "astara_changed_agencies"  # session.info: agencies whose data this transaction changed
_ITEM_EVENTS = "astara_changed_item_events"  # session.info: events whose items changed, agency unknown
_READ = "astara_versions_read"  # session.info: versions read in this transaction
_NEW_PARTS = "astara_new_parts"  # session.info: snapshot parts the ORM inserted events into

_BUMP = text(
    "INSERT INTO store_versions (agency_id, version) VALUES (:agency, :now) "
    "ON CONFLICT (agency_id) DO UPDATE SET version = CASE "
    "WHEN store_versions.version + 1 > :now THEN store_versions.version + 1 ELSE :now END"
)
_BUMP_ALL = text(
    "INSERT INTO store_versions (agency_id, version) SELECT id, :now FROM agencies WHERE true "
    "ON CONFLICT (agency_id) DO UPDATE SET version = CASE "
    "WHEN store_versions.version + 1 > :now THEN store_versions.version + 1 ELSE :now END"
)
_READ_ONE = text("SELECT version FROM store_versions WHERE agency_id = :agency")


def changed(session: Session, agency_id: int) -> None:
    """Record that this transaction changed ``agency_id``'s seizure data (its version moves at commit)."""
    session.info.setdefault(_CHANGED, set()).add(agency_id)
    session.info.pop(_READ, None)


def pending(session: Session) -> bool:
    """Whether this transaction has changed seizure data not yet committed (or not yet flushed)."""
    if session.info.get(_CHANGED) or session.info.get(_ITEM_EVENTS):
        return True
    return any(_is_seizure(obj) for obj in (*session.new, *session.dirty, *session.deleted))


def current(session: Session, agency_id: int) -> int:
    """The agency's version as the store has it (0 before its first write); read once a transaction."""
    read: dict[int, int] = session.info.setdefault(_READ, {})
    if agency_id not in read:
        read[agency_id] = int(session.execute(_READ_ONE, {"agency": agency_id}).scalar() or 0)
    return read[agency_id]


def bump_all(session: Session) -> None:
    """Move every agency's version now (after the store was replaced under running processes)."""
    session.execute(_BUMP_ALL, {"now": _now()})
    session.info.pop(_READ, None)


def _now() -> int:
    return time.time_ns() // 1_000_000


def _is_seizure(obj: Any) -> bool:
    return getattr(obj, "__tablename__", None) in SEIZURE_TABLES


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    agencies: set[int] = session.info.setdefault(_CHANGED, set())
    events: set[str] = session.info.setdefault(_ITEM_EVENTS, set())
    dirty = [obj for obj in session.dirty if _is_seizure(obj) and session.is_modified(obj)]
    parts: set[tuple[int, str]] = session.info.setdefault(_NEW_PARTS, set())
    parts.update(
        (obj.agency_id, obj.import_job_id or "")
        for obj in session.new
        if getattr(obj, "__tablename__", None) == "seizure_events"
    )
    for obj in (*session.new, *session.deleted, *dirty):
        table = getattr(obj, "__tablename__", None)
        if table == "seizure_events":
            agencies.add(obj.agency_id)
        elif table == "seizure_items":
            loaded = inspect(obj).attrs.event.loaded_value
            if getattr(loaded, "agency_id", None) is not None:
                agencies.add(loaded.agency_id)
            elif obj.event_id is not None:
                events.add(obj.event_id)
            else:
                agencies.add(EVERY)


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in SEIZURE_TABLES:
        agency = state.execution_options.get(AGENCY_OPTION)
        changed(state.session, EVERY if agency is None else int(agency))


def _before_commit(session: Session) -> None:
    session.flush()
    agencies: set[int] = session.info.pop(_CHANGED, set())
    events: set[str] = session.info.pop(_ITEM_EVENTS, set())
    snapshot_log.counted(session, session.info.pop(_NEW_PARTS, set()))
    if events and EVERY not in agencies:
        found = session.execute(
            text("SELECT DISTINCT agency_id FROM seizure_events WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": sorted(events)},
        ).scalars()
        agencies.update(found)
    if not agencies:
        return
    now = _now()
    if EVERY in agencies:
        session.execute(_BUMP_ALL, {"now": now})
    else:
        for agency in sorted(agencies):
            session.execute(_BUMP, {"agency": agency, "now": now})
    session.info.pop(_READ, None)


def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # (a savepoint's end keeps what the outer transaction changed)
        for key in (_CHANGED, _ITEM_EVENTS, _READ, _NEW_PARTS):
            session.info.pop(key, None)


event.listen(Session, "after_flush", _after_flush)
event.listen(Session, "do_orm_execute", _on_execute)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_transaction_end", _transaction_ended)
