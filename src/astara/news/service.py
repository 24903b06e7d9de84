"""News review: ingest articles into a queue of draft seizure events; accept, reject or merge them.

    report = ingest(session, scope, read_paths([Path("feed.jsonl")]))
    page = list_drafts(session, scope, status="open")          # each draft with duplicate proposals
    accept(session, scope, page.items[0].id, Edits(date="2025-03-11"))

Articles are stored once per text (SHA-256 of the text with its whitespace collapsed). Each
incident the extractor finds becomes one draft, its drugs the items. Accepting goes through the
seizures service (validation, totals, cache, sharing outbox) and records the article as the
event's source; merging records another article behind an existing event or draft, so the same
incident reported twice is counted once. Services never commit: the caller's transaction does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.models import NewsArticle, NewsDraft, NewsSource, SeizureEvent, utcnow
from astara.errors import Conflict, ImportFailed, InvalidInput, NotFound
from astara.extraction.schemas import ExtractedEvent
from astara.extraction.service import EXTRACTORS, extract_text
from astara.kit.ids import stable_id
from astara.news import repository
from astara.news.schemas import (
    ArticleFeedLine,
    ArticleOut,
    DraftItem,
    DraftOut,
    DraftPage,
    Edits,
    IngestReport,
    NewsSeizureCreate,
    Proposal,
    Segment,
)
from astara.seizures import service as seizures
from astara.seizures.schemas import SeizureEventOut, SeizureItemIn

__all__ = [
    "GRADES",
    "Incoming",
    "accept",
    "get_article",
    "get_draft",
    "html_to_text",
    "incoming_from_line",
    "ingest",
    "list_drafts",
    "merge",
    "read_paths",
    "reject",
]

STATUSES = ("open", "accepted", "rejected", "merged")
TEXT_SUFFIXES = {".txt": "text", ".html": "html", ".htm": "html"}
# Open-source information, graded on the Admiralty scale: a news outlet's reliability cannot be
# judged (F) and what it reports is possibly true (3); an agency's own press release is usually
# reliable (B) and probably true (2). TLP:CLEAR: it was published.
GRADES: dict[str, dict[str, str]] = {
    "news": {"grading_scheme": "admiralty", "source_grade": "F", "information_grade": "3"},
    "press_release": {"grading_scheme": "admiralty", "source_grade": "B", "information_grade": "2"},
}
KG_TOLERANCE = 0.05  # quantities within 5 % are the same seizure reported twice
DATE_SLACK = dt.timedelta(days=3)  # reports round dates ("on Tuesday", "last week")
UNDATED_LOOKBACK = dt.timedelta(days=14)  # an undated report tells of a seizure in the fortnight before
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
PLACE_NOISE = frozenset({
    "border", "crossing", "checkpoint", "customs", "post", "port", "airport", "district", "region",
    "province", "city", "village", "station", "terminal", "rayon", "the", "of", "at", "near",
})  # fmt: skip


# ------------------------------------------------------------------------------------------------
# Reading: folders of .txt/.html files, single files, JSONL feeds
# ------------------------------------------------------------------------------------------------


@dataclass
class Incoming:
    """One article as read, before it is stored."""

    origin: str  # file name, or file:line for a feed
    external_id: str
    text: str
    published: dt.date | None = None
    url: str | None = None
    outlet: str | None = None
    language: str | None = None
    warnings: list[str] = field(default_factory=list)
    raw_hash: str | None = None  # for binary input: the bytes' hash (there is no text to hash)


def _fallback_strip(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style|noscript|template)\b.*?</\1\s*>", " ", markup)
    markup = re.sub(r"(?is)<!--.*?-->", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|li|h[1-6]|tr|article|section)>", "\n", markup)
    text = html_lib.unescape(re.sub(r"(?s)<[^>]*>", " ", markup))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def html_to_text(markup: str) -> tuple[str, dict[str, str | None]]:
    """The article's text and metadata (title, date, sitename, url) from an HTML page.

    trafilatura finds the main text (menus, scripts and footers dropped) and the page's metadata;
    when it finds nothing (a fragment, a page of mostly markup) the tags are stripped instead.
    """
    meta: dict[str, str | None] = {}
    try:
        import trafilatura

        doc = trafilatura.bare_extraction(markup, with_metadata=True, include_comments=False)
    except Exception:  # a page trafilatura cannot parse falls back to stripping tags
        doc = None
    if doc is not None:
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        meta = {k: data.get(k) for k in ("title", "date", "sitename", "url")}
        text = str(data.get("text") or "")
        if text.strip():
            return text, meta
    return _fallback_strip(markup), meta


def _looks_binary(data: bytes) -> bool:
    if not data:
        return False
    if b"\x00" in data[:8192]:
        return True
    sample = data[:8192].decode("utf-8", errors="replace")
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\n\r\t\f"))
    return bad > len(sample) * 0.1


def _looks_html(text: str) -> bool:
    head = text.lstrip()[:2000].lower()
    return head.startswith(("<!doctype html", "<html")) or bool(re.search(r"<(p|div|body|article)\b", head))


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _outlet_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _from_markup(item: Incoming) -> Incoming:
    text, meta = html_to_text(item.text)
    item.text = text
    item.published = item.published or _date(meta.get("date"))
    item.url = item.url or meta.get("url")
    item.outlet = item.outlet or meta.get("sitename")
    return item


def _read_file(path: Path) -> Incoming:
    data = path.read_bytes()
    item = Incoming(origin=path.name, external_id=path.stem, text="")
    if _looks_binary(data):
        item.raw_hash = hashlib.sha256(data).hexdigest()
        item.warnings.append(f"{path.name} is binary data, not text; nothing was extracted")
        return item
    item.text = data.decode("utf-8", errors="replace")
    if TEXT_SUFFIXES.get(path.suffix.lower()) == "html" or _looks_html(item.text):
        _from_markup(item)
    return item


def _no_nul(value: str | None) -> str | None:
    return None if value is None else value.replace("\x00", "")


def incoming_from_line(line: ArticleFeedLine, origin: str) -> Incoming:
    """A feed line (or an article sent to the API) as an article to ingest; HTML text is reduced."""
    item = Incoming(origin, _no_nul(line.id) or "?", line.text, line.published, _no_nul(line.url),
                    _no_nul(line.outlet), _no_nul(line.language))  # fmt: skip
    return _from_markup(item) if _looks_html(item.text) else item


def _read_feed(path: Path) -> Iterator[Incoming]:
    problems: list[dict[str, Any]] = []
    items: list[Incoming] = []
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                line = ArticleFeedLine.model_validate(json.loads(raw.decode("utf-8")))
            except UnicodeDecodeError:
                problems.append({"line": number, "reason": "not UTF-8 text"})
                continue
            except json.JSONDecodeError as exc:
                problems.append({"line": number, "reason": f"not JSON: {exc.msg} at column {exc.colno}"})
                continue
            except ValueError as exc:  # pydantic's ValidationError
                errors: list[dict[str, Any]] = getattr(exc, "errors", list)()
                reason = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in errors
                ) or str(exc)
                problems.append({"line": number, "reason": reason})
                continue
            items.append(incoming_from_line(line, where))
    if problems:
        first = problems[0]
        raise ImportFailed(
            f"{path.name} line {first['line']}: {first['reason']}; nothing was ingested"
            + (f" ({len(problems)} bad lines)" if len(problems) > 1 else ""),
            details=[{"file": path.name, **p} for p in problems],
        )
    yield from items


def read_paths(
    paths: Sequence[Path], *, outlet: str | None = None, published: dt.date | None = None
) -> list[Incoming]:
    """Every article under ``paths``: folders of .txt/.html files, single files, .jsonl feeds.

    ``outlet`` and ``published`` apply to articles that do not state their own. A bad feed line
    raises ImportFailed naming the file and line, before anything is stored.
    """
    out: list[Incoming] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            feeds = sorted(p for p in path.rglob("*.jsonl") if p.is_file())
            if not files and not feeds:
                raise InvalidInput(f"{path} holds no .txt, .html or .jsonl files")
            out.extend(_read_file(p) for p in files)
            for feed in feeds:
                out.extend(_read_feed(feed))
        elif path.is_file():
            out.extend(_read_feed(path) if path.suffix.lower() == ".jsonl" else [_read_file(path)])
        else:
            raise NotFound(f"no such file or folder: {path}")
    for item in out:
        item.outlet = item.outlet or outlet
        item.published = item.published or published
    return out


# ------------------------------------------------------------------------------------------------
# Ingest: store articles and their drafts
# ------------------------------------------------------------------------------------------------


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
            outlet=(item.outlet or _outlet_of(item.url) or "")[:200] or None,
            published=item.published,
            language=item.language,
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
        for draft in drafts:
            if proposals := propose(session, scope, draft, article):
                report.duplicates_proposed += 1
                report.proposals[draft.id] = proposals
        report.articles_stored += 1
        report.drafts_created += len(drafts)
        report.articles.append(_article_out(article, [d.id for d in drafts]))
    return report


def _article_out(article: NewsArticle, drafts: list[str]) -> ArticleOut:
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


# ------------------------------------------------------------------------------------------------
# Duplicates: another outlet's draft, or a recorded seizure
# ------------------------------------------------------------------------------------------------


def _interval(date: str | None, published: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """The days a (possibly partial) date may mean; an undated report: the fortnight before publication."""
    if not date:
        return (published - UNDATED_LOOKBACK, published) if published else None
    try:
        if len(date) == 4:
            return dt.date(int(date), 1, 1), dt.date(int(date), 12, 31)
        if len(date) == 7:
            first = dt.date(int(date[:4]), int(date[5:7]), 1)
            following = (first + dt.timedelta(days=32)).replace(day=1)
            return first, following - dt.timedelta(days=1)
        day = dt.date.fromisoformat(date[:10])
        return day, day
    except ValueError:
        return None


def _event_interval(event: SeizureEvent) -> tuple[dt.date, dt.date] | None:
    if event.date is None:
        return None
    text = event.date.isoformat()[: {"year": 4, "month": 7}.get(event.date_precision or "", 10)]
    return _interval(text, None)


def _dates_compatible(a: tuple[dt.date, dt.date] | None, b: tuple[dt.date, dt.date] | None) -> str | None:
    """A reason when the two periods meet (within a few days), else None."""
    if a is None or b is None:
        return "date unknown on one side"
    if a[0] - DATE_SLACK <= b[1] and b[0] - DATE_SLACK <= a[1]:
        if a == b and a[0] == a[1]:
            return f"same date {a[0].isoformat()}"
        gap = max((a[0] - b[1]).days, (b[0] - a[1]).days, 0)
        return "dates overlap" if gap == 0 else f"dates {gap} day(s) apart"
    return None


def _place_words(text: str | None) -> set[str]:
    words = re.findall(r"\w+", (text or "").lower())
    return {w for w in words if len(w) >= 4 and w not in PLACE_NOISE}


def _place_compatible(
    country_a: str | None, place_a: str | None, country_b: str | None, place_b: str | None
) -> list[str] | None:
    reasons = []
    if country_a and country_b:
        if country_a != country_b:
            return None
        reasons.append(f"same country {country_a}")
    words_a, words_b = _place_words(place_a), _place_words(place_b)
    if words_a and words_b:
        shared = words_a & words_b
        if not shared:
            return None
        reasons.append(f"same place ({', '.join(sorted(shared))})")
    if not reasons:
        reasons.append("place unknown on one side")
    return reasons


def _drug_key(code: str) -> str:
    """A drug's group, so that "opiates" in a report meets "opium" in a record."""
    from astara.vocab import get_vocabulary

    drugs = get_vocabulary().drugs
    try:
        return drugs.get(code).group
    except KeyError:
        return code


