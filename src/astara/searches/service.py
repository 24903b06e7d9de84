"""Save, list, open, rename and delete a user's searches of the seizure list.

A saved search is the list's URL query (filters, text search, period, sort) under a name the
user chose; only that user sees it (and only within the agency).
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import require
from astara.db.models import SavedSearch
from astara.errors import Conflict, InvalidInput, NotFound
from astara.searches import repository

# The seizure list's parameters a search keeps (the page number is where the user was, not what).
KEPT = ("country", "departure_country", "drug", "year", "place", "import_job", "possible_duplicate",
        "q", "period", "sort")  # fmt: skip
NAME_LENGTH = 100


def clean_query(query: str) -> str:
    """``query`` with the list's own parameters only, non-empty, in a stable order."""
    pairs = [(k, v.strip()) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False)]
    kept = {k: v for k, v in pairs if k in KEPT and v}
    return urlencode([(k, kept[k]) for k in KEPT if k in kept])


def _name(session: Session, scope: Scope, name: str, keep: SavedSearch | None = None) -> str:
    text = " ".join(name.split())
    if not text:
        raise InvalidInput("a saved search needs a name", details=[{"field": "name", "problem": "empty"}])
    if len(text) > NAME_LENGTH:
        raise InvalidInput(
            f"a saved search's name has at most {NAME_LENGTH} characters",
            details=[{"field": "name", "problem": "long"}],
        )
    other = repository.named(session, scope, text)
    if other is not None and other is not keep:
        raise Conflict(
            f"you already have a saved search named {text!r}",
            details=[{"field": "name", "problem": "taken", "value": text}],
        )
    return text


def save(session: Session, scope: Scope, name: str, query: str) -> SavedSearch:
    require(scope, "records.read")
    saved = SavedSearch(agency_id=scope.agency_id, user_id=scope.user_id, name=_name(session, scope, name),
                        query=clean_query(query))  # fmt: skip
    repository.add(session, saved)
    return saved


def list_saved(session: Session, scope: Scope) -> list[SavedSearch]:
    require(scope, "records.read")
    return repository.list_saved(session, scope)


def get(session: Session, scope: Scope, search_id: int) -> SavedSearch:
    require(scope, "records.read")
    saved = repository.get(session, scope, search_id)
    if saved is None:
        raise NotFound(f"no saved search {search_id}")
    return saved


def rename(session: Session, scope: Scope, search_id: int, name: str) -> SavedSearch:
    saved = get(session, scope, search_id)
    saved.name = _name(session, scope, name, keep=saved)
    session.flush()
    return saved


def delete(session: Session, scope: Scope, search_id: int) -> None:
    repository.delete(session, get(session, scope, search_id))
