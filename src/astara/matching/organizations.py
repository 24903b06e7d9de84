"""Company names and registration numbers across scripts.

``fingerprint`` drops the legal form in any language and wherever it stands (MMC, LLC, ООО, «...»,
"Общество с ограниченной ответственностью", شرکت ... سهامی خاص, Ltd. Şti., San. ve Tic., A.Ş., ASC,
QSC, შპს ...), words that only say "trading company", and conjunctions (and, &, və, ve, и, و), and
turns the other words into phonetic keys, so "ООО «Гафгаз Экспресс»", "Gafgaz Express LLC", "Qafqaz
Ekspress MMC" and "شرکت قفقاز اکسپرس" share one fingerprint. Legal and generic words are recognised by
their phonetic keys too, so another script's spelling of one ("Теджарат", "Интернэшнл") is known.

``name_similarity`` pairs the words of two names. Two spellings of one word in two scripts count as the
same word; two neighbouring words may stand for one written together ("Nik Andish" = "Nikandish").
Generic words (transport, logistics, group, international, service and their translations) count half
when they agree, but fully when one name adds one, since "X Trans" and "X Logistics" are siblings. A
generic word known only in translation ("Nəqliyyat" = "Transport") counts half a match, since a
translated name alone does not prove the same company.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from astara.matching.phonetic import canonical, similarity
from astara.matching.scripts import fold_digits, normalize_persian, persian_skeleton, script_of, to_latin

# Legal forms and boilerplate that says only "a company that trades", in every language, compared after
# lower-casing, collapsing dotted abbreviations (A.Ş. -> aş) and dropping other dots.
LEGAL_PHRASES = (
    "məhdud məsuliyyətli cəmiyyəti", "məhdud məsuliyyətli cəmiyyət", "mehdud mesuliyyetli cemiyyeti",
    "mehdud mesuliyyetli cemiyyet", "açıq səhmdar cəmiyyəti", "açıq səhmdar cəmiyyət",
    "qapalı səhmdar cəmiyyəti", "qapalı səhmdar cəmiyyət", "səhmdar cəmiyyəti", "səhmdar cəmiyyət",
    "fərdi sahibkar",
    "общество с ограниченной ответственностью", "открытое акционерное общество",
    "закрытое акционерное общество", "публичное акционерное общество", "непубличное акционерное общество",
    "акционерное общество", "индивидуальный предприниматель", "торговый дом", "торговая компания",
    "obshchestvo s ogranichennoi otvetstvennostiu", "obshchestvo s ogranichennoy otvetstvennostyu",
    "limited liability company", "limited liability partnership", "public joint stock company",
    "closed joint stock company", "open joint stock company", "private joint stock company",
    "joint stock company", "public joint-stock company", "closed joint-stock company",
    "open joint-stock company", "private joint-stock company", "joint-stock company", "company limited",
    "trading company", "trading house", "trading co",
    "anonim şirketi", "anonim sirketi", "limited şirketi", "limited sirketi", "ltd şti", "ltd sti",
    "sanayi ve ticaret", "san ve tic", "san tic", "iç ve dış ticaret", "ic ve dis ticaret",
    "ithalat ihracat", "ith ihr", "ticarət evi", "ticaret evi",
    "با مسئولیت محدود", "مسئولیت محدود", "سهامی خاص", "سهامی عام", "تضامنی",
)  # fmt: skip
LEGAL_WORDS = frozenset(
    {
        "mmc", "llc", "llp", "ltd", "limited", "ooo", "ооо", "оао", "зао", "пао", "ао", "нао", "ип", "тд",
        "ммс", "oao", "zao", "pao", "ojsc", "cjsc", "jsc", "pjsc", "pjs", "asc", "qsc", "sc", "şti", "sti",
        "aş", "as", "ip", "inc", "co", "company", "corp", "corporation", "gmbh", "plc", "srl", "bv", "ag",
        "sa", "შპს", "სს", "ss", "shps", "şirkəti", "şirketi", "sirketi", "şirkət", "şirket", "компания",
        "شرکت", "سهامی", "خاص", "عام", "مسئولیت", "محدود", "موسسه", "مؤسسه", "institute",
        "ticarət", "ticarəti", "ticaret", "ticareti", "tic", "trading", "trade", "торговый", "торговая",
        "торговое", "торговля", "торговли", "بازرگانی", "تجارت", "tejarat", "tijarat", "bazargani",
        "пкф", "нпо", "нпп", "чп", "тпк", "фирма", "firma", "firması", "firmasi", "firm", "корпорация",
        "korporasiya", "тоо", "одо", "تعاونی", "مسوولیت", "مسؤولیت",
    }
)  # fmt: skip
# Conjunctions and articles in every language ("Araz & Kür" = "Araz və Kür" = "Араз и Кюр" = "آراز و کور").
STOP_WORDS = frozenset({"and", "və", "ve", "и", "و", "va", "the", "of"})
# Several words that say one generic thing, read as one word before splitting.
CONCEPT_PHRASES = {
    "حمل و نقل": "transport", "حمل ونقل": "transport", "بین المللی": "international",
    "بین‌المللی": "international",
}  # fmt: skip
# Generic words known in translation: each maps to one concept. They are common to many companies, so
# agreeing on them says less than agreeing on a distinctive word.
TRANSLATIONS = {
    "yük": "cargo", "yuk": "cargo", "юк": "cargo", "cargo": "cargo", "грузовые": "cargo", "bar": "cargo",
    "daşımaları": "transport", "dasimalari": "transport", "дашымалары": "transport", "transport": "transport",
    "taşımacılık": "transport", "tasimacilik": "transport", "nakliyat": "transport", "nakliye": "transport",
    "перевозки": "transport", "транспорт": "transport", "транспортная": "transport", "حمل": "transport",
    "نقل": "transport", "tarabar": "transport", "ترابر": "transport", "ترابری": "transport",
    "nəqliyyat": "transport", "nəqliyyatı": "transport", "neqliyyat": "transport", "naqliyyat": "transport",
    "trans": "trans", "транс": "trans", "ترانس": "trans",
    "qida": "food", "gida": "food",
    "gıda": "food", "food": "food", "продукты": "food", "غذا": "food", "xarici": "foreign", "dış": "foreign",
    "dis": "foreign", "foreign": "foreign", "внешняя": "foreign", "tikinti": "construction",
    "inşaat": "construction", "construction": "construction", "строительство": "construction",
    "ساختمان": "construction", "kimya": "chemical", "chemical": "chemical", "химия": "chemical",
    "techizat": "supply", "təchizat": "supply", "tedarik": "supply", "supply": "supply",
    "snabzhenie": "supply", "снабжение": "supply", "logistics": "logistics", "logistic": "logistics",
    "logistika": "logistics", "lojistik": "logistics", "логистика": "logistics", "логистик": "logistics",
    "логистики": "logistics", "لجستیک": "logistics", "لوجستیک": "logistics",
    "group": "group", "qrup": "group", "grup": "group", "группа": "group", "گروه": "group",
    "international": "international", "intl": "international", "beynəlxalq": "international",
    "beynelxalq": "international", "uluslararası": "international", "uluslararasi": "international",
    "международный": "international", "международная": "international", "интернешнл": "international",
    "интернэшнл": "international",
    "service": "service", "services": "service", "servis": "service", "сервис": "service",
    "xidmət": "service", "xidmətləri": "service", "hizmet": "service", "hizmetleri": "service",
    "услуги": "service", "خدمات": "service", "سرویس": "service",
    "industrial": "industry", "industry": "industry", "industries": "industry", "sənaye": "industry",
    "sanayi": "industry", "промышленный": "industry", "промышленная": "industry", "صنعتی": "industry",
    "صنایع": "industry",
    "holding": "holding", "holdinq": "holding", "холдинг": "holding", "هلدینگ": "holding",
    "sons": "sons", "oğulları": "sons", "ogullari": "sons", "oğullari": "sons", "сыновья": "sons",
    "پسران": "sons", "brothers": "brothers", "qardaşlar": "brothers", "qardaslar": "brothers",
    "kardeşler": "brothers", "kardesler": "brothers", "братья": "brothers", "برادران": "brothers",
    "energy": "energy", "enerji": "energy", "энергия": "energy", "энерджи": "energy", "انرژی": "energy",
}  # fmt: skip
GENERIC_WEIGHT = 0.5  # a paired generic word counts half a distinctive one; an unpaired one counts fully
_OW = re.compile(r"ov(?=[^aeiouy])")
_SOFTENED = re.compile(r"(?<=[bdfgklmnprstvz])y(?=[aeou])")
SAME_RENDERING = 0.95  # word similarity from which two spellings are one word in two scripts

REGISTRATION_PREFIXES = re.compile(
    r"^(?:VÖEN|VOEN|ВОЕН|ОГРН|OGRN|ИНН|INN|VKN|NID|ID|TIN|ს/კ|ს\.კ\.|شناسه ملی|کد ملی|شناسه|"
    r"REG(?:ISTRATION)?\.?\s*(?:NO|NUMBER)?|№|NO)[\s:.#№-]*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OrgWord:
    raw: str
    keys: tuple[str, ...]
    concept: str | None

    @property
    def weight(self) -> float:
        return GENERIC_WEIGHT if self.concept else 1.0


def _split(token: str) -> list[str]:
    """One written word as name words: hyphens inside a word join it ("Az-Trans" = "AzTrans"), numbers
    stand apart ("Хе-Тке-2", "№7")."""
    joined = re.sub(r"(?<=[^\W\d_])-(?=[^\W\d_])", "", token)
    return re.findall(r"\d+|[^\d-]+", joined)


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFC", name)
    if re.search("[\u0600-\u06ff]", text):
        text = normalize_persian(text)
    text = re.sub(r"(?<!\w)((?:\w\.){2,})", lambda m: m[1].replace(".", ""), text)  # A.Ş. -> AŞ
    text = re.sub(r"[«»\"“”„'’().,&/№:;]", " ", text).lower()
    text = " " + re.sub(r"\s+", " ", fold_digits(text)) + " "
    for phrase in LEGAL_PHRASES:
        text = text.replace(f" {phrase} ", " ")
    for phrase, concept in CONCEPT_PHRASES.items():
        text = text.replace(f" {phrase} ", f" {concept} ")
    words = [part for token in text.split() for part in _split(token)]
    return [w for w in words if w not in LEGAL_WORDS and w not in STOP_WORDS]


@lru_cache(maxsize=65536)
def _word_keys(word: str) -> tuple[str, ...]:
    """Phonetic keys of one name word: a Persian skeleton, or the plain and Turkic Latin readings."""
    if script_of(word) == "fa":
        return (persian_skeleton(word),)
    latin = to_latin(word)
    if script_of(word) == "cyrl" and word[:1] in "еЕ":
        latin = "y" + latin  # a Russian word-initial е is said ye (Евлах = Yevlax)
    keys = (canonical(latin), canonical(latin, True))
    # Russian я ю after a consonant soften it rather than add a y (Кюр = Kür, Лянкяран = Lənkəran), and
    # English writes Persian o as ow before a consonant (Kowsar = Kosar, Nowruz = Noruz).
    soft = tuple(_OW.sub("o", _SOFTENED.sub("", key)) for key in keys)
    return tuple(dict.fromkeys(keys + soft))


@lru_cache(maxsize=1)
def _known_keys() -> tuple[frozenset[str], dict[str, str]]:
    """Phonetic keys of the legal words and of the generic words' concepts, so that a word written in
    another script ("Теджарат" for "Tejarat", "Интернэшнл") is known too."""
    legal = frozenset(key for word in LEGAL_WORDS for key in _word_keys(word))
    concepts = {key: concept for word, concept in TRANSLATIONS.items() for key in _word_keys(word)}
    return legal, concepts


@lru_cache(maxsize=65536)
def fingerprint(name: str) -> tuple[OrgWord, ...]:
    """The distinctive words of a company name, each with phonetic keys and a known concept."""
    legal, concepts = _known_keys()
    out = []
    for word in _words(name):
        keys = _word_keys(word)
        if any(key in legal for key in keys):
            continue
        concept = TRANSLATIONS.get(word) or next((concepts[k] for k in keys if k in concepts), None)
        out.append(OrgWord(word, keys, concept))
    return tuple(out)


@lru_cache(maxsize=65536)
def _word_score(a: OrgWord, b: OrgWord) -> float:
    if a.raw.isdigit() or b.raw.isdigit():
        return 1.0 if a.raw == b.raw else 0.0
    sim = max((similarity(x, y) for x in a.keys for y in b.keys), default=0.0)
    same_concept = a.concept is not None and a.concept == b.concept
    if sim >= SAME_RENDERING or (same_concept and sim >= 0.8):  # Energy = Enerji = Энерджи
        return 1.0
    if sim >= 0.8:
        return sim
    if same_concept:
        return 0.5
    # A Russian adjective from a place name (Astrakhanskii) against the place (Astrakhan).
    shorter, longer = sorted((a.keys[0], b.keys[0]), key=len)
    if len(shorter) >= 5 and longer.startswith(shorter):
        return 0.85
    return 0.0


def _compounds(
    words: tuple[OrgWord, ...], best: list[float], lone_others: list[OrgWord]
) -> tuple[OrgWord, ...]:
    """Two neighbouring words without a partner written as one on the other side ("Nik Andish" =
    "Nikandish" = "نیک‌اندیش", "Azər Trans" = "Азертранс") become that one word."""
    out, scores = list(words), list(best)
    i = 0
    while lone_others and i + 1 < len(out):
        first, second = out[i], out[i + 1]
        if max(scores[i], scores[i + 1]) < SAME_RENDERING and not (first.raw + second.raw).isdigit():
            joined = OrgWord(first.raw + second.raw, _word_keys(first.raw + second.raw), None)
            if max(_word_score(joined, other) for other in lone_others) >= SAME_RENDERING:
                out[i : i + 2], scores[i : i + 2] = [joined], [1.0]
        i += 1
    return tuple(out)


def _matrix(fa: tuple[OrgWord, ...], fb: tuple[OrgWord, ...]) -> list[list[float]]:
    return [[_word_score(x, y) for y in fb] for x in fa]


def name_similarity(a: str, b: str) -> tuple[float, list[str]]:
    """Share of the words (0..1) that agree, greedily paired, and what was paired. A paired generic word
    (transport, group ...) weighs half, an unpaired word of either kind weighs fully: sharing "Logistics"
    says little, while an added "Logistics" makes a sibling company."""
    fa, fb = fingerprint(a), fingerprint(b)
    if not fa or not fb:
        return 0.0, ["no distinctive words"]
    matrix = _matrix(fa, fb)
    best_a = [max(row) for row in matrix]
    best_b = [max(column) for column in zip(*matrix, strict=True)]
    lone_a = [w for w, score in zip(fa, best_a, strict=True) if score < SAME_RENDERING]
    lone_b = [w for w, score in zip(fb, best_b, strict=True) if score < SAME_RENDERING]
    if lone_a and lone_b:
        ca, cb = _compounds(fa, best_a, lone_b), _compounds(fb, best_b, lone_a)
        if (ca, cb) != (fa, fb):
            fa, fb, matrix = ca, cb, _matrix(ca, cb)
    scored = sorted(((row[j], i, j) for i, row in enumerate(matrix) for j in range(len(fb))), reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    agreed = weights = 0.0
    notes = []
    for score, i, j in scored:
        if score <= 0 or i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        agreed += score * (fa[i].weight + fb[j].weight)
        weights += fa[i].weight + fb[j].weight
        notes.append(f"{fa[i].raw} ~ {fb[j].raw} ({score:.2f})")
    unpaired = [w.raw for k, w in enumerate(fa) if k not in used_a] + [
        w.raw for k, w in enumerate(fb) if k not in used_b
    ]
    if unpaired:
        notes.append("unpaired: " + ", ".join(unpaired))
    return agreed / (weights + len(unpaired)), notes


def normalize_registration(text: str | None) -> str | None:
    """Digits and letters of a registry number without its prefix (VÖEN, ОГРН, ს/კ ...) or spaces."""
    if not text:
        return None
    value = REGISTRATION_PREFIXES.sub("", fold_digits(unicodedata.normalize("NFC", text)).strip())
    value = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    return value or None