Entry = tuple[str, float | None, float | None, str]  # drug, quantity, kg, unit


def _measure(quantity: float | None, kg: float | None, unit: str) -> tuple[str, float] | None:
    """("kg", kilograms) for a weight, ("tablet", count) and the like for counted units."""
    from astara.vocab import get_vocabulary

    found = get_vocabulary().units.lookup(unit) if unit else None
    if found is not None and found.kind == "mass":
        return ("kg", kg) if kg is not None else None
    if quantity is None:
        return None
    if found is None:
        return unit.rstrip("s").lower(), quantity
    return found.item or found.code, quantity * (found.count_factor or 1)


def _by_drug(entries: list[Entry], key: Any) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for entry in entries:
        out.setdefault(key(entry[0]), []).append(entry)
    return out


def _quantities_match(mine: list[dict[str, Any]], theirs: list[Entry]) -> list[str] | None:
    """Reasons when each drug of one side is on the other with quantities within tolerance.

    Drugs are compared by code; a side that names only unspecified drugs ("opiates") is compared
    by drug group.
    """
    entries: list[Entry] = [(i["drug"], i["quantity"], i["kg"], i["unit"]) for i in mine]
    ours, other = _by_drug(entries, str), _by_drug(theirs, str)
    if set(ours) != set(other) and any(
        all(c.endswith("_unspecified") for c in side) for side in (ours, other)
    ):
        ours, other = _by_drug(entries, _drug_key), _by_drug(theirs, _drug_key)
    if set(ours) != set(other):
        return None
    reasons = []
    for key, entries in ours.items():
        name = "+".join(sorted({e[0] for e in entries}))
        totals: list[dict[str, float]] = []
        for side in (entries, other[key]):
            sums: dict[str, float] = {}
            for _drug, quantity, kg, unit in side:
                measure = _measure(quantity, kg, unit)
                if measure is None:
                    return None
                sums[measure[0]] = sums.get(measure[0], 0.0) + measure[1]
            totals.append(sums)
        a, b = totals
        if set(a) != set(b):
            return None
        for kind, value_a in sorted(a.items()):
            value_b = b[kind]
            if kind == "kg":
                off = abs(value_a - value_b) / max(value_a, value_b, 1e-9)
                if off > KG_TOLERANCE:
                    return None
                reasons.append(f"{name} {value_a:g} kg vs {value_b:g} kg ({off:.1%} apart)")
            elif value_a != value_b:
                return None
            else:
                reasons.append(f"{name} {value_a:g} {kind}s on both")
    return reasons


