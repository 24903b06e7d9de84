"""Every query of the matching layer: match keys, entities, received records, judgements, watch lists
and alerts, each restricted to the acting agency."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Table, func, select, union_all
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped, scoped_delete
from astara.db.bulk import insert_values
from astara.db.models import (
    EventEntityLink,
    Identity,
    IdentityConflict,
    IdentityMember,
    MatchAlert,
    MatchJudgement,
    MatchKey,
    MatchKeyVersion,
    Person,
    SharingReceived,
    WatchEntry,
    WatchList,
)

CHUNK = 500  # values of one IN (...) list: well under every driver's limit of bound parameters


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# -- match keys --------------------------------------------------------------------------------------


def delete_keys(session: Session, scope: Scope, source: str, refs: Sequence[str]) -> None:
    """Forget the keys filed for these entity references of ``source`` (store, received, watch)."""
    for chunk in _chunks(refs):
        session.execute(
            scoped_delete(MatchKey, scope).where(MatchKey.source == source, MatchKey.entity_id.in_(chunk))
        )


def delete_all_keys(session: Session, scope: Scope) -> None:
    session.execute(scoped_delete(MatchKey, scope))


def key_version(session: Session) -> int | None:
    """The version of the keys the store holds (None: written before versions were kept)."""
    return session.scalar(select(MatchKeyVersion.version).where(MatchKeyVersion.id == 1))


def set_key_version(session: Session, version: int) -> None:
    session.merge(MatchKeyVersion(id=1, version=version))
    session.flush()


def count_keys(session: Session, scope: Scope) -> int:
    return session.scalar(scoped(select(func.count()).select_from(MatchKey), MatchKey, scope)) or 0


def candidate_refs(
    session: Session, scope: Scope, kind: str, keys: list[str], sources: Sequence[str], limit: int
) -> list[str]:
    """The entities sharing the most of ``keys`` first (a true match shares several), at most ``limit``."""
    shared = func.count().label("shared")
    stmt = (
        scoped(select(MatchKey.entity_id, shared), MatchKey, scope)
        .where(MatchKey.kind == kind, MatchKey.key.in_(keys), MatchKey.source.in_(list(sources)))
        .group_by(MatchKey.entity_id)
        .order_by(shared.desc(), MatchKey.entity_id)
        .limit(limit)
    )
    return [row[0] for row in session.execute(stmt)]


def key_holders(
    session: Session, scope: Scope, kind: str, keys: Sequence[str], sources: Sequence[str], limit: int
) -> dict[str, list[str]]:
    """Key -> at most ``limit`` of the entities of ``sources`` filed under it: one bounded index range
    a key, so a key thousands of records share costs no more than a rare one."""
    out: dict[str, list[str]] = {}
    for chunk in _chunks(sorted(set(keys)), 100):
        parts = []
        for key in chunk:
            sub = (
                scoped(select(MatchKey.key, MatchKey.entity_id), MatchKey, scope)
                .where(MatchKey.kind == kind, MatchKey.key == key, MatchKey.source.in_(list(sources)))
                .limit(limit)
                .subquery()
            )
            parts.append(select(sub.c.key, sub.c.entity_id))
        for key, ref in session.execute(union_all(*parts)):
            out.setdefault(str(key), []).append(str(ref))
    return out


def entity_keys(
    session: Session, scope: Scope, kind: str, refs: Sequence[str], sources: Sequence[str]
) -> dict[str, set[str]]:
    """Entity reference -> the keys it is filed under (references filed under none are left out)."""
    out: dict[str, set[str]] = {}
    for chunk in _chunks(refs):
        # The kind is checked here, not in SQL: with it there a planner may take the (agency, kind)
        # prefix of the lookup index and read every key of the kind instead of the entity index.
        stmt = scoped(select(MatchKey.entity_id, MatchKey.key, MatchKey.kind), MatchKey, scope).where(
            MatchKey.source.in_(list(sources)), MatchKey.entity_id.in_(chunk)
        )
        for ref, key, of_kind in session.execute(stmt):
            if of_kind == kind:
                out.setdefault(str(ref), set()).add(str(key))
    return out


def kind_keys(session: Session, scope: Scope, kind: str, sources: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(key, entity reference) of every key of ``kind`` filed for ``sources``, streamed."""
    stmt = scoped(select(MatchKey.key, MatchKey.entity_id), MatchKey, scope).where(
        MatchKey.kind == kind, MatchKey.source.in_(list(sources))
    )
    for key, ref in session.execute(stmt.execution_options(yield_per=50_000)):
        yield str(key), str(ref)


