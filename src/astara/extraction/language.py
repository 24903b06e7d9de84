"""Which language a text is in, well enough to pick an extractor (or to refuse one).

The extractor's rules (seizure verbs, units, number words, date phrases) are written per language;
running the English rules over a Russian or Persian article gives garbage, not fewer events. So
every text is first given a language: the script most of its letters are in (Arabic script,
Cyrillic, Latin), then, for Latin and Cyrillic, the share of each candidate language's most common
function words. Only prose lines of the first 12,000 characters are read (a headline or menu in
another language does not decide). A Latin text with too few words to tell is
Azerbaijani when it writes the schwa (ə), or Turkic letters with q or x, Turkish when it writes
ç, ğ, ı, ö, ş or ü, English otherwise.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from astara.extraction.text import WORD, is_clutter

__all__ = ["LANGUAGE_NAMES", "Detected", "detect_language"]

LANGUAGE_NAMES = {
    "en": "English",
    "ru": "Russian",
    "az": "Azerbaijani",
    "tr": "Turkish",
    "fa": "Persian",
    "ar": "Arabic",
    "und": "an unknown language",
}
_FUNCTION_WORDS = {
    "en": "the of and in to was were a an on at by with from for is are has have that said this it",
    "ru": "и в на с по из что не как для от за это был была были его при также о к у до",
    "az": "və ilə bu bir üçün olunub edilib tərəfindən zamanı isə daha olan ki da də görə",
    "tr": "ve bir ile bu için olarak da de edildi olan ise gibi kadar sonra yapılan tarafından",
}
_WORDS = {code: frozenset(words.split()) for code, words in _FUNCTION_WORDS.items()}
_PERSIAN_ONLY = frozenset("پچژگکی")
_AZ_CYRILLIC = frozenset("ӘәҸҹҺһЈјҒғӨөҮүҜҝ")  # letters Persian writes and Arabic does not (or not so)
_AZ_LATIN = frozenset("ə")
_TR_LATIN = frozenset("ğışçöü")  # Azerbaijani writes them too, but never without the schwa nearby
_AZ_NOT_TR = frozenset("qx")  # Azerbaijani letters Turkish words do not use ("qram", "xam")
_MIN_WORDS = 25
SAMPLE = 6_000  # characters read: plenty to tell the languages apart


@dataclass(frozen=True)
class Detected:
    code: str  # ISO 639-1, or "und"
    share: float  # share of the letters in the text's main script, 0..1
    why: str

    @property
    def name(self) -> str:
        return LANGUAGE_NAMES.get(self.code, self.code)


def _script(char: str) -> str:
    point = ord(char)
    if point < 0x250:
        return "latin"
    if 0x400 <= point < 0x530:
        return "cyrillic"
    if 0x600 <= point < 0x700 or 0xFB50 <= point < 0xFF00:
        return "arabic"
    return "other"


def _body(text: str) -> str:
    """The article's prose: lines of eight words or more, so a headline or a menu quoted in another
    language does not decide (the whole sample when no line is that long)."""
    lines = [
        line
        for line in text[: SAMPLE * 2].splitlines()
        if len(WORD.findall(line)) >= 8 and not is_clutter(line)
    ]
    body = "\n".join(lines)[:SAMPLE]
    return body if len(body) >= 100 else text[:SAMPLE]


def _short_latin(sample: str, share: float) -> Detected:
    """A Latin text too short for word counts: told by letters only one candidate writes."""
    letters = set(sample.lower())
    if letters & _AZ_LATIN:
        return Detected(
            "az", share, "too short to tell by words; the schwa (ə) is written only in Azerbaijani"
        )
    if letters & _TR_LATIN and letters & _AZ_NOT_TR:
        return Detected("az", share, "too short to tell by words; Turkic letters with q or x")
    if letters & _TR_LATIN:
        return Detected("tr", share, "too short to tell by words; Turkish letters (ç, ğ, ı, ö, ş, ü)")
    return Detected("en", share, "too short to tell; Latin letters only")


def detect_language(text: str) -> Detected:
    sample = _body(text)
    words = WORD.findall(sample.lower())
    counts: dict[str, int] = {}
    for word in words:
        first = word[0]
        script = "latin" if first < "\u0250" else _script(first)
        counts[script] = counts.get(script, 0) + len(word)
    letters = sum(counts.values())
    if not letters:
        return Detected("und", 0.0, "no letters")
    script, amount = max(counts.items(), key=lambda item: item[1])
    share = amount / letters
    if script == "arabic":
        persian = any(char in _PERSIAN_ONLY for char in sample)
        return Detected("fa" if persian else "ar", share, "Arabic script")
    if script == "other":
        return Detected("und", share, "a script the extractors do not read")
    if script == "cyrillic" and sum(c in _AZ_CYRILLIC for c in sample) >= 3:
        return Detected("az", share, "Cyrillic with letters only Azerbaijani writes (ә, ҹ, һ, ј)")
    candidates = ("ru",) if script == "cyrillic" else ("en", "az", "tr")
    in_script = [word for word in words if _script(word[0]) == script]
    if len(in_script) < _MIN_WORDS:
        if script == "latin":
            return _short_latin(sample, share)
        return Detected(candidates[0], share, "too short to tell")
    frequency = Counter(in_script)
    shares = {code: sum(frequency[word] for word in _WORDS[code]) / len(in_script) for code in candidates}
    if script == "latin" and "ə" in sample:
        shares["az"] += 0.05  # the schwa is written only in Azerbaijani
    best = max(shares, key=lambda code: shares[code])
    if shares[best] < 0.04:
        return Detected("und", share, f"few common {script} function words")
    return Detected(best, share, f"{shares[best]:.0%} of the words are common {LANGUAGE_NAMES[best]} words")
