"""Watch lists and alerts.

A watch list is a named list of persons, vehicles and organizations. Each entry is filed in the
matching store under its blocking keys (source ``watch``); every new entity (created through the
service, imported from a spreadsheet or received from a partner) is looked up under its own keys among
the entries, scored with the matcher, and each match raises an alert that keeps the explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.models import MatchAlert, WatchEntry, WatchList, utcnow
from astara.errors import Conflict, InvalidInput, NotFound
from astara.matching import identities, repository
from astara.matching.keys import keys_of
from astara.matching.service import match_records
from astara.matching.store import check_kind, label_of, load_records, record_of, write_keys

ALERT_STATUSES = ("open", "acknowledged")
RUN_CANDIDATES = 1000  # stored and received entities scored per entry in a watch-list run


def create_list(session: Session, scope: Scope, name: str, description: str = "") -> WatchList:
    require(scope, "records.write")
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("a watch list needs a name of 1 to 100 characters", details=[{"field": "name"}])
    if repository.watch_list(session, scope, name) is not None:
        raise Conflict(f"a watch list named {name!r} exists already")
    row = WatchList(
        agency_id=scope.agency_id, name=name, description=description[:1000], created_by=scope.user_id
    )
    session.add(row)
    session.flush()
    return row


def get_list(session: Session, scope: Scope, name: str) -> WatchList:
    found = repository.watch_list(session, scope, name)
    if found is None:
        raise NotFound(f"no watch list {name!r}")
    return found


def lists(session: Session, scope: Scope) -> list[dict[str, Any]]:
    require(scope, "records.read")
    counts = repository.entry_counts(session, scope)
    out = []
    for row in repository.watch_lists(session, scope):
        out.append(
            {"id": row.id, "name": row.name, "description": row.description, "entries": counts.get(row.id, 0)}
        )
    return out


def add_entry(
    session: Session, scope: Scope, list_name: str, kind: str, record: dict[str, Any]
) -> WatchEntry:
    require(scope, "records.write")
    check_kind(kind)
    watch_list = get_list(session, scope, list_name)
    clean = record_of(kind, record)
    if not keys_of(kind, clean):
        raise InvalidInput(
            f"the {kind} entry has nothing to match by (a name, plate, VIN or registration)",
            details=[{"field": "record", "reason": "no match keys"}],
        )
    entry = WatchEntry(
        agency_id=scope.agency_id,
        list_id=watch_list.id,
        kind=kind,
        record=clean,
        label=label_of(kind, clean)[:300],
        added_by=scope.user_id,
    )
    session.add(entry)
    session.flush()
    write_keys(session, scope, kind, "watch", [(f"w{entry.id}", clean)])
    return entry


def remove_entry(session: Session, scope: Scope, list_name: str, entry_id: int) -> WatchEntry:
    require(scope, "records.write")
    watch_list = get_list(session, scope, list_name)
    found = repository.entries(session, scope, list_id=watch_list.id, ids=[entry_id])
    if not found:
        raise NotFound(f"no entry {entry_id} on watch list {list_name!r}")
    entry = found[0]
    entry.removed_at, entry.removed_by = utcnow(), scope.user_id
    repository.delete_keys(session, scope, "watch", [f"w{entry.id}"])
    session.flush()
    return entry


def show_list(session: Session, scope: Scope, name: str, *, include_removed: bool = False) -> dict[str, Any]:
    require(scope, "records.read")
    watch_list = get_list(session, scope, name)
    found = repository.entries(session, scope, list_id=watch_list.id, include_removed=include_removed)
    entries = [entry_dict(e) for e in found]
    return {
        "id": watch_list.id,
        "name": watch_list.name,
        "description": watch_list.description,
        "entries": entries,
    }


def entry_dict(entry: WatchEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "label": entry.label,
        "record": entry.record,
        "added_by": entry.added_by,
        "added_at": entry.added_at.isoformat(timespec="seconds"),
        "removed_at": entry.removed_at.isoformat(timespec="seconds") if entry.removed_at else None,
    }


def check(
    session: Session,
    scope: Scope,
    kind: str,
    items: Sequence[tuple[str, dict[str, Any], str | None]],
    *,
    origin: str,
) -> list[MatchAlert]:
    """Raise an alert for each (entity reference, record, event id) that matches a watch-list entry;
    :func:`alerts` names the entity's resolved identity as it stands when read."""
    if not items:
        return []
    keyed = [(ref, record, event_id, keys_of(kind, record)) for ref, record, event_id in items]
    every = sorted(set().union(*(k for *_, k in keyed)))
    hits: dict[str, set[str]] = {}
    for key, ref in repository.watch_hits(session, scope, kind, every):
        hits.setdefault(key, set()).add(ref)
    if not hits:
        return []
    entry_ids = {int(ref[1:]) for refs in hits.values() for ref in refs}
    entries = {e.id: e for e in repository.entries(session, scope, ids=entry_ids)}
    alerts = []
    for ref, record, event_id, keys in keyed:
        candidates = sorted({int(r[1:]) for k in keys for r in hits.get(k, ())})
        for entry_id in candidates:
            entry = entries.get(entry_id)
            if entry is None:
                continue
            result = match_records(kind, entry.record, record)  # type: ignore[arg-type]
            if not result.match:
                continue
            alert = MatchAlert(
                agency_id=scope.agency_id, list_id=entry.list_id, entry_id=entry.id, kind=kind, entity_id=ref,
                event_id=event_id, origin=origin, label=f"{entry.label} ~ {label_of(kind, record)}"[:300],
                score=result.score, explanation=result.explanation(), status="open",
            )  # fmt: skip
            session.add(alert)
            alerts.append(alert)
    session.flush()
    return alerts


