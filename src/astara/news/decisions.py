"""Decisions on drafts: accept (possibly edited) through the seizures service with the article as the
event's source, reject with a reason, or merge into the record the draft repeats, so the same
incident reported twice is counted once. Services never commit: the caller's transaction does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.models import NewsArticle, NewsDraft, NewsSource, utcnow
from astara.errors import Conflict, InvalidInput, NotFound
from astara.news import repository
from astara.news.ingest import GRADES
from astara.news.queue import draft_out, find_article, find_draft
from astara.news.schemas import DraftOut, Edits, NewsSeizureCreate
from astara.seizures import service as seizures
from astara.seizures.schemas import SeizureEventOut, SeizureItemIn

__all__ = ["accept", "merge", "reject"]


def _refuse_decided(draft: NewsDraft, action: str) -> None:
    if draft.status == "accepted":
        raise Conflict(
            f"draft {draft.id} was already accepted as seizure {draft.event_id}; it cannot be {action}"
        )
    if draft.status == "rejected":
        raise Conflict(f"draft {draft.id} was rejected ({draft.reason}); it cannot be {action}")
    if draft.status == "merged":
        target = f"seizure {draft.event_id}" if draft.event_id else f"draft {draft.merged_into}"
        raise Conflict(f"draft {draft.id} was merged into {target}; it cannot be {action}")


def _decided(draft: NewsDraft, scope: Scope, status: str) -> None:
    draft.status = status
    draft.decided_by = scope.user_id
    draft.decided_at = utcnow()


def _seizure_input(draft: NewsDraft, article: NewsArticle, edits: Edits) -> NewsSeizureCreate:
    f = draft.fields
    items = [dict(i) for i in f.get("items", [])]
    if edits.drug is not None or edits.quantity is not None or edits.unit is not None:
        if edits.item > len(items):
            items.extend({"drug": "", "quantity": None, "unit": ""} for _ in range(edits.item - len(items)))
        target = items[edits.item - 1]
        for name in ("drug", "quantity", "unit"):
            if (value := getattr(edits, name)) is not None:
                target[name] = value
    problems = []
    for n, item in enumerate(items):
        if item.get("quantity") in (None, ""):
            problems.append(
                {"field": f"items.{n}.quantity", "reason": "the text gives no quantity; give one"}
            )
    date = edits.date or draft.date
    country = edits.country or draft.country
    if not date:
        problems.append({"field": "date", "reason": "the article gives no seizure date; give one"})
    if not country:
        problems.append({"field": "country", "reason": "the article gives no country of seizure; give one"})
    if problems:
        raise InvalidInput(f"draft {draft.id} cannot be accepted as it is", details=problems)
    quote = " ".join(" ".join(article.text[s:e].split()) for s, e in f.get("sentences", []))
    where = article.url or f"news article {article.id}"
    outlet = f"{article.outlet}, " if article.outlet else ""
    published = f"published {article.published.isoformat()}, " if article.published else ""
    notes = f"From {outlet}{published}{where} (draft {draft.id}): “{quote[:1500]}”"
    if edits.notes:
        notes = f"{edits.notes}\n{notes}"
    transit = f.get("transit") or []

    def pick(name: str, key: str | None = None) -> Any:
        value = getattr(edits, name)
        return value if value is not None else f.get(key or name)

    return NewsSeizureCreate(
        reference=f"news-{draft.id[:24]}",
        date=str(date),
        place=pick("place"),
        country=str(country),
        admin_area=pick("admin_area"),
        departure_country=pick("departure_country", "origin"),
        destination_country=pick("destination_country", "destination"),
        transit_countries="|".join(transit) or None,
        transport=pick("transport"),
        concealment=pick("concealment"),
        cover_cargo=pick("cover_cargo"),
        conveyance_ids="|".join(f.get("vehicle_ids") or []) or None,
        reporting_agency=pick("reporting_agency", "agency"),
        source_ref=where[:500],
        tlp="clear",
        notes=notes,
        items=[
            SeizureItemIn(drug=str(i["drug"]), quantity=i["quantity"], unit=str(i["unit"])) for i in items
        ],
        **GRADES.get(article.source_type, GRADES["news"]),
    )


def _changes(draft: NewsDraft, edits: Edits) -> dict[str, Any]:
    """The edits that change what the draft said (a form sends every field, changed or not)."""
    f = draft.fields
    items = f.get("items", [])
    item = items[edits.item - 1] if edits.item <= len(items) else {}
    current = {
        "date": draft.date,
        "country": draft.country,
        "place": draft.place,
        "departure_country": f.get("origin"),
        "destination_country": f.get("destination"),
        "reporting_agency": f.get("agency"),
        **{k: f.get(k) for k in ("admin_area", "transport", "concealment", "cover_cargo")},
        **{k: item.get(k) for k in ("drug", "quantity", "unit")},
    }

    def same(a: object, b: object) -> bool:
        try:
            return float(str(a)) == float(str(b))
        except ValueError:
            return str(a).strip().lower() == str(b).strip().lower()

    given = edits.model_dump(exclude_none=True, exclude={"item"})
    return {k: v for k, v in given.items() if k not in current or not same(v, current[k])}


def accept(
    session: Session, scope: Scope, draft_id: str, edits: Edits | None = None, today: dt.date | None = None
) -> SeizureEventOut:
    """Create the seizure event (validated by the seizures service) with the article as its source."""
    require(scope, "records.write")
    draft = find_draft(session, scope, draft_id, lock=True)
    _refuse_decided(draft, "accepted")
    article = find_article(session, scope, draft.article_id)
    data = _seizure_input(draft, article, edits or Edits())
    event = seizures.create_seizure(session, scope, data, today, source_type=article.source_type)
    _decided(draft, scope, "accepted")
    draft.event_id = event.id
    if edits and (changed := _changes(draft, edits)):
        draft.fields = {**draft.fields, "edits": changed}
        draft.date = (
            event.date.isoformat()[: {"year": 4, "month": 7}.get(event.date_precision or "", 10)]
            if (event.date)
            else draft.date
        )
        draft.country = event.country or draft.country
        draft.place = event.place_text or draft.place
    repository.add_source(session, scope, _source(scope, event.id, article, draft, "accepted"))
    for merged in repository.drafts_merged_into(session, scope, draft.id):  # drafts waiting on this one
        merged.event_id = event.id
        merged_article = find_article(session, scope, merged.article_id)
        repository.add_source(session, scope, _source(scope, event.id, merged_article, merged, "merged"))
    return event


def _source(scope: Scope, event_id: str, article: NewsArticle, draft: NewsDraft, role: str) -> NewsSource:
    quote = " ".join(" ".join(article.text[s:e].split()) for s, e in draft.fields.get("sentences", []))
    return NewsSource(
        agency_id=scope.agency_id,
        event_id=event_id,
        article_id=article.id,
        draft_id=draft.id,
        role=role,
        quote=quote,
        created_at=utcnow(),
    )


def reject(session: Session, scope: Scope, draft_id: str, reason: str) -> DraftOut:
    require(scope, "records.write")
    reason = " ".join((reason or "").split())
    if not reason:
        raise InvalidInput("a rejection needs a reason", details=[{"field": "reason", "reason": "empty"}])
    draft = find_draft(session, scope, draft_id, lock=True)
    _refuse_decided(draft, "rejected")
    _decided(draft, scope, "rejected")
    draft.reason = reason[:1000]
    return draft_out(draft, find_article(session, scope, draft.article_id))


def merge(session: Session, scope: Scope, draft_id: str, into: str) -> DraftOut:
    """Record ``draft`` as the same incident as ``into`` (a seizure or another draft): counted once.

    Into a seizure, or a draft already accepted: the article becomes one more source of that
    seizure. Into an open draft: the article joins that draft's seizure when it is accepted.
    """
    require(scope, "records.write")
    if draft_id == into:
        raise InvalidInput(f"draft {draft_id} cannot be merged into itself")
    draft = find_draft(session, scope, draft_id, lock=True)
    _refuse_decided(draft, "merged")
    article = find_article(session, scope, draft.article_id)
    target_draft = repository.get_draft(session, scope, into)
    event_id: str | None = None
    if target_draft is not None:
        if target_draft.status == "rejected":
            raise Conflict(f"draft {into} was rejected ({target_draft.reason}); merge into another record")
        if target_draft.status == "merged" and target_draft.event_id is None:
            into = target_draft.merged_into or into  # follow the chain to the draft that will be accepted
            if into == draft_id:
                raise InvalidInput(f"draft {target_draft.id} is already merged into draft {draft_id}")
        event_id = target_draft.event_id
    else:
        event = repository.get_event(session, scope, into)
        if event is None:
            raise NotFound(f"no seizure or news draft {into!r} in agency {scope.agency_code}")
        event_id = event.id
    _decided(draft, scope, "merged")
    draft.event_id = event_id
    draft.merged_into = into if target_draft is not None else None
    if event_id is not None:
        repository.add_source(session, scope, _source(scope, event_id, article, draft, "merged"))
    return draft_out(draft, article)
