"""Extract draft seizure events from one article, or from a JSONL stream of articles.

    from astara.extraction.service import extract
    result = extract(ArticleIn(id="a1", text=text, published="2024-05-06"))
    result.events[0].drug, result.events[0].kg, result.events[0].evidence["drug"]

Deterministic and offline: the same text gives the same events. The language of the text picks
the extractor (``EXTRACTORS``): English through its own rules, Russian, Azerbaijani, Persian and
Turkish through the same pipeline fed by their vocabulary files (``languages/<code>.yaml``). A
text in any other language gives a warning and no events. Events carry one vocabulary whatever the
language (drug codes, ISO countries, Gregorian dates); quotes stay verbatim in the original script.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from astara.extraction import cues
from astara.extraction.dates import parse_published
from astara.extraction.drugs import reported_code
from astara.extraction.events import ABSURD_KG, Analysis, analyse, kg_of
from astara.extraction.fields import Context, resolve
from astara.extraction.items import Item
from astara.extraction.language import LANGUAGE_NAMES, Detected, detect_language
from astara.extraction.languages import get_language, normalise
from astara.extraction.schemas import ArticleIn, ExtractedEvent, ExtractionResult, Statistic

__all__ = ["EXTRACTORS", "MAX_CHARS", "extract", "extract_jsonl", "extract_text"]

MAX_CHARS = 400_000
UNIT_OUT = {
    "tablet": "tablets",
    "pill": "tablets",
    "capsule": "tablets",
    "piece": "pieces",
    "plant": "plants",
    "package": "packets",
    "ampoule": "ampoules",
    "dose": "units",
    "blotter": "units",
    "bottle": "units",
}


def _clean(text: str) -> tuple[str, list[str]]:
    warnings = []
    if "\x00" in text:
        text = text.replace("\x00", " ")
        warnings.append("text contained NUL bytes")
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        warnings.append(f"text longer than {MAX_CHARS:,} characters; only the beginning was read")
    if "<script" in text.lower() or re.search(r"</(p|div|span)>", text):
        text = re.sub(r"(?is)<(script|style)\b.*?</\1>", lambda m: " " * len(m.group()), text)
        text = re.sub(r"<[^>]{0,500}>", lambda m: " " * len(m.group()), text)
        warnings.append("HTML markup was ignored")
    return text, warnings


def _drug_out(item: Item) -> str:
    return reported_code(item.code, item.q.kind == "mass")


def _confidence(item: Item, values: dict[str, object], incidents: int) -> float:
    score = 0.55
    score += {"right": 0.15, "inner": 0.15, "left": 0.1}.get(item.how, 0.0)
    score += 0.1 if item.q.kind == "mass" else 0.0
    score -= 0.2 if item.generic else 0.0
    score += 0.05 * sum(k in values for k in ("date", "place", "agency"))
    score -= 0.05 if item.q.qualifier in ("up to", "less than", "under") else 0.0
    return round(max(0.05, min(0.99, score)), 2)


_NO_DATE = "the text gives no date of the seizure; the month of publication is given instead"


def _event(a: Analysis, ctx: Context, item: Item, original: str) -> ExtractedEvent:
    f = resolve(ctx, item)
    sent = a.sents[item.sentence].s
    quote = original[sent.start : sent.end]
    kg = kg_of(item.q, item.code)
    method = f"{item.q.unit} → kg" if kg is not None else None
    if item.weight is not None:
        kg = kg_of(item.weight, item.code)
        method = f"stated weight {item.weight.raw}"
    warnings = []
    dated_by_publication = "date" in f.values and "date" not in f.evidence
    if kg is not None and kg > ABSURD_KG:
        warnings.append(f"{kg:,.0f} kg is larger than any recorded single seizure; check the text")
    evidence: dict[str, tuple[int, int]] = {
        "drug": (item.drug.start, item.drug.end),
        "quantity": (item.q.start, item.q.end),
        "quote": (sent.start, sent.end),
        **f.evidence,
    }
    v = f.values
    confidence = _confidence(item, v, len(a.incidents))
    return ExtractedEvent(
        drug=_drug_out(item),
        drug_text=original[item.drug.start : item.drug.end],
        quantity=round(item.q.value, 6),
        quantity_max=item.q.high,
        qualifier=item.q.qualifier,
        unit=UNIT_OUT.get(item.q.unit, item.q.unit),
        kg=None if kg is None else round(kg, 6),
        kg_method=method,
        date=_str(v.get("date")),
        place=_str(v.get("place")),
        admin_area=_str(v.get("admin_area")),
        country=_str(v.get("country")),
        agency=_str(v.get("agency")),
        origin=_str(v.get("origin")),
        destination=_str(v.get("destination")),
        transit=_list(v.get("transit")),
        transport=_str(v.get("transport")),
        concealment=_str(v.get("concealment")),
        cover_cargo=_str(v.get("cover_cargo")),
        arrested=arrested if isinstance(arrested := v.get("arrested"), int) else None,
        suspect_nationalities=_list(v.get("suspect_nationalities")),
        vehicle_ids=_list(v.get("vehicle_ids")),
        persons=_list(v.get("persons")),
        quote=" ".join(quote.split()),  # one line, even when the text was hard-wrapped
        evidence=evidence,
        confidence=min(confidence, 0.2) if warnings else confidence,  # an absurd quantity
        incident=item.incident,
        warnings=[*warnings, *([_NO_DATE] if dated_by_publication else [])],
    )


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _list(value: object) -> list[str]:
    return [str(x) for x in value] if isinstance(value, list) else []


def _period(a: Analysis, index: int) -> str | None:
    sent = a.sents[index]
    for d in sent.dates:
        return d.value[:4] if len(d.value) >= 4 else d.value
    if re.search(r"\bthis year\b|\bso far\b", sent.s.text, re.I) and a.published is not None:
        return str(a.published.year)
    return None


def _statistics(a: Analysis, ctx: Context, original: str) -> list[Statistic]:
    out: list[Statistic] = []
    country = ctx.country[0] if ctx.country else None
    for item in a.stat_items:
        s = a.sents[item.sentence].s
        out.append(
            Statistic(
                text=original[s.start : s.end],
                span=(s.start, s.end),
                metric="quantity seized",
                value=item.q.value,
                unit=UNIT_OUT.get(item.q.unit, item.q.unit),
                drug=None if item.generic else _drug_out(item),
                period=_period(a, item.sentence),
                country=country,
            )
        )
    for index, sent in enumerate(a.sents):
        if not sent.statistic or a.lang is not None:  # the counted nouns are English words
            continue
        for m in cues.STAT_COUNTS.finditer(sent.s.text):
            noun = " ".join(m.group("noun").lower().split())
            out.append(
                Statistic(
                    text=sent.s.text,
                    span=(sent.s.start, sent.s.end),
                    metric=noun,
                    value=float(m.group("value").replace(",", "")),
                    unit="count",
                    period=_period(a, index),
                    country=country,
                )
            )
    return out


# Extractors by language (ISO 639-1). Each takes the cleaned text and the publication date and
# returns (events, statistics). A language without one gets a warning and no events: the English
# rules over another language give garbage, not fewer events. A new language is a vocabulary file
# in languages/ and one line here.
Extractor = Callable[[str, dt.date | None], tuple[list[ExtractedEvent], list[Statistic]]]


def _english(text: str, published: dt.date | None) -> tuple[list[ExtractedEvent], list[Statistic]]:
    a = analyse(text, published)
    ctx = Context(a)
    return [_event(a, ctx, item, text) for item in a.items], _statistics(a, ctx, text)


def _from_data(code: str) -> Extractor:
    """The extractor of a language whose words are data; its file is read on first use."""

    def extractor(text: str, published: dt.date | None) -> tuple[list[ExtractedEvent], list[Statistic]]:
        a = analyse(normalise(text, code), published, get_language(code))
        ctx = Context(a)
        return [_event(a, ctx, item, text) for item in a.items], _statistics(a, ctx, text)

    return extractor


EXTRACTORS: dict[str, Extractor] = {
    "en": _english,
    **{code: _from_data(code) for code in ("ru", "az", "fa", "tr")},
}


def _unsupported(language: Detected) -> str:
    known = ", ".join(LANGUAGE_NAMES[code] for code in EXTRACTORS)
    return (
        f"the text looks like {language.name} ({language.why}); seizures can be read from {known} "
        "texts only, so no events were extracted"
    )


def extract_text(text: str, published: object = None, article_id: str = "") -> ExtractionResult:
    """Events and statistics in ``text``; relative dates are resolved against ``published``."""
    text, warnings = _clean(text or "")
    if not text.strip():
        return ExtractionResult(id=article_id, warnings=[*warnings, "the text is empty"])
    language = detect_language(text)
    extractor = EXTRACTORS.get(language.code)
    if extractor is None:
        return ExtractionResult(
            id=article_id, language=language.code, warnings=[*warnings, _unsupported(language)]
        )
    day = parse_published(published)
    if published and day is None:
        shown = str(published)[:40]
        warnings.append(f"published {shown!r} is not an ISO date; relative dates were not resolved")
    events, statistics = extractor(text, day)
    return ExtractionResult(
        id=article_id, language=language.code, events=events, statistics=statistics, warnings=warnings
    )


def extract(article: ArticleIn) -> ExtractionResult:
    return extract_text(article.text, article.published, article.id)


def extract_jsonl(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """One output object per input line ``{"id","text","published","url"}``; bad lines give a warning."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            article = ArticleIn.model_validate(raw if isinstance(raw, dict) else {})
        except ValueError as exc:
            yield {"id": f"line-{number}", "events": [], "statistics": [], "warnings": [f"bad JSON: {exc}"]}
            continue
        yield extract(article).as_json()
