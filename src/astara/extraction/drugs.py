"""Drug names in running text, from the vocabulary's multilingual names.

Words are looked up as runs of one to four tokens (longest first) in a table built once from
``astara.vocab``: every English, Russian, Azerbaijani, Turkish and Persian name of every drug.
Words that are also ordinary English ("grass", "ice", "crystal", "speed", "crack") count only
right after "<quantity> of"; words for drugs in general ("drugs", "narcotics", "contraband")
give the generic code ``unspecified``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from astara.extraction.languages import Language, stem_pattern
from astara.vocab import get_vocabulary, norm_key

__all__ = [
    "GENERIC",
    "REPORTED",
    "DrugMention",
    "aliases",
    "drug_table",
    "find_drugs",
    "find_drugs_in",
    "reported_code",
]

GENERIC = "unspecified"
# Ordinary English words that name a drug only in "<quantity> of X".
AMBIGUOUS = frozenset(
    [
        "grass",
        "ice",
        "crystal",
        "speed",
        "coke",
        "hash",
        "weed",
        "crack",
        "spice",
        "k2",
        "kif",
        "skunk",
        "molly",
        "xtc",
        "roche",
        "colina",
        "yava",
        "taren",
        "kitil",
        "pinix",
        "glue",
        "solvents",
        "alcohol",
        "tobacco",
        "caffeine",
        "gaba",
        "business",
        "methanone",
        "quinoline",
        "methylester",
        "fuelite",
        "medicines",
        "pharmaceuticals",
        "steroids",
        "ammonia",
        "iodine",
        "acetone",
        "toluene",
        "aa",
        "mek",
        "msm",
        "dom",
        "doc",
        "mda",
        "pcp",
        "amt",
        "dmt",
        "ats",
        "other",
        "unknown",
        "unspecified",
        "non specified",
        "post",
        "mark",
        "trip",
        "kol",
        "hap",
        "buz",
        "lyrica",
        "mandrax",
        "brown sugar",
        "gul",
        "opioids",
        "stimulants",
        "hallucinogens",
    ]
)
# Names that say "drugs" without saying which.
GENERIC_FORMS = [
    "drugs",
    "drug",
    "narcotics",
    "narcotic",
    "narcotic drugs",
    "narcotic substances",
    "illegal drugs",
    "illicit drugs",
    "illegal narcotics",
    "illicit substances",
    "illicit narcotics",
    "contraband",
    "drug substances",
    "narcotic substance",
    "psychotropic substances",
    "psychotropic drugs",
    "prohibited substances",
    "controlled substances",
    "narcotics and psychotropic substances",
    "narcotic drugs and psychotropic substances",
    "drugs and psychotropic substances",
    "наркотики",
    "наркотиков",
    "наркотических средств",
    "narkotik",
    "narkotik vasitə",
    "narkotik vasitələr",
    "uyuşturucu",
    "uyuşturucu madde",
    "mixed drugs",
    "various drugs",
    "different types of drugs",
    "different kinds of drugs",
    "other drugs",
    "other substances",
    "synthetic drugs",
    *(f"class {c} {noun}" for c in "abc" for noun in ("drug", "drugs", "substance")),
]
# Extra English spellings seen in news that the vocabulary does not carry as names.
EXTRA = {
    "opium poppy": "poppy_plant",
    "poppy": "poppy_plant",
    "marihuana": "cannabis",
    "cannabis herb": "cannabis",
    "hemp": "cannabis",
    "cannabis resin": "hashish",
    "heroine": "heroin",
    "methamphetamines": "methamphetamine",
    "crystal methamphetamine": "methamphetamine",
    "meth pills": "methamphetamine",
    "yaba pills": "methamphetamine",
    "amphetamines": "amphetamine",
    "captagon pills": "captagon",
    "ecstasy pills": "ecstasy",
    "opiates": "opiates_unspecified",
    "hashish oil": "cannabis_oil",
    "fentanyl pills": "fentanyl",
    "alpha-pvp": "alpha_pvp",
    "a-pvp": "alpha_pvp",
    "mephedrone": "mephedrone",
    "extasy": "ecstasy",
    "ecstacy": "ecstasy",
    "shabu": "methamphetamine",
    "shabu-shabu": "methamphetamine",
    "yaba": "methamphetamine",
    "ya ba": "methamphetamine",
    "crystal meth": "methamphetamine",
    "hydrochloride cocaine": "cocaine",
    "cocaine hydrochloride": "cocaine",
    "cocaine paste": "coca_paste",
    "tramadol pills": "tramadol",
    "powder drugs": "unspecified",
}
# Vocabulary codes reported under the broader code the seizure model uses for news.
REPORTED = {
    "cannabis_plant": "cannabis",
    "cannabis_unspecified": "cannabis",
    "crack": "cocaine",
    "cocaine_base": "cocaine",
    "coca_paste": "cocaine",
    "cocaine_unspecified": "cocaine",
}
MAX_WORDS = 5


def reported_code(code: str, mass: bool) -> str:
    """The code an event reports: "78 kg of opium poppy" is opium (the gum), not poppy plants."""
    if code == "poppy_plant" and mass:
        return "opium"
    return REPORTED.get(code, code)


_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True)
class DrugMention:
    start: int
    end: int
    code: str
    raw: str
    generic: bool = False
    ambiguous: bool = False


_PUNCT = re.compile(r"[^\w]+", re.UNICODE)


def text_key(text: str) -> str:
    """Look-up key of a run of words: case-folded, punctuation and hyphens as single spaces."""
    return " ".join(_PUNCT.sub(" ", text.casefold()).split())


@cache
def first_words() -> frozenset[str]:
    """The first word of every name, to skip words that start none."""
    return frozenset(key.split(" ")[0] for key in drug_table())


@cache
def drug_table() -> dict[str, tuple[str, bool, bool]]:
    """text_key(name) -> (drug code, generic, ambiguous)."""
    table: dict[str, tuple[str, bool, bool]] = {}
    vocab = get_vocabulary()
    for drug in vocab.drugs.all():
        if drug.code in (GENERIC, "other_substance", "mixed_drugs"):
            continue
        for name in drug.lookup_texts():
            key = text_key(name)
            if (len(key) < 3 and key not in ("k2",)) or len(key.split()) > MAX_WORDS or "(" in name:
                continue
            if drug.code == "psychotropic_pills" and "pill" not in key and "tablet" not in key:
                continue
            table.setdefault(key, (drug.code, False, key in AMBIGUOUS))
    for name, code in EXTRA.items():
        if code in vocab.drugs:
            table[text_key(name)] = (code, False, False)
    for name in GENERIC_FORMS:
        table[text_key(name)] = (GENERIC, True, False)
    # the same names with Latin accents stripped (norm_key), for texts typed without them
    for key, value in list(table.items()):
        table.setdefault(text_key(norm_key(key)), value)
    return table


_ALIAS = re.compile(r"\(\s*([A-Z][A-Za-z-]{1,7})\s*\)")


def aliases(text: str) -> dict[str, tuple[str, bool, bool]]:
    """Abbreviations the text defines for a drug: "cocaine base paste (CBP)" makes "CBP" cocaine."""
    out: dict[str, tuple[str, bool, bool]] = {}
    for m in _ALIAS.finditer(text):
        before = find_drugs(text, max(0, m.start() - 40), m.start())
        if before and not before[-1].generic and text[before[-1].end : m.start()].strip() == "":
            key = text_key(m.group(1))
            if key not in drug_table():
                out[key] = (before[-1].code, False, False)
    return out


def find_drugs(
    text: str, start: int = 0, end: int | None = None, extra: dict[str, tuple[str, bool, bool]] | None = None
) -> list[DrugMention]:
    """Drug names in ``text[start:end]``, longest match first, not overlapping."""
    table = drug_table() if not extra else {**drug_table(), **extra}
    starts = first_words() if not extra else first_words() | {k.split(" ")[0] for k in extra}
    stop = len(text) if end is None else end
    tokens = [(m.start(), m.end(), text_key(m.group())) for m in _TOKEN.finditer(text, start, stop)]
    found: list[DrugMention] = []
    i = 0
    while i < len(tokens):
        a, b, word = tokens[i]
        hit = None
        if word.split(" ")[0] in starts:
            for n in range(min(MAX_WORDS, len(tokens) - i), 0, -1):
                key = " ".join(t[2] for t in tokens[i : i + n])
                entry = table.get(key)
                if entry is not None:
                    hit = (n, tokens[i + n - 1][1], entry)
                    break
        if hit is None:
            # "tramadol-100": a drug name followed by its dose strength
            raw = text[a:b]
            base = raw.split("-")[0]
            entry = table.get(text_key(base)) if base != raw else None
            if entry is not None and not entry[1]:
                found.append(DrugMention(a, a + len(base), entry[0], base, entry[1], entry[2]))
            i += 1
            continue
        n, b, (code, generic, ambiguous) = hit
        found.append(DrugMention(a, b, code, text[a:b], generic, ambiguous))
        i += n
    return found


_VOWELS = frozenset("аяоеиыйьaeıiouüöə")


@cache
def _stems() -> dict[str, tuple[str, bool, bool]]:
    """Single-word names without a final vowel ("марихуан"), for inflected forms ("марихуаны")."""
    out: dict[str, tuple[str, bool, bool]] = {}
    for key, value in drug_table().items():
        if " " not in key and len(key) >= 5 and key[-1] in _VOWELS and not value[2]:
            out.setdefault(key[:-1], value)
    return out


@cache
def _named(lang: Language) -> tuple[re.Pattern[str], list[tuple[str, re.Pattern[str]]]]:
    """One pattern that finds where a name may start, and each code's own pattern to take the longest."""
    forms = [(c, lang.drug_names[c]) for c in lang.drug_names] + [(GENERIC, lang.generic_drugs)]
    each = [(code, re.compile(stem_pattern(words), re.IGNORECASE)) for code, words in forms if words]
    anywhere = re.compile(r"(?<!\w)(?:" + "|".join(p.pattern for _, p in each) + ")", re.IGNORECASE)
    return anywhere, each


