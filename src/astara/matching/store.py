"""The matching store: blocking keys of stored and received entities, candidate queries, judgements.

Every entity the agency holds (persons, vehicles, organizations), every entity inside a record received
from a partner and every watch-list entry is filed in ``match_keys`` under its blocking keys
(:mod:`astara.matching.keys`). A candidate query computes the keys of one record, reads only the rows
that share one (index ``agency_id, kind, key``), loads those entities and scores each with the matcher
(:func:`astara.matching.service.match_records`). Analysts' judgements of a pair are kept insert-only;
the latest judgement of a pair is what a later query shows.

Entity references: a stored entity by its id; a received one as ``r<row id>.<position>`` (the record
version row in ``sharing_received`` and the entity's position in its ``entities`` list); a watch-list
entry as ``w<entry id>``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from astara.agencies import repository as agencies_repository
from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.bulk import column_adapters, insert_adapted, insert_sql
from astara.db.models import (
    NOMINAL_MODELS,
    EventEntityLink,
    MatchJudgement,
    MatchKey,
    Person,
    SharingReceived,
    utcnow,
)
from astara.errors import InvalidInput, NotFound
from astara.kit.deferred import deferred
from astara.kit.ids import stable_id
from astara.matching import identities, repository
from astara.matching.keys import KEY_VERSION, KINDS, keys_of
from astara.matching.service import ALGORITHM, THRESHOLD, match_records

if TYPE_CHECKING:
    from astara.seizures import service as seizures
else:
    seizures = deferred("astara.seizures.service", "only an entity filed with an event checks the event")

FIELDS: dict[str, tuple[str, ...]] = {
    "person": ("name", "birth_date", "nationality", "id_number", "script_hint"),
    "vehicle": ("plate", "country", "vin", "make", "kind"),
    "organization": ("name", "country", "registration"),
}
VERDICTS = ("same", "not_same", "unsure")
MAX_CANDIDATES = 100  # those sharing the most keys first (a true match shares several); scored

KEYS_TABLE = cast(Table, MatchKey.__table__)


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"unknown kind {kind!r}: person, vehicle or organization")
    return kind


def record_of(kind: str, entity: Any) -> dict[str, Any]:
    """The fields the matcher compares, from an ORM entity or a dict."""
    values: dict[str, Any] = (
        dict(entity) if isinstance(entity, dict) else {k: getattr(entity, k, None) for k in FIELDS[kind]}
    )
    return {k: values[k] for k in FIELDS[kind] if values.get(k) not in (None, "")}


def label_of(kind: str, record: dict[str, Any]) -> str:
    if kind == "person":
        extra = " ".join(str(record[k]) for k in ("birth_date", "nationality") if record.get(k))
        return f"{record.get('name', '')}" + (f" ({extra})" if extra else "")
    if kind == "vehicle":
        return " ".join(str(record[k]) for k in ("plate", "country", "vin") if record.get(k))
    return " ".join(str(record[k]) for k in ("name", "country", "registration") if record.get(k))


# -- keeping the keys ------------------------------------------------------------------------------


def write_keys(
    session: Session, scope: Scope, kind: str, source: str, items: Iterable[tuple[str, dict[str, Any]]]
) -> int:
    """File each (reference, record) under its keys, replacing keys filed before. One executemany."""
    rows: list[tuple[Any, ...]] = []
    refs: list[str] = []
    for ref, record in items:
        refs.append(ref)
        rows.extend((scope.agency_id, kind, source, ref, key) for key in sorted(keys_of(kind, record)))
    repository.delete_keys(session, scope, source, refs)
    insert_new_keys(session, rows)
    return len(rows)


def insert_new_keys(session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    """Driver-level insert of (agency_id, kind, source, entity_id, key) rows (the importer's bulk path)."""
    if rows:
        sql = insert_sql(session, KEYS_TABLE, ["agency_id", "kind", "source", "entity_id", "key"])
        insert_adapted(session, sql, list(rows))


def received_entities(row: SharingReceived) -> list[tuple[str, str, dict[str, Any]]]:
    """(reference, kind, record) of each person, vehicle and organization in a received record."""
    out = []
    entities = (row.record or {}).get("entities")
    # a partner's record is signed, not trusted: anything not shaped like an entity is skipped
    for n, entity in enumerate(entities if isinstance(entities, list) else []):
        fields = entity.get("fields") if isinstance(entity, dict) else None
        if isinstance(fields, dict) and entity.get("type") in FIELDS:
            texts = {k: v for k, v in fields.items() if isinstance(v, str)}
            out.append((f"r{row.id}.{n}", entity["type"], record_of(entity["type"], texts)))
    return out


def index_received(session: Session, scope: Scope, rows: Sequence[SharingReceived]) -> None:
    """File the entities of newly received records, resolve their identities and check them against
    the watch lists."""
    from astara.matching import watch  # deferred: a cycle, watch imports store at its top

    session.flush()
    by_kind: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for row in rows:
        for ref, kind, record in received_entities(row):
            by_kind.setdefault(kind, []).append((ref, record))
    for kind, items in by_kind.items():
        write_keys(session, scope, kind, "received", items)
        identities.resolve_entities(session, scope, kind, [ref for ref, _ in items])
        watch.check(session, scope, kind, [(ref, rec, None) for ref, rec in items], origin="received")


def keys_current(session: Session) -> bool:
    """Whether the store's keys were written by this version of :mod:`astara.matching.keys`."""
    return repository.key_version(session) == KEY_VERSION


def rekey_store(session: Session) -> list[str]:
    """Rebuild every agency's keys with this version's rules (``astara db upgrade`` when they are older);
    the codes of the agencies rekeyed. All in the caller's transaction: a failure leaves the old keys."""
    codes = []
    for agency in agencies_repository.list_agencies(session):
        scope = Scope(agency_id=agency.id, agency_code=agency.code, role="administrator", via="system")
        reindex(session, scope)
        codes.append(agency.code)
    repository.set_key_version(session, KEY_VERSION)
    return codes


def reindex(session: Session, scope: Scope, batch: int = 5000) -> dict[str, int]:
    """Rebuild every key of the agency: stored entities, received records, watch-list entries."""
    require(scope, "records.write")
    repository.delete_all_keys(session, scope)
    counts: dict[str, int] = {}
    for kind in KINDS:
        model: Any = NOMINAL_MODELS[kind]
        done = 0
        last = ""
        while True:
            chunk = repository.entities_after(session, scope, model, last, batch)
            if not chunk:
                break
            rows: list[tuple[Any, ...]] = []
            for entity in chunk:
                record = record_of(kind, entity)
                rows.extend(
                    (scope.agency_id, kind, "store", entity.id, k) for k in sorted(keys_of(kind, record))
                )
            insert_new_keys(session, rows)
            done += len(chunk)
            last = chunk[-1].id
            session.expunge_all()
        counts[kind] = done
    counts["received"] = 0
    for row in repository.received(session, scope):
        for ref, kind, record in received_entities(row):
            insert_new_keys(
                session, [(scope.agency_id, kind, "received", ref, k) for k in sorted(keys_of(kind, record))]
            )
            counts["received"] += 1
    entries = repository.entries(session, scope)
    for entry in entries:
        insert_new_keys(
            session,
            [
                (scope.agency_id, entry.kind, "watch", f"w{entry.id}", k)
                for k in sorted(keys_of(entry.kind, entry.record))
            ],
        )
    counts["watch"] = len(entries)
    counts["keys"] = repository.count_keys(session, scope)
    return counts


# -- entities through the service ------------------------------------------------------------------


def create_entity(
    session: Session,
    scope: Scope,
    kind: str,
    fields: dict[str, Any],
    *,
    event_id: str | None = None,
    role: str = "subject",
) -> tuple[Any, list[Any]]:
    """Store a person, vehicle or organization (linked to ``event_id`` when given), file its keys and
    check it against the watch lists. Returns (entity, alerts raised)."""
    from astara.matching import watch  # deferred: a cycle, watch imports store at its top

    require(scope, "records.write")
    check_kind(kind)
    record = record_of(kind, fields)
    if kind in ("person", "organization") and not record.get("name"):
        raise InvalidInput(f"a {kind} needs a name", details=[{"field": "name", "reason": "missing"}])
    if kind == "vehicle" and not (record.get("plate") or record.get("vin")):
        raise InvalidInput(
            "a vehicle needs a plate or a VIN", details=[{"field": "plate", "reason": "missing"}]
        )
    model: Any = NOMINAL_MODELS[kind]
    entity_id = stable_id(scope.agency_code, kind, event_id or "", repr(sorted(record.items())))
    if session.get(model, entity_id) is None:
        entity = model(
            id=entity_id,
            agency_id=scope.agency_id,
            **{k: v for k, v in record.items() if k in model.__table__.columns},
        )
        session.add(entity)
    else:
        entity = session.get(model, entity_id)
    if event_id:
        seizures.get_seizure(session, scope, event_id)  # NotFound for another agency's event
        if not repository.is_linked(session, scope, event_id, kind, entity_id, role):
            session.add(
                EventEntityLink(
                    agency_id=scope.agency_id,
                    event_id=event_id,
                    entity_type=kind,
                    entity_id=entity_id,
                    role=role,
                )
            )
    session.flush()
    write_keys(session, scope, kind, "store", [(entity_id, record)])
    identities.resolve_entities(session, scope, kind, [entity_id])
    alerts = watch.check(session, scope, kind, [(entity_id, record, event_id)], origin="service")
    return entity, alerts


def update_entity(
    session: Session, scope: Scope, kind: str, entity_id: str, fields: dict[str, Any]
) -> tuple[Any, list[Any]]:
    """Change an entity's fields, refile its keys and check it against the watch lists again."""
    from astara.matching import watch  # deferred: a cycle, watch imports store at its top

    require(scope, "records.write")
    entity = get_entity(session, scope, check_kind(kind), entity_id)
    for key, value in fields.items():
        if key not in FIELDS[kind] or key not in type(entity).__table__.columns:
            raise InvalidInput(
                f"a {kind} has no field {key!r}", details=[{"field": key, "reason": "unknown"}]
            )
        if key == "name" and not value:
            raise InvalidInput(f"a {kind} needs a name", details=[{"field": "name", "reason": "missing"}])
        setattr(entity, key, value or None)
    session.flush()
    record = record_of(kind, entity)
    write_keys(session, scope, kind, "store", [(entity_id, record)])
    identities.resolve_entities(session, scope, kind, [entity_id])
    return entity, watch.check(session, scope, kind, [(entity_id, record, None)], origin="service")


def get_entity(session: Session, scope: Scope, kind: str, entity_id: str) -> Any:
    model: Any = NOMINAL_MODELS[check_kind(kind)]
    found = repository.entity(session, scope, model, entity_id)
    if found is None:
        raise NotFound(f"no {kind} {entity_id!r}")
    return found


def load_records(
    session: Session, scope: Scope, kind: str, refs: Iterable[str]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """reference -> (source, record) for stored and received entities (others are skipped)."""
    refs = list(refs)
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    model: Any = NOMINAL_MODELS[kind]
    stored = [r for r in refs if not (r[:1] == "r" and "." in r and r[1:].split(".")[0].isdigit())]
    for entity in repository.entities(session, scope, model, stored):
        out[entity.id] = ("store", record_of(kind, entity))
    received = {int(r[1:].split(".")[0]) for r in refs if r not in out and r[:1] == "r" and "." in r}
    if received:
        for row in repository.received(session, scope, received):
            for ref, k, record in received_entities(row):
                if k == kind:
                    out[ref] = (f"received from {row.partner_code}", record)
    return out


# -- candidate queries -----------------------------------------------------------------------------


def candidate_refs(
    session: Session, scope: Scope, kind: str, keys: Iterable[str], sources: Sequence[str]
) -> list[str]:
    keys = sorted(keys)
    if not keys:
        return []
    return repository.candidate_refs(session, scope, kind, keys, sources, MAX_CANDIDATES)


def pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def latest_judgements(
    session: Session, scope: Scope, ref: str, others: Sequence[str]
) -> dict[str, MatchJudgement]:
    """other reference -> the latest judgement of (ref, other)."""
    out: dict[str, MatchJudgement] = {}
    if not others:
        return out
    smaller = [o for o in others if o < ref]
    larger = [o for o in others if o >= ref]
    for row in repository.judgements_between(session, scope, ref, smaller, larger):
        other = row.entity_a if row.entity_b == ref else row.entity_b
        out[other] = row  # later rows overwrite: the latest judgement counts
    return out


def query(
    session: Session,
    scope: Scope,
    kind: str,
    record: dict[str, Any] | None = None,
    *,
    entity_id: str | None = None,
    limit: int = 20,
    include_received: bool = True,
) -> dict[str, Any]:
    """Ranked candidates in the store for one record (or for a stored entity, with its judgements)."""
    require(scope, "records.read")
    check_kind(kind)
    if entity_id:
        record = record_of(kind, get_entity(session, scope, kind, entity_id))
    record = record_of(kind, record or {})
    keys = keys_of(kind, record)
    if not keys:
        raise InvalidInput(
            f"the {kind} record has nothing to search by (give a name, plate, VIN or registration)",
            details=[{"field": "record", "reason": "no match keys"}],
        )
    sources = ("store", "received") if include_received else ("store",)
    refs = [r for r in candidate_refs(session, scope, kind, keys, sources) if r != entity_id]
    records = load_records(session, scope, kind, refs)
    judged = latest_judgements(session, scope, entity_id, list(records)) if entity_id else {}
    candidates: list[dict[str, Any]] = []
    for ref, (source, other) in records.items():
        result = match_records(kind, record, other)  # type: ignore[arg-type]
        verdict = judged.get(ref)
        decision = "match" if result.match else "no match"
        if verdict is not None and verdict.verdict == "not_same":
            decision = "judged not the same"
        elif verdict is not None and verdict.verdict == "same":
            decision = "confirmed same"
        candidates.append(
            {
                "entity_id": ref,
                "source": source,
                "record": other,
                "label": label_of(kind, other),
                "score": result.score,
                "match": result.match and (verdict is None or verdict.verdict != "not_same"),
                "decision": decision,
                "judgement": None
                if verdict is None
                else {
                    "verdict": verdict.verdict,
                    "user_id": verdict.user_id,
                    "at": verdict.created_at.isoformat(timespec="seconds"),
                },
                "explanation": result.explanation(),
            }
        )
    candidates.sort(
        key=lambda c: (c["decision"] != "confirmed same", not c["match"], -c["score"], c["entity_id"])
    )
    return {
        "kind": kind,
        "record": record,
        "entity_id": entity_id,
        "algorithm": ALGORITHM,
        "threshold": THRESHOLD,
        "keys": sorted(keys),
        "considered": len(records),
        "candidates": candidates[:limit],
    }


# -- judgements ------------------------------------------------------------------------------------


def judge(
    session: Session, scope: Scope, kind: str, a: str, b: str, verdict: str, note: str = ""
) -> MatchJudgement:
    """Record an analyst's judgement of a pair; a later judgement of the same pair supersedes it."""
    require(scope, "records.write")
    check_kind(kind)
    if verdict not in VERDICTS:
        raise InvalidInput(
            f"unknown verdict {verdict!r}: same, not_same or unsure", details=[{"field": "verdict"}]
        )
    if a == b:
        raise InvalidInput("a judgement needs two different entities", details=[{"field": "b"}])
    found = load_records(session, scope, kind, [a, b])
    for ref in (a, b):
        if ref not in found:
            raise NotFound(f"no {kind} {ref!r}")
    first, second = pair(a, b)
    row = MatchJudgement(
        agency_id=scope.agency_id, kind=kind, entity_a=first, entity_b=second, verdict=verdict,
        note=note[:1000], user_id=scope.user_id,
    )  # fmt: skip
    session.add(row)
    session.flush()
    identities.resolve_entities(session, scope, kind, [first, second])  # the picture changes at once
    return row


def judgement_history(session: Session, scope: Scope, a: str, b: str) -> list[MatchJudgement]:
    return repository.judgements_of_pair(session, scope, *pair(a, b))


def judgement_dict(row: MatchJudgement) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "a": row.entity_a,
        "b": row.entity_b,
        "verdict": row.verdict,
        "note": row.note,
        "user_id": row.user_id,
        "at": row.created_at.isoformat(timespec="seconds"),
    }


# -- the importer's bulk path ----------------------------------------------------------------------

PERSON_COLUMNS = ("person_name", "person_birth_date", "person_nationality", "person_id_number")


def add_imported_persons(
    session: Session,
    scope: Scope,
    people: Sequence[tuple[str, dict[str, Any]]],
    written: list[str] | None = None,
) -> tuple[int, int]:
    """Store the person of each imported event (event id, parsed event values), link it as ``subject``,
    file its keys and check it against the watch lists; driver-level inserts, in the import's
    transaction. Returns (persons written, alerts raised); their ids are added to ``written``, for
    :func:`astara.matching.identities.resolve_imported` once the import's rows are in."""
    from astara.matching import watch  # deferred: a cycle, watch imports store at its top

    if not people:
        return 0, 0
    persons: list[tuple[Any, ...]] = []
    links: list[tuple[Any, ...]] = []
    keys: list[tuple[Any, ...]] = []
    checks: list[tuple[str, dict[str, Any], str | None]] = []
    for event_id, values in people:
        record = {
            "name": values["person_name"],
            "birth_date": values.get("person_birth_date"),
            "nationality": values.get("person_nationality"),
            "id_number": values.get("person_id_number"),
        }
        record = record_of("person", record)
        person_id = stable_id(scope.agency_code, "person", event_id)
        persons.append((person_id, scope.agency_id, record.get("name"), record.get("birth_date"),
                        record.get("nationality"), record.get("id_number")))  # fmt: skip
        links.append((scope.agency_id, event_id, "person", person_id, "subject"))
        keys.extend(
            (scope.agency_id, "person", "store", person_id, k) for k in sorted(keys_of("person", record))
        )
        checks.append((person_id, record, event_id))
    if written is not None:
        written.extend(p[0] for p in persons)
    now = _now_value(session)
    insert_adapted(
        session,
        insert_sql(
            session,
            cast(Table, Person.__table__),
            ["id", "agency_id", "name", "birth_date", "nationality", "id_number", "created_at"],
        ),
        [(*p, now) for p in persons],
    )
    insert_adapted(
        session,
        insert_sql(
            session,
            cast(Table, EventEntityLink.__table__),
            ["agency_id", "event_id", "entity_type", "entity_id", "role"],
        ),
        links,
    )
    insert_new_keys(session, keys)
    alerts = watch.check(session, scope, "person", checks, origin="import")
    return len(persons), len(alerts)


def _now_value(session: Session) -> Any:
    adapter = column_adapters(
        cast(Table, Person.__table__), ["created_at"], session.connection().dialect.name
    )[0]
    now = utcnow()
    return adapter(now) if adapter else now
