"""Who: the agency that seized, how many were arrested, their nationalities, names, plates."""

from __future__ import annotations

import re
from dataclasses import dataclass

from astara.extraction.places import country_of, demonyms
from astara.extraction.quantities import word_number
from astara.extraction.text import words_in

__all__ = ["Found", "find_agencies", "find_arrests", "find_nationalities", "find_persons", "find_vehicle_ids"]

_HEADS = (
    r"police|customs|border guards?|border service|border guard service|border troops|border detachment|"
    r"gendarmerie|coast ?guards?|navy|naval|army|military|soldiers|troops|anti-narcotics? force|"
    r"anti-narcotics? police|narcotics control bureau|drug control|drug enforcement|"
    r"enforcement administration|"
    r"security service|national security|security committee|intelligence|interior ministry|ministry of "
    r"(?:internal affairs|interior|the interior|public security|home affairs|commerce|finance)|"
    r"prosecutor'?s? "
    r"office|revenue|directorate|task force|marines|special forces|law enforcement|security forces|"
    r"counter-narcotics|counternarcotics|anti-drug|guard corps|irgc|anf|dea|dri|ncb|fsb|nsc|sdoe|"
    r"state customs committee|committee|gendarmes|carabinieri|guardia|policía|policia|authorities"
)
_AGENCY_CAP = re.compile(
    rf"(?:\b(?:the\s+)?(?:[A-Z][\w'’.-]*\s+|of\s+(?:the\s+)?|and\s+|for\s+|on\s+){{0,7}}"
    rf"(?:[A-Z][\w'’-]*\s+)?)?\b(?i:{_HEADS})\b(?:\s+(?i:officers|officials|agents|units?|department|"
    rf"forces|personnel|squad|station|command|service|office|directorate|detachment|team|staff)\b)?"
    rf"(?:\s+[A-Z]{{2,}}\b)?(?:\s*\([A-Z]{{2,6}}\))?"
    rf"(?:\s+(?:of|in)\s+(?:the\s+)?(?:[A-Z][\w'’-]*)(?:\s+[A-Z][\w'’-]*){{0,3}})?",
)
_LEADING_JUNK = re.compile(r"^(?:(?:the|a|an|and|of|for|on|in|by|with|that|as|said|says)\s+)+", re.IGNORECASE)


_NOT_AGENCIES = frozenset(
    {"authorities", "committee", "revenue", "naval", "military", "anti-drug", "counter-narcotics",
     "intelligence",
     "counternarcotics", "directorate", "law enforcement", "drug control", "drug enforcement"}
)  # fmt: skip
_WEAK_HEADS = frozenset(
    {"authorities", "officials", "soldiers", "troops", "police", "officers", "agents", "staff"}
)


def is_weak(agency: str) -> bool:
    """Does the agency name say only "police" or "the authorities", with no name of a body?"""
    words = agency.replace("’", "'").split()
    named = any(w[:1].isupper() and w.lower() not in _WEAK_HEADS for w in words)
    return not named


@dataclass(frozen=True)
class Found:
    start: int
    end: int
    value: str


# A word of every head above: a sentence with none of them names no agency (a cheap pre-check).
_HEAD_WORDS = frozenset(
    ("police", "policia", "policía", "customs", "border", "gendarmerie", "gendarmes", "coast",
     "coastguard", "coastguards", "guard", "guards", "navy", "naval", "army", "military", "soldiers",
     "troops", "anti", "narcotics", "drug", "enforcement", "security", "national", "committee",
     "intelligence", "interior", "ministry", "prosecutor", "prosecutors", "revenue", "directorate",
     "task", "marines", "special", "law", "counter", "counternarcotics", "irgc", "anf", "dea", "dri",
     "ncb", "fsb", "nsc", "sdoe", "state", "carabinieri", "guardia", "authorities")
)  # fmt: skip


def find_agencies(text: str, start: int, end: int) -> list[Found]:
    out: list[Found] = []
    if _HEAD_WORDS.isdisjoint(words_in(text[start:end])):
        return out
    for m in _AGENCY_CAP.finditer(text, start, end):
        raw = m.group()
        trimmed = _LEADING_JUNK.sub("", raw)
        a = m.start() + (len(raw) - len(trimmed))
        trimmed = trimmed.rstrip()
        if len(trimmed) < 3 or trimmed.lower() in _NOT_AGENCIES:
            continue
        # a lower-case word other than the head at the start is not part of a name
        out.append(Found(a, a + len(trimmed), trimmed))
    return out


