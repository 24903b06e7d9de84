"""How place names are compared: folding, generic words, Russian adjective stems, segments.

A place text such as ``Astarinskiy rayon KPP Astara`` is folded (see :func:`astara.kit.countries.fold`:
lower case, no accents, Russian Cyrillic in Latin, Persian letter variants unified), then its
generic words are taken out: words that say what kind of place it is ("KPP", "customs post",
"tamozhenno-propusknoy punkt", "gömrük-keçid məntəqəsi", "port", "bandar", "گمرک" ...) and words
that say it is an administrative area ("rayon", "district", "welayaty", "استان" ...). What is left
is matched against place names; the runs of words between generic words are tried one by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from astara.kit.countries import fold

# Words naming a border post, customs office or port (in folded form, so Russian is in Latin).
FACILITY_WORDS = (
    "tamozhenno propusknoy punkt",
    "tamozhenno propusknoi punkt",
    "tamozhennyy post",
    "tamozhennyi post",
    "tamozhennyy punkt",
    "tamozhnya",
    "punkt propuska",
    "pogranichnyy punkt",
    "kpp",
    "tpp",
    "border crossing point",
    "border crossing",
    "border checkpoint",
    "border check point",
    "border post",
    "border point",
    "border gate",
    "crossing point",
    "customs checkpoint",
    "customs check point",
    "customs post",
    "customs point",
    "customs office",
    "customs house",
    "customs",
    "checkpoint",
    "check point",
    "crossing",
    "gomruk kecid menteqesi",
    "gomruk kecid menteqe",
    "gomruk menteqesi",
    "kecid menteqesi",
    "gomruk",
    "gomrugu",
    "sinir kapisi",
    "gumruk kapisi",
    "gumruk",
    "sea trade port",
    "sea port",
    "seaport",
    "port of",
    "port",
    "morskoy port",
    "liman",
    "limani",
    "deniz limani",
    "bandar e",
    "bandar",
    "railway station",
    "rail terminal",
    "railway crossing",
    "road crossing",
    "terminal",
    "station",
    "stantsiya",
    "vokzal",
    "پایانه مرزی",
    "پایانه",
    "گمرک",
    "مرز",
    "مرزی",
    "بندر",
    "بندری",
    "ایستگاه",
)
# Words naming a district-level area or a settlement type.
AREA_WORDS = (
    "rayon",
    "rayonu",
    "rayoni",
    "r n",
    "raion",
    "district",
    "shahrestan",
    "county",
    "city",
    "town",
    "gorod",
    "g",
    "seheri",
    "sheher",
    "kendi",
    "village",
    "selo",
    "poselok",
    "p g t",
    "shahr",
    "شهرستان",
    "شهر",
    "بخش",
    "روستای",
    "روستا",
)
# Words naming a province: a text that says "Mary Welayaty" means the province, not the city of Mary.
REGION_WORDS = (
    "region",
    "oblast",
    "oblasti",
    "province",
    "velayat",
    "velayati",
    "welayat",
    "welayaty",
    "welayati",
    "ostan",
    "ostane",
    "vilayet",
    "krai",
    "kray",
    "respublika",
    "استان",
)
# Words that say nothing about the place.
FILLER_WORDS = ("of", "the", "near", "okolo", "bliz", "area", "vicinity")
# Russian adjective endings: "Astarinskiy" is the adjective of "Astara", "Samurskiy" of "Samur".
ADJECTIVE_ENDINGS = (
    "yskogo",
    "yskaya",
    "yskiy",
    "yskii",
    "ysky",
    "skogo",
    "skaya",
    "skoye",
    "skiy",
    "skii",
    "skij",
    "skoy",
    "skoe",
    "skom",
    "ckiy",
    "ckii",
    "sky",
    "ski",
    "cky",
)


Phrases = dict[str, list[tuple[str, ...]]]


def _phrases(words: tuple[str, ...]) -> Phrases:
    """Folded phrases by their first word, longest first (a lookup per token, not a scan)."""
    folded = {tuple(fold(word).split()) for word in words}
    by_first: Phrases = {}
    for phrase in sorted((phrase for phrase in folded if phrase), key=len, reverse=True):
        by_first.setdefault(phrase[0], []).append(phrase)
    return by_first


_FACILITY = _phrases(FACILITY_WORDS)
_AREA = _phrases(AREA_WORDS)
_REGION = _phrases(REGION_WORDS)
_FILLER = _phrases(FILLER_WORDS)
_SEGMENT_SPLIT = re.compile(r"\s*[,;/\\|]\s*")


@dataclass(frozen=True)
class Query:
    """A folded place text, with its generic words taken out."""

    full: str  # every word, no spaces: the key for an exact alias match
    core: str  # without generic words, no spaces
    groups: tuple[str, ...]  # runs of words between generic words, no spaces, right to left
    stems: tuple[str, ...]  # possible base names of a trailing Russian adjective ("astarin", "astar")
    facility: bool  # names a border post, customs office or port
    area: bool  # names a district or settlement
    region: bool = False  # names a province

    @property
    def generic(self) -> bool:
        return self.facility or self.area or self.region


def _match_phrase(tokens: list[str], at: int, phrases: Phrases) -> int:
    for phrase in phrases.get(tokens[at], ()):
        if len(phrase) == 1 or tuple(tokens[at : at + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def stems(word: str) -> tuple[str, ...]:
    """Possible base names of a Russian adjective: ``astarinskiy`` -> ``('astarin', 'astar')``."""
    for ending in ADJECTIVE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            stem = word[: -len(ending)]
            if stem.endswith(("in", "en", "yn")) and len(stem) >= 6:
                return stem, stem[:-2]
            return (stem,)
    return ()


@lru_cache(maxsize=65536)
def parse(text: str) -> Query:
    """``text`` folded, its generic words (post, district, province...) noted and taken out."""
    tokens = fold(text).split()
    kept: list[str] = []
    groups: list[list[str]] = [[]]
    facility = area = region = False
    at = 0
    while at < len(tokens):
        if width := _match_phrase(tokens, at, _FACILITY):
            facility = True
        elif width := _match_phrase(tokens, at, _AREA):
            area = True
        elif width := _match_phrase(tokens, at, _REGION):
            region = True
        elif width := _match_phrase(tokens, at, _FILLER):
            pass
        else:
            kept.append(tokens[at])
            groups[-1].append(tokens[at])
            at += 1
            continue
        groups.append([])
        at += width
    runs = tuple("".join(group) for group in reversed(groups) if group)
    found: tuple[str, ...] = ()
    for group in reversed(groups):
        if group and (found := stems(group[-1])):
            found = tuple("".join([*group[:-1], stem]) for stem in found)
            break
    return Query("".join(tokens), "".join(kept), runs, found, facility, area, region)


def segments(text: str) -> list[str]:
    """The whole text, then its comma-separated parts left to right, then slash-separated right to left.

    "Baku, Ispravitel'noe uchrezhdeniya 2" names Baku first; "Kerman/Rayen" is province/county,
    so the more precise part comes last.
    """
    out = [text]
    if "/" in text or "\\" in text:
        out.extend(reversed(re.split(r"\s*[/\\]\s*", text)))
    if any(mark in text for mark in ",;|"):
        out.extend(_SEGMENT_SPLIT.split(text))
    seen: set[str] = set()
    result = []
    for part in out:
        part = part.strip()
        if part and part not in seen and fold(part):
            seen.add(part)
            result.append(part)
    return result
