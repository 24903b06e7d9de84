"""REST API of the news review queue: ingest articles, list and show drafts, accept, reject, merge."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from astara.news import service
from astara.news.schemas import (
    AcceptIn,
    ArticleFeedLine,
    DraftOut,
    DraftPage,
    IngestReport,
    MergeIn,
    RejectIn,
)
from astara.seizures.schemas import SeizureEventOut
from astara.web.deps import unit

router = APIRouter(prefix="/api/news", tags=["news"])


@router.post("/articles", response_model=IngestReport, status_code=201)
def ingest(
    request: Request,
    articles: Annotated[list[ArticleFeedLine], Body(max_length=5000)],
    source_type: Annotated[str, Query(description="news or press_release")] = "news",
) -> IngestReport:
    """Store articles (the JSONL feed's lines, as a list) and their draft events; one transaction."""
    incoming = [
        service.incoming_from_line(line, f"request item {n}") for n, line in enumerate(articles, start=1)
    ]
    with unit(request) as (session, scope):
        return service.ingest(session, scope, incoming, source_type=source_type)


@router.get("/articles/{article_id}")
def get_article(request: Request, article_id: str) -> dict[str, Any]:
    with unit(request) as (session, scope):
        article, text = service.get_article(session, scope, article_id)
    return {**article.model_dump(mode="json"), "text": text}


@router.get("/drafts", response_model=DraftPage)
def list_drafts(
    request: Request,
    status: Annotated[str, Query(description="open, accepted, rejected, merged or all")] = "open",
    offset: Annotated[int, Query(ge=0, le=1_000_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DraftPage:
    """The review queue; open drafts carry their duplicate proposals with the reasons."""
    with unit(request) as (session, scope):
        return service.list_drafts(
            session, scope, None if status == "all" else status, offset=offset, limit=limit
        )


@router.get("/drafts/{draft_id}", response_model=DraftOut)
def get_draft(request: Request, draft_id: str) -> DraftOut:
    with unit(request) as (session, scope):
        return service.get_draft(session, scope, draft_id)


@router.post("/drafts/{draft_id}/accept", response_model=SeizureEventOut, status_code=201)
def accept(request: Request, draft_id: str, data: AcceptIn | None = None) -> SeizureEventOut:
    """Create the seizure (optionally with edits); 409 when the draft was already decided."""
    with unit(request) as (session, scope):
        return service.accept(session, scope, draft_id, (data or AcceptIn()).edits)


@router.post("/drafts/{draft_id}/reject", response_model=DraftOut)
def reject(request: Request, draft_id: str, data: RejectIn) -> DraftOut:
    with unit(request) as (session, scope):
        return service.reject(session, scope, draft_id, data.reason)


@router.post("/drafts/{draft_id}/merge", response_model=DraftOut)
def merge(request: Request, draft_id: str, data: MergeIn) -> DraftOut:
    """Record the draft as the same incident as a seizure or another draft (counted once)."""
    with unit(request) as (session, scope):
        return service.merge(session, scope, draft_id, data.into)


@router.get("/sources/{event_id}")
def sources(request: Request, event_id: str) -> list[dict[str, Any]]:
    """The articles behind a seizure event."""
    with unit(request) as (session, scope):
        return service.sources(session, scope, event_id)
