"""Person names as tokens: order, patronymics, honorifics, initials, surname suffixes and given-name ids.

``parse_name`` reads a name as any agency wrote it ("Bayramov Əli Ramil oğlu", "MORADI<<MOHSEN",
"RAHMANI, Nader", "Рзаев М.Г.", "سید ولی امیری فرزند محسن", "Sharify Ali s/o Mohsen") into name tokens
(given names and surnames in no assumed order), the father's name when one is given, initials, and the
sex a patronymic or a feminine surname shows. Each token carries its phonetic keys (``phonetic``), the
id of its given name in the project's table of equivalents (``data/given_names.yaml``) and its surname
suffix family (-ov/-ova/-yev Slavic, -i/-zadeh/-pour/-ian Persian, -li Turkic).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from astara.kit.yamlfile import safe_load
from astara.matching.phonetic import PERSIAN_MARK, canonical, distance, loose
from astara.matching.scripts import normalize_persian, persian_skeleton, script_of, to_latin

HONORIFICS = frozenset(
    {
        "seyed", "seyyed", "sayed", "sayyed", "seyid", "seyyid", "sayyid", "sayid", "syed", "sied", "haj",
        "hajj", "haji", "hajji", "hadji", "mir-seyed", "سید", "سيد", "حاج", "حاجی", "آقای", "آقا", "خانم",
        "mr", "mrs", "ms", "гражданин", "гражданка", "сеид", "сейид", "сейед", "гаджи", "хаджи",
    }
)  # fmt: skip
# The father's name stands before these markers ("Ramil oğlu") ...
MARKERS_AFTER = {
    "oğlu": "m", "oglu": "m", "ogly": "m", "oglı": "m", "ogli": "m", "оглы": "m", "оғлу": "m", "огли": "m",
    "اوغلو": "m", "qızı": "f", "qizi": "f", "gizi": "f", "kizi": "f", "kyzy": "f", "gyzy": "f", "кызы": "f",
    "гызы": "f", "ғызы": "f", "гизи": "f", "قیزی": "f",
}  # fmt: skip
# ... and after these ("فرزند محسن", "s/o Mohsen").
MARKERS_BEFORE = {
    "فرزند": None,
    "ولد": "m",
    "بنت": "f",
    "s/o": "m",
    "d/o": "f",
    "son": "m",
    "ibn": "m",
    "bin": "m",
}
_RUSSIFIED_PATRONYMIC = re.compile(
    r"(?:ович|евич|ьевич|ич|овна|евна|ична|ovich|evich|ovna|evna|ichna|ovitch|evitch)$", re.IGNORECASE
)
_FEMALE_PATRONYMIC = re.compile(r"(?:овна|евна|ична|ovna|evna|ichna)$", re.IGNORECASE)
# Persian records write Slavic and Persian surname endings detached, after a space or a ZWNJ.
_DETACHED = frozenset(
    {
        "اف", "یف", "وف", "اوا", "یوا", "وا", "زاده", "زاد", "پور", "zadeh", "zade", "zadə", "pour", "pur",
    }
)  # fmt: skip

_SLAVIC = re.compile(r"^(?P<root>.{2,}?)y?(?P<suf>ov|ev|ova|eva|in|ina)$")
_PERSIAN_LATIN = re.compile(r"^(?P<root>.{2,}?)(?P<suf>zade|pur|ian|i)$")
_TURKIC = re.compile(r"^(?P<root>.{2,}?)(?P<suf>li|lu)$")
_SLAVIC_FA = re.compile(r"^(?P<root>.{2,}?)(?P<suf>Af|Yf|Wf|WA|YWA|AWA)$")
_PERSIAN_FA = re.compile(r"^(?P<root>.{2,}?)(?P<suf>zAdE|pWr|YAn|Y)$")
SUFFIX_FAMILY = {
    "ov": "slavic", "ev": "slavic", "ova": "slavic", "eva": "slavic", "yov": "slavic", "yova": "slavic",
    "in": "slavic", "ina": "slavic", "Af": "slavic", "Yf": "slavic", "Wf": "slavic", "WA": "slavic",
    "YWA": "slavic", "AWA": "slavic", "zade": "persian", "pur": "persian", "ian": "persian", "i": "persian",
    "zAdE": "persian", "pWr": "persian", "YAn": "persian", "Y": "persian", "li": "turkic", "lu": "turkic",
}  # fmt: skip
FEMININE_SUFFIXES = frozenset({"ova", "eva", "yova", "ina", "WA", "YWA", "AWA"})
# Spellings of one ending across scripts (-ov = -ev = اف; -ova = وا; -zadeh = زاده ...).
SUFFIX_CLASS = {
    "ov": "ov", "ev": "ov", "yov": "ov", "Af": "ov", "Yf": "ov", "Wf": "ov", "ova": "ov", "eva": "ov",
    "yova": "ov", "WA": "ov", "YWA": "ov", "AWA": "ov", "in": "in", "ina": "in", "zade": "zade",
    "zAdE": "zade", "pur": "pur", "pWr": "pur", "ian": "ian", "YAn": "ian", "i": "i", "Y": "i", "li": "li",
    "lu": "li",
}  # fmt: skip


@dataclass(frozen=True)
class Token:
    """One name word: as written, its phonetic keys, given-name id and surname suffix."""

    raw: str
    script: str
    keys: tuple[str, ...]
    given_id: str | None = None
    roots: tuple[tuple[str, str], ...] = ()  # (root key, suffix) pairs

    @property
    def initial(self) -> str:
        return self.keys[0].lstrip(PERSIAN_MARK)[:1].lower() if self.keys else ""


@dataclass
class ParsedName:
    raw: str
    tokens: list[Token] = field(default_factory=list)
    patronymic: Token | None = None
    initials: list[str] = field(default_factory=list)
    sex: str | None = None  # "m" or "f" when a patronymic marker or a feminine surname shows it


def _keys(word: str, script: str, turkic: bool) -> tuple[str, ...]:
    if script == "fa":
        return (persian_skeleton(word),)
    latin = to_latin(word)
    keys = [canonical(latin, turkic or script == "cyrl")]
    if script == "latn" and not turkic and re.search("[cxCX]", latin):
        keys.append(canonical(latin, True))
        # ICAO and upper-case forms drop the cedilla: CELIK may be Çelik.
        keys.append(canonical(re.sub("[cC](?![hH])", "ç", latin), True))
    return tuple(dict.fromkeys(k for k in keys if k))


def _roots(keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for key in keys:
        if key.startswith(PERSIAN_MARK):
            body = key[1:]
            for pattern in (_SLAVIC_FA, _PERSIAN_FA):
                found = pattern.match(body)
                if found:
                    out.append((PERSIAN_MARK + found["root"], found["suf"]))
                    break
            continue
        for pattern in (_SLAVIC, _PERSIAN_LATIN, _TURKIC):
            found = pattern.match(key)
            if found and len(found["root"]) >= 3:
                out.append((found["root"], found["suf"]))
                break
    return tuple(out)


@lru_cache(maxsize=1)
def given_name_index() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(look-up key -> id, id -> every key of its forms) from ``data/given_names.yaml``."""
    text = resources.files("astara.matching").joinpath("data/given_names.yaml").read_text(encoding="utf-8")
    table: dict[str, list[str]] = safe_load(text)
    index: dict[str, str] = {}
    forms: dict[str, list[str]] = {}
    for name_id, spellings in table.items():
        for spelling in spellings:
            script = script_of(spelling)
            for key in _lookup_keys(str(spelling), script):
                index.setdefault(key, name_id)
            if script == "fa":
                index.setdefault("sk:" + persian_skeleton(str(spelling)), name_id)
            forms.setdefault(name_id, []).extend(_keys(str(spelling), script, False))
    return index, forms


