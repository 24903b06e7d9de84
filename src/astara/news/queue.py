"""Reading the queue: drafts newest first with their supporting sentences marked, open drafts with
their possible duplicates; one draft, one article, and the articles behind a seizure event."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.models import NewsArticle, NewsDraft
from astara.errors import InvalidInput, NotFound
from astara.news import repository
from astara.news.duplicates import propose
from astara.news.schemas import ArticleOut, DraftItem, DraftOut, DraftPage, Proposal, Segment

__all__ = ["article_out", "draft_out", "find_article", "find_draft", "get_article", "get_draft",
           "list_drafts", "sources"]  # fmt: skip

STATUSES = ("open", "accepted", "rejected", "merged")


def _highlight(text: str, draft: NewsDraft) -> tuple[str, list[Segment]]:
    """The supporting sentences, with the spans behind the fields marked."""
    segments: list[Segment] = []
    quotes = []
    marks = sorted((m for m in draft.fields.get("marks", [])), key=lambda m: (m[0], -m[1]))
    for n, (start, end) in enumerate(draft.fields.get("sentences", [])):
        if n:
            segments.append(Segment(text=" … "))
        sentence = text[start:end]
        quotes.append(" ".join(sentence.split()))
        cursor = start
        for m_start, m_end, name in marks:
            if m_start < cursor or m_end > end or m_start >= m_end:
                continue
            if m_start > cursor:
                segments.append(Segment(text=" ".join(text[cursor:m_start].split(" "))))
            segments.append(Segment(text=" ".join(text[m_start:m_end].split()), mark=name))
            cursor = m_end
        if cursor < end:
            segments.append(Segment(text=text[cursor:end]))
    for s in segments:  # one line, as the extractor's quote
        s.text = re.sub(r"\s+", " ", s.text)
    return " ".join(quotes), segments


def draft_out(
    draft: NewsDraft, article: NewsArticle | None, proposals: list[Proposal] | None = None
) -> DraftOut:
    quote, segments = _highlight(article.text, draft) if article else ("", [])
    fields = {k: v for k, v in draft.fields.items() if k not in ("items", "sentences", "marks")}
    return DraftOut(
        id=draft.id,
        article_id=draft.article_id,
        article_url=article.url if article else None,
        outlet=article.outlet if article else None,
        published=article.published if article else None,
        language=article.language if article else None,
        status=draft.status,
        confidence=draft.confidence,
        date=draft.date,
        place=draft.place,
        country=draft.country,
        fields=fields,
        items=[DraftItem.model_validate(i) for i in draft.fields.get("items", [])],
        quote=quote,
        highlighted=segments,
        warnings=list(draft.warnings),
        event_id=draft.event_id,
        merged_into=draft.merged_into,
        reason=draft.reason,
        decided_at=draft.decided_at,
        proposals=proposals or [],
    )


def article_out(article: NewsArticle, drafts: list[str]) -> ArticleOut:
    return ArticleOut(
        id=article.id,
        external_id=article.external_id,
        url=article.url,
        outlet=article.outlet,
        published=article.published,
        language=article.language,
        source_type=article.source_type,
        text_hash=article.text_hash,
        warnings=list(article.warnings),
        drafts=drafts,
    )


def list_drafts(
    session: Session, scope: Scope, status: str | None = "open", *, offset: int = 0, limit: int = 50
) -> DraftPage:
    """The queue, newest first; open drafts come with their duplicate proposals, worked out now for
    the whole page at once."""
    require(scope, "records.read")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if offset < 0 or not 1 <= limit <= 500:
        raise InvalidInput("offset must be 0 or more and limit between 1 and 500")
    total, drafts = repository.list_drafts(session, scope, status, offset, limit)
    articles = repository.articles(session, scope, [d.article_id for d in drafts])
    open_drafts = [
        (d, articles[d.article_id]) for d in drafts if d.status == "open" and d.article_id in articles
    ]
    proposals = propose(session, scope, open_drafts)
    items = [draft_out(d, articles.get(d.article_id), proposals.get(d.id)) for d in drafts]
    return DraftPage(total=total, offset=offset, limit=limit, status=status or "all", items=items)


def find_draft(session: Session, scope: Scope, draft_id: str, *, lock: bool = False) -> NewsDraft:
    draft = repository.get_draft(session, scope, draft_id, lock=lock)
    if draft is None:
        raise NotFound(f"no news draft {draft_id!r} in agency {scope.agency_code}")
    return draft


def find_article(session: Session, scope: Scope, article_id: str) -> NewsArticle:
    article = repository.get_article(session, scope, article_id)
    if article is None:
        raise NotFound(f"no news article {article_id!r} in agency {scope.agency_code}")
    return article


def get_draft(session: Session, scope: Scope, draft_id: str) -> DraftOut:
    require(scope, "records.read")
    draft = find_draft(session, scope, draft_id)
    article = find_article(session, scope, draft.article_id)
    proposals = propose(session, scope, [(draft, article)]) if draft.status == "open" else {}
    return draft_out(draft, article, proposals.get(draft.id))


def get_article(session: Session, scope: Scope, article_id: str) -> tuple[ArticleOut, str]:
    """The article's record and its text."""
    require(scope, "records.read")
    article = find_article(session, scope, article_id)
    drafts = [d.id for d in repository.drafts_of_article(session, scope, article_id)]
    return article_out(article, drafts), article.text


def sources(session: Session, scope: Scope, event_id: str) -> list[dict[str, Any]]:
    """The articles behind a seizure event (accepted from, merged in)."""
    require(scope, "records.read")
    rows = repository.sources_of(session, scope, event_id)
    articles = repository.articles(session, scope, [r.article_id for r in rows])
    return [
        {
            "article_id": r.article_id,
            "draft_id": r.draft_id,
            "role": r.role,
            "quote": r.quote,
            "url": articles[r.article_id].url if r.article_id in articles else None,
            "outlet": articles[r.article_id].outlet if r.article_id in articles else None,
        }
        for r in rows
    ]