def watch_hits(session: Session, scope: Scope, kind: str, keys: Sequence[str]) -> list[tuple[str, str]]:
    """(key, watch-entry reference) of every watch-list entry filed under one of ``keys``."""
    hits: list[tuple[str, str]] = []
    for chunk in _chunks(keys):
        stmt = scoped(select(MatchKey.key, MatchKey.entity_id), MatchKey, scope).where(
            MatchKey.kind == kind, MatchKey.source == "watch", MatchKey.key.in_(chunk)
        )
        hits.extend((key, ref) for key, ref in session.execute(stmt))
    return hits


# -- entities and received records -------------------------------------------------------------------


def entity(session: Session, scope: Scope, model: Any, entity_id: str) -> Any:
    return session.scalar(scoped(select(model), model, scope).where(model.id == entity_id))


def entities(session: Session, scope: Scope, model: Any, ids: Sequence[str]) -> Iterator[Any]:
    """The agency's entities of ``ids``: looked up by primary key alone, the agency checked on the
    rows found, since with the agency's condition in the query SQLite without statistics walks the
    agency's index for three ids or more (0.3 s a look-up among 1,000,000 persons)."""
    for chunk in _chunks(ids):
        for row in session.scalars(select(model).where(model.id.in_(chunk))):
            if row.agency_id == scope.agency_id:
                yield row


def entities_after(session: Session, scope: Scope, model: Any, last: str, limit: int) -> list[Any]:
    """The next ``limit`` entities by id after ``last`` (a reindex walks the agency's entities so)."""
    stmt = scoped(select(model), model, scope).where(model.id > last).order_by(model.id).limit(limit)
    return list(session.scalars(stmt))


def is_linked(session: Session, scope: Scope, event_id: str, kind: str, entity_id: str, role: str) -> bool:
    linked = scoped(select(EventEntityLink.id), EventEntityLink, scope).where(
        EventEntityLink.event_id == event_id,
        EventEntityLink.entity_type == kind,
        EventEntityLink.entity_id == entity_id,
        EventEntityLink.role == role,
    )
    return session.scalar(linked) is not None


def person_rows(session: Session, scope: Scope) -> list[tuple[Any, ...]]:
    """(id, name, birth date, nationality, document, script hint) of each of the agency's persons."""
    columns = (Person.id, Person.name, Person.birth_date, Person.nationality, Person.id_number,
               Person.script_hint)  # fmt: skip
    stmt = scoped(select(*columns), Person, scope).order_by(Person.id)
    return [tuple(row) for row in session.execute(stmt)]


def received(session: Session, scope: Scope, ids: Iterable[int] | None = None) -> list[SharingReceived]:
    """Received records not retracted: those of ``ids``, or all of them."""
    stmt = scoped(select(SharingReceived), SharingReceived, scope).where(
        SharingReceived.retracted_at.is_(None)
    )
    if ids is not None:
        stmt = stmt.where(SharingReceived.id.in_(list(ids)))
    return list(session.scalars(stmt))


# -- judgements --------------------------------------------------------------------------------------


def judgements_between(
    session: Session, scope: Scope, ref: str, smaller: Sequence[str], larger: Sequence[str]
) -> list[MatchJudgement]:
    """Judgements of (other, ref) for ``smaller`` and of (ref, other) for ``larger``, oldest first."""
    stmt = scoped(select(MatchJudgement), MatchJudgement, scope).where(
        ((MatchJudgement.entity_b == ref) & MatchJudgement.entity_a.in_(smaller))
        | ((MatchJudgement.entity_a == ref) & MatchJudgement.entity_b.in_(larger))
    )
    return list(session.scalars(stmt.order_by(MatchJudgement.id)))


def judgements_of_pair(session: Session, scope: Scope, first: str, second: str) -> list[MatchJudgement]:
    stmt = scoped(select(MatchJudgement), MatchJudgement, scope).where(
        MatchJudgement.entity_a == first, MatchJudgement.entity_b == second
    )
    return list(session.scalars(stmt.order_by(MatchJudgement.id)))


# -- watch lists and alerts --------------------------------------------------------------------------


def watch_list(session: Session, scope: Scope, name: str) -> WatchList | None:
    return session.scalar(scoped(select(WatchList), WatchList, scope).where(WatchList.name == name))