def entries_to_run(session: Session, scope: Scope, list_names: Sequence[str] | None = None) -> list[int]:
    """The entries a watch-list run checks: those of the named lists (an unknown name is refused), or all."""
    require(scope, "records.write")
    list_ids = None if list_names is None else [get_list(session, scope, name).id for name in list_names]
    return repository.entry_ids(session, scope, list_ids)


def run_entries(session: Session, scope: Scope, entry_ids: Sequence[int]) -> list[MatchAlert]:
    """Check stored and received entities against these entries, raising an alert for each match that
    has none yet: an entity stored before the entry was added is otherwise never checked against it."""
    require(scope, "records.write")
    entries = repository.entries(session, scope, ids=entry_ids)
    known = repository.alerted(session, scope, [e.id for e in entries])
    alerts = []
    for entry in entries:
        keys = sorted(keys_of(entry.kind, entry.record))
        if not keys:
            continue
        refs = repository.candidate_refs(
            session, scope, entry.kind, keys, ("store", "received"), RUN_CANDIDATES
        )
        for ref, (_source, record) in load_records(session, scope, entry.kind, refs).items():
            if (entry.id, ref) in known:
                continue
            result = match_records(entry.kind, entry.record, record)  # type: ignore[arg-type]
            if not result.match:
                continue
            alert = MatchAlert(
                agency_id=scope.agency_id, list_id=entry.list_id, entry_id=entry.id, kind=entry.kind,
                entity_id=ref, event_id=None, origin="run",
                label=f"{entry.label} ~ {label_of(entry.kind, record)}"[:300], score=result.score,
                explanation=result.explanation(), status="open",
            )  # fmt: skip
            session.add(alert)
            alerts.append(alert)
            known.add((entry.id, ref))
    session.flush()
    return alerts


def alerts(
    session: Session, scope: Scope, status: str | None = "open", limit: int = 200
) -> list[dict[str, Any]]:
    require(scope, "records.read")
    if status is not None and status not in ALERT_STATUSES:
        raise InvalidInput(
            f"unknown alert status {status!r}: open or acknowledged", details=[{"field": "status"}]
        )
    rows = repository.alerts(session, scope, status, limit)
    about: dict[tuple[str, str], dict[str, Any]] = {}
    for kind in sorted({a.kind for a, _ in rows}):
        refs = [a.entity_id for a, _ in rows if a.kind == kind]
        about.update(((kind, r), s) for r, s in identities.summaries(session, scope, kind, refs).items())
    return [{**alert_dict(a, name), "identity": about.get((a.kind, a.entity_id))} for a, name in rows]


def open_alert_count(session: Session, scope: Scope) -> int:
    return repository.open_alert_count(session, scope)


def alert_dict(alert: MatchAlert, list_name: str) -> dict[str, Any]:
    return {
        "id": alert.id,
        "list": list_name,
        "entry_id": alert.entry_id,
        "kind": alert.kind,
        "entity_id": alert.entity_id,
        "event_id": alert.event_id,
        "origin": alert.origin,
        "label": alert.label,
        "score": alert.score,
        "explanation": alert.explanation,
        "status": alert.status,
        "created_at": alert.created_at.isoformat(timespec="seconds"),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": alert.acknowledged_at.isoformat(timespec="seconds")
        if alert.acknowledged_at
        else None,
    }


def acknowledge(session: Session, scope: Scope, alert_id: int) -> MatchAlert:
    require(scope, "records.write")
    alert = repository.alert(session, scope, alert_id)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    if alert.status == "acknowledged":
        raise Conflict(f"alert {alert_id} was acknowledged already")
    alert.status, alert.acknowledged_by, alert.acknowledged_at = "acknowledged", scope.user_id, utcnow()
    session.flush()
    return alert
