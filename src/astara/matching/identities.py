"""Resolved identities: the persons, vehicles and organizations that are one, across records and scripts.

Members are the agency's own entities and those of partners' received records (``r<row>.<n>``, while not
retracted). Like nomenklatura's resolver, the store keeps analysts' judgements as insert-only edges and
derives the groups from them; an identity is never edited by hand. Three kinds of edge join two
entities, applied in this order, each joining two groups only when no ``not_same`` judgement (the latest
of its pair) runs between them:

1. ``same`` judgements, newest first, so an entity judged the same as two sides that may not meet
   goes with its newer judgement (the older one is listed as a conflict);
2. strong identifiers equal after normalisation (:func:`strong_keys`), unless the records sharing
   one contradict each other (two birth dates, two VINs): then nothing joins on it and a conflict
   is listed;
3. the matcher's decisions above its threshold among the candidates of the ``match_keys`` index,
   highest score first.

The order of the edges is total (time and judgement id, then references), so the same records and
judgements give the same identities whatever order they were stored in. An identity's id is its
smallest member reference. The full run (:func:`resolve`) is the reference; :func:`resolve_entities`
redoes only the neighbourhood of some entities (their candidates, judged partners and the identities
those belong to) after a new record or judgement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.models import NOMINAL_MODELS, Identity, IdentityConflict, utcnow
from astara.errors import InvalidInput, NotFound
from astara.kit.deferred import deferred
from astara.matching import blocks, repository
from astara.matching.keys import KINDS
from astara.matching.organizations import normalize_registration
from astara.matching.persons import normalize_id
from astara.matching.vehicles import parse_plate, parse_vin

if TYPE_CHECKING:
    from astara.sharing import audit
else:
    audit = deferred("astara.sharing.audit", "only merges and splits are audited")

MAX_AUDITED = 50  # identities named in one audit entry; the counts cover the rest


@dataclass(frozen=True)
class Judged:
    a: str
    b: str
    verdict: str
    user_id: int | None
    at: str
    judgement_id: int


@dataclass(frozen=True)
class Edge:
    """A reason to join ``a`` and ``b`` (``a < b``): its source and what it rests on."""

    a: str
    b: str
    source: str  # judgement | identifier | matcher
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "a": self.a, "b": self.b, **self.details}


@dataclass
class Resolution:
    groups: dict[str, list[str]]  # identity id -> members (two or more), sorted
    evidence: dict[str, list[dict[str, Any]]]  # identity id -> the edges that joined it
    conflicts: list[dict[str, Any]]  # {a, b, reason, details}


# -- the pure resolver -------------------------------------------------------------------------------


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def latest_verdicts(judgements: Iterable[Judged]) -> dict[tuple[str, str], Judged]:
    """The latest judgement of each pair (by time, then id): the one that counts."""
    latest: dict[tuple[str, str], Judged] = {}
    for j in sorted(judgements, key=lambda j: (j.at, j.judgement_id)):
        latest[_ordered(j.a, j.b)] = j
    return latest


def resolve_groups(
    entities: Iterable[str], judgements: Iterable[Judged], strong: Iterable[Edge], matched: Iterable[Edge]
) -> Resolution:
    """Group ``entities`` by the edges, never across a ``not_same`` judgement; no database."""
    latest = latest_verdicts(judgements)
    apart: dict[str, set[str]] = {}
    for (a, b), j in latest.items():
        if j.verdict == "not_same":
            apart.setdefault(a, set()).add(b)
            apart.setdefault(b, set()).add(a)
    same = sorted(
        (j for j in latest.values() if j.verdict == "same"),
        key=lambda j: (j.at, j.judgement_id),
        reverse=True,
    )
    edges: list[Edge] = [
        Edge(
            *_ordered(j.a, j.b),
            "judgement",
            {"verdict": "same", "user_id": j.user_id, "at": j.at, "judgement_id": j.judgement_id},
        )
        for j in same
    ]
    edges += sorted(set(strong), key=lambda e: (e.a, e.b, str(e.details.get("feature"))))
    edges += sorted(matched, key=lambda e: (-float(e.details.get("score", 0)), e.a, e.b))

    group: dict[str, list[str]] = {e: [e] for e in sorted(set(entities))}
    used: dict[int, list[Edge]] = {}
    conflicts: list[dict[str, Any]] = []
    for edge in edges:
        ga, gb = group.setdefault(edge.a, [edge.a]), group.setdefault(edge.b, [edge.b])
        if ga is gb:
            continue
        members_b = set(gb)
        blocked = next(((m, o) for m in ga for o in sorted(apart.get(m, ())) if o in members_b), None)
        if blocked is not None:
            if edge.source == "judgement":
                conflicts.append(
                    {
                        "a": edge.a,
                        "b": edge.b,
                        "reason": "judged_apart",
                        "details": {**edge.as_dict(), "apart": sorted(blocked)},
                    }
                )
            continue
        merged = sorted(ga + gb)
        evidence = used.pop(id(ga), []) + used.pop(id(gb), []) + [edge]
        for m in merged:
            group[m] = merged
        used[id(merged)] = evidence
    groups: dict[str, list[str]] = {}
    evidence_of: dict[str, list[dict[str, Any]]] = {}
    for members in {id(g): g for g in group.values()}.values():
        if len(members) > 1:
            groups[members[0]] = members
            evidence_of[members[0]] = [e.as_dict() for e in used.get(id(members), [])]
    return Resolution(groups=groups, evidence=evidence_of, conflicts=conflicts)


# -- strong identifiers ------------------------------------------------------------------------------


def strong_keys(kind: str, record: dict[str, Any]) -> list[tuple[str, str]]:
    """(feature, value) of each strong identifier: equal values mean the same entity unless the
    records contradict. OCR look-alikes are not folded here (they make candidates, never a merge)."""
    out: list[tuple[str, str]] = []
    if kind == "person":
        number, country = normalize_id(record.get("id_number")), record.get("nationality")
        if number and country:
            out.append(("document", f"{country.upper()}:{number}"))
    elif kind == "vehicle":
        if record.get("vin"):
            vin = parse_vin(str(record["vin"])).value
            if len(vin) == 17:
                out.append(("vin", vin))
        if record.get("plate"):
            plate = parse_plate(str(record["plate"]), record.get("country"))
            if plate.country and plate.ocr_fixes == 0 and len(plate.canonical) >= 3:
                out.append(("plate", f"{plate.country}:{plate.canonical}"))
    elif kind == "organization":
        registration, country = normalize_registration(record.get("registration")), record.get("country")
        if registration and country:
            out.append(("registration", f"{country.upper()}:{registration}"))
    return out


def contradiction(kind: str, a: dict[str, Any], b: dict[str, Any]) -> str | None:
    """Why two records sharing a strong identifier cannot be one (None when nothing contradicts)."""
    if kind == "person":
        x, y = str(a.get("birth_date") or ""), str(b.get("birth_date") or "")
        if x and y and not (x.startswith(y) or y.startswith(x)):
            return f"birth dates {min(x, y)} and {max(x, y)}"
    if kind == "vehicle":
        x, y = parse_vin(str(a.get("vin") or "")).value, parse_vin(str(b.get("vin") or "")).value
        if len(x) == 17 and len(y) == 17 and x != y:
            return f"VINs {min(x, y)} and {max(x, y)}"
    return None


def strong_edges(kind: str, records: dict[str, dict[str, Any]]) -> tuple[list[Edge], list[dict[str, Any]]]:
    """Edges between records sharing a strong identifier (a star from the smallest reference), and the
    conflicts of identifiers whose records contradict (nothing joins on those)."""
    sharing: dict[tuple[str, str], list[str]] = {}
    for ref in sorted(records):
        for key in strong_keys(kind, records[ref]):
            sharing.setdefault(key, []).append(ref)
    edges: list[Edge] = []
    conflicts: list[dict[str, Any]] = []
    for (feature, value), refs in sorted(sharing.items()):
        if len(refs) < 2:
            continue
        clash = next(
            (
                (x, y, why)
                for i, x in enumerate(refs)
                for y in refs[i + 1 :]
                if (why := contradiction(kind, records[x], records[y]))
            ),
            None,
        )
        if clash is not None:
            x, y, why = clash
            conflicts.append(
                {
                    "a": x,
                    "b": y,
                    "reason": "identifier_contradicted",
                    "details": {"feature": feature, "value": value, "contradiction": why},
                }
            )
            continue
        edges += [Edge(refs[0], r, "identifier", {"feature": feature, "value": value}) for r in refs[1:]]
    return edges, conflicts


# -- reading the store -------------------------------------------------------------------------------


def _judged(rows: Iterable[Any]) -> list[Judged]:
    return [
        Judged(
            r.entity_a,
            r.entity_b,
            r.verdict,
            r.user_id,
            r.created_at.isoformat(timespec="microseconds"),
            r.id,
        )
        for r in rows
    ]


def _records(session: Session, scope: Scope, kind: str, refs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Stored and received (not retracted) records of ``refs``; the others are skipped."""
    from astara.matching.store import load_records  # deferred: a cycle, store imports identities at its top

    return {ref: record for ref, (_, record) in load_records(session, scope, kind, refs).items()}


