"""One phonetic alphabet for every Latin spelling, and a weighted edit distance that knows transliteration.

``canonical`` turns a Latin word (English press, ICAO passport, Azerbaijani, Turkish, or a Cyrillic word
already in Latin letters) into lower-case symbols where the spellings of one sound agree: ``S`` for
sh/ş/ш, ``C`` for ch/ç/ч, ``J`` for j/c/zh/dzh/ж/ҹ, ``h`` for h/kh/x/х, ``g`` for g/q/gh/ğ, ``v`` for v/w,
``u`` for ou/oo/ü, ``i`` for ı/ee, ``a`` for ə; doubled letters count once.

``distance`` is an edit distance with costs that follow how names drift between scripts: a short vowel
that Persian script never writes costs almost nothing, e against a or o against u little, Russian г for
h (Гади for Hadi) little, a swap of neighbours (a typing slip) less than two edits, ``rn`` read as
``m`` little; a different consonant costs a full edit (Nasiri is not Nazari).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

VOWELS = frozenset("aeiou")
PERSIAN_VOWELS = frozenset("AWY@E")

_AZ_LETTERS = re.compile("[əƏıİşŞçÇğĞöÖüÜ]")
_FOLD = str.maketrans({
    "ə": "a", "ä": "a", "á": "a", "à": "a", "â": "a", "ã": "a", "å": "a", "ı": "i", "í": "i", "î": "i",
    "ï": "i", "ý": "y", "ň": "n",
    "ó": "o", "ô": "o", "õ": "o", "ø": "o", "ü": "u", "ú": "u", "û": "u", "ù": "u",
    "é": "e", "è": "e", "ê": "e", "ë": "e", "ş": "S", "ç": "C", "ğ": "g", "ñ": "n", "ž": "J", "š": "S",
    "č": "C", "'": "", "’": "", "`": "", "ʼ": "", "-": "", ".": "",
})  # fmt: skip
_DIGRAPHS = (
    ("shch", "SC"), ("sch", "S"), ("dzh", "J"), ("dj", "J"), ("zh", "J"), ("kh", "h"), ("gh", "g"),
    ("sh", "S"), ("ch", "C"), ("ph", "f"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("w", "v"), ("q", "g"),
)  # fmt: skip


def has_azerbaijani_letters(text: str) -> bool:
    return bool(_AZ_LETTERS.search(text))


@lru_cache(maxsize=65536)
def canonical(word: str, turkic: bool = False) -> str:
    """``word`` in the phonetic alphabet; ``turkic`` reads c as j and x as kh (Azerbaijani, Turkish)."""
    text = unicodedata.normalize("NFC", word).replace("İ", "i").replace("I", "ı" if turkic else "i").lower()
    turkic = turkic or has_azerbaijani_letters(text)
    text = text.replace("ö", "o").translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if ch.isalpha())
    for old, new in _DIGRAPHS:
        text = text.replace(old, new)
    text = text.replace("j", "J")
    if turkic:
        text = text.replace("c", "J").replace("x", "h")
    else:
        text = text.replace("x", "ks").replace("ck", "k").replace("c", "k")
    # y before a consonant or at the end is a vowel (Bayram = Bairam); iy before a vowel is i (-iyan).
    text = re.sub(r"iy(?=[aeiou])", "i", text)
    text = re.sub(r"(?<=.)y(?![aeiou])", "i", text)
    text = re.sub(r"(?:iy|yi|ii)$", "i", text)
    text = re.sub(r"(?<=[aeiou])h$", "", text)  # Zadeh = Zade, Masoumeh = Masume
    return re.sub(r"(.)\1+", r"\1", text)


def loose(key: str) -> str:
    """A coarser key for table look-ups: e as a, o as u, y as i (Mohammed = Muhammad, Hossein = Huseyn)."""
    text = key.translate(str.maketrans("eoy", "aui"))
    return re.sub(r"(.)\1+", r"\1", text)


_CHEAP: dict[frozenset[str], float] = {
    frozenset("ae"): 0.2, frozenset("ou"): 0.2, frozenset("iy"): 0.1, frozenset("ei"): 0.3,
    frozenset("ao"): 0.4, frozenset("iu"): 0.5, frozenset("ey"): 0.4, frozenset("hg"): 0.4,
    frozenset("gk"): 0.5, frozenset("td"): 0.5, frozenset("vf"): 0.5, frozenset("Jj"): 0.0,
    frozenset("zJ"): 0.7, frozenset("sS"): 0.5, frozenset("CJ"): 0.6, frozenset("ua"): 0.6,
}  # fmt: skip
# Persian long-vowel symbols against the Latin letters that write them.
_PERSIAN_SUB: dict[str, dict[str, float]] = {
    "A": {"a": 0.0, "e": 0.3, "o": 0.3, "i": 0.6, "u": 0.6},
    "W": {"v": 0.0, "u": 0.0, "o": 0.0, "a": 0.9, "e": 0.9, "i": 0.9},
    "Y": {"y": 0.0, "i": 0.0, "e": 0.0, "a": 0.4, "u": 0.6, "o": 0.6},
    "@": {v: 0.0 for v in "aeiouy"},
    "E": {"e": 0.0, "a": 0.0, "h": 0.1, "i": 0.4},
}
_PERSIAN_DELETE = {"A": 0.5, "W": 0.9, "Y": 0.6, "@": 0.0, "E": 0.15}
PERSIAN_MARK = "~"  # first character of a Persian skeleton (scripts.persian_skeleton)


def _sub(x: str, y: str) -> float:
    if x == y:
        return 0.0
    if x in PERSIAN_VOWELS:
        return _PERSIAN_SUB[x].get(y, 1.0)
    if y in PERSIAN_VOWELS:
        return _PERSIAN_SUB[y].get(x, 1.0)
    cheap = _CHEAP.get(frozenset((x, y)))
    if cheap is not None:
        return cheap
    if x in VOWELS and y in VOWELS:
        return 0.6
    return 1.0


def _indel(ch: str, other_is_persian: bool) -> float:
    """Cost of a letter that the other spelling lacks."""
    if ch in PERSIAN_VOWELS:
        return _PERSIAN_DELETE[ch]
    if ch in VOWELS:
        if other_is_persian:
            return 0.05 if ch in "aeo" else 0.3
        return 0.35
    if ch == "y":
        return 0.3
    if ch == "h" and other_is_persian:
        return 0.5
    return 1.0


_OCR_PAIRS = {("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("vv", "v"), ("v", "vv")}


@lru_cache(maxsize=262144)
def distance(a: str, b: str) -> float:
    """Weighted edit distance between two phonetic strings (either may be a Persian skeleton)."""
    if a == b:
        return 0.0
    a_fa, b_fa = a.startswith(PERSIAN_MARK), b.startswith(PERSIAN_MARK)
    a, b = a.lstrip(PERSIAN_MARK), b.lstrip(PERSIAN_MARK)
    n, m = len(a), len(b)
    d = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        d[i][0] = d[i - 1][0] + _indel(a[i - 1], b_fa)
    for j in range(1, m + 1):
        d[0][j] = d[0][j - 1] + _indel(b[j - 1], a_fa)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best = min(
                d[i - 1][j] + (0.1 if i > 1 and a[i - 1] == a[i - 2] else _indel(a[i - 1], b_fa)),
                d[i][j - 1] + (0.1 if j > 1 and b[j - 1] == b[j - 2] else _indel(b[j - 1], a_fa)),
                d[i - 1][j - 1] + _sub(a[i - 1], b[j - 1]),
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] and a[i - 1] != a[i - 2]:
                best = min(best, d[i - 2][j - 2] + 0.6)
            if i > 1 and (a[i - 2 : i], b[j - 1]) in _OCR_PAIRS:
                best = min(best, d[i - 2][j - 1] + 0.5)
            if j > 1 and (a[i - 1], b[j - 2 : j]) in _OCR_PAIRS:
                best = min(best, d[i - 1][j - 2] + 0.5)
            d[i][j] = best
    return d[n][m]


def similarity(a: str, b: str) -> float:
    """1 - distance over the longer Latin length, in 0..1."""
    if not a or not b:
        return 0.0
    length = max(sum(ch not in "@~" for ch in a), sum(ch not in "@~" for ch in b), 1)
    return max(0.0, 1.0 - distance(a, b) / length)
