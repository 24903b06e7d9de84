"""Which drug a quantity measures: "<qty> of <drug>", "<drug> weighing <qty>", "<n> <drug> pills".

:func:`attach` links one quantity to the drug mention it measures and says how (``inner``,
``right``, ``left``); a list ("2 tons of meth, cocaine and heroin") gives a mixed, unspecified
item. Nothing is guessed from a drug elsewhere in the sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from astara.extraction.drugs import GENERIC, DrugMention, reported_code
from astara.extraction.languages import Language
from astara.extraction.quantities import Quantity

__all__ = ["Item", "attach", "attach_in"]

_GAP_BANNED = frozenset(
    [
        "was",
        "were",
        "is",
        "are",
        "and",
        "or",
        "in",
        "at",
        "from",
        "to",
        "with",
        "by",
        "on",
        "which",
        "that",
        "seized",
        "found",
        "worth",
        "valued",
        "hidden",
        "into",
        "for",
        "as",
        "per",
        "each",
        "being",
        "been",
        "has",
        "have",
        "had",
        "had",
        "the",
    ]
)
_LEFT_GAP = re.compile(
    r"^\s*(?:\d+(?:\.\d+)?\s*mg\b\s*)?"  # a dose strength: "tramadol 100 mg, containing 5,000 tablets"
    r"(?:\(|,\s*(?=weigh|with|total|amount|contain)|:|-|–)?\s*"
    r"(?:(?:weighing|weighed|which weighed|that weighed|containing|which contained|that contained|"
    r"with a (?:total |combined |net |gross )?weight of|weighing a total of|totall?ing|amounting to|"
    r"in the amount of|of|weight)\s*)?(?:\(|:)?\s*$",
    re.IGNORECASE,
)
_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+|as well as\s+)?|\s+and\s+|\s+or\s+|\s*&\s*)")
_FOLLOWING = re.compile(
    r"^\s*(?:[-–:(]|,?\s*namely|,?\s*i\.e\.)?\s*(?:of\s+)?(?:the\s+)?(?:type\s+|brand\s+)?[\"“']?$",
    re.IGNORECASE,
)
_OF_THE = re.compile(r"\s+of\s+the\s+", re.IGNORECASE)
# "10.2 kg powder suspected to be cocaine", "11 kg of substance believed to be heroin"
_SUSPECTED = re.compile(
    r"\b(?:powder|substance|substances|material)?\s*(?:suspected|believed|thought|presumed|confirmed|"
    r"identified)\s+(?:to\s+be|as)\s+(?:of\s+)?$",
    re.IGNORECASE,
)


@dataclass
class Item:
    """A quantity of a drug in one sentence (becomes an event, a statistic, or is dropped)."""

    q: Quantity
    drug: DrugMention
    how: str
    sentence: int
    codes: list[str] = field(default_factory=list)
    weight: Quantity | None = None  # "46 million pills weighing 4.7 tonnes"
    incident: int = 0
    dropped: str | None = None
    lead: str = ""  # the words of the sentence just before the quantity
    total_cue: bool = False  # the words before the quantity say it is a total

    @property
    def generic(self) -> bool:
        return self.drug.generic or len(self.codes) > 1 or self.drug.code == "psychotropic_pills"

    @property
    def code(self) -> str:
        if self.drug.code == "psychotropic_pills" and len(self.codes) <= 1:
            return self.drug.code  # pills of no named drug: generic for totals, reported as such
        return GENERIC if self.generic else self.drug.code

    @property
    def family(self) -> str:
        """The code as reported (cocaine base counts with cocaine when totals are compared)."""
        return reported_code(self.code, self.q.kind == "mass")


# "15 kg of 10-gram packets of heroin": the size of the packets sits between a weight and its drug.
_PACKET_SIZE = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*-?\s*(?:mg|g|gr|grams?|grammes?)\s+(?=(?:packets?|packages?|bags?|sachets?|"
    r"wraps?|doses?|pouches|balls?|capsules?)\b)",
    re.IGNORECASE,
)


def _right_ok(gap: str, drug: DrugMention) -> bool:
    if drug.ambiguous:
        return re.fullmatch(r"\s+of\s+(?:the\s+)?", gap) is not None
    gap = _PACKET_SIZE.sub(" ", _SUSPECTED.sub(" ", gap))
    if len(gap) > 40 or re.search(r"[\d;:()\[\],.]", gap):
        return False
    words = gap.lower().split()
    if words and words[0] == "of":
        words = words[1:]
    return len(words) <= 3 and not any(w in _GAP_BANNED for w in words)


def _list_from(text: str, first: DrugMention, drugs: list[DrugMention], limit: int) -> list[DrugMention]:
    chain = [first]
    pos = first.end
    while True:
        sep = _LIST_SEP.match(text, pos, limit)
        if sep is None:
            break
        nxt = next((d for d in drugs if d.start == sep.end()), None)
        if nxt is None:
            break
        chain.append(nxt)
        pos = nxt.end
    return chain


def attach(
    text: str, q: Quantity, drugs: list[DrugMention], taken: set[int], limit: int
) -> tuple[DrugMention, str, list[DrugMention]] | None:
    """(drug, how, list of drugs if a list follows) for quantity ``q``, or None."""
    found: tuple[DrugMention, str] | None = None
    inner = [d for d in drugs if q.start <= d.start and d.end <= q.end + 1 and d.start >= q.start + 1]
    if inner:
        found = (inner[0], "inner")
    else:
        after = [d for d in drugs if d.start >= q.end]
        if after and _right_ok(text[q.end : after[0].start], after[0]):
            found = (after[0], "right")
        elif after and after[0].generic and _OF_THE.fullmatch(text[q.end : after[0].start]):
            # "12 million pills of the drug captagon": the drug named after the generic word
            nxt = next((d for d in after[1:] if not d.generic), None)
            if (
                nxt is not None
                and nxt.start - after[0].end <= 12
                and _FOLLOWING.match(text[after[0].end : nxt.start])
            ):
                found = (nxt, "right")
            else:
                found = (after[0], "right")  # "40 kg of the drug": named by its incident, if at all
        else:
            before = [d for d in drugs if d.end <= q.start and not d.ambiguous]
            gap = text[before[-1].end : q.start] if before else ""
            if before and _LEFT_GAP.match(gap) and (id(before[-1]) not in taken or "weigh" in gap):
                found = (before[-1], "left")
    if found is None:
        return None
    drug, how = found
    if drug.generic or drug.code == "psychotropic_pills":
        # "30 narcotic tablets tramadol": the specific name that follows wins
        end = max(drug.end, q.end)
        nxt = next((d for d in drugs if d.start >= end and not d.generic), None)
        if nxt is not None and _FOLLOWING.match(text[end : nxt.start]) and nxt.start - end <= 12:
            return nxt, how, [nxt]
    chain = _list_from(text, drug, drugs, limit) if how != "left" else [drug]
    return drug, how, chain


_NEAR_WORDS = 12  # how far a language with free word order may put the drug from its quantity


def _gap_words(gap: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", gap.lower())


def _specific_after(text: str, drug: DrugMention, drugs: list[DrugMention], lang: Language) -> DrugMention:
    """ "narcotic substance - heroin", "drugs of the type X": the name that follows a generic word."""
    nxt = next((d for d in drugs if d.start >= drug.end and not d.generic), None)
    if nxt is not None and nxt.start - drug.end <= 16 and lang.type_link.match(text[drug.end : nxt.start]):
        return nxt
    return drug


def attach_in(
    text: str,
    q: Quantity,
    drugs: list[DrugMention],
    taken: set[int],
    lang: Language,
    bounds: list[Quantity],
) -> tuple[DrugMention, str, list[DrugMention]] | None:
    """:func:`attach` for a language read from data: the drug inside the quantity ("12 bin uyuşturucu
    hap"), right after it (a few words, no conjunction), right before it ("гашиш, весом 5 кг"), or,
    as word order is freer than in English, the nearest drug with no other quantity between."""
    after_q = [o.start for o in bounds if o.start >= q.end]
    before_q = [o.end for o in bounds if o.end <= q.start]
    right_limit = min(after_q, default=len(text))
    left_limit = max(before_q, default=0)
    found: tuple[DrugMention, str] | None = None
    inner = [d for d in drugs if q.start < d.start < q.end]
    after = [d for d in drugs if d.start >= q.end and d.start < right_limit]
    before = [d for d in drugs if d.end <= q.start and d.start >= left_limit]
    if inner:
        found = (inner[0], "inner")
    elif after:
        gap = text[q.end : after[0].start]
        words = _gap_words(lang.type_words.sub(" ", gap))
        if len(words) <= 3 and not re.search(r"[\d;()\[\]]", gap) and not set(words) & lang.conjunctions:
            found = (after[0], "right")
    if (
        found is None
        and before
        and id(before[-1]) not in taken
        and lang.left_link.match(text[before[-1].end : q.start])
    ):
        found = (before[-1], "left")
    loose = found is None and not lang.strict_unit(q.raw)
    if loose and after and len(_gap_words(text[q.end : after[0].start])) <= _NEAR_WORDS:
        found = (after[0], "right")
    # "9 kg of opium from a van and 6 kg from a car": the drug of the amount before is elided
    elided = (
        id(before[-1]) not in taken or any(o.kind == q.kind for o in bounds if o.end <= q.start)
        if before
        else False
    )
    if loose and found is None and elided and len(_gap_words(text[before[-1].end : q.start])) <= 8:
        found = (before[-1], "left")
    if found is None:
        return None
    drug, how = found
    if drug.generic or drug.code == "psychotropic_pills":
        drug = _specific_after(text, drug, drugs, lang)
    return drug, how, [drug]