def _draft_summary(draft: NewsDraft, article: NewsArticle | None) -> str:
    items = ", ".join(
        f"{i['drug']} {i['quantity']:g} {i['unit']}"
        for i in draft.fields.get("items", [])
        if i.get("quantity") is not None
    )
    who = (article.outlet or article.url or article.id) if article else draft.article_id
    return f"{who}: {items}; {draft.date or 'no date'}; {draft.place or draft.country or 'no place'}"


def _event_summary(event: SeizureEvent) -> str:
    items = ", ".join(
        f"{i.drug_code} {i.quantity:g} {i.unit_code}" for i in event.items if i.quantity is not None
    )
    date = event.date.isoformat() if event.date else "no date"
    return (
        f"{event.reference or event.id}: {items}; {date}; {event.place_text or event.country or 'no place'}"
    )


def propose(session: Session, scope: Scope, draft: NewsDraft, article: NewsArticle) -> list[Proposal]:
    """Possible duplicates of ``draft``: drafts of other articles and seizure events, best first."""
    items = draft.fields.get("items", [])
    if not items:
        return []
    window = _interval(draft.date, article.published)
    proposals: list[Proposal] = []
    if window is not None:
        around = (window[0] - DATE_SLACK, window[1] + DATE_SLACK)
        drugs = {i["drug"] for i in items}
        from astara.vocab import get_vocabulary

        vocab = get_vocabulary().drugs
        groups = {_drug_key(d) for d in drugs}
        codes = sorted(drugs | {d.code for g in groups for d in vocab.in_group(g)} if groups else drugs)
        for event in repository.candidate_events(session, scope, codes, around, draft.country):
            if event.id == draft.event_id:
                continue
            proposal = _against(
                draft,
                article,
                window,
                _event_interval(event),
                event.country,
                event.place_text,
                [(i.drug_code, i.quantity, i.kg, i.unit_code or "") for i in event.items],
            )
            if proposal:
                reasons, score = proposal
                proposals.append(
                    Proposal(
                        kind="seizure",
                        target=event.id,
                        summary=_event_summary(event),
                        reasons=reasons,
                        score=score,
                    )
                )
    around = (window[0] - DATE_SLACK, window[1] + DATE_SLACK) if window else None  # type: ignore[assignment]
    others = repository.candidate_drafts(
        session, scope, draft.article_id, around, UNDATED_LOOKBACK, draft.country
    )
    others_articles = repository.articles(session, scope, [o.article_id for o in others], with_text=False)
    for other in others:
        if other.id == draft.id:
            continue
        other_article = others_articles.get(other.article_id)
        theirs = [(i["drug"], i["quantity"], i["kg"], i["unit"]) for i in other.fields.get("items", [])]
        other_window = _interval(other.date, other_article.published if other_article else None)
        proposal = _against(draft, article, window, other_window, other.country, other.place, theirs)
        if proposal:
            reasons, score = proposal
            if other_article and other_article.outlet and other_article.outlet != article.outlet:
                reasons.append(f"reported by another outlet ({other_article.outlet})")
            proposals.append(
                Proposal(
                    kind="draft",
                    target=other.id,
                    summary=_draft_summary(other, other_article),
                    reasons=reasons,
                    score=score,
                )
            )
    proposals.sort(key=lambda p: (-p.score, p.kind, p.target))
    return proposals[:5]


