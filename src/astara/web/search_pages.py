"""Saved searches' pages: save the list's query under a name, list, open, rename, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from astara.errors import AstaraError, NotAuthenticated, NotFound
from astara.i18n import translate
from astara.searches import service
from astara.web.deps import unit
from astara.web.i18n import language_of
from astara.web.problems import problem_text
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)


def _problem(request: Request, exc: AstaraError, row: Any) -> dict[str, Any]:
    """The page's context for ``exc``: at the name field of ``row`` (empty, too long, already
    used), else above the page (a CSRF failure, say), in the page's language."""
    language = language_of(request)
    problem = next((d.get("problem") for d in exc.details if d.get("field") == "name"), None)
    if problem in ("empty", "long", "taken"):
        return {"errors": {row: translate(language, f"searches.problem.{problem}")}}
    return {"error": problem_text(language, exc)}


def _page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    with unit(request) as (session, scope):
        saved = [(s.id, s.name, s.query) for s in service.list_saved(session, scope)]
    page = {"page_title": translate(language_of(request), "searches.title"), "saved": saved,
            "errors": {}, "values": {}, "error": None, "query": "", **context}  # fmt: skip
    return templates.TemplateResponse(request, "searches.html", page, status_code=status)


@router.get("/searches", response_class=HTMLResponse)
def saved_searches(request: Request) -> HTMLResponse:
    return _page(request)


@router.post("/searches", response_class=HTMLResponse)
def save(
    request: Request,
    name: Annotated[str, Form()] = "",
    query: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    try:
        with unit(request, csrf=csrf_token) as (session, scope):
            saved = service.save(session, scope, name, query)
            target = f"/?{saved.query}"
    except NotAuthenticated:
        raise
    except AstaraError as exc:  # the form again, its problem at the name, what was typed kept
        return _page(request, exc.status_code, **_problem(request, exc, "new"), values={"new": name},
                     query=service.clean_query(query))  # fmt: skip
    return RedirectResponse(target, status_code=303)


@router.get("/searches/{search_id}")
def open_search(request: Request, search_id: int) -> Response:
    with unit(request) as (session, scope):
        saved = service.get(session, scope, search_id)
        return RedirectResponse(f"/?{saved.query}", status_code=303)


@router.post("/searches/{search_id}/rename", response_class=HTMLResponse)
def rename(
    request: Request,
    search_id: int,
    name: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    try:
        with unit(request, csrf=csrf_token) as (session, scope):
            service.rename(session, scope, search_id, name)
    except (NotAuthenticated, NotFound):
        raise
    except AstaraError as exc:
        return _page(request, exc.status_code, **_problem(request, exc, search_id), values={search_id: name})
    return RedirectResponse("/searches", status_code=303)


@router.post("/searches/{search_id}/delete")
def delete(request: Request, search_id: int, csrf_token: Annotated[str, Form()] = "") -> Response:
    with unit(request, csrf=csrf_token) as (session, scope):
        service.delete(session, scope, search_id)
    return RedirectResponse("/searches", status_code=303)
