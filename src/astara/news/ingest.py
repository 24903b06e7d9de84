"""Ingest: store each article once (by the hash of its text) with one draft per incident the
extractor finds, graded as open-source information; possible duplicates are proposed, never merged."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.models import NewsArticle, NewsDraft, utcnow
from astara.errors import InvalidInput
from astara.extraction.schemas import ExtractedEvent
from astara.extraction.service import EXTRACTORS, extract_text
from astara.kit.ids import stable_id
from astara.news import repository
from astara.news.duplicates import propose
from astara.news.queue import article_out
from astara.news.reading import Incoming, outlet_of
from astara.news.schemas import ArticleOut, DraftItem, IngestReport

__all__ = ["GRADES", "ingest", "text_hash"]

# Open-source information, graded on the Admiralty scale: a news outlet's reliability cannot be
# judged (F) and what it reports is possibly true (3); an agency's own press release is usually
# reliable (B) and probably true (2). TLP:CLEAR: it was published.
GRADES: dict[str, dict[str, str]] = {
    "news": {"grading_scheme": "admiralty", "source_grade": "F", "information_grade": "3"},
    "press_release": {"grading_scheme": "admiralty", "source_grade": "B", "information_grade": "2"},
}
EVENT_FIELDS = (
    "place",
    "admin_area",
    "country",
    "agency",
    "origin",
    "destination",
    "transit",
    "transport",
    "concealment",
    "cover_cargo",
    "arrested",
    "suspect_nationalities",
    "vehicle_ids",
    "persons",
)


def _code(language: str | None) -> str | None:
    """A feed's language tag as the extractor's plain code: "EN-gb" is "en"."""
    return language.strip().lower().replace("_", "-").split("-")[0][:8] or None if language else None


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def _drafts(article: NewsArticle, events: list[ExtractedEvent]) -> list[NewsDraft]:
    by_incident: dict[int, list[ExtractedEvent]] = {}
    for event in events:
        by_incident.setdefault(event.incident, []).append(event)
    drafts = []
    for incident, group in sorted(by_incident.items()):
        lead = group[0]
        fields: dict[str, Any] = {k: getattr(lead, k) for k in EVENT_FIELDS}
        fields["date"] = next((e.date for e in group if e.date), None)
        fields["items"] = [
            DraftItem(
                drug=e.drug,
                drug_text=e.drug_text,
                quantity=e.quantity,
                quantity_max=e.quantity_max,
                qualifier=e.qualifier,
                unit=e.unit,
                kg=e.kg,
                quote=e.quote,
                confidence=e.confidence,
            ).model_dump()
            for e in group
        ]
        sentences: list[list[int]] = []
        marks: list[list[Any]] = []
        for e in group:
            if "quote" in e.evidence and list(e.evidence["quote"]) not in sentences:
                sentences.append(list(e.evidence["quote"]))
            for name, span in e.evidence.items():
                if name != "quote" and [span[0], span[1], name] not in marks:
                    marks.append([span[0], span[1], name])
        fields["sentences"], fields["marks"] = sentences, marks
        warnings = sorted({w for e in group for w in e.warnings})
        drafts.append(
            NewsDraft(
                id=stable_id(article.id, "draft", str(incident)),
                agency_id=article.agency_id,
                article_id=article.id,
                incident=incident,
                status="open",
                date=fields["date"],
                country=lead.country,
                place=lead.place,
                confidence=min(e.confidence for e in group),
                fields=fields,
                warnings=warnings,
                created_at=utcnow(),
            )
        )
    return drafts


def ingest(
    session: Session, scope: Scope, incoming: Iterable[Incoming], *, source_type: str = "news"
) -> IngestReport:
    """Store each article once (by text hash) with its drafts; duplicates are proposed, not merged."""
    require(scope, "records.write")
    if source_type not in GRADES:
        raise InvalidInput(f"source type must be one of {', '.join(GRADES)}, not {source_type!r}")
    report = IngestReport()
    seen: dict[str, str] = {}
    for item in incoming:
        report.articles_read += 1
        text = item.text.replace("\x00", " ")
        digest = item.raw_hash or text_hash(text)
        known = seen.get(digest)
        if known is None and (stored := repository.article_by_hash(session, scope, digest)) is not None:
            known = stored.id
        if known is not None:
            report.already_ingested += 1
            report.articles.append(
                ArticleOut(
                    id=known,
                    external_id=item.external_id,
                    url=item.url,
                    outlet=item.outlet,
                    published=item.published,
                    source_type=source_type,
                    text_hash=digest,
                    warnings=[f"{item.origin}: the same text was already ingested"],
                    duplicate_of=known,
                )
            )
            continue
        article = NewsArticle(
            id=stable_id(scope.agency_code, "news", digest),
            agency_id=scope.agency_id,
            external_id=item.external_id[:200],
            url=item.url,
            outlet=(item.outlet or outlet_of(item.url) or "")[:200] or None,
            published=item.published,
            language=_code(item.language),
            source_type=source_type,
            text_hash=digest,
            text=text,
            warnings=list(item.warnings),
            ingested_by=scope.user_id,
            ingested_at=utcnow(),
        )
        seen[digest] = article.id
        drafts: list[NewsDraft] = []
        if not text.strip():
            if item.raw_hash is None:
                article.warnings.append(f"{item.origin}: the text is empty; nothing was extracted")
        elif item.language and item.language.lower()[:2] not in EXTRACTORS:
            article.warnings.append(
                f"{item.origin}: the feed says the language is {item.language!r}; seizures can be read "
                f"from {', '.join(EXTRACTORS)} texts only, so no events were extracted"
            )
        else:
            published = item.published.isoformat() if item.published else None
            result = extract_text(text, published, item.external_id)
            article.language = article.language or result.language
            article.warnings.extend(f"{item.origin}: {w}" for w in result.warnings)
            drafts = _drafts(article, result.events)
        session.add(article)
        for draft in drafts:
            session.add(draft)
        session.flush()
        for draft_id, proposals in propose(session, scope, [(d, article) for d in drafts]).items():
            if proposals:
                report.duplicates_proposed += 1
                report.proposals[draft_id] = proposals
        report.articles_stored += 1
        report.drafts_created += len(drafts)
        report.articles.append(article_out(article, [d.id for d in drafts]))
    return report
