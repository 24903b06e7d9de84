"""How the drugs travelled and where they were hidden: transport mode, concealment, cover cargo.

Transport words come from the vocabulary's transport list (English names and synonyms), mapped to
the modes of the seizure model (truck, car, bus, rail, air, sea, postal, on_foot, other). Places
imply a mode too: a seaport or territorial waters say "sea", an airport says "air".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from astara.extraction.text import WORD, words_in
from astara.vocab import get_vocabulary

__all__ = ["Mention", "find_concealment", "find_cover_cargo", "find_transport"]

MODES = ("truck", "car", "bus", "rail", "air", "sea", "postal", "on_foot")
_PARENT = {"motorcycle": "other", "pack_animal": "other", "river": "sea", "road": "car"}
# English words of the vocabulary that mislead in news prose.
_SKIP = frozenset(
    {
        "post",
        "land",
        "foot",
        "flight",
        "carry",
        "bike",
        "air",
        "sea",
        "road",
        "vehicle",
        "mail",
        "other",
        "none",
        "unknown",
        "coach",
        "crossing",
        "trailer",
    }
)
_EXTRA = {
    "trucks": "truck", "lorries": "truck", "tractor-trailer": "truck", "semi-truck": "truck", "tir": "truck",
    "pickup": "car", "pick-up": "car", "sedan": "car", "cars": "car", "vans": "car", "toyota": "car",
    "buses": "bus", "passenger bus": "bus", "train": "rail", "wagon": "rail", "railway": "rail",
    "airport": "air", "flight": "air", "airline": "air", "passenger plane": "air", "airliner": "air",
    "ship": "sea", "ships": "sea", "vessel": "sea", "boat": "sea", "boats": "sea", "dhow": "sea",
    "yacht": "sea",
    "container ship": "sea", "cargo ship": "sea", "fishing boat": "sea", "speedboat": "sea", "port": "sea",
    "seaport": "sea", "territorial waters": "sea", "coast guard": "sea", "tanker": "sea", "launch": "sea",
    "sailboat": "sea", "submarine": "sea", "semi-submersible": "sea", "narco-sub": "sea",
    "parcel": "postal", "parcels": "postal", "postal": "postal", "courier": "postal", "mail": "postal",
    "on foot": "on_foot", "pedestrian": "on_foot", "backpack": "on_foot",
    "crossed the border on foot": "on_foot",
    "trailer": "truck", "trailers": "truck", "semi-trailer": "truck", "refrigerated truck": "truck",
    # a person crossing the green border, as border services report it: no vehicle
    "violation of the state border": "on_foot", "violating the state border": "on_foot",
    "violated the state border": "on_foot", "trespasser": "on_foot", "trespassers": "on_foot",
    "border violator": "on_foot", "border violators": "on_foot",
}  # fmt: skip


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    value: str


@cache
def _transport_pattern() -> tuple[re.Pattern[str], dict[str, str], frozenset[str]]:
    """The pattern of every transport word, its table, and the first word of each (a cheap pre-check)."""
    table: dict[str, str] = {}
    for term in get_vocabulary().transport.all():
        mode = term.code if term.code in MODES else _PARENT.get(term.code, term.parent or "other")
        mode = mode if mode in MODES or mode == "other" else _PARENT.get(mode, "other")
        for name in term.lookup_texts():
            key = name.lower()
            if key.isascii() and key not in _SKIP and len(key) > 2 and key not in ("other", "unknown"):
                table.setdefault(key, mode)
    table.update(_EXTRA)
    table.pop("parcel", None)  # "two parcels" in a courier's hands is packaging, not the post
    table.pop("parcels", None)
    alternation = "|".join(sorted((re.escape(k) for k in table), key=len, reverse=True))
    firsts = frozenset(words[0] for words in (WORD.findall(k) for k in table) if words)
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE), table, firsts


_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|from|to|of|outside)\s+$")


def find_transport(text: str, start: int, end: int) -> list[Mention]:
    pattern, table, firsts = _transport_pattern()
    out: list[Mention] = []
    if firsts.isdisjoint(words_in(text[start:end])):
        return out
    for m in pattern.finditer(text, start, end):
        word = m.group()
        mode = table.get(word.lower())
        if word[0].isupper() and _PLACE_BEFORE.search(text, max(start, m.start() - 12), m.start()):
            continue  # "a raid in Van", "near Bus": a capitalised place name, not a vehicle
        if mode is not None:
            out.append(Mention(m.start(), m.end(), mode))
    return out


_CONCEAL = re.compile(
    r"\b(?:hidden|concealed|stashed|packed|disguised|camouflaged|secreted|found|placed|wrapped|tucked|"
    r"sewn|built)\s+(?:\w+\s+){0,2}?(?:in|inside|under|beneath|within|among|behind|into|in the cavities of|"
    r"in a secret compartment of|as)\s+[^.;]{3,80}?(?=[,.;]|\s+(?:and|which|while|by|when|at|on the|from|"
    r"carrying|loaded|bound|heading|going|to|were|was)\b|$)",
    re.IGNORECASE,
)
_COMPARTMENT = re.compile(
    r"\b(?:(?:secret|hidden|special|false|fake|double)\s+(?:compartment|bottom|floor|wall|tank|cache)|"
    r"fuel tank|gas tank|spare (?:wheel|tyre|tire)|door panels?|dashboard|suitcase|luggage|baggage|"
    r"stomach|body cavity|underwear|shoes?|clothing)\b[^.;,]{0,40}",
    re.IGNORECASE,
)
_COVER = re.compile(
    r"\b(?:among|under|beneath|inside|in|with|amid|mixed with|between)\s+(?:a\s+|the\s+)?"
    r"(?:load|cargo|shipment|"
    r"consignment|containers?|bags|boxes|sacks|pallets|batch)\s+of\s+(?P<goods>[^.;,()]{3,60}?)"
    r"(?=[,.;()]|\s+(?:and|which|while|bound|destined|from|to|at|on|was|were|that)\b|$)"
    r"|\b(?:loaded with|carrying|declared as|transporting|labelled as)\s+(?P<goods2>[a-z][^.;,()]{2,50}?)"
    r"(?=[,.;()]|\s+(?:and|which|while|bound|destined|from|to|at|on|was|were|that)\b|$)",
    re.IGNORECASE,
)


def find_concealment(text: str, start: int, end: int) -> list[Mention]:
    out = [Mention(m.start(), m.end(), m.group().strip()) for m in _CONCEAL.finditer(text, start, end)]
    if not out:
        out = [
            Mention(m.start(), m.end(), m.group().strip()) for m in _COMPARTMENT.finditer(text, start, end)
        ]
    return out


_DRUGGY = re.compile(r"drug|heroin|cocaine|opium|hashish|marijuana|meth|narcotic|pills|tablets", re.I)


def find_cover_cargo(text: str, start: int, end: int) -> list[Mention]:
    out = []
    for m in _COVER.finditer(text, start, end):
        group = "goods" if m.group("goods") else "goods2"
        goods = m.group(group).strip()
        if goods and not _DRUGGY.search(goods):
            out.append(Mention(m.start(group), m.end(group), goods))
    return out