def watch_lists(session: Session, scope: Scope) -> list[WatchList]:
    return list(session.scalars(scoped(select(WatchList), WatchList, scope).order_by(WatchList.name)))


def entry_counts(session: Session, scope: Scope) -> dict[int, int]:
    """Watch-list id -> entries not removed."""
    stmt = (
        scoped(select(WatchEntry.list_id, func.count()), WatchEntry, scope)
        .where(WatchEntry.removed_at.is_(None))
        .group_by(WatchEntry.list_id)
    )
    return {list_id: n for list_id, n in session.execute(stmt)}


def entries(
    session: Session,
    scope: Scope,
    *,
    list_id: int | None = None,
    ids: Iterable[int] | None = None,
    include_removed: bool = False,
) -> list[WatchEntry]:
    """Watch-list entries by id, of one list or of every list."""
    stmt = scoped(select(WatchEntry), WatchEntry, scope)
    if list_id is not None:
        stmt = stmt.where(WatchEntry.list_id == list_id)
    if ids is not None:
        stmt = stmt.where(WatchEntry.id.in_(list(ids)))
    if not include_removed:
        stmt = stmt.where(WatchEntry.removed_at.is_(None))
    return list(session.scalars(stmt.order_by(WatchEntry.id)))


def alert(session: Session, scope: Scope, alert_id: int) -> MatchAlert | None:
    return session.scalar(scoped(select(MatchAlert), MatchAlert, scope).where(MatchAlert.id == alert_id))


def alerted(session: Session, scope: Scope, entry_ids: Sequence[int]) -> set[tuple[int, str]]:
    """(watch entry, entity reference) of every alert raised for these entries, whatever its status."""
    found: set[tuple[int, str]] = set()
    for chunk in _chunks(entry_ids):
        stmt = scoped(select(MatchAlert.entry_id, MatchAlert.entity_id), MatchAlert, scope).where(
            MatchAlert.entry_id.in_(chunk)
        )
        found.update((int(entry), str(ref)) for entry, ref in session.execute(stmt))
    return found


def entry_ids(session: Session, scope: Scope, list_ids: Sequence[int] | None = None) -> list[int]:
    """The ids of the watch-list entries not removed, of ``list_ids`` or of every list."""
    stmt = scoped(select(WatchEntry.id), WatchEntry, scope).where(WatchEntry.removed_at.is_(None))
    if list_ids is not None:
        stmt = stmt.where(WatchEntry.list_id.in_(list(list_ids)))
    return list(session.scalars(stmt.order_by(WatchEntry.id)))


def alerts(session: Session, scope: Scope, status: str | None, limit: int) -> list[tuple[MatchAlert, str]]:
    """(alert, watch-list name), newest first."""
    stmt = scoped(select(MatchAlert, WatchList.name), MatchAlert, scope).join(
        WatchList, WatchList.id == MatchAlert.list_id
    )
    if status:
        stmt = stmt.where(MatchAlert.status == status)
    return [(a, name) for a, name in session.execute(stmt.order_by(MatchAlert.id.desc()).limit(limit))]


def open_alert_count(session: Session, scope: Scope) -> int:
    stmt = scoped(select(func.count()).select_from(MatchAlert), MatchAlert, scope).where(
        MatchAlert.status == "open"
    )
    return int(session.scalar(stmt) or 0)


# -- resolved identities -----------------------------------------------------------------------------


def judgements_of_kind(session: Session, scope: Scope, kind: str) -> list[MatchJudgement]:
    stmt = scoped(select(MatchJudgement), MatchJudgement, scope).where(MatchJudgement.kind == kind)
    return list(session.scalars(stmt.order_by(MatchJudgement.id)))


def judgements_touching(
    session: Session, scope: Scope, kind: str, refs: Sequence[str]
) -> list[MatchJudgement]:
    """Every judgement of ``kind`` naming one of ``refs`` on either side."""
    found: dict[int, MatchJudgement] = {}
    for chunk in _chunks(refs):
        for side in (MatchJudgement.entity_a, MatchJudgement.entity_b):  # one index a side, not an OR
            stmt = scoped(select(MatchJudgement), MatchJudgement, scope).where(
                MatchJudgement.kind == kind, side.in_(chunk)
            )
            found.update((row.id, row) for row in session.scalars(stmt))
    return [found[k] for k in sorted(found)]


