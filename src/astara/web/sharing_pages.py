"""Sharing administration in the browser: partners and their keys, agreements (load, explain), and
"Pull now", which queues a pull job (the network call is the job's, never the request's).

Each page calls the sharing service, which checks the role (liaison, supervisor, administrator);
a refusal or a bad form is shown on the page in its language, never as JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from astara.errors import AstaraError, InvalidInput, NotAuthenticated
from astara.i18n import translate
from astara.sharing import keys
from astara.sharing import service as sharing
from astara.sharing.agreements import parse_agreement_text
from astara.sharing.fields import ALL_FIELDS
from astara.sharing.schemas import Explanation, PartnerIn
from astara.web.deps import require_login, runtime_of, unit
from astara.web.i18n import language_of
from astara.web.inputs import read_upload_form
from astara.web.jobs_pages import refused, wake_runner
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
AGREEMENT_BYTES = 256_000  # an agreement is a page or two of YAML
PARTNER_FIELDS = ("code", "name", "url", "key")


def _page(request: Request, name: str, title_key: str, status: int = 200, **context: Any) -> HTMLResponse:
    title = translate(language_of(request), title_key)
    return templates.TemplateResponse(request, name, {"page_title": title, **context}, status_code=status)


def _field_errors(exc: AstaraError, fields: tuple[str, ...], default: str) -> dict[str, str]:
    """Each problem at the field it names (else at ``default``)."""
    errors: dict[str, str] = {}
    for d in exc.details or [{}]:
        name = str(d.get("field", "")).split(".")[0]
        errors.setdefault(name if name in fields else default, str(d.get("reason") or exc.message))
    return errors


# -- partners -------------------------------------------------------------------------------------


def _partners_page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    with unit(request) as (session, scope):
        partners = sharing.list_partners(session, scope)
    own = keys.load_or_create(runtime_of(request).settings.data_dir)
    added = request.query_params.get("added", "")
    context = {"values": {}, "errors": {}, **context}
    return _page(request, "partners.html", "partners.title", status, partners=partners, own=own,
                 added=next((p for p in partners if p.code == added), None), **context)  # fmt: skip


@router.get("/partners", response_class=HTMLResponse)
def partners_page(request: Request) -> HTMLResponse:
    try:
        return _partners_page(request)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        return refused(request, exc)


@router.post("/partners", response_class=HTMLResponse)
def add_partner(
    request: Request,
    code: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
    key: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    values = {"code": code.strip(), "name": name.strip(), "url": url.strip(), "key": key.strip()}
    try:
        try:
            data = PartnerIn(
                code=values["code"], name=values["name"], url=values["url"] or None, key=values["key"]
            )
        except ValidationError as exc:
            details = [{"field": str(e["loc"][0]), "reason": e["msg"]} for e in exc.errors()]
            raise InvalidInput("the partner is not valid", details=details) from None
        with unit(request, csrf=csrf_token) as (session, scope):
            partner = sharing.add_partner(session, scope, data)
    except NotAuthenticated:
        raise
    except InvalidInput as exc:
        try:
            return _partners_page(request, exc.status_code, values=values,
                                  errors=_field_errors(exc, PARTNER_FIELDS, "code"))  # fmt: skip
        except AstaraError as again:
            return refused(request, again)
    except AstaraError as exc:
        return refused(request, exc)
    return RedirectResponse(f"/partners?added={partner.code}", status_code=303)


# -- agreements -----------------------------------------------------------------------------------


def _agreements_page(request: Request, status: int = 200, **context: Any) -> HTMLResponse:
    query = request.query_params
    ask = {k: query.get(k, "").strip() for k in ("partner", "record", "field")}
    explanation: Explanation | None = None
    explain_error = None
    with unit(request) as (session, scope):
        agreements = sharing.list_agreements(session, scope)
        partners = sharing.list_partners(session, scope)
        if ask["partner"] and ask["record"]:
            try:
                explanation = sharing.explain(
                    session, scope, ask["partner"], ask["record"], ask["field"] or None
                )
            except AstaraError as exc:
                explain_error = exc.message
    context = {"text": "", "problems": [], "message": None, **context}
    return _page(request, "agreements.html", "agreements.title", status, agreements=agreements,
                 partners=partners, ask=ask, explanation=explanation, explain_error=explain_error,
                 fields=sorted(ALL_FIELDS), loaded=query.get("loaded", ""), **context)  # fmt: skip


@router.get("/agreements", response_class=HTMLResponse)
def agreements_page(request: Request) -> HTMLResponse:
    try:
        return _agreements_page(request)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        return refused(request, exc)


@router.post("/agreements", response_class=HTMLResponse)
async def load_agreement(request: Request) -> Response:
    """An agreement uploaded as a file or pasted as text; each problem is listed by its field."""
    await run_in_threadpool(require_login, request)  # before reading the body
    text = ""
    try:
        form = await read_upload_form(request, AGREEMENT_BYTES)
        try:
            file, pasted = form.get("file"), form.get("text", "")
            if isinstance(file, UploadFile) and file.filename:
                text = (await file.read()).decode("utf-8", "replace")
            elif isinstance(pasted, str):
                text = pasted
            csrf, existing = str(form.get("csrf_token", "")), form.get("share_existing") == "on"
        finally:
            await form.close()
        return await run_in_threadpool(_load, request, text, csrf, existing)
    except NotAuthenticated:
        raise
    except InvalidInput as exc:
        problems = [(str(d.get("field", "")), str(d.get("reason", exc.message))) for d in exc.details]
        try:
            return await run_in_threadpool(_agreements_page, request, exc.status_code, text=text,
                                           problems=problems, message=exc.message)  # fmt: skip
        except AstaraError as again:
            return refused(request, again)
    except AstaraError as exc:
        return refused(request, exc)


def _load(request: Request, text: str, csrf: str, existing: bool) -> Response:
    if not text.strip():
        raise InvalidInput("paste the agreement's YAML or choose its file", details=[{"field": "yaml"}])
    with unit(request, csrf=csrf) as (session, scope):
        stored = sharing.add_agreement(session, scope, parse_agreement_text(text))
        if existing:
            sharing.share_existing(session, scope)
    return RedirectResponse(f"/agreements?loaded={stored.code}", status_code=303)


# -- sync -----------------------------------------------------------------------------------------


@router.post("/sharing/pull")
def pull_now(
    request: Request, partner: Annotated[str, Form()] = "", csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """Queue a pull of ``partner`` and show its job."""
    try:
        with unit(request, csrf=csrf_token) as (session, scope):
            job = sharing.start_pull(session, scope, partner)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        return refused(request, exc)
    wake_runner(request)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)
