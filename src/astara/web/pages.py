"""Server-rendered pages: the seizure list with filters, one seizure, the map."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from astara.analysis.service import stats
from astara.errors import AstaraError, NotAuthenticated
from astara.i18n import translate
from astara.kit.cache import figures, store_of
from astara.news import service as news
from astara.searches import service as searches
from astara.seizures import service
from astara.seizures.dimensions import parse_where
from astara.web.deps import unit
from astara.web.i18n import language_of
from astara.web.list_rows import seizure_rows
from astara.web.list_tools import (
    EXPORTS,
    FILTERS,
    HIDDEN_FILTERS,
    list_query,
    page_count,
    place_hint,
    sort_headers,
)
from astara.web.period import Options, page_period, period_choices, period_label, period_options
from astara.web.problems import error_page, problem_text
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def seizure_list(
    request: Request, q: str = "", sort: str = "-date", page: int = 1, period: str = ""
) -> HTMLResponse:
    query = list_query(request, q, sort, period)
    where = query.where()
    language = language_of(request)
    limit = request.app.state.runtime.settings.page_size
    error = translate(language, "period.bad", value=query.period.bad) if query.period.bad else None
    result: Any = None
    summary: Any = None
    saved: list[tuple[int, str]] = []
    try:
        with unit(request) as (session, scope):
            saved = [(s.id, s.name) for s in searches.list_saved(session, scope)]
            result = service.list_page(
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
    place = query.filters["place"]
    context = {
        "page_title": translate(language, "list.title"),
        "result": result,
        "seizure_rows": seizure_rows,  # the table's rows (web/list_rows.py)
        "summary": summary,
        "filters": query.filters,
        "hidden_filters": {f: query.filters[f] for f in HIDDEN_FILTERS if query.filters[f]},
        "without_hidden_url": query.url(**dict.fromkeys(HIDDEN_FILTERS, "")),
        "saved_searches": saved,
        "current_query": urlencode(query.params(sort="" if sort == "-date" else sort)),  # the default unsaid
        "q": q,
        "sort": sort,
        "page": page,
        "pages": page_count(result.total, limit) if result else 1,
        "error": error,
        "period": query.period,
        "period_text": period_label(query.period.period, language),
        "all_periods_url": query.url(period=""),
        "sorting": sort_headers(query),
        "exports": {f: query.url("/export", format=f, sort="") for f in EXPORTS},
        # a name the gazetteer does not know finds nothing: say so, with the places it may mean
        "place_hint": place_hint(place) if place and result is not None and not result.total else None,
        "place_url": lambda place_id: query.url(place=place_id),
        "prev_url": query.url(page=page - 1) if page > 1 else None,
        "next_url": query.url(page=page + 1) if result and page * limit < result.total else None,
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
def seizure_map(request: Request, period: str = "") -> HTMLResponse:
    """The map page; its script fetches /api/seizures/map with the same filters and period."""
    params = request.query_params
    language = language_of(request)
    filters = {f: params.get(f, "").strip() for f in FILTERS}
    chosen = page_period(period)
    where = [f"{k}={v}" for k, v in filters.items() if v] + chosen.where()
    error = translate(language, "period.bad", value=chosen.bad) if chosen.bad else None
    options: Options = []
    try:
        with unit(request) as (session, scope):  # logged in, or off to the login page
            parse_where(where)  # a bad filter is reported on the page, not by the script
            options = period_options(period_choices(session, scope), language)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        error = problem_text(language_of(request), exc)
    kept = {k: v for k, v in filters.items() if v}
    context = {
        "page_title": translate(language, "map.title"),
        "filters": filters,
        "period": chosen,
        "period_options": options,
        "error": error,
        "filter_query": urlencode({**kept, "period": chosen.value} if chosen.period else kept),
        "points_url": "/api/seizures/map?" + urlencode([("where", w) for w in where]) if not error else "",
        "hotspots_url": "/api/hotspots/map?" + urlencode([("where", w) for w in where]) if not error else "",
        "routes_url": "/api/routes/map?" + urlencode([("where", w) for w in where]) if not error else "",
    }
    return templates.TemplateResponse(request, "map.html", context, status_code=400 if error else 200)
