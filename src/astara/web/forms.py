"""The new-seizure form: several items, place autocomplete from the gazetteer, Jalali or Gregorian
dates, and every validation message shown at its field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from astara.auth.roles import require
from astara.errors import AstaraError, Conflict, InvalidInput, NotAuthenticated, NotFound
from astara.seizures import service
from astara.seizures.schemas import SeizureCreate
from astara.vocab import get_vocabulary
from astara.web.deps import unit
from astara.web.i18n import language_of, translate
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
EVENT_FIELDS = ("reference", "date", "country", "place", "admin_area", "departure_country",
                "destination_country", "transport", "concealment", "cover_cargo", "notes")  # fmt: skip
ITEM_FIELDS = ("drug", "quantity", "unit")
MIN_ITEM_ROWS, MAX_ITEM_ROWS = 3, 20


def _choices() -> dict[str, Any]:
    vocab = get_vocabulary()
    return {
        "drugs": [(d.code, d.name) for d in vocab.drugs.all()],
        "units": [(u.code, u.name) for u in vocab.units.all()],
        "transport": [(t.code, t.label) for t in vocab.transport.all()],
        "concealment": [(t.code, t.label) for t in vocab.concealment.all()],
    }


def _render(
    request: Request, values: dict[str, str], items: list[dict[str, str]], errors: dict[str, str],
    message: str | None = None, status: int = 200, *, editing: tuple[str, str, int] | None = None,
) -> HTMLResponse:  # fmt: skip
    """The form; ``editing`` is (event id, its reference or id, the version being edited)."""
    rows = max(MIN_ITEM_ROWS, len(items))
    items = items + [dict.fromkeys(ITEM_FIELDS, "") for _ in range(rows - len(items))]
    language = language_of(request)
    context = {
        "page_title": translate(language, "form.edit_title", ref=editing[1])
        if editing
        else translate(language, "form.title"),
        "action": f"/seizures/{editing[0]}/edit" if editing else "/seizures/new",
        "back": f"/seizures/{editing[0]}" if editing else "/",
        "version": editing[2] if editing else None,
        "values": values,
        "items": items,
        "errors": errors,
        "message": message,
        **_choices(),
    }
    return templates.TemplateResponse(request, "seizure_form.html", context, status_code=status)


@router.get("/seizures/new", response_class=HTMLResponse)
def new_seizure(request: Request, rows: int = MIN_ITEM_ROWS) -> HTMLResponse:
    with unit(request):  # logged in, or off to the login page
        pass
    count = min(max(rows, MIN_ITEM_ROWS), MAX_ITEM_ROWS)
    return _render(request, {}, [dict.fromkeys(ITEM_FIELDS, "") for _ in range(count)], {})


def _read_form(form: Any) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The event fields and the non-empty item rows a posted form holds."""
    values = {f: str(form.get(f, "")).strip() for f in EVENT_FIELDS}
    items = []
    for index in range(MAX_ITEM_ROWS):
        item = {f: str(form.get(f"items-{index}-{f}", "")).strip() for f in ITEM_FIELDS}
        if any(item.values()):
            items.append(item)
    return values, items


def _with_more_rows(form: Any, items: list[dict[str, str]]) -> list[dict[str, str]]:
    """The typed items and blank rows: three more than the form showed."""
    shown = sum(1 for index in range(MAX_ITEM_ROWS) if f"items-{index}-drug" in form)
    rows = min(max(shown, MIN_ITEM_ROWS) + 3, MAX_ITEM_ROWS)
    return items + [dict.fromkeys(ITEM_FIELDS, "") for _ in range(rows - len(items))]


def _field_errors(details: list[dict[str, Any]]) -> dict[str, str]:
    """API error details (``items.1.quantity``) as form field names (``items-1-quantity``)."""
    errors: dict[str, str] = {}
    for detail in details:
        field = str(detail.get("field", "")).replace(".", "-") or "form"
        errors.setdefault(field, str(detail.get("reason", "")))
    return errors


