"""REST API for reports: ``GET /api/reports/{type}?country=AZ&period=2016&partner=IR&format=html|pdf``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from astara.errors import InvalidInput
from astara.reports.schemas import ReportRequest
from astara.reports.service import build_report, render_html, render_pdf
from astara.web.deps import unit

router = APIRouter(prefix="/api/reports", tags=["reports"])


@router.get("/{report_type}", response_class=Response)
def get_report(
    request: Request,
    report_type: str,
    country: Annotated[str, Query(description="Country of seizure, any form.")],
    period: Annotated[str, Query(description="2016, 2016Q3 or 2016-03.")],
    partner: str | None = None,
    place: str | None = None,
    format: str = "html",
    language: Annotated[str, Query(description="en, az, ru or fa: the report's words.")] = "en",
) -> Response:
    if format not in ("html", "pdf"):
        raise InvalidInput("format must be html or pdf")
    req = ReportRequest(
        type=report_type, country=country, period=period, partner=partner, place=place, language=language
    )
    with unit(request) as (session, scope):
        report = build_report(session, scope, req)
    if format == "pdf":
        return Response(render_pdf(report), media_type="application/pdf")
    # The report carries its own styles and SVG inline and loads nothing else.
    policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return HTMLResponse(render_html(report), headers={"Content-Security-Policy": policy})