def _lookup_keys(word: str, script: str) -> list[str]:
    """Keys of one spelling in the table: a bare c or an x in a table spelling is Azerbaijani or Turkish
    (Camal, Cavad, Xəlil), so only that reading is indexed."""
    if script == "fa":
        return ["fa:" + normalize_persian(word).replace(" ", "")]
    turkic = bool(re.search("c(?!h)|x", word, re.IGNORECASE))
    return [loose(k) for k in _keys(word, script, turkic)]


def given_id(word: str, script: str, turkic: bool = False) -> str | None:
    index = given_name_index()[0]
    if script == "fa":
        return index.get("fa:" + normalize_persian(word).replace(" ", ""))
    for key in _keys(word, script, turkic):
        found = index.get(loose(key))
        if found:
            return found
    return None


def root_given_id(root: str) -> str | None:
    """The given name a surname is made from (Əliyev, Hasanov, حسین‌زاده), when the table knows it."""
    index = given_name_index()[0]
    if root.startswith(PERSIAN_MARK):
        return index.get("sk:" + root)
    return index.get(loose(root))


@lru_cache(maxsize=1 << 17)
def make_token(word: str, turkic: bool = False) -> Token:
    """One name word read; cached, since a batch repeats the same words (tokens are immutable)."""
    script = script_of(word)
    keys = _keys(word, script, turkic)
    return Token(word, script, keys, given_id(word, script, turkic), _roots(keys))


