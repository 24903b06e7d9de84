"""Queries on news articles, drafts and sources, always scoped to the acting agency."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    CompoundSelect,
    Date,
    Integer,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    union_all,
)
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


class Candidate(NamedTuple):
    """An open draft as a possible duplicate: what decides whether a search finds it, and what it is
    compared and summarised on."""

    id: str
    article_id: str
    date: str | None
    country: str | None
    created_at: dt.datetime
    published: dt.date | None
    place: str | None
    event_id: str | None
    fields: dict[str, Any]
    outlet: str | None
    url: str | None
    language: str | None


def candidate_drafts(
    session: Session, scope: Scope, searches: Sequence[DraftSearch], lookback: dt.timedelta
) -> list[list[Candidate]]:
    """For each search, the open drafts it finds (newest first, at most ``CANDIDATES``), in one
    statement however many searches there are.

    A draft is found when dated within the window (partial dates by their year or month), or undated
    and published up to ``lookback`` after it; in the same country or one not known. Accepted drafts
    are not candidates: their seizure event is. The statement reads the open drafts any search may
    find, as plain rows; each search then picks its own from them.
    """
    if not searches:
        return []
    columns = (NewsDraft.id, NewsDraft.article_id, NewsDraft.date, NewsDraft.country, NewsDraft.created_at,
               NewsArticle.published, NewsDraft.place, NewsDraft.event_id, NewsDraft.fields,
               NewsArticle.outlet, NewsArticle.url, NewsArticle.language)  # fmt: skip
    stmt = (
        scoped(scoped(select(*columns), NewsDraft, scope), NewsArticle, scope)
        .join(NewsArticle, NewsArticle.id == NewsDraft.article_id)
        .where(NewsDraft.status == "open")
    )
    excluded = {s.exclude_article for s in searches}
    if len(excluded) == 1:  # the drafts of one article (at ingest): its own are never candidates
        stmt = stmt.where(NewsDraft.article_id != next(iter(excluded)))
    countries = {s.country for s in searches}
    if None not in countries:
        stmt = stmt.where(or_(NewsDraft.country.in_(countries), NewsDraft.country.is_(None)))
    windows = [s.window for s in searches if s.window is not None]
    if len(windows) == len(searches):  # else one search takes drafts of any date
        low, high = min(w[0] for w in windows), max(w[1] for w in windows)
        stmt = stmt.where(
            or_(
                NewsDraft.date.between(low.isoformat(), high.isoformat()),
                and_(
                    func.length(NewsDraft.date) < 10,
                    NewsDraft.date.between(low.isoformat()[:4], high.isoformat()[:7]),
                ),
                and_(
                    NewsDraft.date.is_(None),
                    or_(NewsArticle.published.is_(None), NewsArticle.published.between(low, high + lookback)),
                ),
            )
        )
    if len(searches) == 1:  # the statement finds exactly what the one search does
        stmt = stmt.order_by(NewsDraft.created_at.desc(), NewsDraft.id).limit(CANDIDATES)
    rows = [Candidate(*r) for r in session.execute(stmt)]
    rows.sort(key=lambda r: r.id)
    rows.sort(key=lambda r: r.created_at, reverse=True)  # newest first
    return [list(filter(_finder(search, lookback), rows))[:CANDIDATES] for search in searches]


def _finder(search: DraftSearch, lookback: dt.timedelta) -> Callable[[Candidate], bool]:
    """Whether ``search`` finds a draft (the conditions candidate_drafts describes)."""
    exclude, country, window = search.exclude_article, search.country, search.window
    if window is None:
        return lambda r: r.article_id != exclude and (not country or r.country in (country, None))
    low, high = window[0].isoformat(), window[1].isoformat()
    year, month, earliest, latest = low[:4], high[:7], window[0], window[1] + lookback

    def finds(r: Candidate) -> bool:
        if r.article_id == exclude or (country and r.country not in (country, None)):
            return False
        if r.date is None:
            return r.published is None or earliest <= r.published <= latest
        return low <= r.date <= high or (len(r.date) < 10 and year <= r.date <= month)

    return finds


def candidate_events(
    session: Session, scope: Scope, searches: Sequence[EventSearch]
) -> list[list[SeizureEvent]]:
    """For each search, the events it finds (newest first, at most ``CANDIDATES``), with their items,
    in three statements however many searches there are."""
    if not searches:
        return []
    values: dict[str, Any] = {}
    for n, search in enumerate(searches):
        low, high = search.window
        values.update({f"low{n}": low, f"high{n}": high, f"drugs{n}": list(search.drugs)})
        values.update({f"month{n}": low - dt.timedelta(days=31), f"year{n}": low - dt.timedelta(days=366)})
        if search.country:
            values[f"country{n}"] = search.country
    pairs = session.execute(_event_search(scope, tuple(bool(s.country) for s in searches)), values).all()
    events: dict[str, SeizureEvent] = {}
    if pairs:
        stmt = scoped(select(SeizureEvent), SeizureEvent, scope).where(
            SeizureEvent.id.in_({p.id for p in pairs})
        )
        events = {e.id: e for e in session.scalars(stmt.options(selectinload(SeizureEvent.items)))}
    out: list[list[SeizureEvent]] = [[] for _ in searches]
    for pair in pairs:
        if pair.id in events:
            out[pair.n].append(events[pair.id])
    for found in out:
        found.sort(key=lambda e: e.id)
        found.sort(key=lambda e: e.date or dt.date.min, reverse=True)
    return out


@lru_cache(maxsize=256)
def _event_search(scope: Scope, with_country: tuple[bool, ...]) -> CompoundSelect[tuple[str, int]]:
    """The (event id, search number) pairs of ``len(with_country)`` searches, their values bound when
    run; built once for each shape, as building the statement costs more than running it."""
    precision = SeizureEvent.date_precision
    branches = []
    for n, country in enumerate(with_country):
        low, high = bindparam(f"low{n}", type_=Date), bindparam(f"high{n}", type_=Date)
        earliest = bindparam(f"year{n}", type_=Date)
        # Correlated, and within the widest date range first: the store's date index then finds the
        # few events of the window rather than looking up every event of a common drug.
        has_drug = (
            select(SeizureItem.event_id)
            .where(
                SeizureItem.event_id == SeizureEvent.id,
                SeizureItem.drug_code.in_(bindparam(f"drugs{n}", expanding=True)),
            )
            .exists()
        )
        stmt = scoped(select(SeizureEvent.id, literal(n, Integer).label("n")), SeizureEvent, scope).where(
            SeizureEvent.date.between(earliest, high),
            has_drug,
            or_(
                and_(or_(precision.is_(None), precision == "day"), SeizureEvent.date.between(low, high)),
                and_(
                    precision == "month", SeizureEvent.date.between(bindparam(f"month{n}", type_=Date), high)
                ),
                and_(precision == "year", SeizureEvent.date.between(earliest, high)),
            ),
        )
        if country:
            stmt = stmt.where(
                or_(SeizureEvent.country == bindparam(f"country{n}"), SeizureEvent.country.is_(None))
            )
        ordered = stmt.order_by(SeizureEvent.date.desc(), SeizureEvent.id).limit(CANDIDATES).subquery()
        branches.append(select(ordered.c.id, ordered.c.n))
    return union_all(*branches)


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
