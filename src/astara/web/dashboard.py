"""The dashboard: the latest year's key figures against the year before, the monthly trend with its
anomalies, the busiest places, and the latest records. Every figure comes from the same services as
`astara stats`, `astara trends` and `astara hotspots`; the slow ones are cached (kit/cache.py)."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis.hotspots import hotspots
from astara.analysis.service import stats
from astara.analysis.trends import trends
from astara.auth.roles import allowed
from astara.kit.cache import figures, store_of
from astara.matching.watch import open_alert_count
from astara.reports import maps
from astara.reports.charts import period_bars
from astara.seizures import service
from astara.sharing import service as sharing_service
from astara.web.deps import unit
from astara.web.i18n import language_of, translate
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
MONTHS_SHOWN = 24


def _change(now: float, before: float) -> str:
    if not before:
        return ""
    return f"{(now - before) / before * 100:+.1f} %"


def _figures(session: Session, scope: Scope) -> dict[str, Any]:
    years = stats(session, scope, ["year"])
    known = sorted(int(g.key) for g in years.groups if g.key is not None)
    if not known:
        return {"year": None}
    year = known[-1]
    by_year = {int(g.key): g for g in years.groups if g.key is not None}
    now, before = by_year[year], by_year.get(year - 1)
    where = [f"year={year}"]
    drugs = stats(session, scope, ["drug"], where, limit=5)
    departures = stats(session, scope, ["departure_country"], where, limit=5)
    trend = trends(session, scope, period="month")
    months = trend.points[-MONTHS_SHOWN:]
    chart = period_bars([p.period for p in months], [p.value for p in months],
                        flagged=[p.anomaly for p in months]) if months else ""  # fmt: skip
    places = hotspots(session, scope, where, level="place", baseline_where=[f"year={year - 1}"], limit=8)
    spots = hotspots(session, scope, where, level="place", limit=60).hotspots
    points = [
        maps.Point(h.label, h.lon, h.lat, h.events) for h in spots if h.lat is not None and h.lon is not None
    ]
    hotspot_svg = maps.hotspot_map(points, labels=5, title=f"Seizure hotspots, {year}")
    return {
        "year": year,
        "events": now.events,
        "kg": now.kg,
        "events_before": before.events if before else None,
        "kg_before": before.kg if before else None,
        "events_change": _change(now.events, before.events) if before else "",
        "kg_change": _change(now.kg, before.kg) if before else "",
        "drugs": drugs.groups,
        "departures": [g for g in departures.groups if g.key is not None],  # the top *known* origin
        # as an image: the page's content security policy forbids the inline styles matplotlib writes
        "chart_b64": base64.b64encode(chart.encode()).decode(),
        "map_b64": base64.b64encode(hotspot_svg.encode()).decode(),
        "anomalies": [p for p in months if p.anomaly],
        "method": trend.method,
        "places": places.hotspots,
        "located": places.located_events,
    }


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request) -> HTMLResponse:
    with unit(request) as (session, scope):
        data = figures.get(
            store_of(session), scope.agency_id, ("dashboard",), lambda: _figures(session, scope)
        )
        latest = service.list_seizures(session, scope, sort="-created", limit=5).items
        # what partners sent, as counts: opening the records themselves is audited on the sharing pages
        partners = sharing_service.status(session, scope) if allowed(scope, "sharing") else []
        open_alerts = open_alert_count(session, scope)  # watch-list alerts (astara.matching.watch)
    context = {
        "page_title": translate(language_of(request), "dash.title"),
        "d": data,
        "latest": latest,
        "partners": partners,
        "open_alerts": open_alerts,
    }
    return templates.TemplateResponse(request, "dashboard.html", context)
