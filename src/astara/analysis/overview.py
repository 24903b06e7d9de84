"""The dashboard's figures: key figures for a period against the one before, the trend with its
anomalies, the busiest places and a map of them, from the same services as `astara stats`,
`astara trends` and `astara hotspots`. Asked as a question (:mod:`astara.analysis.questions`)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis.hotspots import hotspots
from astara.analysis.periods import Period
from astara.analysis.service import stats
from astara.analysis.trends import trends
from astara.i18n import localise_digits, translate
from astara.reports import maps
from astara.reports.charts import period_bars

MONTHS_SHOWN = 60  # all recorded data over more months than this is charted by year
STEPS = 4


def _change(now: float, before: float) -> str:
    if not before:
        return ""
    return f"{(now - before) / before * 100:+.1f} %"


def overview(
    session: Session,
    scope: Scope,
    period: Period | None,
    language: str = "en",
    label: str = "",
    told: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """The dashboard's figures for ``period`` (None: all recorded data), in ``language``; ``label``
    names the period in the charts; ``told(done, total)`` hears of each step."""
    step = told or (lambda _done, _total: None)
    where = [period.where()] if period else []
    step(0, STEPS)
    now = stats(session, scope, ["year"], where)
    if not now.total_events:
        return {"empty": True}
    years = sorted(int(g.key) for g in now.groups if g.key is not None)
    first, last = (years[0], years[-1]) if years else (None, None)  # None: no record has a date
    before = stats(session, scope, [], [period.previous().where()]) if period else None
    step(1, STEPS)
    drugs = stats(session, scope, ["drug"], where, limit=5)
    departures = stats(session, scope, ["departure_country"], where, limit=5)
    step(2, STEPS)
    trend = trends(session, scope, where, period="month")
    if len(trend.points) > MONTHS_SHOWN:
        trend = trends(session, scope, where, period="year")
    points = trend.points
    chart = period_bars([p.period for p in points], [p.value for p in points],
                        flagged=[p.anomaly for p in points],
                        ylabel=translate(language, "report.events"),
                        digits=lambda text: localise_digits(text, language)) if points else ""  # fmt: skip
    baseline = [period.previous().where()] if period else None
    step(3, STEPS)
    places = hotspots(session, scope, where, level="place", baseline_where=baseline, limit=8)
    spots = hotspots(session, scope, where, level="place", limit=60).hotspots
    located = [
        maps.Point(h.label, h.lon, h.lat, h.events) for h in spots if h.lat is not None and h.lon is not None
    ]
    span = label if period else f"{first}–{last}" if first else ""
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
