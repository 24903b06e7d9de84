"""The new-seizure form: several items, place autocomplete from the gazetteer, Jalali or Gregorian
dates, and every validation message shown at its field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from astara.errors import AstaraError, InvalidInput, NotAuthenticated
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
    message: str | None = None, status: int = 200,
) -> HTMLResponse:  # fmt: skip
    rows = max(MIN_ITEM_ROWS, len(items))
    items = items + [dict.fromkeys(ITEM_FIELDS, "") for _ in range(rows - len(items))]
    context = {
        "page_title": translate(language_of(request), "form.title"),
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
    values = {f: str(form.get(f, "")).strip() for f in EVENT_FIELDS}
    items = []
    for index in range(MAX_ITEM_ROWS):
        item = {f: str(form.get(f"items-{index}-{f}", "")).strip() for f in ITEM_FIELDS}
        if any(item.values()):
            items.append(item)
    csrf = str(form.get("csrf_token", ""))
    if form.get("action") == "more_rows":  # more item rows, keeping everything typed so far
        with unit(request, csrf=csrf):
            pass
        shown = sum(1 for index in range(MAX_ITEM_ROWS) if f"items-{index}-drug" in form)
        rows = min(max(shown, MIN_ITEM_ROWS) + 3, MAX_ITEM_ROWS)
        blank = [dict.fromkeys(ITEM_FIELDS, "") for _ in range(rows - len(items))]
        return _render(request, values, items + blank, {})

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