def _split(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text)
    if script_of(text) == "fa" or re.search("[\u0600-\u06ff]", text):
        text = normalize_persian(text)
    text = re.sub(r"\b([sSdD])\s*/\s*([oO])\b", lambda m: f"{m[1].lower()}/o", text)
    words = re.findall(r"[^\s,;()«»\"<>]+", text)
    out: list[str] = []
    for word in words:
        # "М.Г." -> two initials; "Kh-Tkye" stays one word.
        if re.fullmatch(r"(?:\w\.){2,}", word):
            out.extend(part + "." for part in word.split(".") if part)
        else:
            out.append(word)
    return out


def parse_name(text: str, turkic: bool = False) -> ParsedName:
    """Read one person's name as written; ``turkic`` when the form was Azerbaijani or Turkish."""
    parsed = ParsedName(text)
    body = text
    if "<<" in body:  # MRZ: SURNAME<<GIVEN<NAMES
        surname, _, given = body.partition("<<")
        body = f"{surname.replace('<', ' ')} {given.replace('<', ' ')}"
    # Join detached suffixes ("بایرام اف", "PAHLAVAN ZADEH", "حاجی‌یف") to the word before, then drop
    # honorifics that stand alone.
    joined: list[str] = []
    for word in _split(body):
        if joined and word.lower() in _DETACHED and not joined[-1].endswith("."):
            joined[-1] += word
        else:
            joined.append(word)
    words = [w for w in joined if w.lower().strip(".") not in HONORIFICS]
    father: str | None = None
    i = 0
    names: list[str] = []
    while i < len(words):
        word, low = words[i], words[i].lower()
        if low in MARKERS_AFTER and names:
            father = names.pop()
            parsed.sex = MARKERS_AFTER[low]
        elif low in MARKERS_BEFORE and i + 1 < len(words):
            father = words[i + 1]
            parsed.sex = MARKERS_BEFORE[low] or parsed.sex
            i += 1
            if low == "son" and father.lower() == "of" and i + 1 < len(words):
                father = words[i + 1]
                i += 1
        else:
            names.append(word)
        i += 1
    if father is None:
        for j, word in enumerate(names):
            if j > 0 and len(word) > 6 and _RUSSIFIED_PATRONYMIC.search(word):
                father = _RUSSIFIED_PATRONYMIC.sub("", word)
                parsed.sex = "f" if _FEMALE_PATRONYMIC.search(word) else "m"
                names.pop(j)
                break
    for word in names:
        stripped = word.rstrip(".")
        if word.endswith(".") and len(stripped) <= 2:
            parsed.initials.append(make_token(stripped, turkic).initial)
        elif stripped:
            token = make_token(stripped, turkic)
            parsed.tokens.append(token)
            if (
                parsed.sex is None
                and token.given_id is None
                and any(s in FEMININE_SUFFIXES for _, s in token.roots)
            ):
                parsed.sex = "f"
    if father:
        parsed.patronymic = make_token(father, turkic)
    return parsed


def token_form_distance(token: Token, name_id: str) -> float:
    """The least distance between ``token`` and any spelling of the given name ``name_id``."""
    return _keys_form_distance(token.keys, name_id)


@lru_cache(maxsize=1 << 17)
def _keys_form_distance(keys: tuple[str, ...], name_id: str) -> float:
    forms = given_name_index()[1].get(name_id, [])
    return min((distance(k, f) for k in keys for f in forms), default=9.0)