def _vocab_hit(words: list[str], lang: Language) -> tuple[int, tuple[str, bool, bool]] | None:
    table = drug_table()
    first = words[0]
    longest = min(MAX_WORDS, len(words)) if first in first_words() else 1
    for n in range(longest, 0, -1):
        head, last = words[: n - 1], words[n - 1]
        for form in (last, *lang.ending_stems(last)):
            key = " ".join([*head, form])
            entry = table.get(key) or (_stems().get(key) if n == 1 and len(form) >= 4 else None)
            if entry is not None and not entry[2]:
                return n, entry
    return None


def find_drugs_in(text: str, lang: Language, start: int = 0, end: int | None = None) -> list[DrugMention]:
    """Drug names in ``text[start:end]`` of a language read from data (``text`` normalised).

    The language's own names and generic words first (stems take case endings), then the
    vocabulary's names in every language, a case ending stripped where the language has them.
    """
    stop = len(text) if end is None else end
    anywhere, each = _named(lang)
    found: list[DrugMention] = []
    for m in anywhere.finditer(text, start, stop):
        pos = m.start()
        best = max(((hit.end(), code) for code, p in each if (hit := p.match(text, pos, stop))), default=None)
        if best is not None and (not found or pos >= found[-1].end):
            found.append(DrugMention(pos, best[0], best[1], text[pos : best[0]], best[1] == GENERIC))
    tokens = [(m.start(), m.end(), text_key(m.group())) for m in _TOKEN.finditer(text, start, stop)]
    i = 0
    while i < len(tokens):
        a = tokens[i][0]
        if any(d.start <= a < d.end for d in found):
            i += 1
            continue
        vocab = _vocab_hit([t[2] for t in tokens[i : i + MAX_WORDS]], lang)
        if vocab is None:
            i += 1
            continue
        n, (code, generic, ambiguous) = vocab
        b = tokens[i + n - 1][1]
        found.append(DrugMention(a, b, code, text[a:b], generic, ambiguous))
        i += n
    found.sort(key=lambda d: d.start)
    return found
