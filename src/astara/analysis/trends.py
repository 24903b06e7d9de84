"""Monthly and yearly series, the change against the previous period, and robust anomalies.

How anomalies are found (and said in every result's ``method``):

* A monthly series of at least two years is compared with itself twelve months earlier: the
  seasonal difference ``r_t = x_t - x_(t-12)`` takes out the usual seasonal pattern (a harvest
  month that is high every year is not an anomaly). A yearly or a shorter monthly series uses
  the difference from its median instead, and says that seasonality could not be accounted for.
* Each residual is scored robustly, so that the anomalies themselves do not hide each other:
  ``z = (r - median(r)) / (1.4826 * MAD(r))`` (the factor makes MAD comparable to a standard
  deviation); when MAD is 0 the mean absolute deviation (times 1.2533) stands in.
* A point is an anomaly when ``|z|`` exceeds the threshold, 3.5 by default (Iglewicz and Hoaglin).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis import repository
from astara.analysis.schemas import TrendPoint, TrendResult
from astara.errors import InvalidInput
from astara.seizures.dimensions import dimension, parse_where

PERIODS = ("month", "year")
MEASURES = ("events", "kg")
SEASON = 12
THRESHOLD = 3.5


@dataclass(frozen=True)
class Scores:
    residuals: list[float | None]
    scores: list[float | None]
    center: float
    scale: float
    seasonal: bool


def robust_scores(values: list[float], season: int | None = SEASON) -> Scores:
    """Robust z-scores of ``values`` after the seasonal difference (when the series is long enough)."""
    seasonal = season is not None and len(values) >= 2 * season
    if seasonal and season is not None:
        residuals: list[float | None] = [None] * season + [
            values[i] - values[i - season] for i in range(season, len(values))
        ]
    else:
        med = statistics.median(values) if values else 0.0
        residuals = [v - med for v in values]
    known = [r for r in residuals if r is not None]
    if len(known) < 3:
        return Scores(residuals, [None] * len(values), 0.0, 0.0, seasonal)
    center = statistics.median(known)
    deviations = [abs(r - center) for r in known]
    scale = 1.4826 * statistics.median(deviations)
    if scale == 0:
        scale = 1.2533 * statistics.fmean(deviations)
    if scale == 0:
        return Scores(residuals, [None] * len(values), center, 0.0, seasonal)
    scores = [None if r is None else (r - center) / scale for r in residuals]
    return Scores(residuals, scores, center, scale, seasonal)


def change_text(value: float, previous: float | None, kg: bool = False) -> str:
    """``"+4 (+25.0 %)"``; ``"+4 (from 0)"`` when the previous period had nothing."""
    if previous is None:
        return "first period"
    diff = value - previous
    number = f"{diff:+,.3f}" if kg else f"{diff:+,.0f}"
    if previous == 0:
        return f"{number} (from 0)" if diff else "no change"
    return f"{number} ({100.0 * diff / previous:+.1f} %)"


def _fmt(value: float, kg: bool) -> str:
    return f"{value:,.3f} kg" if kg else f"{value:,.0f} events"


def _signed(value: float, kg: bool) -> str:
    return f"{value:+,.3f}" if kg else f"{value:+,.1f}".removesuffix(".0")


def _method(scores: Scores, period: str, threshold: float) -> str:
    if scores.seasonal:
        first = "each month minus the same month a year earlier (seasonal difference)"
    elif period == "month":
        first = "each month minus the series median; seasonality not modelled (fewer than 24 months)"
    else:
        first = "each year minus the median year"
    return (
        f"Residual: {first}. Robust z = (residual - median) / (1.4826 x MAD); "
        f"an anomaly when |z| > {threshold:g}."
    )


def _periods(keys: list[int], period: str) -> list[int]:
    """Every period from the first to the last key, so gaps show as zeros."""
    if not keys:
        return []
    first, last = min(keys), max(keys)
    if period == "year":
        return list(range(first, last + 1))
    out, key = [], first
    while key <= last:
        out.append(key)
        year, month = divmod(key, 100)
        key = year * 100 + month + 1 if month < 12 else (year + 1) * 100 + 1
    return out


def _label(key: int, period: str) -> str:
    return str(key) if period == "year" else f"{key // 100}-{key % 100:02d}"


def trends(
    session: Session,
    scope: Scope,
    where: list[str] | None = None,
    *,
    period: str = "month",
    measure: str = "events",
    threshold: float = THRESHOLD,
    exclude_possible_duplicates: bool = False,
    engine: str = "sql",
) -> TrendResult:
    """The series of ``measure`` per ``period`` for the records ``where`` selects, with anomalies."""
    if period not in PERIODS:
        raise InvalidInput(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if measure not in MEASURES:
        raise InvalidInput(f"measure must be one of {', '.join(MEASURES)}, not {measure!r}")
    if threshold <= 0:
        raise InvalidInput("threshold must be above 0")
    rows = repository.grouped(
        session, scope, [dimension(period)], parse_where(where or []), exclude_possible_duplicates, engine
    )
    found: dict[int, tuple[int, float]] = {}
    without = 0
    for key, events, _items, kg, _no_kg, _rows in rows:
        if key is None or (period == "month" and int(key) % 100 == 0):
            without += int(events)
            continue
        found[int(key)] = (int(events), float(kg or 0.0))
    keys = _periods(list(found), period)
    is_kg = measure == "kg"
    values = [found.get(k, (0, 0.0))[1 if is_kg else 0] for k in keys]
    scores = robust_scores([float(v) for v in values], SEASON if period == "month" else None)
    points = []
    for i, key in enumerate(keys):
        events, kg = found.get(key, (0, 0.0))
        value = float(values[i])
        previous = float(values[i - 1]) if i else None
        z = scores.scores[i]
        anomaly = z is not None and abs(z) > threshold
        explanation = None
        if anomaly and z is not None:
            residual = scores.residuals[i] or 0.0
            if scores.seasonal:
                year_ago = float(values[i - SEASON])
                usual = _signed(scores.center, is_kg)
                what = (
                    f"{_fmt(value, is_kg)} against {_fmt(year_ago, is_kg)} a year earlier: a seasonal change "
                    f"of {_signed(residual, is_kg)} where the median seasonal change is {usual}"
                )
            else:
                what = f"{_fmt(value, is_kg)}, {_signed(residual, is_kg)} from the median period"
            direction = "higher" if z > 0 else "lower"
            explanation = (
                f"{_label(key, period)}: {what}; robust spread {scores.scale:,.1f}, z = {z:+.1f} "
                f"(|z| > {threshold:g}): {direction} than usual."
            )
        seasonal_change = value - float(values[i - SEASON]) if period == "month" and i >= SEASON else None
        points.append(
            TrendPoint(
                period=_label(key, period),
                events=events,
                kg=round(kg, 6),
                value=round(value, 6),
                change=None if previous is None else round(value - previous, 6),
                change_text=change_text(value, previous, is_kg),
                seasonal_change=None if seasonal_change is None else round(seasonal_change, 6),
                score=None if z is None else round(z, 3),
                anomaly=anomaly,
                explanation=explanation,
            )
        )
    return TrendResult(
        period=period,
        measure=measure,
        where=list(where or []),
        method=_method(scores, period, threshold),
        seasonal=scores.seasonal,
        threshold=threshold,
        events_without_period=without,
        points=points,
    )


def format_trends(result: TrendResult) -> str:
    lines = [f"{result.period:<10}{'events':>9}{'kg':>16}{'change':>22}{'z':>8}"]
    for p in result.points:
        z = "" if p.score is None else f"{p.score:+.1f}"
        mark = "  <- anomaly" if p.anomaly else ""
        lines.append(f"{p.period:<10}{p.events:>9,}{p.kg:>16,.3f}{p.change_text:>22}{z:>8}{mark}")
    if result.events_without_period:
        lines.append(f"({result.events_without_period:,} events have no {result.period} in their date)")
    lines.append(result.method)
    lines.extend(p.explanation for p in result.points if p.explanation)
    return "\n".join(lines)
