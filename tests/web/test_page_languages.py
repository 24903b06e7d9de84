"""Every page in Azerbaijani, Russian and Persian shows no English word of the catalogue or the vocabularies.

Stored free text (IDS place values, quotes, notes, names) stays as recorded and is marked in the markup
(``class="data"``); the test strips it, then looks for English words that only the English catalogue
or the vocabularies' English labels use.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import SeizureEvent
from astara.i18n import catalogue
from astara.jobs import service as jobs
from astara.matching import store, watch
from astara.news import service as news
from astara.vocab import get_vocabulary
from astara.vocab.labels import gaps as label_gaps
from fixtures.make import ids_row, import_file, write_ids

ARTICLES = Path(__file__).resolve().parents[1] / "news" / "articles"
GAPS = Path(__file__).with_name("vocabulary_gaps.txt")
LANGUAGES = ("az", "ru", "fa")
_WORD = re.compile(r"[^\W\d_]+")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
UNIT_SYMBOLS = frozenset({"kg", "g", "mg", "ml", "l", "t"})
_SHOWN_ATTRIBUTES = ("title", "aria-label", "alt", "placeholder")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Shown(HTMLParser):
    """The text a person reads: text nodes and labelling attributes, without scripts, codes, marked data
    and the English labels marked as the vocabulary's listed gaps (``lang="en"``)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping: list[str] = []  # the open elements whose content is data or code

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if self.skipping:
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if (
            tag in ("script", "style", "code")
            or "data" in (named.get("class") or "").split()
            or "data-raw" in named
            or named.get("lang") == "en"
        ):
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        self.parts.extend(named.get(a) or "" for a in _SHOWN_ATTRIBUTES)
        if tag == "input" and named.get("type") in ("submit", "button"):
            self.parts.append(named.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def shown_words(page: str) -> set[str]:
    parser = _Shown()
    parser.feed(page)
    # single letters and unit symbols (kg, g) are not words of a language
    return {w for part in parser.parts for w in _WORD.findall(part) if len(w) > 1 and w not in UNIT_SYMBOLS}


def _ascii_words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(_PLACEHOLDER.sub(" ", text)) if w.isascii()}


def english_words(language: str) -> set[str]:
    """Words of the English catalogue and vocabulary labels that ``language``'s own texts never use."""
    english: set[str] = set()
    own: set[str] = set()
    for entry in catalogue().values():
        english |= _ascii_words(entry["en"])
        own |= _ascii_words(entry[language])
    vocabulary = get_vocabulary()
    for terms in vocabulary.term_sets().values():
        for term in terms.all():
            english |= _ascii_words(term.label)
            own |= _ascii_words(term.labels.get(language, ""))
    for drug in vocabulary.drugs.all():  # drugs without a name in the language are the listed gaps
        if drug.names.get(language):
            english |= _ascii_words(drug.name)
            own |= _ascii_words(" ".join(drug.names[language]))
    return english - own


@pytest.fixture
def pages(api_client: TestClient, engine: Engine, scope: Scope, tmp_path: Path) -> dict[str, str]:
    """Every page's address, with demo-like data behind it (English-labelled IDS rows)."""
    rows = [
        ids_row(AMOUNT="139.89", ROUTING="Transit"),
        ids_row(
            SEIZURE_DATE="2016-07-02",
            DRUG_NAME="Opium",
            AMOUNT="12",
            DRUG_UNIT="Kilogram",
            TRANSPORT="Pedestrian",
            HIDING_PLACE="Luggage",
        ),
        ids_row(
            SEIZURE_DATE="2016-09-14",
            DRUG_NAME="Cannabis herb",
            AMOUNT="3",
            DRUG_UNIT="Kilogram",
            TRANSPORT="Commercial sea",
            PLACE="Baku sea port",
        ),
    ]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    with transaction(engine) as session:
        event_id = session.scalars(select(SeizureEvent.id).order_by(SeizureEvent.id)).first()
        person, _ = store.create_entity(session, scope, "person", {"name": "MOHAMMAD REZAEI"})
        watch.create_list(session, scope, "couriers", "route")
        watch.add_entry(session, scope, "couriers", "person", {"name": "Mohammad Rezaei"})
        store.create_entity(session, scope, "person", {"name": "Mohammad Rezaei"})
        incoming = news.read_paths(
            [ARTICLES / "caspian_courier_astara_heroin.txt"],
            outlet="Caspian Courier",
            published=dt.date(2025, 3, 14),
        )
        news.ingest(session, scope, incoming)
        job_id = jobs.enqueue(session, scope, "sharing.pull", {"partner": "IR-ANP"}).id
        person_id = person.id
    return {
        "dashboard": "/dashboard",
        "list": "/",
        "record": f"/seizures/{event_id}",
        "edit": f"/seizures/{event_id}/edit",
        "new": "/seizures/new",
        "map": "/map",
        "import": "/imports/new",
        "reports": "/reports",
        "report": "/reports/open?type=bilateral&country=AZ&period=2016&partner=IR",
        "sharing": "/sharing",
        "partners": "/partners",
        "agreements": "/agreements",
        "audit": "/sharing/audit",
        "network": "/network",
        "news": "/news",
        "entities": "/entities?kind=person&name=Rezaei",
        "entity": f"/entities/person/{person_id}",
        "watch lists": "/watchlists",
        "watch list": "/watchlists/couriers",
        "alerts": "/alerts",
        "job": f"/jobs/{job_id}",
        "error": "/seizures/no-such-record",
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_shows_english_words_in_another_language(
    api_client: TestClient, pages: dict[str, str], language: str
) -> None:
    english = english_words(language)
    found: list[str] = []
    for name, url in pages.items():
        page = api_client.get(url, headers={"Accept-Language": language})
        assert page.status_code in (200, 404), (name, page.status_code)
        if f'<html lang="{language}"' not in page.text:  # a page in English says lang="en" at its root
            found.append(f"{name} ({url}): not in {language}")
            continue
        words = sorted(w for w in shown_words(page.text) if w.lower() in english)
        if words:
            found.append(f"{name} ({url}): {', '.join(words)}")
    assert not found, f"English words on the {language} pages:\n" + "\n".join(found)


def test_the_data_marker_keeps_stored_text_out_of_the_check() -> None:
    page = (
        '<p>Qeyd: <bdi class="data">Frontier post <b>Astara</b></bdi> <span data-raw>Body</span> Heroin</p>'
    )
    assert shown_words(page) == {"Qeyd", "Heroin"}


def test_vocabulary_labels_lacking_a_language_are_listed() -> None:
    """Where a vocabulary has no label in a language the pages show English: GAPS lists those codes.

    Every term list (transport, place types, TLP...) is complete; drugs not commonly named in a
    language are listed, so a new gap or a filled one shows up here.
    """
    found = {f"{kind} {language}": codes for (kind, language), codes in label_gaps().items()}
    recorded = {}
    for line in GAPS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            where, _, codes = line.partition(":")
            recorded[where.strip()] = codes.split()
    assert all(where.startswith("drugs ") for where in found), sorted(found)
    assert found == recorded, "\n".join(f"{w}: {' '.join(c)}" for w, c in sorted(found.items()))
