"""The identities a bilateral report lists: resolved persons, vehicles and organizations with seizures
in both countries in the period, from the agency's own records and partners' received ones alike."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis.periods import Period
from astara.matching import identities
from astara.matching import repository as matching_repository
from astara.matching.keys import KINDS
from astara.matching.store import received_entities
from astara.networks import repository as networks_repository
from astara.seizures.dimensions import parse_where

LIMIT = 50  # rows in the report; the most seizures first


def in_period(date: Any, period: Period) -> bool:
    """Whether a received record's date (ISO text) falls in ``period``."""
    text = str(date or "")[:10]
    if len(text) < 4 or not text[:4].isdigit() or int(text[:4]) != period.year:
        return False
    if period.kind == "year":
        return True
    month = int(text[5:7]) if text[5:7].isdigit() else 0
    return (month + 2) // 3 == period.number if period.kind == "quarter" else month == period.number


def both_sides(
    session: Session, scope: Scope, country: str, partner: str, period: Period
) -> list[dict[str, Any]]:
    """Each identity seen in a seizure in ``country`` and in one in ``partner`` during ``period``: its
    names in every script, its records and its seizures on each side (own and received records)."""
    seen: list[tuple[str, str, str, str]] = []  # side, kind, entity reference, seizure
    for side in (country, partner):
        for event_id, kind, entity_id, _ in networks_repository.links(
            session, scope, parse_where([period.where(), f"country={side}"])
        ):
            if kind in KINDS:
                seen.append((side, kind, entity_id, event_id))
    for row in matching_repository.received(session, scope):
        event = row.record.get("event") if isinstance(row.record, dict) else None
        if not isinstance(event, dict) or event.get("country") not in (country, partner):
            continue
        if in_period(event.get("date"), period):
            seizure = f"{row.partner_code}:{row.record_id}"  # every version of a record is one seizure
            seen += [(str(event["country"]), kind, ref, seizure) for ref, kind, _ in received_entities(row)]
    by_kind: dict[str, set[str]] = defaultdict(set)
    for _, kind, ref, _ in seen:
        by_kind[kind].add(ref)
    groups = {
        (kind, ref): members
        for kind, refs in by_kind.items()
        for ref, members in identities.members_of(session, scope, kind, sorted(refs)).items()
    }
    seizures: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(
        lambda: {country: set(), partner: set()}
    )
    for side, kind, ref, seizure in seen:
        seizures[(kind, groups[(kind, ref)][0])][side].add(seizure)
    both = {key: sides for key, sides in seizures.items() if sides[country] and sides[partner]}
    out = []
    for kind in KINDS:
        ids = sorted(i for k, i in both if k == kind)
        for identity_id, about in identities.summaries(session, scope, kind, ids).items():
            sides = both[(kind, identity_id)]
            out.append({"kind": kind, "id": identity_id, "names": about["names"], "records": about["count"],
                        "country": len(sides[country]), "partner": len(sides[partner])})  # fmt: skip
    out.sort(key=lambda r: (-(r["country"] + r["partner"]), r["kind"], r["id"]))
    return out[:LIMIT]
