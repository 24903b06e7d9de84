"""Server-rendered pages: the seizure list with filters, one seizure, the map."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from astara.analysis.service import stats
from astara.errors import AstaraError, NotAuthenticated
from astara.kit.cache import figures, store_of
from astara.news import service as news
from astara.seizures import service
from astara.seizures.dimensions import parse_where
from astara.web.deps import unit
from astara.web.i18n import language_of, translate
from astara.web.problems import error_page, problem_text
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
FILTERS = ("country", "departure_country", "drug", "year", "place")


@router.get("/", response_class=HTMLResponse)
def seizure_list(request: Request, q: str = "", sort: str = "-date", page: int = 1) -> HTMLResponse:
    params = request.query_params
    filters = {f: params.get(f, "").strip() for f in FILTERS}
    where = [f"{k}={v}" for k, v in filters.items() if v]
    limit = request.app.state.runtime.settings.page_size
    error = None
    result: Any = None
    summary: Any = None
    try:
        with unit(request) as (session, scope):
            result = service.list_seizures(
                session, scope, where, q=q or None, sort=sort, offset=(max(page, 1) - 1) * limit, limit=limit
            )
            summary = figures.get(  # about a second over a million events: cached (see kit/cache.py)
                store_of(session),
                scope.agency_id,
                ("departure summary", tuple(sorted(where)), q),
                lambda: stats(session, scope, ["departure_country"], where, limit=6, q=q or None),
            )
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        error = problem_text(language_of(request), exc)
    base = {k: v for k, v in {**filters, "q": q, "sort": sort}.items() if v}
    context = {
        "page_title": translate(language_of(request), "list.title"),
        "result": result,
        "summary": summary,
        "filters": filters,
        "q": q,
        "sort": sort,
        "page": page,
        "error": error,
        "prev_url": "?" + urlencode({**base, "page": page - 1}) if page > 1 else None,
        "next_url": "?" + urlencode({**base, "page": page + 1})
        if result and page * limit < result.total
        else None,
    }
    return templates.TemplateResponse(request, "seizures.html", context, status_code=400 if error else 200)


@router.get("/seizures/{event_id}", response_class=HTMLResponse)
def seizure_detail(request: Request, event_id: str) -> HTMLResponse:
    try:
        with unit(request) as (session, scope):
            event = service.get_seizure(session, scope, event_id)
            news_sources = news.sources(session, scope, event_id)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        return error_page(request, exc, "seizure", id=event_id)
    title = translate(language_of(request), "detail.title", ref=event.reference or event_id)
    return templates.TemplateResponse(
        request, "seizure.html", {"page_title": title, "e": event, "news_sources": news_sources}
    )


@router.get("/map", response_class=HTMLResponse)
def seizure_map(request: Request) -> HTMLResponse:
    """The map page; its script fetches /api/seizures/map with the same filters."""
    params = request.query_params
    filters = {f: params.get(f, "").strip() for f in FILTERS}
    where = [f"{k}={v}" for k, v in filters.items() if v]
    error = None
    try:
        with unit(request):  # logged in, or off to the login page
            parse_where(where)  # a bad filter is reported on the page, not by the script
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        error = problem_text(language_of(request), exc)
    context = {
        "page_title": translate(language_of(request), "map.title"),
        "filters": filters,
        "error": error,
        "filter_query": urlencode({k: v for k, v in filters.items() if v}),
        "points_url": "/api/seizures/map?" + urlencode([("where", w) for w in where]) if not error else "",
        "hotspots_url": "/api/hotspots/map?" + urlencode([("where", w) for w in where]) if not error else "",
        "routes_url": "/api/routes/map?" + urlencode([("where", w) for w in where]) if not error else "",
    }
    return templates.TemplateResponse(request, "map.html", context, status_code=400 if error else 200)
