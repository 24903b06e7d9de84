"""The identity resolver's candidate pairs: records that share a match key no more than
``MAX_KEY_HOLDERS`` records hold, scored only when the matcher could say yes.

A key held by more than ``MAX_KEY_HOLDERS`` entities of its kind (a common pair of name words: every
Mammadov Ali of the store) says too little to make a pair and is skipped, as ``astara link`` drops a
block over its cap; the records' other keys (a name word with the full birth date, the document
number) still bring the same person's records together. So a record has at most ``MAX_KEY_HOLDERS``
candidates per key it holds, whatever the size of the store, and the full run's pairs grow with the
records rather than with their square. Both the full run and the incremental path take their pairs
from here, so they agree. Before the matcher runs on a pair of persons, :func:`could_match` drops the
pairs it cannot accept whatever the names (birth years apart, different permanent identifiers): the
matcher is by far the costliest step and most namesakes fail there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.matching import repository
from astara.matching.keys import keys_of
from astara.matching.persons import Facts, facts
from astara.matching.service import ALGORITHM, could_match, match_records

MAX_KEY_HOLDERS = 50  # entities of one kind under one key; a key held by more makes no pairs
SOURCES = ("store", "received")  # a partner's record joins an identity as any other (never a watch entry)

Scored = tuple[str, str, dict[str, Any]]  # (a, b, the matcher's decision details) with a < b


class Holders:
    """Who holds each key (those under the cap), read once per key within one resolution."""

    def __init__(self, session: Session, scope: Scope, kind: str) -> None:
        self.session, self.scope, self.kind = session, scope, kind
        self.held: dict[str, list[str] | None] = {}  # None: over the cap

    def of(self, keys: Iterable[str]) -> dict[str, list[str]]:
        keys = set(keys)
        new = sorted(keys - self.held.keys())
        if new:
            found = repository.key_holders(
                self.session, self.scope, self.kind, new, SOURCES, MAX_KEY_HOLDERS + 1
            )
            for key in new:
                refs = found.get(key, [])
                self.held[key] = refs if len(refs) <= MAX_KEY_HOLDERS else None
        return {k: held for k in keys if (held := self.held[k]) is not None}


def filed_keys(
    session: Session, scope: Scope, kind: str, records: dict[str, dict[str, Any]]
) -> dict[str, set[str]]:
    """Each record's keys as filed (those of its fields for a record filed under none)."""
    filed = repository.entity_keys(session, scope, kind, sorted(records), SOURCES)
    return {ref: filed.get(ref) or keys_of(kind, record) for ref, record in records.items()}


def pairs_among(keys: dict[str, set[str]], kept: dict[str, list[str]] | set[str]) -> set[tuple[str, str]]:
    """Pairs of the records of ``keys`` sharing a key of ``kept``."""
    by_key: dict[str, list[str]] = {}
    for ref in sorted(keys):
        for key in keys[ref]:
            if key in kept:
                by_key.setdefault(key, []).append(ref)
    return {(x, y) for refs in by_key.values() for i, x in enumerate(refs) for y in refs[i + 1 :]}


def all_pairs(
    session: Session, scope: Scope, kind: str, records: dict[str, dict[str, Any]]
) -> list[tuple[int, int]]:
    """Every candidate pair of the full run, as positions in ``sorted(records)``: records sharing a
    key that at most ``MAX_KEY_HOLDERS`` filed entities hold (records filed under no key by theirs)."""
    refs = sorted(records)
    position = {ref: i for i, ref in enumerate(refs)}
    count: dict[str, int] = {}
    holders: dict[str, list[int]] = {}
    filed: set[int] = set()
    for key, ref in repository.kind_keys(session, scope, kind, SOURCES):
        count[key] = count.get(key, 0) + 1
        i = position.get(ref)
        if i is not None:
            holders.setdefault(key, []).append(i)
            filed.add(i)
    for i, ref in enumerate(refs):
        if i not in filed:
            for key in keys_of(kind, records[ref]):
                holders.setdefault(key, []).append(i)
    pairs: set[int] = set()
    n = len(refs)
    for key, held in holders.items():
        if len(held) < 2 or count.get(key, 0) > MAX_KEY_HOLDERS:
            continue
        held.sort()
        pairs.update(x * n + y for j, x in enumerate(held) for y in held[j + 1 :] if x != y)
    del holders, count
    return [divmod(p, n) for p in sorted(pairs)]


def score(
    kind: str, records: dict[str, dict[str, Any]], pairs: Iterable[tuple[str, str]], known: dict[str, Facts]
) -> list[Scored]:
    """The matcher's decisions above its threshold on ``pairs`` (a < b); ``known`` caches each
    person's facts."""
    out: list[Scored] = []
    for a, b in pairs:
        if kind == "person":
            fa = known.get(a) or known.setdefault(a, facts(records[a]))
            fb = known.get(b) or known.setdefault(b, facts(records[b]))
            if not could_match(fa, fb):
                continue
        result = match_records(kind, records[a], records[b])  # type: ignore[arg-type]
        if result.match:
            features = [f["name"] for f in result.explanation()["features"] if f["contribution"] > 0]
            out.append(
                (a, b, {"score": round(result.score, 4), "algorithm": ALGORITHM, "features": features})
            )
    return out


def scored_all(session: Session, scope: Scope, kind: str, records: dict[str, dict[str, Any]]) -> list[Scored]:
    """The full run's matcher decisions over every candidate pair."""
    refs: Sequence[str] = sorted(records)
    known: dict[str, Facts] = {}
    return score(
        kind, records, ((refs[i], refs[j]) for i, j in all_pairs(session, scope, kind, records)), known
    )
