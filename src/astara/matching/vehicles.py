"""Registration plates of Iran, Azerbaijan, Turkey, Russia and Georgia, and VINs with their check digit.

``parse_plate`` reads a plate as an agency wrote it (Persian or Arabic-Indic digits, a Persian series
letter, right-to-left typing, Cyrillic letters or their Latin look-alikes or transliterations, any
separators, country prefixes) into one canonical form per country and vehicle kind. Where the format
fixes a position as a letter or a digit, OCR look-alikes (0/O, 1/I, 8/B, 5/S) are read as the format
needs them; anything else is a real difference.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from astara.matching.scripts import fold_digits, normalize_persian

IRAN_LETTERS = {
    "ب": "B", "ج": "J", "د": "D", "س": "S", "ق": "Q", "ل": "L", "م": "M", "ن": "N", "و": "V", "ه": "H",
    "ی": "Y", "ا": "A", "الف": "A", "پ": "P", "ت": "T", "ث": "TH", "ژ": "ZH", "ص": "SD", "ط": "TA",
    "ع": "E", "ک": "K", "گ": "G", "ش": "SH", "ز": "Z", "ف": "F", "ر": "R", "ح": "HH", "ظ": "ZA",
}  # fmt: skip
# Cyrillic letters an agency may use for the Persian series letter.
_IRAN_CYRILLIC = {
    "Б": "B", "Д": "D", "Дж": "J", "Ж": "J", "С": "S", "К": "Q", "Г": "Q", "Л": "L", "М": "M", "Н": "N",
    "В": "V", "Х": "H", "Й": "Y", "И": "Y", "П": "P", "Т": "T", "Ш": "SH", "З": "Z", "Ф": "F", "Р": "R",
}  # fmt: skip
_CYRILLIC_LOOKALIKE = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")
_RU_TRANSLIT = str.maketrans("VSNRU", "BCHPY")  # В С Н Р У written by sound
_TO_LETTER = {"0": "O", "1": "I", "8": "B", "5": "S"}
_TO_DIGIT = {v: k for k, v in _TO_LETTER.items()}
_COUNTRY_CODES = {"RU": ("RUS", "RU"), "AZ": ("AZ", "AZE"), "TR": ("TR",), "GE": ("GE", "GEO")}

# (slot kind, min length, max length) per country and vehicle kind.
TEMPLATES: dict[str, list[tuple[str, list[tuple[str, int, int]]]]] = {
    "AZ": [("car", [("D", 2, 2), ("L", 2, 2), ("D", 3, 3)])],
    "TR": [("car", [("D", 2, 2), ("L", 1, 3), ("D", 2, 4)])],
    "RU": [
        ("car", [("L", 1, 1), ("D", 3, 3), ("L", 2, 2), ("D", 2, 3)]),
        ("trailer", [("L", 2, 2), ("D", 4, 4), ("D", 2, 3)]),
    ],
    "GE": [
        ("car", [("L", 2, 2), ("D", 3, 3), ("L", 2, 2)]),
        ("trailer", [("L", 2, 2), ("D", 3, 3), ("L", 1, 1)]),
    ],
}


@dataclass(frozen=True)
class Plate:
    country: str | None
    kind: str  # car, trailer or unknown (no known format)
    canonical: str
    ocr_fixes: int = 0

    def __str__(self) -> str:
        return f"{self.country or '??'} {self.canonical}" + (
            f" ({self.kind})" if self.kind == "trailer" else ""
        )


def _iran(text: str) -> Plate | None:
    text = normalize_persian(text)
    parts = re.findall(r"\d+|ایران|IR|ИРАН|Дж|[^\W\d_]", text, flags=re.IGNORECASE)
    region: str | None = None
    for i, part in enumerate(parts):
        if part.upper() in ("ایران", "IR", "ИРАН"):
            rest = parts[i + 1 :]
            shape = "".join("9" if p.isdigit() else "A" for p in rest)
            if i == 0 and shape == "9A99":
                parts = rest  # "IR 12 B 345 67": the country written first, the region still last
            elif i + 1 < len(parts) and parts[i + 1].isdigit() and len(parts[i + 1]) == 2:
                region = parts[i + 1]
                parts = parts[:i] + parts[i + 2 :]
            else:
                parts = parts[:i] + parts[i + 1 :]
            break
    letters = [p for p in parts if not p.isdigit()]
    digits = [p for p in parts if p.isdigit()]
    if len(letters) != 1:
        # OCR: a lone digit where the series letter stands (12 8 345 67).
        lone = [i for i, p in enumerate(parts) if p.isdigit() and len(p) == 1 and p in _TO_LETTER]
        if letters or len(lone) != 1:
            return None
        parts[lone[0]] = _TO_LETTER[parts[lone[0]]]
        letters, digits = [parts[lone[0]]], [p for p in parts if p.isdigit()]
    letter = IRAN_LETTERS.get(letters[0]) or _IRAN_CYRILLIC.get(letters[0].capitalize()) or letters[0].upper()
    if region is None and len(digits) == 3 and len(digits[2]) == 2:
        region = digits.pop()
    elif region is None and len(digits) == 2 and len(digits[1]) == 5:
        digits, region = [digits[0], digits[1][:3]], digits[1][3:]
    if region is None or len(digits) != 2:
        return None
    first, serial = digits if len(digits[0]) == 2 else digits[::-1]  # typed right to left: serial first
    if len(first) != 2 or len(serial) != 3:
        return None
    return Plate("IR", "car", f"{first}{letter}{serial}-{region}")


def _iran_with_ocr(text: str) -> Plate | None:
    """A Latin-letter Iranian plate with an OCR look-alike in a digit or letter position (12B3O5-67)."""
    upper = text.upper()
    if re.search("[^0-9A-Z\\s|-]", upper):
        return None
    leading = re.match(r"^\s*IR\W*(\d\d)\W+(.*)$", upper)
    compact = re.sub(
        r"[^0-9A-Z]", "", f"{leading[2]}{leading[1]}" if leading else re.sub(r"\bIR\b", "", upper)
    )
    fit = _fit(compact, [("D", 2, 2), ("L", 1, 1), ("D", 3, 3), ("D", 2, 2)])
    if fit is None:
        return None
    first, letter, serial, region = fit[1]
    return Plate("IR", "car", f"{first}{letter}{serial}-{region}", fit[0])


def _fit(text: str, slots: list[tuple[str, int, int]]) -> tuple[int, list[str]] | None:
    """Least OCR corrections that read ``text`` in the slot template, with the groups read."""
    if not slots:
        return (0, []) if not text else None
    kind, low, high = slots[0]
    best: tuple[int, list[str]] | None = None
    for n in range(low, min(high, len(text)) + 1):
        group, fixes = [], 0
        for ch in text[:n]:
            if (kind == "D" and ch.isdigit()) or (kind == "L" and ch.isalpha()):
                group.append(ch)
            elif kind == "D" and ch in _TO_DIGIT:
                group.append(_TO_DIGIT[ch])
                fixes += 1
            elif kind == "L" and ch in _TO_LETTER:
                group.append(_TO_LETTER[ch])
                fixes += 1
            else:
                break
        else:
            rest = _fit(text[n:], slots[1:])
            if rest is not None and (best is None or fixes + rest[0] < best[0]):
                best = (fixes + rest[0], ["".join(group), *rest[1]])
    return best


@lru_cache(maxsize=65536)
def parse_plate(plate: str, country: str | None) -> Plate:
    """The canonical plate for ``country`` (ISO-2), or the bare characters when no format fits."""
    raw = fold_digits(unicodedata.normalize("NFC", plate)).strip()
    country = (country or "").upper() or None
    if country == "IR" or re.search("[\u0600-\u06ff]", raw):
        found = _iran(raw) or _iran_with_ocr(raw)
        if found:
            return found
    text = raw.upper()
    if country == "RU":
        text = text.replace("KH", "X").translate(_CYRILLIC_LOOKALIKE)
    else:
        text = text.translate(_CYRILLIC_LOOKALIKE)
    codes = _COUNTRY_CODES.get(country or "", ())
    stripped = (
        re.sub(rf"^\W*(?:{'|'.join(codes)})\b|\b(?:{'|'.join(codes)})\W*$", "", text) if codes else text
    )
    best: tuple[int, str, list[str]] | None = None
    for candidate in dict.fromkeys((stripped, text)):
        compact = re.sub(r"[^0-9A-Z]", "", candidate)
        if country == "RU":
            compact = compact.translate(_RU_TRANSLIT)
        for kind, slots in TEMPLATES.get(country or "", []):
            fit = _fit(compact, slots)
            if fit is not None and (best is None or fit[0] < best[0]):
                best = (fit[0], kind, fit[1])
    if best is None:
        return Plate(country, "unknown", re.sub(r"[^0-9A-Z]", "", stripped))
    fixes, kind, groups = best
    canonical = "".join(groups[:-1]) + "|" + groups[-1] if country == "RU" else "-".join(groups)
    return Plate(country, kind, canonical, fixes)


_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7, "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}  # fmt: skip
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class Vin:
    value: str
    corrected: int  # letters I, O, Q read as 1, 0, 0
    valid: bool  # 17 characters and the position-9 check digit agrees


def vin_check_digit(vin: str) -> str | None:
    if len(vin) != 17 or any(ch not in _VIN_VALUES for ch in vin):
        return None
    total = sum(_VIN_VALUES[ch] * w for ch, w in zip(vin, _VIN_WEIGHTS, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def parse_vin(text: str) -> Vin:
    raw = re.sub(r"[^0-9A-Z]", "", fold_digits(text).upper())
    fixed = raw.translate(str.maketrans("IOQ", "100"))
    corrected = sum(a != b for a, b in zip(raw, fixed, strict=True))
    return Vin(fixed, corrected, vin_check_digit(fixed) == fixed[8:9])