_COUNT = r"(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a|an)"
_PEOPLE = (
    r"(?:[a-z-]+\s+){0,2}?(?:people|persons|suspects?|men|women|individuals|smugglers|traffickers|"
    r"nationals|citizens|foreigners|drivers?|couriers?|crew members|members|residents|others|accomplices|"
    r"sailors|fishermen|passengers|dealers|culprits)"
)
_ARREST_VERB = r"(?:arrested|detained|apprehended|taken into custody|held|nabbed|caught|captured|booked)"
_ARRESTS = [
    re.compile(rf"\b{_ARREST_VERB}\s+(?:a total of\s+)?{_COUNT}\s+{_PEOPLE}\b", re.IGNORECASE),
    re.compile(
        rf"\b{_COUNT}\s+{_PEOPLE}\s+(?:[\w,()'’-]+\s+){{0,12}}?(?:were|have been|had been|was)\s+"
        rf"(?:also\s+)?{_ARREST_VERB}",
        re.IGNORECASE,
    ),
    re.compile(rf"\b(?:arresting|detaining)\s+{_COUNT}\s+{_PEOPLE}\b", re.IGNORECASE),
    re.compile(rf"\btook\s+{_COUNT}\s+{_PEOPLE}\s+into custody", re.IGNORECASE),
]
_ONE = re.compile(
    rf"\b(?:the|a|an)\s+(?:driver|suspect|man|woman|smuggler|courier|passenger|trespasser|citizen|"
    rf"national|resident|trafficker)\b[^.;]{{0,60}}?\b(?:was|has been)\s+{_ARREST_VERB}"
    rf"|\b(?:the\s+)?(?:trespasser|driver|suspect|courier)\b[^.;]{{0,80}}?\bwas\s+{_ARREST_VERB}"
    rf"|\btook into custody an individual",
    re.IGNORECASE,
)


def find_arrests(text: str, start: int, end: int) -> list[Found]:
    out: list[Found] = []
    for pattern in _ARRESTS:
        for m in pattern.finditer(text, start, end):
            n = m.group("n")
            value = int(n) if n.isdigit() else word_number(n)
            if value is not None and not any(f.start < m.end() and m.start() < f.end for f in out):
                out.append(Found(m.start(), m.end(), str(int(value))))
    if not out:
        out = [Found(m.start(), m.end(), "1") for m in _ONE.finditer(text, start, end)]
    return out


_NATIONAL = re.compile(
    r"\b(?P<dem>[A-Z][a-z]+)(?:\s+and\s+(?P<dem2>[A-Z][a-z]+))?\s+(?:nationals?|citizens?|origin|"
    r"suspects?|men|man|women|woman|drivers?|crew|sailors|smugglers|traffickers|couriers?|passport)\b"
    r"|\b(?:citizens?|nationals?|residents?) of (?P<dem3>[A-Z][a-z]+)"
)


def find_nationalities(text: str, start: int, end: int) -> list[Found]:
    out = []
    table = demonyms()
    for m in _NATIONAL.finditer(text, start, end):
        for group in ("dem", "dem2", "dem3"):
            word = m.group(group)
            if not word:
                continue
            code = table.get(word.lower()) if group != "dem3" else country_of(word)
            if code:
                out.append(Found(m.start(group), m.end(group), code))
    return out


_PERSON = re.compile(
    r"\b(?P<name>[A-Z][a-zəüöğışç'’-]+(?:\s+[A-Z][a-zəüöğışç'’-]+){1,2})\s*\((?:aged\s+)?\d{2}\)"
    r"|\b(?:named|identified as|suspect|driver|resident)\s+"
    r"(?P<name2>[A-Z][a-zəüöğışç'’-]+\s+[A-Z][a-zəüöğışç'’-]+)"
)


def find_persons(text: str, start: int, end: int) -> list[Found]:
    out = []
    for m in _PERSON.finditer(text, start, end):
        group = "name" if m.group("name") else "name2"
        out.append(Found(m.start(group), m.end(group), m.group(group)))
    return out


_PLATE = re.compile(
    r"\b(?:\d{2}-[A-Z]{2}-\d{3}|\d{2}\s?[A-Z]{1,3}\s?\d{2,5}|[A-Z]{1,3}[- ]?\d{3,4}[- ]?[A-Z]{1,3}|"
    r"\d{2}[A-Z]\d{3}-\d{2})\b"
)
_PLATE_CUE = re.compile(r"plate|registration|license|licence|number", re.IGNORECASE)


def find_vehicle_ids(text: str, start: int, end: int) -> list[Found]:
    if not _PLATE_CUE.search(text, start, end):
        return []
    return [Found(m.start(), m.end(), m.group()) for m in _PLATE.finditer(text, start, end)]
