"""Reading articles: folders of .txt/.html files, single files and JSONL feeds, HTML through trafilatura.

    incoming = read_paths([Path("articles/"), Path("feed.jsonl")], outlet="Caspian Courier")

Nothing here touches the store: a bad feed line raises before anything is ingested.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html as html_lib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from astara.errors import ImportFailed, InvalidInput, NotFound
from astara.news.schemas import ArticleFeedLine

__all__ = ["Incoming", "html_to_text", "incoming_from_line", "outlet_of", "read_paths"]

TEXT_SUFFIXES = {".txt": "text", ".html": "html", ".htm": "html"}


@dataclass
class Incoming:
    """One article as read, before it is stored."""

    origin: str  # file name, or file:line for a feed
    external_id: str
    text: str
    published: dt.date | None = None
    url: str | None = None
    outlet: str | None = None
    language: str | None = None
    warnings: list[str] = field(default_factory=list)
    raw_hash: str | None = None  # for binary input: the bytes' hash (there is no text to hash)


def _fallback_strip(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style|noscript|template)\b.*?</\1\s*>", " ", markup)
    markup = re.sub(r"(?is)<!--.*?-->", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|li|h[1-6]|tr|article|section)>", "\n", markup)
    text = html_lib.unescape(re.sub(r"(?s)<[^>]*>", " ", markup))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def html_to_text(markup: str) -> tuple[str, dict[str, str | None]]:
    """The article's text and metadata (title, date, sitename, url) from an HTML page.

    trafilatura finds the main text (menus, scripts and footers dropped) and the page's metadata;
    when it finds nothing (a fragment, a page of mostly markup) the tags are stripped instead.
    """
    meta: dict[str, str | None] = {}
    try:
        import trafilatura  # deferred: slow to load, and only HTML needs it

        doc = trafilatura.bare_extraction(markup, with_metadata=True, include_comments=False)
    except Exception:  # a page trafilatura cannot parse falls back to stripping tags
        doc = None
    if doc is not None:
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        meta = {k: data.get(k) for k in ("title", "date", "sitename", "url")}
        text = str(data.get("text") or "")
        if text.strip():
            return text, meta
    return _fallback_strip(markup), meta


def _looks_binary(data: bytes) -> bool:
    if not data:
        return False
    if b"\x00" in data[:8192]:
        return True
    sample = data[:8192].decode("utf-8", errors="replace")
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\n\r\t\f"))
    return bad > len(sample) * 0.1


def _looks_html(text: str) -> bool:
    head = text.lstrip()[:2000].lower()
    return head.startswith(("<!doctype html", "<html")) or bool(re.search(r"<(p|div|body|article)\b", head))


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def outlet_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


def _from_markup(item: Incoming) -> Incoming:
    text, meta = html_to_text(item.text)
    item.text = text
    item.published = item.published or _date(meta.get("date"))
    item.url = item.url or meta.get("url")
    item.outlet = item.outlet or meta.get("sitename")
    return item


def _read_file(path: Path) -> Incoming:
    data = path.read_bytes()
    item = Incoming(origin=path.name, external_id=path.stem, text="")
    if _looks_binary(data):
        item.raw_hash = hashlib.sha256(data).hexdigest()
        item.warnings.append(f"{path.name} is binary data, not text; nothing was extracted")
        return item
    item.text = data.decode("utf-8", errors="replace")
    if TEXT_SUFFIXES.get(path.suffix.lower()) == "html" or _looks_html(item.text):
        _from_markup(item)
    return item


def _no_nul(value: str | None) -> str | None:
    return None if value is None else value.replace("\x00", "")


def incoming_from_line(line: ArticleFeedLine, origin: str) -> Incoming:
    """A feed line (or an article sent to the API) as an article to ingest; HTML text is reduced."""
    item = Incoming(origin, _no_nul(line.id) or "?", line.text, line.published, _no_nul(line.url),
                    _no_nul(line.outlet), _no_nul(line.language))  # fmt: skip
    return _from_markup(item) if _looks_html(item.text) else item


def _read_feed(path: Path) -> Iterator[Incoming]:
    problems: list[dict[str, Any]] = []
    items: list[Incoming] = []
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            if not raw.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                line = ArticleFeedLine.model_validate(json.loads(raw.decode("utf-8")))
            except UnicodeDecodeError:
                problems.append({"line": number, "reason": "not UTF-8 text"})
                continue
            except json.JSONDecodeError as exc:
                problems.append({"line": number, "reason": f"not JSON: {exc.msg} at column {exc.colno}"})
                continue
            except ValueError as exc:  # pydantic's ValidationError
                errors: list[dict[str, Any]] = getattr(exc, "errors", list)()
                reason = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in errors
                ) or str(exc)
                problems.append({"line": number, "reason": reason})
                continue
            items.append(incoming_from_line(line, where))
    if problems:
        first = problems[0]
        raise ImportFailed(
            f"{path.name} line {first['line']}: {first['reason']}; nothing was ingested"
            + (f" ({len(problems)} bad lines)" if len(problems) > 1 else ""),
            details=[{"file": path.name, **p} for p in problems],
        )
    yield from items


def read_paths(
    paths: Sequence[Path], *, outlet: str | None = None, published: dt.date | None = None
) -> list[Incoming]:
    """Every article under ``paths``: folders of .txt/.html files, single files, .jsonl feeds.

    ``outlet`` and ``published`` apply to articles that do not state their own. A bad feed line
    raises ImportFailed naming the file and line, before anything is stored.
    """
    out: list[Incoming] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
            feeds = sorted(p for p in path.rglob("*.jsonl") if p.is_file())
            if not files and not feeds:
                raise InvalidInput(f"{path} holds no .txt, .html or .jsonl files")
            out.extend(_read_file(p) for p in files)
            for feed in feeds:
                out.extend(_read_feed(feed))
        elif path.is_file():
            out.extend(_read_feed(path) if path.suffix.lower() == ".jsonl" else [_read_file(path)])
        else:
            raise NotFound(f"no such file or folder: {path}")
    for item in out:
        item.outlet = item.outlet or outlet
        item.published = item.published or published
    return out