def _received_refs(session: Session, scope: Scope, kind: str) -> list[str]:
    from astara.matching.store import (
        received_entities,
    )  # deferred: a cycle, store imports identities at its top

    return [
        ref
        for row in repository.received(session, scope)
        for ref, k, _ in received_entities(row)
        if k == kind
    ]


def _edges(scored: Iterable[blocks.Scored]) -> list[Edge]:
    return [Edge(a, b, "matcher", details) for a, b, details in scored]


@dataclass
class _Around:
    """The neighbourhood of some entities, with what was read to find it (reused to resolve it)."""

    refs: set[str]
    records: dict[str, dict[str, Any]]
    keys: dict[str, set[str]]
    holders: blocks.Holders
    scored: dict[tuple[str, str], blocks.Scored | None]
    facts: dict[str, Any]


def _around(session: Session, scope: Scope, kind: str, refs: Sequence[str]) -> _Around:
    """``refs``, the candidates the matcher joins them to, those sharing a strong identifier with
    them, their judged partners, with every member of the identities any of those belong to."""
    records = _records(session, scope, kind, list(refs))
    keys = blocks.filed_keys(session, scope, kind, records)
    holders = blocks.Holders(session, scope, kind)
    held = holders.of(k for ks in keys.values() for k in ks)
    candidates = {c for ks in keys.values() for k in ks if k in held for c in held[k]} - set(refs)
    records.update(_records(session, scope, kind, sorted(candidates - records.keys())))
    out = _Around(set(refs), records, keys, holders, {}, {})
    pairs = {
        _ordered(ref, c)
        for ref in sorted(keys)
        for c in sorted({c for k in keys[ref] if k in held for c in held[k]})
        if c != ref and c in records
    }
    _score(kind, out, pairs)
    out.refs.update(x for p, s in out.scored.items() if s is not None for x in p)
    strong = {key for ref in keys for key in strong_keys(kind, records[ref])}
    out.refs.update(c for c in candidates if c in records and strong & set(strong_keys(kind, records[c])))
    for row in repository.judgements_touching(session, scope, kind, sorted(out.refs)):
        out.refs.update((row.entity_a, row.entity_b))
    identity_ids = set(repository.identity_ids(session, scope, kind, sorted(out.refs)).values())
    for identity in repository.identities(session, scope, kind, sorted(identity_ids)):
        out.refs.update(identity.members)
    return out


