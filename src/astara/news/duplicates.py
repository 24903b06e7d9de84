"""Possible duplicates of drafts: another outlet's draft of the same incident, or a recorded seizure.

    proposals = propose(session, scope, [(draft, article), ...])   # {draft id: best five, best first}

The candidates of every draft asked about are read together (one statement for drafts, two for
events and their items), so a page of drafts costs the same few queries however long it is; each
candidate is then weighed in memory with the named evidence of ``news.evidence``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.db.models import NewsArticle, NewsDraft, SeizureEvent
from astara.news import repository
from astara.news.evidence import (
    UNDATED_LOOKBACK,
    Entry,
    Evidence,
    Side,
    compare,
    drug_group,
    interval,
    score,
    widen,
)
from astara.news.schemas import Proposal
from astara.vocab import get_vocabulary

__all__ = ["propose"]

SHOWN = 5  # proposals kept for each draft


def propose(
    session: Session, scope: Scope, drafts: Sequence[tuple[NewsDraft, NewsArticle]]
) -> dict[str, list[Proposal]]:
    """The possible duplicates of each draft (by draft id): drafts of other articles and seizure events."""
    asked = [(d, a) for d, a in drafts if d.fields.get("items")]
    sides = [_draft_side(d, a) for d, a in asked]
    dated: list[int] = []
    searches: list[repository.EventSearch] = []
    for n, (draft, _article) in enumerate(asked):
        if (around := widen(sides[n].window)) is not None:
            dated.append(n)
            searches.append(repository.EventSearch(_codes(draft), around, draft.country))
    event_lists = repository.candidate_events(session, scope, searches)
    events_of = dict(zip(dated, event_lists, strict=True))
    draft_lists = repository.candidate_drafts(
        session,
        scope,
        [
            repository.DraftSearch(d.article_id, widen(side.window), d.country)
            for (d, _), side in zip(asked, sides, strict=True)
        ],
        UNDATED_LOOKBACK,
    )
    out: dict[str, list[Proposal]] = {d.id: [] for d, _ in drafts}
    for n, (draft, _article) in enumerate(asked):
        mine = sides[n]
        found = []
        for event in events_of.get(n, []):
            if event.id != draft.event_id and (evidence := compare(mine, _event_side(event))):
                found.append(_proposal("seizure", event.id, _event_summary(event), evidence))
        for other in draft_lists[n]:
            if other.id != draft.id and (evidence := compare(mine, _candidate_side(other))):
                found.append(_proposal("draft", other.id, _draft_summary(other), evidence))
        found.sort(key=lambda p: (-p.score, p.kind, p.target))
        out[draft.id] = found[:SHOWN]
    return out


def _proposal(kind: str, target: str, summary: str, evidence: list[Evidence]) -> Proposal:
    return Proposal(
        kind=kind,
        target=target,
        summary=summary,
        reasons=[e.text() for e in evidence],
        evidence=evidence,
        score=score(evidence),
    )


def _codes(draft: NewsDraft) -> list[str]:
    """The draft's drugs and every drug of their groups, so "opiates" in a report meets "opium"."""
    drugs = {i["drug"] for i in draft.fields.get("items", [])}
    vocab = get_vocabulary().drugs
    groups = {drug_group(d) for d in drugs}
    return sorted(drugs | {d.code for g in groups for d in vocab.in_group(g)})


def _entries(items: list[dict[str, Any]]) -> list[Entry]:
    return [(i["drug"], i["quantity"], i["kg"], i["unit"]) for i in items]


def _draft_side(draft: NewsDraft, article: NewsArticle) -> Side:
    window = interval(draft.date, article.published)
    return Side(_entries(draft.fields.get("items", [])), window, draft.country, draft.place, article.outlet,
                article.language)  # fmt: skip


def _candidate_side(other: repository.Candidate) -> Side:
    window = interval(other.date, other.published)
    return Side(_entries(other.fields.get("items", [])), window, other.country, other.place, other.outlet,
                other.language)  # fmt: skip


def _event_side(event: SeizureEvent) -> Side:
    window = None
    if event.date is not None:
        window = interval(
            event.date.isoformat()[: {"year": 4, "month": 7}.get(event.date_precision or "", 10)], None
        )
    entries: list[Entry] = [(i.drug_code, i.quantity, i.kg, i.unit_code or "") for i in event.items]
    return Side(entries, window, event.country, event.place_text)


def _draft_summary(other: repository.Candidate) -> str:
    items = ", ".join(
        f"{i['drug']} {i['quantity']:g} {i['unit']}"
        for i in other.fields.get("items", [])
        if i.get("quantity") is not None
    )
    who = other.outlet or other.url or other.article_id
    return f"{who}: {items}; {other.date or 'no date'}; {other.place or other.country or 'no place'}"


def _event_summary(event: SeizureEvent) -> str:
    items = ", ".join(
        f"{i.drug_code} {i.quantity:g} {i.unit_code}" for i in event.items if i.quantity is not None
    )
    date = event.date.isoformat() if event.date else "no date"
    return (
        f"{event.reference or event.id}: {items}; {date}; {event.place_text or event.country or 'no place'}"
    )
