"""The news review page: the queue of drafts read from articles, each with its supporting sentence,
its duplicate proposals and the analyst's buttons (accept, edit and accept, reject, merge)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import ValidationError

from astara.errors import AstaraError, Conflict, InvalidInput, NotAuthenticated, NotFound
from astara.i18n import catalogue, localise_date, localise_number, translate
from astara.news import service
from astara.news.evidence import LANGUAGE_VALUES, Evidence, language_name
from astara.news.schemas import Edits
from astara.web.deps import unit
from astara.web.i18n import language_of
from astara.web.problems import Shown, shown
from astara.web.templating import data, label, templates

router = APIRouter(include_in_schema=False)
FILTERS = ("open", "accepted", "rejected", "merged", "all")
EDIT_FIELDS = ("date", "country", "place", "drug", "quantity", "unit")


PER_PAGE = 25


def evidence_text(evidence: Evidence, language: str) -> Markup:
    """A piece of duplicate evidence in ``language``: drugs and countries by their names there, dates
    in its calendar, numbers in its digits, stored place words and outlets marked as data."""
    values: dict[str, Markup | str] = {}
    for name, value in evidence.values.items():
        if name in ("drug", "drugs"):
            kind = "drug_groups" if evidence.code == "drug_group_agrees" else "drugs"
            values[name] = Markup("+").join(label(kind, code, language) for code in str(value).split("+"))
        elif name in LANGUAGE_VALUES:
            values[name] = language_name(str(value), language)
        elif name == "country":
            values[name] = label("countries", str(value), language)
        elif name == "date":
            values[name] = localise_date(str(value), language)
        elif name == "unit":
            values[name] = Markup('<code dir="ltr">{}</code>').format(value)
        elif isinstance(value, str):
            values[name] = data(value)
        else:
            values[name] = localise_number(value, language)
    entry = catalogue()[f"news.evidence.{evidence.code}"]
    return escape(entry.get(language) or entry["en"]).format(**values)


def _render(request: Request, status: str, *, error: Shown | None = None, done: str = "",
            code: int = 200, number: int = 1) -> HTMLResponse:  # fmt: skip
    number = max(number, 1)
    with unit(request) as (session, scope):
        page = service.list_drafts(
            session,
            scope,
            None if status == "all" else status,
            offset=(number - 1) * PER_PAGE,
            limit=PER_PAGE,
        )
    last = max(1, -(-page.total // PER_PAGE))
    language = language_of(request)
    context: dict[str, Any] = {
        "page_title": translate(language, "news.title"),
        "evidence_text": lambda evidence: evidence_text(evidence, language),
        "language_name": lambda code: language_name(code, language),
        "page": page,
        "number": number,
        "prev_url": f"/news?status={status}&page={number - 1}" if number > 1 else None,
        "next_url": f"/news?status={status}&page={number + 1}" if number < last else None,
        "status": status,
        "filters": FILTERS,
        "error": error,
        "done": done,
    }
    return templates.TemplateResponse(request, "news.html", context, status_code=code)


@router.get("/news", response_class=HTMLResponse)
def news_page(request: Request, status: str = "open", done: str = "", page: int = 1) -> HTMLResponse:
    if status not in FILTERS:
        status = "open"
    return _render(request, status, done=done[:64], number=page)


async def _decide(request: Request, draft_id: str, action: str) -> Response:
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}
    status = values.get("status", "open") if values.get("status") in FILTERS else "open"

    def run() -> str:
        with unit(request, csrf=values.get("csrf_token", "")) as (session, scope):
            if action == "accept":
                try:
                    edits = Edits.model_validate({f: values[f] for f in EDIT_FIELDS if values.get(f)})
                except ValidationError as exc:
                    details = [{"field": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]}
                               for e in exc.errors()]  # fmt: skip
                    raise InvalidInput("the edits are not valid", details=details) from exc
                return service.accept(session, scope, draft_id, edits).id
            if action == "reject":
                service.reject(session, scope, draft_id, values.get("reason", ""))
                return draft_id
            return service.merge(session, scope, draft_id, values.get("into", "")).id

    try:
        done = await run_in_threadpool(run)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        error = await run_in_threadpool(_problem, request, exc, draft_id, action, values)
        return await run_in_threadpool(lambda: _render(request, status, error=error, code=error.status_code))
    query = urlencode({"status": status, "done": f"{action}:{done}"})
    return RedirectResponse(f"/news?{query}", status_code=303)


def _problem(request: Request, exc: AstaraError, draft_id: str, action: str, values: dict[str, str]) -> Shown:
    """The failed decision in the page's language; a draft decided already says how it was decided."""
    try:
        with unit(request) as (session, scope):
            status = service.get_draft(session, scope, draft_id).status
    except NotFound:
        return shown(request, exc, "news_draft")
    if isinstance(exc, Conflict) and status != "open":
        return shown(request, exc, f"news_{status}")
    return shown(request, exc, f"news_{action}", into=values.get("into", ""))


@router.post("/news/{draft_id}/accept")
async def accept(request: Request, draft_id: str) -> Response:
    return await _decide(request, draft_id, "accept")


@router.post("/news/{draft_id}/reject")
async def reject(request: Request, draft_id: str) -> Response:
    return await _decide(request, draft_id, "reject")


@router.post("/news/{draft_id}/merge")
async def merge(request: Request, draft_id: str) -> Response:
    return await _decide(request, draft_id, "merge")
