"""Scripts: detect them, fold digits, carry Cyrillic, Georgian and Persian letters into one Latin alphabet.

Own tables rather than ICU: the BGN/PCGN 1993 Azerbaijani Cyrillic table, ICAO Doc 9303 for Russian and
the national Georgian system are each a few dozen letters, and keeping them here means no system
library (libicu) is needed on a fresh machine. ``anyascii`` covers any other script as a fallback.

Persian script writes no short vowels, so it is not turned into one Latin spelling: ``persian_skeleton``
keeps its long-vowel letters as symbols that stand for several Latin letters (``A`` for alef, ``W`` for
vav, ``Y`` for ye, ``@`` for an initial alef, ayn or hamza, ``E`` for a final he), and
``phonetic.distance`` aligns them with the vowels a Latin spelling writes out.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")

# Arabic code points typed for Persian ones, and marks that carry no letter.
_PERSIAN_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ۀ": "ه", "ـ": None, "\u200c": " "})
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed]")

RU_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ў": "u",
}  # fmt: skip
# Azerbaijani Cyrillic (1958-1991) to today's Azerbaijani Latin letters (BGN/PCGN 1993).
AZ_CYRILLIC = {
    **RU_CYRILLIC,
    "г": "q", "ғ": "ğ", "ҝ": "g", "һ": "h", "ј": "y", "ҹ": "c", "ү": "ü", "ө": "ö", "ә": "ə", "х": "x",
    "ы": "ı", "ч": "ç", "ш": "ş", "ж": "j", "е": "e",
}  # fmt: skip
AZ_CYRILLIC_ONLY = set("әғҝһјҹүө")

GEORGIAN = {
    "ა": "a", "ბ": "b", "გ": "g", "დ": "d", "ე": "e", "ვ": "v", "ზ": "z", "თ": "t", "ი": "i", "კ": "k",
    "ლ": "l", "მ": "m", "ნ": "n", "ო": "o", "პ": "p", "ჟ": "zh", "რ": "r", "ს": "s", "ტ": "t", "უ": "u",
    "ფ": "p", "ქ": "k", "ღ": "gh", "ყ": "q", "შ": "sh", "ჩ": "ch", "ც": "ts", "ძ": "dz", "წ": "ts",
    "ჭ": "ch", "ხ": "kh", "ჯ": "j", "ჰ": "h",
}  # fmt: skip

# Persian letters as skeleton symbols (see the module docstring); consonants use phonetic's alphabet.
PERSIAN = {
    "ا": "A", "آ": "@", "أ": "@", "إ": "@", "ء": "@", "ئ": "@", "ع": "@", "ؤ": "W", "ب": "b", "پ": "p",
    "ت": "t", "ث": "s", "ج": "J", "چ": "C", "ح": "h", "خ": "h", "د": "d", "ذ": "z", "ر": "r", "ز": "z",
    "ژ": "J", "س": "s", "ش": "S", "ص": "s", "ض": "z", "ط": "t", "ظ": "z", "غ": "g", "ف": "f", "ق": "g",
    "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "و": "W", "ه": "h", "ی": "Y",
}  # fmt: skip


def script_of(text: str) -> str:
    """``fa`` (Arabic script), ``cyrl``, ``geo`` or ``latn``: the script of most letters in ``text``."""
    counts = {"fa": 0, "cyrl": 0, "geo": 0, "latn": 0}
    for ch in text:
        code = ord(ch)
        if 0x0600 <= code <= 0x06FF or 0xFB50 <= code <= 0xFEFF:
            counts["fa"] += 1
        elif 0x0400 <= code <= 0x04FF:
            counts["cyrl"] += 1
        elif 0x10A0 <= code <= 0x10FF:
            counts["geo"] += 1
        elif ch.isalpha():
            counts["latn"] += 1
    return max(counts, key=lambda k: counts[k]) if any(counts.values()) else "latn"


def normalize_persian(text: str) -> str:
    """Persian letters for Arabic look-alikes, no vowel marks or tatweel, ZWNJ as a space."""
    text = unicodedata.normalize("NFC", text).translate(_PERSIAN_FOLD)
    return _ARABIC_MARKS.sub("", text).translate(DIGITS)


def cyrillic_to_latin(text: str) -> str:
    """Russian (ICAO-like) or, when an Azerbaijani-only letter is present, Azerbaijani Cyrillic to Latin."""
    table = AZ_CYRILLIC if AZ_CYRILLIC_ONLY & set(text.lower()) else RU_CYRILLIC
    out = []
    for ch in text:
        low = ch.lower()
        out.append(table.get(low, ch) if low in table else ch)
    return "".join(out)


def georgian_to_latin(text: str) -> str:
    return "".join(GEORGIAN.get(ch, ch) for ch in text)


def to_latin(text: str) -> str:
    """Any non-Persian text in Latin letters (Azerbaijani and Turkish letters kept for ``phonetic``)."""
    script = script_of(text)
    if script == "cyrl":
        return cyrillic_to_latin(text)
    if script == "geo":
        return georgian_to_latin(text)
    if script == "fa":
        return anyascii(normalize_persian(text))
    return text


def persian_skeleton(word: str) -> str:
    """One Persian word as skeleton symbols after a ``~`` mark: consonants, ``A W Y`` long vowels, ``@``
    and final ``E``."""
    word = normalize_persian(word).replace(" ", "")
    out: list[str] = []
    for i, ch in enumerate(word.replace("الله", "\ue000")):
        if ch == "\ue000":  # Allah in names (عبدالله: Abdullah, Abdollahi, Абдуллаев)
            out.append("@lAE")
            continue
        sym = PERSIAN.get(ch)
        if sym is None:
            if ch.isalpha():
                out.append(anyascii(ch).lower()[:1])
            continue
        if i == 0 and sym == "A":
            sym = "@"
        elif i == 0 and sym == "W":
            sym = "v"
        elif i == 0 and sym == "Y":
            sym = "y"
        elif ch == "ه" and i == len(word) - 1 and i > 0:
            # Silent after a consonant (Zadeh), and Latin keys drop a final h after a vowel (Mah, Panah).
            sym = "E"
        out.append(sym)
    skeleton = "".join(out)
    if skeleton.endswith("YY"):  # -ایی: Rezaei, Rezayi, Rezai
        skeleton = skeleton[:-1]
    return "~" + skeleton


def fold_digits(text: str) -> str:
    return text.translate(DIGITS)
