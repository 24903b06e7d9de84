"""News review: ingest articles into a queue of draft seizure events; accept, reject or merge them.

    report = ingest(session, scope, read_paths([Path("feed.jsonl")]))
    page = list_drafts(session, scope, status="open")          # each draft with duplicate proposals
    accept(session, scope, page.items[0].id, Edits(date="2025-03-11"))

The operations the command, the API and the page call, each from the module that does one job:
``reading`` (files, feeds, HTML), ``ingest`` (articles and their drafts), ``duplicates`` (proposals,
weighed with the named evidence of ``evidence``), ``queue`` (reading drafts and articles) and
``decisions`` (accept, reject, merge).
"""

from __future__ import annotations

from astara.news.decisions import accept, merge, reject
from astara.news.duplicates import propose
from astara.news.ingest import GRADES, ingest, text_hash
from astara.news.queue import STATUSES, get_article, get_draft, list_drafts, sources
from astara.news.reading import Incoming, html_to_text, incoming_from_line, read_paths

__all__ = [
    "GRADES",
    "STATUSES",
    "Incoming",
    "accept",
    "get_article",
    "get_draft",
    "html_to_text",
    "incoming_from_line",
    "ingest",
    "list_drafts",
    "merge",
    "propose",
    "read_paths",
    "reject",
    "sources",
    "text_hash",
]