@router.post("/seizures/new", response_class=HTMLResponse)
async def create_seizure(request: Request) -> Response:
    form = await request.form()
    values, items = _read_form(form)
    csrf = str(form.get("csrf_token", ""))
    if form.get("action") == "more_rows":  # more item rows, keeping everything typed so far
        with unit(request, csrf=csrf):
            pass
        return _render(request, values, _with_more_rows(form, items), {})

    def store() -> str:
        body = {k: v for k, v in values.items() if v}
        try:
            data = SeizureCreate.model_validate({**body, "items": items})
        except ValidationError as exc:
            details = [
                {"field": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]} for e in exc.errors()
            ]
            raise InvalidInput("the seizure is not valid", details=details) from exc
        with unit(request, csrf=csrf) as (session, scope):
            return service.create_seizure(session, scope, data).id

    try:
        event_id = await run_in_threadpool(store)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        errors = _field_errors(exc.details)
        if not items:
            errors["items-0-drug"] = translate(language_of(request), "form.need_item")
        return _render(request, values, items, errors, exc.message, status=exc.status_code)
    return RedirectResponse(f"/seizures/{event_id}", status_code=303)


def _form_values(data: SeizureCreate) -> tuple[dict[str, str], list[dict[str, str]]]:
    raw = data.model_dump()
    values = {f: "" if raw.get(f) is None else str(raw[f]) for f in EVENT_FIELDS}
    items = [
        {"drug": i.drug, "quantity": f"{i.quantity:g}" if isinstance(i.quantity, float) else str(i.quantity),
         "unit": i.unit}
        for i in data.items
    ]  # fmt: skip
    return values, items


@router.get("/seizures/{event_id}/edit", response_class=HTMLResponse)
def edit_seizure(request: Request, event_id: str) -> HTMLResponse:
    with unit(request) as (session, scope):
        require(scope, "records.write")
        event = service.get_seizure(session, scope, event_id)
    values, items = _form_values(service.as_input(event))
    return _render(request, values, items, {}, editing=(event.id, event.reference or event.id, event.version))


@router.post("/seizures/{event_id}/edit", response_class=HTMLResponse)
async def save_seizure(request: Request, event_id: str) -> Response:
    """The form's fields replace the record's; fields the form does not show keep their values."""
    form = await request.form()
    values, items = _read_form(form)
    csrf = str(form.get("csrf_token", ""))
    try:
        version = int(str(form.get("version", "")))
    except ValueError:
        version = None

    def store() -> tuple[str, str, int]:
        with unit(request, csrf=csrf) as (session, scope):
            event = service.get_seizure(session, scope, event_id)
            editing = (event.id, event.reference or event.id, event.version)
            if form.get("action") == "more_rows":
                return editing
            current = service.as_input(event).model_dump(exclude={"items"})
            body = {**current, **{k: (v or None) for k, v in values.items()}}
            try:
                required = {"date": values["date"], "country": values["country"], "items": items}
                data = SeizureCreate.model_validate({**body, **required})
            except ValidationError as exc:
                details = [
                    {"field": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]} for e in exc.errors()
                ]
                raise InvalidInput("the seizure is not valid", details=details) from exc
            service.update_seizure(session, scope, event_id, data, version=version)
            return editing

    try:
        editing = await run_in_threadpool(store)
    except NotAuthenticated:
        raise
    except Conflict as exc:
        if version is None or "changed by someone else" not in exc.message:
            raise
        with unit(request) as (session, scope):
            event = service.get_seizure(session, scope, event_id)
        theirs, their_items = _form_values(service.as_input(event))
        message = translate(language_of(request), "form.edited_elsewhere")
        return _render(request, theirs, their_items, {}, message, status=409,
                       editing=(event.id, event.reference or event.id, event.version))  # fmt: skip
    except AstaraError as exc:
        if isinstance(exc, NotFound):
            raise
        errors = _field_errors(exc.details)
        if not items:
            errors["items-0-drug"] = translate(language_of(request), "form.need_item")
        with unit(request) as (session, scope):
            event = service.get_seizure(session, scope, event_id)
        return _render(request, values, items, errors, exc.message, status=exc.status_code,
                       editing=(event.id, event.reference or event.id, version or event.version))  # fmt: skip
    if form.get("action") == "more_rows":
        editing = (editing[0], editing[1], version or editing[2])
        return _render(request, values, _with_more_rows(form, items), {}, editing=editing)
    return RedirectResponse(f"/seizures/{event_id}", status_code=303)
