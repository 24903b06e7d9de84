"""The seizure list's tools: its query (filters, period, text search, sort) read once from the URL,
sortable column headers, the page count, and the export of exactly the filtered list."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from astara.errors import AstaraError, InvalidInput, NotAuthenticated
from astara.exports.routes import MEDIA
from astara.exports.service import export
from astara.gazetteer import get_gazetteer
from astara.i18n import translate
from astara.web.deps import unit
from astara.web.i18n import language_of
from astara.web.period import PagePeriod, page_period
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
FILTERS = ("country", "departure_country", "drug", "year", "place", "import_job", "possible_duplicate")
HIDDEN_FILTERS = ("import_job", "possible_duplicate")  # set by links (an import's records), no field
SORT_COLUMNS = ("date", "country", "place", "drug", "kg", "departure")
NEWEST_FIRST = frozenset({"date", "kg"})  # a first click shows the latest and the largest
EXPORTS = {
    "csv": ("csv", "astara"),
    "xlsx": ("xlsx", "astara"),
    "ids": ("csv", "ids"),
    "ids-xlsx": ("xlsx", "ids"),
}


@dataclass(frozen=True)
class ListQuery:
    filters: dict[str, str]
    q: str
    period: PagePeriod
    sort: str

    def where(self) -> list[str]:
        return [f"{k}={v}" for k, v in self.filters.items() if v] + self.period.where()

    def params(self, **changes: Any) -> dict[str, Any]:
        """The query as URL parameters (empty ones left out), with ``changes`` applied."""
        period = self.period.value if self.period.period else ""
        kept = {**self.filters, "period": period, "q": self.q, "sort": self.sort, **changes}
        return {k: v for k, v in kept.items() if v not in ("", None)}

    def url(self, path: str = "/", **changes: Any) -> str:
        return f"{path}?{urlencode(self.params(**changes))}"


def list_query(request: Request, q: str = "", sort: str = "-date", period: str = "") -> ListQuery:
    params = request.query_params
    filters = {f: params.get(f, "").strip() for f in FILTERS}
    return ListQuery(filters, q.strip(), page_period(period), sort)


def sort_headers(query: ListQuery) -> dict[str, tuple[str, str]]:
    """Per sortable column: the link its header goes to, and how the list is sorted by it now
    (``ascending``, ``descending`` or ``none``, as aria-sort says). A click on the current column
    turns the order round; the filters stay, the page goes back to the first."""
    current, descending = query.sort.lstrip("-"), query.sort.startswith("-")
    out = {}
    for column in SORT_COLUMNS:
        if column == current:
            state = "descending" if descending else "ascending"
            target = column if descending else f"-{column}"
        else:
            state, target = "none", f"-{column}" if column in NEWEST_FIRST else column
        out[column] = (query.url(sort=target), state)
    return out


def page_count(total: int, size: int) -> int:
    """Pages of ``size`` rows; the total is an exact count (cheap here: indexed and cached)."""
    return max(1, -(-total // size))


def place_hint(text: str) -> list[tuple[str, str]] | None:
    """None when the gazetteer knows ``text`` (an id or a name it resolves); else the (id, name) of
    places it may mean, for "did you mean"."""
    gazetteer = get_gazetteer()
    try:
        gazetteer.get(text)
        return None
    except KeyError:
        pass
    if gazetteer.resolve(text) is not None:
        return None
    return [(p.id, p.name) for p in gazetteer.suggest(text)]


@router.get("/export", response_model=None)
def export_list(
    request: Request, format: str = "csv", q: str = "", sort: str = "-date", period: str = ""
) -> Response:
    """The seizure list as it is filtered (filters, period, text search) as a file; the export
    service writes it and records it in the audit chain, as for ``/api/export``."""
    query = list_query(request, q, sort, period)
    fmt, layout = EXPORTS.get(format, (format, "astara"))
    tmp = Path(tempfile.mkdtemp())
    path = tmp / f"seizures-{layout}.{fmt}"
    try:
        if query.period.bad:
            raise InvalidInput(translate(language_of(request), "period.bad", value=query.period.bad))
        with unit(request) as (session, scope):
            export(session, scope, path, fmt=fmt, layout=layout, where=query.where(), q=query.q)
    except NotAuthenticated:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except AstaraError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        context = {"page_title": translate(language_of(request), "list.export"), "message": exc.message}
        return templates.TemplateResponse(request, "error.html", context, status_code=exc.status_code)
    cleanup = BackgroundTask(shutil.rmtree, tmp, ignore_errors=True)
    return FileResponse(path, media_type=MEDIA[fmt], filename=path.name, background=cleanup)
