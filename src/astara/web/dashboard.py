"""The dashboard: key figures for a period (all recorded data unless ``?period=`` names a year,
quarter or month) against the period before, the trend with its anomalies, the busiest places, and
the latest records. The figures are a question (:mod:`astara.analysis.overview`), cached per store
version; when they take longer than the wait, the page says so and reloads itself until they are there."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from astara.auth.roles import allowed
from astara.i18n import translate
from astara.matching.watch import open_alert_count
from astara.seizures import service
from astara.sharing import service as sharing_service
from astara.web.deps import unit
from astara.web.i18n import language_of
from astara.web.period import page_period, period_choices, period_label, period_options
from astara.web.questions import answer_or_job, waiting_page
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, period: str = "") -> HTMLResponse:
    chosen = page_period(period)
    language = language_of(request)
    label = period_label(chosen.period, language) if chosen.period else ""
    # the charts carry the page's words, so its language is part of the question
    params = {"period": chosen.value if chosen.period else None, "words": language, "label": label}
    data, job = answer_or_job(request, "dashboard", params)
    if job is not None:
        return waiting_page(request, job, translate(language, "dash.title"))
    with unit(request) as (session, scope):
        options = period_options(period_choices(session, scope), language)
        latest = service.list_page(session, scope, sort="-created", limit=5).items
        # what partners sent, as counts: opening the records themselves is audited on the sharing pages
        partners = sharing_service.status(session, scope) if allowed(scope, "sharing") else []
        open_alerts = open_alert_count(session, scope)  # watch-list alerts (astara.matching.watch)
    previous = chosen.period.previous() if chosen.period else None
    context = {
        "page_title": translate(language, "dash.title"),
        "d": data,
        "period": chosen,
        "period_text": period_label(chosen.period, language),
        "previous_text": period_label(previous, language) if previous else "",
        "period_options": options,
        "latest": latest,
        "partners": partners,
        "open_alerts": open_alerts,
    }
    status = 400 if chosen.bad else 200
    return templates.TemplateResponse(request, "dashboard.html", context, status_code=status)