def _against(
    draft: NewsDraft,
    article: NewsArticle,
    window: tuple[dt.date, dt.date] | None,
    other_window: tuple[dt.date, dt.date] | None,
    country: str | None,
    place: str | None,
    theirs: list[Entry],
) -> tuple[list[str], float] | None:
    quantity = _quantities_match(draft.fields.get("items", []), theirs)
    if quantity is None:
        return None
    date = _dates_compatible(window, other_window)
    if date is None:
        return None
    where = _place_compatible(draft.country, draft.place, country, place)
    if where is None:
        return None
    score = 0.5 + (0.2 if date.startswith("same date") else 0.1 if "unknown" not in date else 0.0)
    score += (
        0.2 if any(r.startswith("same place") for r in where) else 0.1 if where[0].startswith("same") else 0
    )
    score += 0.1 if all("(0.0% apart)" in r or "on both" in r for r in quantity) else 0.0
    return [*quantity, date, *where], round(min(score, 1.0), 2)


# ------------------------------------------------------------------------------------------------
# Reading the queue
# ------------------------------------------------------------------------------------------------


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


def _draft_out(
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


def list_drafts(
    session: Session, scope: Scope, status: str | None = "open", *, offset: int = 0, limit: int = 50
) -> DraftPage:
    """The queue, newest first; open drafts come with their duplicate proposals, worked out now."""
    require(scope, "records.read")
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    if offset < 0 or not 1 <= limit <= 500:
        raise InvalidInput("offset must be 0 or more and limit between 1 and 500")
    total, drafts = repository.list_drafts(session, scope, status, offset, limit)
    articles = repository.articles(session, scope, [d.article_id for d in drafts])
    items = []
    for d in drafts:
        article = articles.get(d.article_id)
        proposals = propose(session, scope, d, article) if d.status == "open" and article else []
        items.append(_draft_out(d, article, proposals))
    return DraftPage(total=total, offset=offset, limit=limit, status=status or "all", items=items)


def _draft(session: Session, scope: Scope, draft_id: str, *, lock: bool = False) -> NewsDraft:
    draft = repository.get_draft(session, scope, draft_id, lock=lock)
    if draft is None:
        raise NotFound(f"no news draft {draft_id!r} in agency {scope.agency_code}")
    return draft


def _article(session: Session, scope: Scope, article_id: str) -> NewsArticle:
    article = repository.get_article(session, scope, article_id)
    if article is None:
        raise NotFound(f"no news article {article_id!r} in agency {scope.agency_code}")
    return article


def get_draft(session: Session, scope: Scope, draft_id: str) -> DraftOut:
    require(scope, "records.read")
    draft = _draft(session, scope, draft_id)
    article = _article(session, scope, draft.article_id)
    proposals = propose(session, scope, draft, article) if draft.status == "open" else []
    return _draft_out(draft, article, proposals)


def get_article(session: Session, scope: Scope, article_id: str) -> tuple[ArticleOut, str]:
    """The article's record and its text."""
    require(scope, "records.read")
    article = _article(session, scope, article_id)
    drafts = [d.id for d in repository.drafts_of_article(session, scope, article_id)]
    return _article_out(article, drafts), article.text


# ------------------------------------------------------------------------------------------------
# Decisions: accept (possibly edited), reject, merge
# ------------------------------------------------------------------------------------------------


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
    draft = _draft(session, scope, draft_id, lock=True)
    _refuse_decided(draft, "accepted")
    article = _article(session, scope, draft.article_id)
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
        merged_article = _article(session, scope, merged.article_id)
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
    draft = _draft(session, scope, draft_id, lock=True)
    _refuse_decided(draft, "rejected")
    _decided(draft, scope, "rejected")
    draft.reason = reason[:1000]
    return _draft_out(draft, _article(session, scope, draft.article_id))


def merge(session: Session, scope: Scope, draft_id: str, into: str) -> DraftOut:
    """Record ``draft`` as the same incident as ``into`` (a seizure or another draft): counted once.

    Into a seizure, or a draft already accepted: the article becomes one more source of that
    seizure. Into an open draft: the article joins that draft's seizure when it is accepted.
    """
    require(scope, "records.write")
    if draft_id == into:
        raise InvalidInput(f"draft {draft_id} cannot be merged into itself")
    draft = _draft(session, scope, draft_id, lock=True)
    _refuse_decided(draft, "merged")
    article = _article(session, scope, draft.article_id)
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
    return _draft_out(draft, article)


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
