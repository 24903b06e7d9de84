"""What goes in and out of the news review queue: articles, drafts, duplicate proposals, decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from astara.kit.dates import UtcDateTime
from astara.news.evidence import Evidence
from astara.seizures.schemas import SeizureCreate

__all__ = [
    "AcceptIn",
    "ArticleFeedLine",
    "ArticleOut",
    "DraftItem",
    "DraftOut",
    "DraftPage",
    "Edits",
    "IngestReport",
    "MergeIn",
    "NewsSeizureCreate",
    "Proposal",
    "RejectIn",
]


class ArticleFeedLine(BaseModel):
    """One line of a JSONL feed (or one article sent to the API)."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=200)
    text: str
    published: dt.date | None = None
    url: str | None = Field(default=None, max_length=1000)
    outlet: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=8)


class DraftItem(BaseModel):
    """One drug of a draft incident, as the extractor read it."""

    drug: str
    drug_text: str = ""
    quantity: float | None = None
    quantity_max: float | None = None
    qualifier: str | None = None
    unit: str
    kg: float | None = None
    quote: str = ""
    confidence: float = 0.0


class Proposal(BaseModel):
    """A possible duplicate of a draft: another outlet's draft or a recorded seizure, with the reasons."""

    kind: str = Field(description="draft or seizure")
    target: str = Field(description="The draft id or the seizure id.")
    summary: str
    reasons: list[str] = Field(description="The evidence in English words.")
    evidence: list[Evidence] = Field(
        default_factory=list, description="Each piece of evidence: reason code, weight, values compared."
    )
    score: float = Field(description="The evidence's weights added up (at most 1).")


class Segment(BaseModel):
    """A piece of the supporting sentence; ``mark`` names the field it supports, if any."""

    text: str
    mark: str | None = None


class DraftOut(BaseModel):
    id: str
    article_id: str
    article_url: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    language: str | None = Field(default=None, description="ISO 639-1 code of the article's text.")
    status: str
    confidence: float
    date: str | None = None
    place: str | None = None
    country: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    items: list[DraftItem] = Field(default_factory=list)
    quote: str = ""
    highlighted: list[Segment] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    event_id: str | None = None
    merged_into: str | None = None
    reason: str | None = None
    decided_at: UtcDateTime | None = None
    proposals: list[Proposal] = Field(default_factory=list)


class DraftPage(BaseModel):
    total: int
    offset: int
    limit: int
    status: str
    items: list[DraftOut]


class ArticleOut(BaseModel):
    id: str
    external_id: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: dt.date | None = None
    language: str | None = None
    source_type: str
    text_hash: str
    warnings: list[str] = Field(default_factory=list)
    drafts: list[str] = Field(default_factory=list)
    duplicate_of: str | None = Field(default=None, description="The article already holding this text.")


class IngestReport(BaseModel):
    articles_read: int = 0
    articles_stored: int = 0
    already_ingested: int = 0
    drafts_created: int = 0
    duplicates_proposed: int = 0
    articles: list[ArticleOut] = Field(default_factory=list)
    proposals: dict[str, list[Proposal]] = Field(
        default_factory=dict, description="Possible duplicates of new drafts, by draft id."
    )


class Edits(BaseModel):
    """What an analyst changes before accepting. Item fields apply to item ``item`` (1 = the first)."""

    model_config = ConfigDict(extra="forbid")

    drug: str | None = None
    quantity: float | str | None = None
    unit: str | None = None
    item: int = Field(default=1, ge=1, le=100)
    date: str | None = None
    place: str | None = None
    country: str | None = None
    admin_area: str | None = None
    transport: str | None = None
    concealment: str | None = None
    cover_cargo: str | None = None
    departure_country: str | None = None
    destination_country: str | None = None
    reporting_agency: str | None = None
    notes: str | None = None


class AcceptIn(BaseModel):
    edits: Edits = Field(default_factory=Edits)


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class MergeIn(BaseModel):
    into: str = Field(min_length=1, max_length=32, description="A seizure id or another draft's id.")


class NewsSeizureCreate(SeizureCreate):
    """A seizure from a reviewed draft: graded as open-source information (validated like any other)."""

    grading_scheme: str | None = None
    source_grade: str | None = None
    information_grade: str | None = None