def identity_ids(session: Session, scope: Scope, kind: str, refs: Sequence[str]) -> dict[str, str]:
    """Entity reference -> identity id, for the references that belong to an identity."""
    out: dict[str, str] = {}
    for chunk in _chunks(refs):
        stmt = scoped(select(IdentityMember.entity_id, IdentityMember.identity_id), IdentityMember, scope)
        stmt = stmt.where(IdentityMember.kind == kind, IdentityMember.entity_id.in_(chunk))
        out.update((str(a), str(b)) for a, b in session.execute(stmt))
    return out


def identities(
    session: Session, scope: Scope, kind: str | None = None, ids: Sequence[str] | None = None
) -> list[Identity]:
    """The agency's identities: of one kind, and those of ``ids`` when given."""
    stmt = scoped(select(Identity), Identity, scope)
    if kind is not None:
        stmt = stmt.where(Identity.kind == kind)
    if ids is None:
        return list(session.scalars(stmt.order_by(Identity.kind, Identity.identity_id)))
    out: list[Identity] = []
    for chunk in _chunks(ids):
        out.extend(session.scalars(stmt.where(Identity.identity_id.in_(chunk))))
    return sorted(out, key=lambda row: (row.kind, row.identity_id))


def insert_identities(
    session: Session,
    identities: Sequence[tuple[Any, ...]],
    members: Sequence[tuple[Any, ...]],
    conflicts: Sequence[tuple[Any, ...]],
) -> None:
    """Driver-level inserts of identities (agency, kind, id, members, evidence, resolved at), their
    member rows (agency, kind, entity, identity) and conflicts (agency, kind, a, b, reason, details,
    found at): a full run writes hundreds of thousands."""
    for model, columns, rows in (
        (Identity, ["agency_id", "kind", "identity_id", "members", "evidence", "resolved_at"], identities),
        (IdentityMember, ["agency_id", "kind", "entity_id", "identity_id"], members),
        (IdentityConflict, ["agency_id", "kind", "entity_a", "entity_b", "reason", "details", "found_at"],
         conflicts),
    ):  # fmt: skip
        insert_values(session, cast(Table, model.__table__), columns, rows)


def identity_members(session: Session, scope: Scope, kind: str) -> list[list[str]]:
    """The members of each of the agency's identities of ``kind`` (no ORM objects: there may be many)."""
    stmt = scoped(select(Identity.members), Identity, scope).where(Identity.kind == kind)
    return [list(members) for members in session.scalars(stmt.execution_options(yield_per=50_000))]


def delete_identities(session: Session, scope: Scope, kind: str, ids: Sequence[str] | None = None) -> None:
    """Forget identities of ``kind`` (those of ``ids``, or all) with their member rows."""
    if ids is None:
        session.execute(scoped_delete(Identity, scope).where(Identity.kind == kind))
        session.execute(scoped_delete(IdentityMember, scope).where(IdentityMember.kind == kind))
        return
    for chunk in _chunks(ids):
        session.execute(
            scoped_delete(Identity, scope).where(Identity.kind == kind, Identity.identity_id.in_(chunk))
        )
        session.execute(
            scoped_delete(IdentityMember, scope).where(
                IdentityMember.kind == kind, IdentityMember.identity_id.in_(chunk)
            )
        )


def conflicts(session: Session, scope: Scope, kind: str | None = None) -> list[IdentityConflict]:
    stmt = scoped(select(IdentityConflict), IdentityConflict, scope)
    if kind is not None:
        stmt = stmt.where(IdentityConflict.kind == kind)
    return list(session.scalars(stmt.order_by(IdentityConflict.kind, IdentityConflict.entity_a,
                                              IdentityConflict.entity_b)))  # fmt: skip


def delete_conflicts(session: Session, scope: Scope, kind: str, refs: Sequence[str] | None = None) -> None:
    """Forget the conflicts of ``kind`` (those naming one of ``refs``, or all): a run lists them anew."""
    if refs is None:
        session.execute(scoped_delete(IdentityConflict, scope).where(IdentityConflict.kind == kind))
        return
    for chunk in _chunks(refs):
        for side in (IdentityConflict.entity_a, IdentityConflict.entity_b):  # one index a side, not an OR
            session.execute(
                scoped_delete(IdentityConflict, scope).where(IdentityConflict.kind == kind, side.in_(chunk))
            )


def entity_ids(session: Session, scope: Scope, model: Any) -> list[str]:
    return [str(x) for x in session.scalars(scoped(select(model.id), model, scope).order_by(model.id))]
