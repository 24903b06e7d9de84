"""What an interchange export writes: each seizure with its items and parties, after the policy.

A :class:`Record` is the sharing policy's record (:func:`astara.sharing.outbox.record_of`) with the
ids kept: the writers need stable ids for the event and for each party, which the policy's own
projection leaves out. ``--partner`` cuts each record down with the agreement's clauses
(:func:`astara.sharing.agreements.project`); without it the export is for the agency itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.db.models import SeizureEvent
from astara.interchange import repository
from astara.sharing import repository as sharing_repository
from astara.sharing.agreements import Agreement, Projection, project
from astara.sharing.outbox import record_of

BATCH = 500


@dataclass
class Party:
    """A person, organization, vehicle, phone or document in an event, with its role."""

    kind: str
    id: str
    role: str
    fields: dict[str, Any]


@dataclass
class Record:
    id: str
    event: dict[str, Any]  # event fields (the policy's names), tlp included
    items: list[dict[str, Any]]
    parties: list[Party]
    tlp: str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass
class Selection:
    """The records an export writes, and those the policy kept back (id -> why)."""

    records: list[Record] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def _full(event: SeizureEvent, links: list[dict[str, Any]]) -> tuple[dict[str, Any], list[Party]]:
    record = record_of(event, links)
    parties = [
        Party(
            link["type"],
            link["entity"].id,
            link["role"],
            {k: v for k, v in shared["fields"].items() if v not in (None, "")},
        )
        for link, shared in zip(links, record["entities"], strict=True)
    ]
    return record, parties


def _projected(record: dict[str, Any], parties: list[Party], projection: Projection) -> list[Party]:
    """The parties the projection kept, in order, with the ids the projection drops."""
    kept: list[Party] = []
    remaining = iter(parties)
    for shared in projection.record.get("entities", []):
        for party in remaining:
            if (
                party.kind == shared["type"]
                and party.role == shared["role"]
                and all(party.fields.get(k) == v for k, v in shared["fields"].items())
            ):
                kept.append(Party(party.kind, party.id, party.role, dict(shared["fields"])))
                break
    return kept


def _best(agreements: Sequence[Agreement], record: dict[str, Any], day: dt.date) -> Projection:
    """The first agreement's projection that lets something out, else the first refusal."""
    refusal: Projection | None = None
    for agreement in agreements:
        projection = project(agreement, record, day)
        if projection.refused is None:
            return projection
        refusal = refusal or projection
    assert refusal is not None
    return refusal


def select(
    session: Session,
    scope: Scope,
    events: Iterable[SeizureEvent],
    agreements: Sequence[Agreement] | None,
    day: dt.date,
) -> Selection:
    """Each event as a Record; with ``agreements`` (a partner's, in force) only what they let out."""
    out = Selection()
    batch: list[SeizureEvent] = []

    def flush() -> None:
        links = sharing_repository.entities_of(session, scope, [e.id for e in batch])
        for event in batch:
            record, parties = _full(event, links.get(event.id, []))
            items = record["items"]
            values, tlp = record["event"], event.tlp
            if agreements is not None:
                projection = _best(agreements, record, day)
                if projection.refused is not None:
                    out.refused[event.id] = projection.refused
                    continue
                parties = _projected(record, parties, projection)
                values, items, tlp = projection.record["event"], projection.record["items"], projection.tlp
            out.records.append(
                Record(
                    event.id,
                    {k: v for k, v in values.items() if k not in ("tlp", "handling_code")},
                    items,
                    parties,
                    tlp,
                    event.created_at,
                    event.updated_at,
                )
            )
        batch.clear()

    for event in events:
        batch.append(event)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return out


def identities(session: Session, scope: Scope) -> dict[str, list[str]]:
    """Entity id -> every id of its resolved identity (analysts judged them ``same``), smallest first."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in repository.same_pairs(session, scope):
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    out: dict[str, list[str]] = {}
    for root, members in groups.items():
        ids = sorted({root, *members})
        for member in ids:
            out[member] = ids
    return out
