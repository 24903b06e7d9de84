"""The dashboard: key figures for a period (all recorded data unless ``?period=`` names a year,
quarter or month) against the period before, the trend with its anomalies, the busiest places, and
the latest records. Every figure comes from the same services as
`astara stats`, `astara trends` and `astara hotspots`; the slow ones are cached (kit/cache.py)."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis.hotspots import hotspots
from astara.analysis.periods import Period
from astara.analysis.service import stats
from astara.analysis.trends import trends
from astara.auth.roles import allowed
from astara.i18n import localise_digits, translate
from astara.kit.cache import figures, store_of
from astara.matching.watch import open_alert_count
from astara.reports import maps
from astara.reports.charts import period_bars
from astara.seizures import service
from astara.sharing import service as sharing_service
from astara.web.deps import unit
from astara.web.i18n import language_of
from astara.web.period import page_period, period_choices, period_label, period_options
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
MONTHS_SHOWN = 60  # all recorded data over more months than this is charted by year


def _change(now: float, before: float) -> str:
    if not before:
        return ""
    return f"{(now - before) / before * 100:+.1f} %"


def _figures(session: Session, scope: Scope, period: Period | None, language: str = "en") -> dict[str, Any]:
    where = [period.where()] if period else []
    now = stats(session, scope, ["year"], where)
    if not now.total_events:
        return {"empty": True}
    years = sorted(int(g.key) for g in now.groups if g.key is not None)
    first, last = (years[0], years[-1]) if years else (None, None)  # None: no record has a date
    before = stats(session, scope, [], [period.previous().where()]) if period else None
    drugs = stats(session, scope, ["drug"], where, limit=5)
    departures = stats(session, scope, ["departure_country"], where, limit=5)
    trend = trends(session, scope, where, period="month")
    if len(trend.points) > MONTHS_SHOWN:
        trend = trends(session, scope, where, period="year")
    points = trend.points
    chart = period_bars([p.period for p in points], [p.value for p in points],
                        flagged=[p.anomaly for p in points],
                        ylabel=translate(language, "report.events"),
                        digits=lambda text: localise_digits(text, language)) if points else ""  # fmt: skip
    baseline = [period.previous().where()] if period else None
    places = hotspots(session, scope, where, level="place", baseline_where=baseline, limit=8)
    spots = hotspots(session, scope, where, level="place", limit=60).hotspots
    located = [
        maps.Point(h.label, h.lon, h.lat, h.events) for h in spots if h.lat is not None and h.lon is not None
    ]
    span = period_label(period, language) if period else f"{first}–{last}" if first else ""
    title = (
        translate(language, "dash.hotspots_of", span=span)
        if span
        else translate(language, "report.hotspots_title")
    )
    hotspot_svg = maps.hotspot_map(
        located,
        labels=5,
        title=title,
        attribution=translate(language, "report.attribution"),
        digits=lambda text: localise_digits(text, language),
    )
    return {
        "empty": False,
        "first": first,
        "last": last,
        "events": now.total_events,
        "kg": now.total_kg,
        "events_before": before.total_events if before else None,
        "kg_before": before.total_kg if before else None,
        "events_change": _change(now.total_events, before.total_events) if before else "",
        "kg_change": _change(now.total_kg, before.total_kg) if before else "",
        "drugs": drugs.groups,
        "departures": [g for g in departures.groups if g.key is not None],  # the top *known* origin
        # as an image: the page's content security policy forbids the inline styles matplotlib writes
        "chart_b64": base64.b64encode(chart.encode()).decode(),
        "by_year": trend.period == "year",
        "map_b64": base64.b64encode(hotspot_svg.encode()).decode(),
        "anomalies": [p for p in points if p.anomaly],
        "method": translate(
            language,
            "report.method_seasonal" if trend.seasonal else f"report.method_{trend.period}",
            threshold=localise_digits(f"{trend.threshold:g}", language),
        ),
        "places": places.hotspots,
        "located": places.located_events,
    }


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, period: str = "") -> HTMLResponse:
    chosen = page_period(period)
    language = language_of(request)
    with unit(request) as (session, scope):
        data = figures.get(
            store_of(session),
            scope.agency_id,
            ("dashboard", chosen.value, language),  # the charts carry the page's words
            lambda: _figures(session, scope, chosen.period, language),
        )
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
