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
from astara.i18n import translate
from astara.seizures import service
from astara.seizures.schemas import SeizureCreate, SeizureEventOut
from astara.vocab import get_vocabulary
from astara.web.deps import unit
from astara.web.i18n import language_of
from astara.web.problems import field_errors, problem_text
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
EVENT_FIELDS = ("reference", "date", "country", "place", "admin_area", "departure_country",
                "destination_country", "transport", "concealment", "cover_cargo", "notes",
                # "more details": every other stored field, so that an edit shows and keeps them all
                "time", "place_type", "producing_country", "transit_countries", "routing", "conveyance_ids",
                "detection_method", "reporting_agency", "participating_agencies", "source_ref", "tlp",
                "handling_code", "legal_basis", "validation_status")  # fmt: skip
ITEM_FIELDS = ("drug", "quantity", "unit", "purity")
# fields stored as a vocabulary code (beside the text they were read from), chosen from a list
CODED = {"transport": "transport", "concealment": "concealment", "place_type": "place_types",
         "detection_method": "detection_methods", "routing": "routing", "tlp": "tlp",
         "validation_status": "validation_statuses", "handling_code": "handling_codes"}  # fmt: skip
FIELD_LABELS = {
    "reference": "form.reference",
    "date": "detail.date",
    "country": "list.country",
    "place": "detail.place",
    "admin_area": "form.admin_area",
    "departure_country": "list.departure",
    "destination_country": "form.destination",
    "transport": "detail.transport",
    "concealment": "detail.concealment",
    "cover_cargo": "form.cover_cargo",
    "notes": "form.notes",
    "time": "form.time",
    "place_type": "detail.place_type",
    "producing_country": "form.producing_country",
    "transit_countries": "form.transit_countries",
    "routing": "form.routing",
    "conveyance_ids": "form.conveyance_ids",
    "detection_method": "form.detection_method",
    "reporting_agency": "detail.reported_by",
    "participating_agencies": "form.participating_agencies",
    "source_ref": "detail.source_ref",
    "handling_code": "form.handling_code",
    "legal_basis": "form.legal_basis",
    "validation_status": "form.validation_status",
    "drug": "list.drug",
    "quantity": "detail.quantity",
    "unit": "form.unit",
    "purity": "form.purity",
}
MIN_ITEM_ROWS, MAX_ITEM_ROWS = 3, 20


def _choices(language: str) -> dict[str, Any]:
    """The form's lists, each code labelled in the page's language (English where the vocabulary has none)."""
    vocab = get_vocabulary()
    return {
        "drugs": [
            (d.code, d.label_in(language) or d.name, d.label_in(language) is None) for d in vocab.drugs.all()
        ],
        "units": [(u.code, u.name) for u in vocab.units.all()],
        "coded": {
            field: [(t.code, t.label_in(language) or t.label) for t in getattr(vocab, kind).all()]
            for field, kind in CODED.items()
        },
    }


def _render(
    request: Request, values: dict[str, str], items: list[dict[str, str]], errors: dict[str, str],
    message: str | None = None, status: int = 200, *, editing: tuple[str, str, int] | None = None,
    conflict: tuple[int, list[tuple[str, int, str, str]]] | None = None,
) -> HTMLResponse:  # fmt: skip
    """The form; ``editing`` is (event id, its reference or id, the version being edited), ``conflict``
    the version someone else saved meanwhile and where it differs from the form's values."""
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
        "conflict": conflict,
        "field_labels": FIELD_LABELS,
        **_choices(language),
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
    values = {f: str(form.get(f, "")).strip() for f in EVENT_FIELDS if f in form}  # an edit keeps the rest
    items = []
    for index in range(MAX_ITEM_ROWS):
        item = {f: str(form.get(f"items-{index}-{f}", "")).strip() for f in ITEM_FIELDS}
        if any(item.values()):
            items.append(item)
    return values, items


def _filled(items: list[dict[str, str]]) -> list[dict[str, str]]:
    """Item rows without their empty cells (an empty purity is no purity)."""
    return [{k: v for k, v in item.items() if v} for item in items]


def _with_more_rows(form: Any, items: list[dict[str, str]]) -> list[dict[str, str]]:
    """The typed items and blank rows: three more than the form showed."""
    shown = sum(1 for index in range(MAX_ITEM_ROWS) if f"items-{index}-drug" in form)
    rows = min(max(shown, MIN_ITEM_ROWS) + 3, MAX_ITEM_ROWS)
    return items + [dict.fromkeys(ITEM_FIELDS, "") for _ in range(rows - len(items))]


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
            data = SeizureCreate.model_validate({**body, "items": _filled(items)})
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
        language = language_of(request)
        errors = field_errors(language, exc.details)
        if isinstance(exc, Conflict) and "reference" in exc.message:  # the reference is another seizure's
            errors["reference"] = problem_text(
                language, exc, "reference", reference=values.get("reference", "")
            )
        if not items:
            errors["items-0-drug"] = translate(language, "form.need_item")
        return _render(request, values, items, errors, problem_text(language, exc, "seizure"),
                       status=exc.status_code)  # fmt: skip
    return RedirectResponse(f"/seizures/{event_id}", status_code=303)


