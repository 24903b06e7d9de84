"""Pages over what the other domains provide: reports, sharing (partners, agreements, sync, audit)
and the network of linked entities."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from astara.errors import InvalidInput
from astara.i18n import translate
from astara.sharing import service as sharing
from astara.web.deps import unit
from astara.web.i18n import language_of
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
REPORT_TYPES = ("bilateral", "route-brief")


def _page(request: Request, name: str, title_key: str, **context: object) -> HTMLResponse:
    title = translate(language_of(request), title_key)
    return templates.TemplateResponse(request, name, {"page_title": title, **context})


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request) -> HTMLResponse:
    with unit(request):
        pass
    return _page(request, "reports.html", "reports.title")


@router.get("/reports/open")
def open_report(
    request: Request,
    type: str,
    country: str,
    period: str,
    partner: str = "",
    fmt: str = "html",
    language: str = "",
) -> Response:
    """The form's answer: the report itself, from the API (same figures, same checks), in the language
    chosen, else the page's."""
    if type not in REPORT_TYPES:
        raise InvalidInput(f"report type must be one of {', '.join(REPORT_TYPES)}, not {type!r}")
    language = language or language_of(request)
    query = {"country": country, "period": period, "format": fmt, "language": language}
    if partner.strip():
        query["partner"] = partner.strip()
    return RedirectResponse(f"/api/reports/{type}?{urlencode(query)}", status_code=303)


@router.get("/sharing", response_class=HTMLResponse)
def sharing_page(request: Request) -> HTMLResponse:
    with unit(request) as (session, scope):
        partners = sharing.list_partners(session, scope)
        agreements = sharing.list_agreements(session, scope)
        status = {s.partner: s for s in sharing.status(session, scope)}
        audit = sharing.verify_audit(session, scope)
    return _page(request, "sharing.html", "sharing.title", partners=partners, agreements=agreements,
                 status=status, audit=audit)  # fmt: skip


@router.get("/sharing/audit")
def audit_page(request: Request) -> RedirectResponse:
    """The audit log moved to /audit (web/admin_pages.py); old links keep working."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/audit{query}", status_code=308)


@router.get("/network", response_class=HTMLResponse)
def network_page(request: Request) -> HTMLResponse:
    with unit(request):
        pass
    return _page(request, "network.html", "network.title", query=request.url.query)
