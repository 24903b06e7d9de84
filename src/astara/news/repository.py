"""Queries on news articles, drafts and sources, always scoped to the acting agency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, defer, selectinload

from astara.agencies.scope import Scope, scoped
from astara.db.models import NewsArticle, NewsDraft, NewsSource, SeizureEvent, SeizureItem

CANDIDATES = 200  # candidates a draft is compared with, of each kind


def article_by_hash(session: Session, scope: Scope, text_hash: str) -> NewsArticle | None:
    stmt = scoped(select(NewsArticle), NewsArticle, scope).where(NewsArticle.text_hash == text_hash)
    return session.scalars(stmt).first()


def get_article(session: Session, scope: Scope, article_id: str) -> NewsArticle | None:
    stmt = scoped(select(NewsArticle), NewsArticle, scope).where(NewsArticle.id == article_id)
    return session.scalars(stmt).first()


def articles(
    session: Session, scope: Scope, ids: Sequence[str], *, with_text: bool = True
) -> dict[str, NewsArticle]:
    if not ids:
        return {}
    stmt = scoped(select(NewsArticle), NewsArticle, scope).where(NewsArticle.id.in_(set(ids)))
    if not with_text:
        stmt = stmt.options(defer(NewsArticle.text))
    return {a.id: a for a in session.scalars(stmt)}


def get_draft(session: Session, scope: Scope, draft_id: str, *, lock: bool = False) -> NewsDraft | None:
    stmt = scoped(select(NewsDraft), NewsDraft, scope).where(NewsDraft.id == draft_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def drafts_of_article(session: Session, scope: Scope, article_id: str) -> list[NewsDraft]:
    stmt = (
        scoped(select(NewsDraft), NewsDraft, scope)
        .where(NewsDraft.article_id == article_id)
        .order_by(NewsDraft.incident)
    )
    return list(session.scalars(stmt))


def drafts_merged_into(session: Session, scope: Scope, draft_id: str) -> list[NewsDraft]:
    stmt = scoped(select(NewsDraft), NewsDraft, scope).where(NewsDraft.merged_into == draft_id)
    return list(session.scalars(stmt))


def list_drafts(
    session: Session, scope: Scope, status: str | None, offset: int, limit: int
) -> tuple[int, list[NewsDraft]]:
    stmt = scoped(select(NewsDraft), NewsDraft, scope)
    if status:
        stmt = stmt.where(NewsDraft.status == status)
    total = int(session.scalar(stmt.with_only_columns(func.count()).order_by(None)) or 0)
    rows = session.scalars(
        stmt.order_by(NewsDraft.created_at.desc(), NewsDraft.id).offset(offset).limit(limit)
    ).all()
    return total, list(rows)


@dataclass(frozen=True)
class DraftSearch:
    """Open drafts of other articles that may tell of the same incident as one draft."""

    exclude_article: str
    window: tuple[dt.date, dt.date] | None
    country: str | None


@dataclass(frozen=True)
class EventSearch:
    """Seizure events with one of ``drugs`` whose (possibly partial) date meets ``window``."""

    drugs: Sequence[str]
    window: tuple[dt.date, dt.date]
    country: str | None


def candidate_drafts(
    session: Session, scope: Scope, searches: Sequence[DraftSearch], lookback: dt.timedelta
) -> list[list[tuple[NewsDraft, NewsArticle]]]:
    """For each search, the open drafts it finds (newest first, at most ``CANDIDATES``) with their
    articles (without text), in one statement however many searches there are.

    A draft is found when dated within the window (partial dates by their year or month), or undated
    and published up to ``lookback`` after it; in the same country or one not known. Accepted drafts
    are not candidates: their seizure event is.
    """
    if not searches:
        return []
    branches = []
    for n, search in enumerate(searches):
        stmt = scoped(select(NewsDraft.id, literal(n, Integer).label("n")), NewsDraft, scope).where(
            NewsDraft.article_id != search.exclude_article, NewsDraft.status == "open"
        )
        if search.country:
            stmt = stmt.where(or_(NewsDraft.country == search.country, NewsDraft.country.is_(None)))
        if search.window is not None:
            low, high = search.window[0].isoformat(), search.window[1].isoformat()
            published = scoped(select(NewsArticle.id), NewsArticle, scope).where(
                or_(
                    NewsArticle.published.is_(None),
                    NewsArticle.published.between(search.window[0], search.window[1] + lookback),
                ),
            )
            stmt = stmt.where(
                or_(
                    NewsDraft.date.between(low, high),
                    and_(func.length(NewsDraft.date) < 10, NewsDraft.date.between(low[:4], high[:7])),
                    and_(NewsDraft.date.is_(None), NewsDraft.article_id.in_(published)),
                )
            )
        ordered = stmt.order_by(NewsDraft.created_at.desc(), NewsDraft.id).limit(CANDIDATES).subquery()
        branches.append(select(ordered.c.id, ordered.c.n))
    found = union_all(*branches).subquery()
    rows = session.execute(
        scoped(scoped(select(NewsDraft, NewsArticle, found.c.n), NewsDraft, scope), NewsArticle, scope)
        .join(found, found.c.id == NewsDraft.id)
        .join(NewsArticle, NewsArticle.id == NewsDraft.article_id)
        .options(defer(NewsArticle.text))
    ).all()
    out: list[list[tuple[NewsDraft, NewsArticle]]] = [[] for _ in searches]
    for draft, article, n in rows:
        out[n].append((draft, article))
    for pairs in out:
        pairs.sort(key=lambda pair: pair[0].id)
        pairs.sort(key=lambda pair: pair[0].created_at, reverse=True)
    return out


def candidate_events(
    session: Session, scope: Scope, searches: Sequence[EventSearch]
) -> list[list[SeizureEvent]]:
    """For each search, the events it finds (newest first, at most ``CANDIDATES``), with their items,
    in two statements however many searches there are."""
    if not searches:
        return []
    precision = SeizureEvent.date_precision
    branches = []
    for n, search in enumerate(searches):
        low, high = search.window
        # Correlated, and within the widest date range first: the store's date index then finds the
        # few events of the window rather than looking up every event of a common drug.
        has_drug = (
            select(SeizureItem.event_id)
            .where(SeizureItem.event_id == SeizureEvent.id, SeizureItem.drug_code.in_(list(search.drugs)))
            .exists()
        )
        stmt = scoped(select(SeizureEvent.id, literal(n, Integer).label("n")), SeizureEvent, scope).where(
            SeizureEvent.date.between(low - dt.timedelta(days=366), high),
            has_drug,
            or_(
                and_(or_(precision.is_(None), precision == "day"), SeizureEvent.date.between(low, high)),
                and_(precision == "month", SeizureEvent.date.between(low - dt.timedelta(days=31), high)),
                and_(precision == "year", SeizureEvent.date.between(low - dt.timedelta(days=366), high)),
            ),
        )
        if search.country:
            stmt = stmt.where(or_(SeizureEvent.country == search.country, SeizureEvent.country.is_(None)))
        ordered = stmt.order_by(SeizureEvent.date.desc(), SeizureEvent.id).limit(CANDIDATES).subquery()
        branches.append(select(ordered.c.id, ordered.c.n))
    found = union_all(*branches).subquery()
    rows = session.execute(
        scoped(select(SeizureEvent, found.c.n), SeizureEvent, scope)
        .join(found, found.c.id == SeizureEvent.id)
        .options(selectinload(SeizureEvent.items))
    ).all()
    out: list[list[SeizureEvent]] = [[] for _ in searches]
    for event, n in rows:
        out[n].append(event)
    for events in out:
        events.sort(key=lambda e: e.id)
        events.sort(key=lambda e: e.date or dt.date.min, reverse=True)
    return out


def get_event(session: Session, scope: Scope, event_id: str) -> SeizureEvent | None:
    stmt = scoped(select(SeizureEvent), SeizureEvent, scope).where(SeizureEvent.id == event_id)
    return session.scalars(stmt.options(selectinload(SeizureEvent.items))).first()


def add_source(session: Session, scope: Scope, source: NewsSource) -> bool:
    """Record an article behind an event, once per (event, article); False when it was already there."""
    stmt = scoped(select(NewsSource), NewsSource, scope).where(
        NewsSource.event_id == source.event_id, NewsSource.article_id == source.article_id
    )
    if session.scalars(stmt).first() is not None:
        return False
    session.add(source)
    return True


def sources_of(session: Session, scope: Scope, event_id: str) -> list[NewsSource]:
    stmt = scoped(select(NewsSource), NewsSource, scope).where(NewsSource.event_id == event_id)
    return list(session.scalars(stmt.order_by(NewsSource.id)))