def _quantity(value: Any) -> str:
    return format(value, ".15g") if isinstance(value, float) else str(value if value is not None else "")


def _form_values(event: SeizureEventOut) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The form's fields of a stored seizure: the texts it was read from, and coded fields as their code
    (the list shows it; the text it was read from stays stored while the code is not changed)."""
    data = service.as_input(event)
    raw = data.model_dump()
    values = {f: "" if raw.get(f) is None else str(raw[f]) for f in EVENT_FIELDS}
    for field in CODED:
        code = getattr(event, field)
        values[field] = code or values[field]
    items = [
        {"drug": i.drug, "quantity": _quantity(i.quantity), "unit": i.unit, "purity": _quantity(i.purity)}
        for i in data.items
    ]
    return values, items


def _edited(event: SeizureEventOut, values: dict[str, str]) -> dict[str, Any]:
    """The record's input with the form's fields over it: a coded field left at its stored code keeps the
    text it was read from, and fields the form does not send keep their values."""
    current = service.as_input(event).model_dump(exclude={"items"})
    body = {**current, **{k: (v or None) for k, v in values.items() if k in current}}
    for field in CODED:
        if values.get(field) and values[field] == getattr(event, field):
            body[field] = current[field]
    return body


Version = tuple[dict[str, str], list[dict[str, str]]]  # a seizure as the form's fields and item rows


def _differences(theirs: Version, yours: Version) -> list[tuple[str, int, str, str]]:
    """(field, item number or 0, their value, your value) wherever the two versions differ."""
    found = [(f, 0, theirs[0].get(f, ""), yours[0].get(f, "")) for f in EVENT_FIELDS
             if theirs[0].get(f, "") != yours[0].get(f, "")]  # fmt: skip
    blank = dict.fromkeys(ITEM_FIELDS, "")
    for index in range(max(len(theirs[1]), len(yours[1]))):
        their_item = theirs[1][index] if index < len(theirs[1]) else blank
        your_item = yours[1][index] if index < len(yours[1]) else blank
        found += [
            (f, index + 1, their_item[f], your_item[f]) for f in ITEM_FIELDS if their_item[f] != your_item[f]
        ]
    return found


def _conflict(
    request: Request, event_id: str, values: dict[str, str], items: list[dict[str, str]]
) -> HTMLResponse:
    """Someone saved a newer version: theirs beside the form's where they differ; the form keeps what
    was typed and takes their version number, so saving again replaces theirs."""
    with unit(request) as (session, scope):
        event = service.get_seizure(session, scope, event_id)
    changes = _differences(_form_values(event), (values, items))
    message = translate(language_of(request), "problem.edit_conflict")
    return _render(request, values, items, {}, message, status=409, conflict=(event.version, changes),
                   editing=(event.id, event.reference or event.id, event.version))  # fmt: skip


@router.get("/seizures/{event_id}/edit", response_class=HTMLResponse)
def edit_seizure(request: Request, event_id: str) -> HTMLResponse:
    with unit(request) as (session, scope):
        require(scope, "records.write")
        event = service.get_seizure(session, scope, event_id)
    values, items = _form_values(event)
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
            body = _edited(event, values)
            try:
                required = {
                    "date": values.get("date", ""),
                    "country": values.get("country", ""),
                    "items": _filled(items),
                }
                data = SeizureCreate.model_validate({**body, **required})
            except ValidationError as exc:
                details = [
                    {"field": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]} for e in exc.errors()
                ]
                raise InvalidInput("the seizure is not valid", details=details) from exc
            service.update_seizure(session, scope, event_id, data, version=version)
            return editing

    language = language_of(request)
    try:
        editing = await run_in_threadpool(store)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        if isinstance(exc, NotFound):
            raise
        if isinstance(exc, Conflict) and version is not None and "changed by someone else" in exc.message:
            return _conflict(request, event_id, values, items)
        errors = field_errors(language, exc.details)
        if isinstance(exc, Conflict) and "reference" in exc.message:  # the reference is another seizure's
            errors["reference"] = problem_text(
                language, exc, "reference", reference=values.get("reference", "")
            )
        if not items:
            errors["items-0-drug"] = translate(language, "form.need_item")
        with unit(request) as (session, scope):
            event = service.get_seizure(session, scope, event_id)
        return _render(request, values, items, errors, problem_text(language, exc, "seizure"),
                       status=exc.status_code,
                       editing=(event.id, event.reference or event.id, version or event.version))  # fmt: skip
    if form.get("action") == "more_rows":
        editing = (editing[0], editing[1], version or editing[2])
        return _render(request, values, _with_more_rows(form, items), {}, editing=editing)
    return RedirectResponse(f"/seizures/{event_id}", status_code=303)
