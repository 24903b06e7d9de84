"""Matching pages: search the store for candidates; one entity's candidates with explanations and the
analyst's judgement buttons; watch lists (create, add and remove entries); alerts (acknowledge)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from astara.errors import AstaraError, NotAuthenticated
from astara.i18n import translate
from astara.kit.deferred import deferred
from astara.matching import identities, store, watch
from astara.sharing import audit
from astara.web.deps import unit
from astara.web.i18n import language_of
from astara.web.problems import Shown, shown
from astara.web.templating import templates

if TYPE_CHECKING:
    from astara.networks import service as networks
else:
    networks = deferred("astara.networks.service", "networkx: only the identity page draws a timeline")

router = APIRouter(include_in_schema=False)
RECORD_FIELDS = (
    "name",
    "birth_date",
    "nationality",
    "id_number",
    "plate",
    "country",
    "vin",
    "make",
    "registration",
)
KINDS = ("person", "vehicle", "organization")


def _page(
    request: Request, template: str, title: str, context: dict[str, Any], code: int = 200
) -> HTMLResponse:
    context = {"page_title": translate(language_of(request), title), "kinds": KINDS, **context}
    return templates.TemplateResponse(request, template, context, status_code=code)


def _record(values: dict[str, str]) -> dict[str, str]:
    return {f: values[f].strip()[:300] for f in RECORD_FIELDS if values.get(f, "").strip()}


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request) -> HTMLResponse:
    params = dict(request.query_params)
    kind = params.get("kind", "person") if params.get("kind") in KINDS else "person"
    record = _record(params)
    result: dict[str, Any] | None = None
    error: AstaraError | None = None
    with unit(request) as (session, scope):
        if record:
            try:
                result = store.query(session, scope, kind, record)
                result["groups"] = identities.group_candidates(session, scope, kind, result["candidates"])
            except AstaraError as exc:
                error = exc
    context = {"kind": kind, "values": record, "result": result, "error": error}
    return _page(request, "entities.html", "entities.title", context, error.status_code if error else 200)


@router.get("/identities/{kind}/{ref}", response_class=HTMLResponse)
def identity_page(request: Request, kind: str, ref: str) -> HTMLResponse:
    """An identity: its names in every script, its records (received ones marked), why they are one,
    and its seizures oldest first."""
    with unit(request) as (session, scope):
        found = identities.show(session, scope, ref, store.check_kind(kind))
        names = identities.summaries(session, scope, kind, [found["id"]])[found["id"]]["names"]
        audit.append(session, scope, "view_nominal", record=found["id"], details={"kind": kind})
        line = networks.timeline(session, scope, entity=f"{kind}:{found['id']}")
    context = {"identity": found, "names": names, "timeline": line, "kind": kind}
    return _page(request, "identity.html", "identity.title", context)


def _entity_context(request: Request, kind: str, entity_id: str) -> dict[str, Any]:
    with unit(request) as (session, scope):
        entity = store.get_entity(session, scope, store.check_kind(kind), entity_id)
        audit.append(session, scope, "view_nominal", record=entity_id, details={"kind": kind})
        record = store.record_of(kind, entity)
        result = store.query(session, scope, kind, entity_id=entity_id)
    return {"kind": kind, "entity_id": entity_id, "record": record, "label": store.label_of(kind, record),
            "result": result}  # fmt: skip


@router.get("/entities/{kind}/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, kind: str, entity_id: str, done: str = "") -> HTMLResponse:
    context = _entity_context(request, kind, entity_id)
    return _page(request, "entity.html", "entities.candidates", {**context, "done": done[:20], "error": None})


@router.post("/entities/{kind}/{entity_id}/judge")
async def judge(request: Request, kind: str, entity_id: str) -> Response:
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}

    def run() -> None:
        with unit(request, csrf=values.get("csrf_token", "")) as (session, scope):
            store.judge(session, scope, kind, entity_id, values.get("other", ""), values.get("verdict", ""),
                        values.get("note", ""))  # fmt: skip

    try:
        await run_in_threadpool(run)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        error = shown(request, exc, "judge")
        context = await run_in_threadpool(lambda: _entity_context(request, kind, entity_id))
        return _page(request, "entity.html", "entities.candidates", {**context, "done": "", "error": error},
                     error.status_code)  # fmt: skip
    return RedirectResponse(f"/entities/{quote(kind)}/{quote(entity_id)}?done=judged", status_code=303)


def _lists_page(
    request: Request, name: str | None, error: Shown | None = None, code: int = 200
) -> HTMLResponse:
    with unit(request) as (session, scope):
        lists = watch.lists(session, scope)
        shown = watch.show_list(session, scope, name, include_removed=True) if name else None
    context = {"lists": lists, "shown": shown, "error": error}
    return _page(request, "watchlists.html", "watch.title", context, code)


@router.get("/watchlists", response_class=HTMLResponse)
def watchlists_page(request: Request) -> HTMLResponse:
    return _lists_page(request, None)


@router.get("/watchlists/{name}", response_class=HTMLResponse)
def watchlist_page(request: Request, name: str) -> HTMLResponse:
    return _lists_page(request, name)


async def _watch_action(
    request: Request, action: str, name: str | None, entry_id: int | None = None
) -> Response:
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}

    def run() -> str:
        with unit(request, csrf=values.get("csrf_token", "")) as (session, scope):
            if action == "create":
                return watch.create_list(
                    session, scope, values.get("name", ""), values.get("description", "")
                ).name
            assert name is not None
            if action == "add":
                kind = values.get("kind", "person")
                watch.add_entry(session, scope, name, kind, _record(values))
            elif entry_id is not None:
                watch.remove_entry(session, scope, name, entry_id)
            return name

    try:
        target = await run_in_threadpool(run)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        situation = "watch_create" if action == "create" else f"watch_{action}"
        error = shown(request, exc, situation, name=values.get("name", "") if action == "create" else name)
        return await run_in_threadpool(lambda: _lists_page(request, name, error, error.status_code))
    return RedirectResponse(f"/watchlists/{quote(target)}", status_code=303)


@router.post("/watchlists")
async def create_watchlist(request: Request) -> Response:
    return await _watch_action(request, "create", None)


@router.post("/watchlists/{name}/entries")
async def add_watch_entry(request: Request, name: str) -> Response:
    return await _watch_action(request, "add", name)


@router.post("/watchlists/{name}/entries/{entry_id}/remove")
async def remove_watch_entry(request: Request, name: str, entry_id: int) -> Response:
    return await _watch_action(request, "remove", name, entry_id)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, status: str = "open") -> HTMLResponse:
    status = status if status in ("open", "acknowledged", "all") else "open"
    with unit(request) as (session, scope):
        rows = watch.alerts(session, scope, None if status == "all" else status)
    return _page(request, "alerts.html", "alerts.title", {"alerts": rows, "status": status, "error": None})


@router.post("/alerts/{alert_id}/ack")
async def ack_alert(request: Request, alert_id: int) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}

    def run() -> None:
        with unit(request, csrf=values.get("csrf_token", "")) as (session, scope):
            watch.acknowledge(session, scope, alert_id)

    try:
        await run_in_threadpool(run)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        error = shown(request, exc, "alert_ack", id=alert_id)

        def render() -> HTMLResponse:
            with unit(request) as (session, scope):
                rows = watch.alerts(session, scope)
            context = {"alerts": rows, "status": "open", "error": error}
            return _page(request, "alerts.html", "alerts.title", context, error.status_code)

        return await run_in_threadpool(render)
    return RedirectResponse("/alerts?" + urlencode({"status": "open"}), status_code=303)
