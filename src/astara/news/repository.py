"""Queries on news articles, drafts and sources, always scoped to the acting agency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, defer, selectinload

from astara.agencies.scope import Scope, scoped
from astara.db.models import NewsArticle, NewsDraft, NewsSource, SeizureEvent, SeizureItem


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


def candidate_drafts(
    session: Session,
    scope: Scope,
    exclude_article: str,
    window: tuple[dt.date, dt.date] | None,
    lookback: dt.timedelta,
    country: str | None,
) -> list[NewsDraft]:
    """Open drafts of other articles that may tell of the same incident: dated within ``window``
    (partial dates by their year or month), or undated and published up to ``lookback`` after it;
    in the same country or one not known.

    Accepted drafts are not candidates: their seizure event is.
    """
    stmt = scoped(select(NewsDraft), NewsDraft, scope).where(
        NewsDraft.article_id != exclude_article, NewsDraft.status == "open"
    )
    if country:
        stmt = stmt.where(or_(NewsDraft.country == country, NewsDraft.country.is_(None)))
    if window is not None:
        low, high = window[0].isoformat(), window[1].isoformat()
        published = select(NewsArticle.id).where(
            NewsArticle.agency_id == scope.agency_id,
            or_(
                NewsArticle.published.is_(None),
                NewsArticle.published.between(window[0], window[1] + lookback),
            ),
        )
        stmt = stmt.where(
            or_(
                NewsDraft.date.between(low, high),
                and_(func.length(NewsDraft.date) < 10, NewsDraft.date.between(low[:4], high[:7])),
                and_(NewsDraft.date.is_(None), NewsDraft.article_id.in_(published)),
            )
        )
    return list(session.scalars(stmt.order_by(NewsDraft.created_at.desc()).limit(200)))


def candidate_events(
    session: Session,
    scope: Scope,
    drugs: Sequence[str],
    window: tuple[dt.date, dt.date],
    country: str | None,
) -> list[SeizureEvent]:
    """Seizure events with one of ``drugs`` whose (possibly partial) date meets ``window``."""
    low, high = window
    # Correlated, and within the widest date range first: the store's date index then finds the few
    # events of the window, rather than every event of a common drug being looked up one by one
    # (40-80 ms a draft on the demo data, for each of a News review page's 25 drafts).
    has_drug = (
        select(SeizureItem.event_id)
        .where(SeizureItem.event_id == SeizureEvent.id, SeizureItem.drug_code.in_(list(drugs)))
        .exists()
    )
    precision = SeizureEvent.date_precision
    stmt = (
        scoped(select(SeizureEvent), SeizureEvent, scope)
        .where(
            SeizureEvent.date.between(low - dt.timedelta(days=366), high),
            has_drug,
            or_(
                and_(or_(precision.is_(None), precision == "day"), SeizureEvent.date.between(low, high)),
                and_(precision == "month", SeizureEvent.date.between(low - dt.timedelta(days=31), high)),
                and_(precision == "year", SeizureEvent.date.between(low - dt.timedelta(days=366), high)),
            ),
        )
        .options(selectinload(SeizureEvent.items))
        .order_by(SeizureEvent.date.desc(), SeizureEvent.id)
        .limit(200)
    )
    if country:
        stmt = stmt.where(or_(SeizureEvent.country == country, SeizureEvent.country.is_(None)))
    return list(session.scalars(stmt))


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
