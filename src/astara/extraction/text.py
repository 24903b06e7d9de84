"""Plain text as the extractor sees it: page clutter dropped, sentences with their offsets.

Offsets always refer to the original text, so every extracted field can point back at the
characters it came from. Clutter lines (menus, "Subscribe", share buttons, cookie notices,
bylines of one or two words) are not removed from the text; they simply yield no sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["WORD", "Sentence", "is_clutter", "sentences", "words_in"]

_CLUTTER = re.compile(
    r"^\W*(subscribe|sign up|sign in|log ?in|register|newsletter|share( this)?|tweet|follow us|"
    r"read more|related( news| articles| stories)?|advertisement|cookies?|accept|menu|home|search|"
    r"print|email|comments?|tags?|categor(y|ies)|previous|next|back to top|all rights reserved|"
    r"copyright|©|photo|video|watch|listen|most (read|popular)|trending|latest news|top stories)\b",
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # a run of letters
# A sentence ends at . ! ? (or … ) followed by space and an upper-case letter, digit or quote.
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9А-ЯƏÜÖÇŞĞİ])")
# Abbreviations after which a full stop does not end the sentence.
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Col|Lt|Maj|Capt|Sgt|St|No|Nos|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|"
    r"Oct|Nov|Dec|approx|est|vs|Inc|Ltd|Co|Corp|Gov|Rep|Sen|Brig|Adm|Cdr|Insp|Supt|U\.S|U\.N|etc|"
    r"e\.g|i\.e|lbs|kgs|gr|oz|ft|km|mi|[A-Z])\.)$"
)


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text, where it starts and ends in the article, its paragraph number."""

    text: str
    start: int
    end: int
    paragraph: int
    index: int


@lru_cache(maxsize=8192)
def words_in(span: str) -> frozenset[str]:
    """The lower-case words of a span: the finders' cheap pre-check, worked out once a sentence."""
    return frozenset(WORD.findall(span.lower()))


def is_clutter(line: str) -> bool:
    """A line that is page furniture rather than article text."""
    stripped = line.strip()
    if not stripped:
        return True
    words = WORD.findall(stripped)
    if _CLUTTER.match(stripped) and len(words) <= 8:
        return True
    if len(words) <= 3 and not re.search(r"\d", stripped) and not stripped.endswith((".", ":")):
        return True  # headings of one to three words, menu items, bylines
    # breadcrumb or menu bar
    return stripped.count("|") >= 2 or stripped.count("»") >= 2


@lru_cache(maxsize=16)
def _boundary(starts: str) -> re.Pattern[str]:
    """A sentence boundary before a character of class ``starts`` (a language's capitals, or any)."""
    return re.compile(rf"(?<=[.!?…؟])[\"'”’»)]*\s+(?={starts})")


def _split(line: str, offset: int, boundary: re.Pattern[str] = _BOUNDARY) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in boundary.finditer(line):
        before = line[start : match.start()].rstrip()
        if _ABBREV.search(before) and not before.endswith("..."):
            continue
        spans.append((offset + start, offset + match.start()))
        start = match.end()
    spans.append((offset + start, offset + len(line.rstrip())))
    return spans


_ENDS = (".", "!", "?", "…", ":", ";", '"', "”", "’", ")")
_WRAP_WIDTH = 55


def _continues(previous: str, line: str) -> bool:
    """Is ``line`` the rest of ``previous``'s sentence, broken by a hard line wrap?

    A wrapped line of prose is long and ends without a full stop; a heading is short. A line that
    starts with a small letter or a digit after one without a full stop continues it too.
    """
    before = previous.rstrip()
    if not before or before.endswith(_ENDS):
        return False
    first = line.lstrip()[:1]
    return len(before) >= _WRAP_WIDTH or first.islower() or first.isdigit()


def sentences(text: str, starts: str | None = None) -> list[Sentence]:
    """Sentences of ``text`` (clutter lines skipped), with offsets into ``text``.

    Lines broken by a hard wrap (text copied from a PDF or an e-mail) are read as one run.
    ``starts`` is a regex class of what may begin a sentence (a language's capitals; English's
    by default).
    """
    boundary = _BOUNDARY if starts is None else _boundary(starts)
    out: list[Sentence] = []
    paragraph = 0
    blank = True
    runs: list[list[int]] = []  # [start, end] of runs of lines read together
    previous = ""
    position = 0
    for raw in text.splitlines(keepends=True):
        line = raw.rstrip("\r\n")
        if not line.strip():
            blank = True
            previous = ""
        elif previous and _continues(previous, line):
            runs[-1][1] = position + len(line)
            previous = line
        elif not is_clutter(line):
            lead = len(line) - len(line.lstrip())
            if blank:
                paragraph += 1
                blank = False
            runs.append([position + lead, position + len(line), paragraph])
            previous = line
        else:
            previous = ""
        position += len(raw)
    for start, end, number in runs:
        for s_start, s_end in _split(text[start:end], start, boundary):
            if s_end > s_start:
                out.append(Sentence(text[s_start:s_end], s_start, s_end, number, len(out)))
    return out
