"""Company names and registration numbers across scripts.

``fingerprint`` drops the legal form in any language (MMC, LLC, ООО, شرکت ... سهامی خاص, Ltd. Şti.,
A.Ş., ASC, QSC, შპს ...) and words that only say "trading company", and turns the distinctive words
into phonetic keys, so "ООО «Гафгаз Экспресс»", "Gafgaz Express LLC", "Qafqaz Ekspress MMC" and
"شرکت قفقاز اکسپرس" share one fingerprint. A few common words are known in translation ("Yük
Daşımaları" = "Cargo Transport"); such pairs count as half a match, since a translated name alone
does not prove the same company.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from astara.matching.phonetic import canonical, similarity
from astara.matching.scripts import fold_digits, normalize_persian, persian_skeleton, script_of, to_latin

# Legal forms and generic words, compared after lower-casing and dropping dots.
LEGAL_PHRASES = (
    "məhdud məsuliyyətli cəmiyyəti", "məhdud məsuliyyətli cəmiyyət",
    "общество с ограниченной ответственностью",
    "limited liability company", "anonim şirketi", "anonim sirketi", "limited şirketi", "limited sirketi",
    "açıq səhmdar cəmiyyəti", "qapalı səhmdar cəmiyyəti", "открытое акционерное общество",
    "закрытое акционерное общество", "акционерное общество", "سهامی خاص", "سهامی عام", "مسئولیت محدود",
    "ltd şti", "ltd sti", "trading company", "trading co",
)  # fmt: skip
LEGAL_WORDS = frozenset(
    {
        "mmc", "llc", "ltd", "limited", "ooo", "ооо", "оао", "зао", "пао", "ао", "oao", "zao", "pao",
        "ojsc", "cjsc", "jsc", "pjsc", "asc", "qsc", "sc", "şti", "sti", "aş", "as", "inc", "co",
        "company", "corp", "corporation", "gmbh", "plc", "შპს", "სს", "ss", "shps", "şirkəti", "şirketi",
        "sirketi", "şirkət", "شرکت", "سهامی", "خاص", "عام", "با", "مسئولیت", "محدود", "ticarət", "ticaret",
        "trading", "trade", "торговый", "торговая", "торговое", "بازرگانی", "the",
    }
)  # fmt: skip
# Words known in translation: each maps to one concept.
TRANSLATIONS = {
    "yük": "cargo", "yuk": "cargo", "юк": "cargo", "cargo": "cargo", "грузовые": "cargo", "bar": "cargo",
    "daşımaları": "transport", "dasimalari": "transport", "дашымалары": "transport", "transport": "transport",
    "taşımacılık": "transport", "перевозки": "transport", "транспорт": "transport", "حمل": "transport",
    "نقل": "transport", "tarabar": "transport", "ترابر": "transport", "qida": "food", "gida": "food",
    "gıda": "food", "food": "food", "продукты": "food", "غذا": "food", "xarici": "foreign", "dış": "foreign",
    "dis": "foreign", "foreign": "foreign", "внешняя": "foreign", "tikinti": "construction",
    "inşaat": "construction", "construction": "construction", "строительство": "construction",
    "ساختمان": "construction", "kimya": "chemical", "chemical": "chemical", "химия": "chemical",
    "techizat": "supply", "təchizat": "supply", "tedarik": "supply", "supply": "supply",
    "snabzhenie": "supply", "снабжение": "supply", "logistics": "logistics", "logistika": "logistics",
    "lojistik": "logistics", "логистика": "logistics",
}  # fmt: skip

REGISTRATION_PREFIXES = re.compile(
    r"^(?:VÖEN|VOEN|ВОЕН|ОГРН|OGRN|ИНН|INN|VKN|NID|ID|TIN|ს/კ|ს\.კ\.|شناسه ملی|کد ملی)[\s:.#№-]*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OrgWord:
    raw: str
    keys: tuple[str, ...]
    concept: str | None


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFC", name)
    if re.search("[\u0600-\u06ff]", text):
        text = normalize_persian(text)
    text = re.sub(r"[«»\"“”„'’().,&/]", " ", text).lower()
    text = fold_digits(text)
    for phrase in LEGAL_PHRASES:
        text = text.replace(phrase, " ")
    return [w for w in re.split(r"[\s-]+", text) if w and w not in LEGAL_WORDS]


@lru_cache(maxsize=65536)
def fingerprint(name: str) -> tuple[OrgWord, ...]:
    """The distinctive words of a company name, each with phonetic keys and a known concept."""
    out = []
    for word in _words(name):
        script = script_of(word)
        if script == "fa":
            keys: tuple[str, ...] = (persian_skeleton(word),)
        else:
            latin = to_latin(word)
            keys = tuple(dict.fromkeys((canonical(latin), canonical(latin, True))))
        out.append(OrgWord(word, keys, TRANSLATIONS.get(word)))
    return tuple(out)


def _word_score(a: OrgWord, b: OrgWord) -> float:
    if a.raw.isdigit() or b.raw.isdigit():
        return 1.0 if a.raw == b.raw else 0.0
    sim = max((similarity(x, y) for x in a.keys for y in b.keys), default=0.0)
    if sim >= 0.8:
        return sim
    if a.concept and a.concept == b.concept:
        return 0.5
    # A Russian adjective from a place name (Astrakhanskii) against the place (Astrakhan).
    shorter, longer = sorted((a.keys[0], b.keys[0]), key=len)
    if len(shorter) >= 5 and longer.startswith(shorter):
        return 0.85
    return 0.0


def name_similarity(a: str, b: str) -> tuple[float, list[str]]:
    """Share of distinctive words (0..1) that agree, greedily paired, and what was paired."""
    fa, fb = fingerprint(a), fingerprint(b)
    if not fa or not fb:
        return 0.0, ["no distinctive words"]
    scored = sorted(
        ((_word_score(x, y), i, j) for i, x in enumerate(fa) for j, y in enumerate(fb)), reverse=True
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    total = 0.0
    notes = []
    for score, i, j in scored:
        if score <= 0 or i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        total += score
        notes.append(f"{fa[i].raw} ~ {fb[j].raw} ({score:.2f})")
    unpaired = [w.raw for k, w in enumerate(fa) if k not in used_a] + [
        w.raw for k, w in enumerate(fb) if k not in used_b
    ]
    if unpaired:
        notes.append("unpaired: " + ", ".join(unpaired))
    return 2 * total / (len(fa) + len(fb)), notes


def normalize_registration(text: str | None) -> str | None:
    """Digits and letters of a registry number without its prefix (VÖEN, ОГРН, ს/კ ...) or spaces."""
    if not text:
        return None
    value = REGISTRATION_PREFIXES.sub("", fold_digits(unicodedata.normalize("NFC", text)).strip())
    value = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    return value or None
