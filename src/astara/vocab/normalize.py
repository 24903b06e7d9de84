"""Text normalisation for vocabulary look-ups.

``norm_key`` turns any spelling of a term into a comparison key:

* NFKC, then ``casefold`` (so full-width letters, ligatures and case do not matter);
* Persian/Arabic variants are unified: Arabic yeh/alef maksura -> Persian yeh (ی), Arabic kaf -> Persian
  keheh (ک), teh marbuta -> heh (ه); ZWNJ/ZWJ and tatweel are removed, Arabic diacritics (harakat, hamza
  above/below, madda) are dropped; Arabic-Indic and Persian digits become ASCII digits;
* Latin diacritics are stripped (NFKD, combining marks removed): "ş" -> "s", "é" -> "e"; Turkish dotless
  "ı" becomes "i" and Azerbaijani "ə" becomes "e" so that text typed on a plain Latin keyboard matches;
* Cyrillic "й" is kept distinct from "и" (different letter), "ё" is treated as "е";
* whitespace, punctuation and symbols (hyphens, parentheses, commas, slashes, dots, quotes, "+", "&", ...)
  collapse to single spaces; the result is stripped.

The function is idempotent: ``norm_key(norm_key(x)) == norm_key(x)``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["norm_key"]

_CHAR_MAP: dict[int, str] = {
    ord("ي"): "ی",  # Arabic yeh
    ord("ى"): "ی",  # alef maksura
    ord("ك"): "ک",  # Arabic kaf
    ord("ة"): "ه",  # teh marbuta
    ord("ۀ"): "ه",  # heh with yeh above (ezafe)
    ord("ـ"): "",  # tatweel
    0x200C: "",  # ZWNJ
    0x200D: "",  # ZWJ
    0x200E: "",  # LRM
    0x200F: "",  # RLM
    0xFEFF: "",  # BOM / zero-width no-break space
    0x00AD: "",  # soft hyphen
    ord("ё"): "е",
    ord("ı"): "i",
    ord("ə"): "e",
}
for _i in range(10):
    _CHAR_MAP[0x0660 + _i] = str(_i)  # Arabic-Indic digits
    _CHAR_MAP[0x06F0 + _i] = str(_i)  # Persian (extended Arabic-Indic) digits

_BREVE = "\u0306"


def _strip_marks(text: str) -> str:
    """NFKD and drop combining marks, except the breve of Cyrillic й which is a letter of its own."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(ch) or unicodedata.category(ch).startswith("M"):
            if ch == _BREVE and out and out[-1] == "и":
                out[-1] = "й"
            continue
        out.append(ch)
    return "".join(out)


def _to_spaces(text: str) -> str:
    out: list[str] = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch.isspace() or cat[0] in "PSZ" or cat in ("Cc", "Co", "Cn", "Cs"):
            out.append(" ")
        elif cat == "Cf":
            continue
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def _once(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_CHAR_MAP)
    text = _strip_marks(text)
    text = text.translate(_CHAR_MAP)
    text = unicodedata.normalize("NFC", text)
    return _to_spaces(text)


_ASCII_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=1 << 16)
def norm_key(text: str) -> str:
    """Return the look-up key of ``text`` (see module docstring)."""
    if text.isascii():
        # The same result as the general path, for plain ASCII: letters and digits stay, every
        # other character is punctuation, a symbol, a space or a control character.
        return " ".join(_ASCII_NON_WORD.sub(" ", text.lower()).split())
    key = _once(text)
    for _ in range(5):  # casefold/NFKC interplay can need a second pass on exotic input
        again = _once(key)
        if again == key:
            break
        key = again
    return key