def _score(kind: str, around: _Around, pairs: Iterable[tuple[str, str]]) -> None:
    todo = sorted(p for p in pairs if p not in around.scored)
    decided = {(a, b): (a, b, d) for a, b, d in blocks.score(kind, around.records, todo, around.facts)}
    for p in todo:
        around.scored[p] = decided.get(p)


def _write(
    session: Session, scope: Scope, kind: str, result: Resolution, old: list[list[str]]
) -> dict[str, Any]:
    now = utcnow()
    repository.insert_identities(
        session,
        [
            (scope.agency_id, kind, i, members, result.evidence[i], now)
            for i, members in sorted(result.groups.items())
        ],
        [(scope.agency_id, kind, m, i) for i, members in sorted(result.groups.items()) for m in members],
        [(scope.agency_id, kind, c["a"], c["b"], c["reason"], c["details"], now) for c in result.conflicts],
    )
    before = {tuple(m) for m in old}
    after = {tuple(m) for m in result.groups.values()}
    merged = sorted(list(m) for m in after - before)
    split = sorted(list(m) for m in before - after)
    return {
        "kind": kind,
        "identities": len(result.groups),
        "merged": merged,
        "split": split,
        "conflicts": len(result.conflicts),
    }


def _audit(session: Session, scope: Scope, changes: list[dict[str, Any]]) -> None:
    for change in changes:
        if change["merged"] or change["split"]:
            audit.append(
                session,
                scope,
                "identity",
                details={
                    "kind": change["kind"],
                    "formed": len(change["merged"]),
                    "undone": len(change["split"]),
                    "formed_members": change["merged"][:MAX_AUDITED],
                    "undone_members": change["split"][:MAX_AUDITED],
                },
            )


# -- the services ------------------------------------------------------------------------------------


def resolve(session: Session, scope: Scope, kinds: Sequence[str] = KINDS) -> list[dict[str, Any]]:
    """Resolve every identity of ``kinds`` from scratch (the reference run); audited when any changes."""
    require(scope, "records.write")
    changes = []
    for kind in kinds:
        if kind not in KINDS:
            raise InvalidInput(f"unknown kind {kind!r}: person, vehicle or organization")
        model: Any = NOMINAL_MODELS[kind]
        refs = [*repository.entity_ids(session, scope, model), *_received_refs(session, scope, kind)]
        records = _records(session, scope, kind, refs)
        judged = _judged(repository.judgements_of_kind(session, scope, kind))
        strong, clashes = strong_edges(kind, records)
        result = resolve_groups(
            [*refs, *(r for j in judged for r in (j.a, j.b))],
            judged,
            strong,
            _edges(blocks.scored_all(session, scope, kind, records)),
        )
        result.conflicts = clashes + result.conflicts
        old = repository.identity_members(session, scope, kind)
        repository.delete_identities(session, scope, kind)
        repository.delete_conflicts(session, scope, kind)
        changes.append(_write(session, scope, kind, result, old))
    _audit(session, scope, changes)
    return changes


def resolve_entities(session: Session, scope: Scope, kind: str, refs: Sequence[str]) -> dict[str, Any]:
    """Redo the identities around ``refs`` only (a new record or a new judgement); audited on change.
    It reads the records of ``refs``, their candidates, judged partners and the members of the
    identities those belong to: never more as the store grows."""
    around = _around(session, scope, kind, refs)
    records = around.records
    records.update(_records(session, scope, kind, sorted(around.refs - records.keys())))
    records = {ref: records[ref] for ref in around.refs if ref in records}
    around.records = records
    missing = {ref: records[ref] for ref in records if ref not in around.keys}
    around.keys.update(blocks.filed_keys(session, scope, kind, missing))
    keys = {ref: around.keys[ref] for ref in records}
    _score(kind, around, blocks.pairs_among(keys, around.holders.of(k for ks in keys.values() for k in ks)))
    judged = [
        j
        for j in _judged(repository.judgements_touching(session, scope, kind, sorted(around.refs)))
        if j.a in around.refs and j.b in around.refs
    ]
    strong, clashes = strong_edges(kind, records)
    matched = _edges(s for (a, b), s in sorted(around.scored.items()) if s and a in records and b in records)
    result = resolve_groups(around.refs, judged, strong, matched)
    result.conflicts = clashes + result.conflicts
    old_ids = sorted(set(repository.identity_ids(session, scope, kind, sorted(around.refs)).values()))
    old = [list(i.members) for i in repository.identities(session, scope, kind, old_ids)]
    repository.delete_identities(session, scope, kind, old_ids)
    repository.delete_conflicts(session, scope, kind, sorted(around.refs))
    change = _write(session, scope, kind, result, old)
    _audit(session, scope, [change])
    return change


IMPORT_BATCH = 2000  # new entities whose neighbourhood one resolution takes at a time


def resolve_imported(session: Session, scope: Scope, written: dict[str, list[str]]) -> list[dict[str, Any]]:
    """The identities around the entities an import's bulk path wrote (kind -> ids), in its
    transaction once every row is in, so an imported record joins as one made through the service."""
    return [
        resolve_entities(session, scope, kind, refs[start : start + IMPORT_BATCH])
        for kind, refs in sorted(written.items())
        for start in range(0, len(refs), IMPORT_BATCH)
    ]


def members_of(session: Session, scope: Scope, kind: str, refs: Sequence[str]) -> dict[str, list[str]]:
    """Entity reference -> every member of its identity (itself alone when it has none)."""
    ids = repository.identity_ids(session, scope, kind, list(refs))
    found = {
        i.identity_id: list(i.members)
        for i in repository.identities(session, scope, kind, sorted(set(ids.values())))
    }
    return {ref: found.get(ids.get(ref, ""), [ref]) for ref in refs}


def identity_dict(row: Identity) -> dict[str, Any]:
    return {
        "id": row.identity_id,
        "kind": row.kind,
        "members": list(row.members),
        "evidence": list(row.evidence),
        "resolved_at": row.resolved_at.isoformat(timespec="seconds"),
    }


def show(session: Session, scope: Scope, ref: str, kind: str | None = None) -> dict[str, Any]:
    """An identity by its id or any member's reference: members with their records, and the evidence."""
    require(scope, "records.read")
    for k in [kind] if kind else list(KINDS):
        if k not in KINDS:
            raise InvalidInput(f"unknown kind {k!r}: person, vehicle or organization")
        identity_id = repository.identity_ids(session, scope, k, [ref]).get(ref)
        rows = repository.identities(session, scope, k, [identity_id]) if identity_id else []
        if rows:
            out = identity_dict(rows[0])
        elif _records(session, scope, k, [ref]):
            out = {"id": ref, "kind": k, "members": [ref], "evidence": [], "resolved_at": None}
        else:
            continue
        # deferred: a cycle, store imports identities at its top
        from astara.matching.store import label_of, load_records

        found = load_records(session, scope, k, out["members"])
        out["labels"] = {m: label_of(k, found[m][1]) if m in found else m for m in out["members"]}
        out["sources"] = {m: found[m][0] if m in found else "gone" for m in out["members"]}
        out["conflicts"] = [
            conflict_dict(c)
            for c in repository.conflicts(session, scope, k)
            if c.entity_a in out["members"] or c.entity_b in out["members"]
        ]
        return out
    raise NotFound(f"no identity or entity {ref!r}")


def conflict_dict(row: IdentityConflict) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "a": row.entity_a,
        "b": row.entity_b,
        "reason": row.reason,
        "details": dict(row.details),
        "found_at": row.found_at.isoformat(timespec="seconds"),
    }


def list_conflicts(session: Session, scope: Scope, kind: str | None = None) -> list[dict[str, Any]]:
    require(scope, "records.read")
    return [conflict_dict(c) for c in repository.conflicts(session, scope, kind)]


def _names(kind: str, record: dict[str, Any]) -> str:
    if kind == "vehicle":
        return " ".join(str(record[k]) for k in ("plate", "vin") if record.get(k))
    return str(record.get("name") or "")


def summaries(session: Session, scope: Scope, kind: str, refs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Entity reference -> its identity as alerts and pages name it: id, every distinct name of its
    members (each script and spelling), the member count and where to see it."""
    groups = members_of(session, scope, kind, list(dict.fromkeys(refs)))
    from astara.matching.store import load_records  # deferred: a cycle, store imports identities at its top

    found = load_records(session, scope, kind, sorted({m for ms in groups.values() for m in ms}))
    out: dict[str, dict[str, Any]] = {}
    for ref, members in groups.items():
        names = [n for n in dict.fromkeys(_names(kind, found[m][1]) for m in members if m in found) if n]
        out[ref] = {
            "id": members[0],
            "kind": kind,
            "names": names,
            "members": members,
            "count": len(members),
            "link": f"/identities/{kind}/{members[0]}",
        }
    return out


def group_candidates(
    session: Session, scope: Scope, kind: str, candidates: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Ranked candidates grouped by identity, in the order of each identity's best candidate: the best
    one shown, the identity's other candidates on demand."""
    about = summaries(session, scope, kind, [c["entity_id"] for c in candidates])
    groups: dict[str, dict[str, Any]] = {}
    for c in candidates:
        identity = about[c["entity_id"]]
        group = groups.setdefault(identity["id"], {"identity": identity, "best": c, "others": []})
        if group["best"] is not c:
            group["others"].append(c)
    return list(groups.values())
