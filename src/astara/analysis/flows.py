"""Routes: producing, departure, transit and destination countries around the place of seizure.

Every event counts once, on the one route its record gives. Shares show numerator and
denominator. A route's share *shifts* when it changed by at least ``MIN_POINTS`` percentage points
between a baseline period and the period asked about and the two-proportion z statistic says the
change is unlikely to be chance (``|z| >= 1.96``, about 5 % two-sided).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis import repository
from astara.analysis.schemas import FlowEdge, RouteFlow, RouteResult, RouteShift
from astara.analysis.service import share_text
from astara.errors import InvalidInput
from astara.gazetteer import get_gazetteer
from astara.kit.countries import CountryNotFound, country_name
from astara.seizures.dimensions import dimension, parse_where

DETAILS = ("country", "place")
NOT_RECORDED = "(not recorded)"
MIN_POINTS = 5.0
Z_CRITICAL = 1.96

RouteKey = tuple[str | None, str | None, tuple[str, ...], str | None, str | None, str | None]


def _country(code: str | None) -> str:
    if not code:
        return NOT_RECORDED
    try:
        return country_name(code)
    except CountryNotFound:
        return code


def place_label(place: str | None) -> str | None:
    if not place:
        return None
    try:
        return get_gazetteer().get(place).name
    except KeyError:
        return place


def _transit(text: Any) -> tuple[str, ...]:
    if not text:
        return ()
    value = json.loads(text) if isinstance(text, str) else text
    return tuple(str(v) for v in value or ())


def route_text(key: RouteKey) -> str:
    producing, departure, transit, country, place, destination = key
    steps = []
    if producing and producing != departure:
        steps.append(f"{_country(producing)} (produced)")
    steps.append(_country(departure))
    steps.extend(_country(t) for t in transit)
    seized = _country(country)
    label = place_label(place)
    steps.append(f"{seized} ({label})" if label else seized)
    steps.append(_country(destination))
    return " → ".join(steps)


def _rows(
    session: Session, scope: Scope, where: Sequence[str], detail: str, exclude: bool
) -> dict[RouteKey, tuple[int, float]]:
    dims = [dimension(n) for n in ("producing_country", "departure_country")]
    dims += [repository.TRANSIT, dimension("country"), dimension("place"), dimension("destination_country")]
    out: dict[RouteKey, list[Any]] = defaultdict(lambda: [0, 0.0])
    for row in repository.grouped(session, scope, dims, parse_where(list(where)), exclude):
        producing, departure, transit, country, place, destination = row[:6]
        key: RouteKey = (
            producing,
            departure,
            _transit(transit),
            country,
            place if detail == "place" else None,
            destination,
        )
        out[key][0] += int(row[6])
        out[key][1] += float(row[8] or 0.0)
    return {k: (int(v[0]), float(v[1])) for k, v in out.items()}


def _country_route(key: RouteKey) -> RouteKey:
    producing, departure, transit, country, _place, destination = key
    return (producing, departure, transit, country, None, destination)


def share_shift(
    route: str, a: int, n_a: int, b: int, n_b: int, labels: tuple[str, str], key: RouteKey | None = None
) -> RouteShift:
    """How ``a of n_a`` (baseline) became ``b of n_b``, with the two-proportion z statistic; ``key`` gives
    the route's countries as codes, so a report can name them in its own language."""
    p_a, p_b = (a / n_a if n_a else 0.0), (b / n_b if n_b else 0.0)
    pooled = (a + b) / (n_a + n_b) if n_a + n_b else 0.0
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b)) if n_a and n_b else 0.0
    z = (p_b - p_a) / spread if spread else 0.0
    delta = round(100.0 * (p_b - p_a), 1)
    flagged = abs(delta) >= MIN_POINTS and abs(z) >= Z_CRITICAL
    before, after = share_text(a, n_a)[0], share_text(b, n_b)[0]
    verdict = "a shift" if flagged else "no clear shift"
    explanation = (
        f"{route}: {after} in {labels[1]} against {before} in {labels[0]}: {delta:+.1f} points, "
        f"z = {z:+.2f}; {verdict} (flagged at >= {MIN_POINTS:g} points and |z| >= {Z_CRITICAL})."
    )
    _producing, departure, transit, country, _place, destination = key or (None, None, (), None, None, None)
    return RouteShift(
        route=route,
        departure_country=departure,
        transit_countries=list(transit),
        country=country,
        destination_country=destination,
        before=before,
        before_events=a,
        before_total=n_a,
        after=after,
        after_events=b,
        after_total=n_b,
        delta_points=delta,
        z=round(z, 3),
        flagged=flagged,
        explanation=explanation,
    )


def _edges(routes: dict[RouteKey, tuple[int, float]]) -> list[FlowEdge]:
    acc: dict[tuple[str, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    for key, (events, kg) in routes.items():
        _producing, departure, _transit, country, place, destination = key
        label = place_label(place)
        seized = f"{_country(country)} ({label})" if label else _country(country)
        for stage, source, target in (
            ("departure→seizure", _country(departure), seized),
            ("seizure→destination", seized, _country(destination)),
        ):
            acc[(stage, source, target)][0] += events
            acc[(stage, source, target)][1] += kg
    edges = [
        FlowEdge(stage=stage, source=s, target=t, events=int(v[0]), kg=round(v[1], 6))
        for (stage, s, t), v in acc.items()
    ]
    return sorted(edges, key=lambda e: (e.stage, -e.events, e.source, e.target))


def route_flows(
    session: Session,
    scope: Scope,
    where: list[str] | None = None,
    *,
    baseline_where: list[str] | None = None,
    labels: tuple[str, str] = ("the baseline", "the period"),
    detail: str = "country",
    limit: int | None = None,
    exclude_possible_duplicates: bool = False,
) -> RouteResult:
    """Routes of the seizures ``where`` selects; with ``baseline_where``, their shifts in share."""
    if detail not in DETAILS:
        raise InvalidInput(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}")
    where = list(where or [])
    routes = _rows(session, scope, where, detail, exclude_possible_duplicates)
    total = sum(e for e, _ in routes.values())
    with_route = sum(e for k, (e, _) in routes.items() if k[1] or k[5])
    ordered = sorted(routes.items(), key=lambda kv: (-kv[1][0], -kv[1][1], route_text(kv[0])))
    flows = []
    for key, (events, kg) in ordered[:limit] if limit else ordered:
        text, pct = share_text(events, total)
        producing, departure, transit, country, place, destination = key
        flows.append(
            RouteFlow(
                route=route_text(key),
                producing_country=producing,
                departure_country=departure,
                transit_countries=list(transit),
                country=country,
                place=place,
                place_label=place_label(place),
                destination_country=destination,
                events=events,
                kg=round(kg, 6),
                share=text,
                share_pct=pct,
            )
        )
    shifts: list[RouteShift] = []
    if baseline_where is not None:
        base = _rows(session, scope, baseline_where, "country", exclude_possible_duplicates)
        now: dict[RouteKey, int] = defaultdict(int)
        for key, (events, _kg) in routes.items():
            now[_country_route(key)] += events
        n_a, n_b = sum(e for e, _ in base.values()), total
        for key in sorted(set(now) | set(base), key=route_text) if n_a and n_b else ():
            a, b = base.get(key, (0, 0.0))[0], now.get(key, 0)
            shifts.append(share_shift(route_text(key), a, n_a, b, n_b, labels, key))
        shifts.sort(key=lambda s: (not s.flagged, -abs(s.delta_points), s.route))
    return RouteResult(
        where=where,
        baseline_where=baseline_where,
        total_events=total,
        events_with_route=with_route,
        routes=flows,
        edges=_edges(routes),
        shifts=shifts,
    )


def format_routes(result: RouteResult) -> str:
    width = max([5, *(len(r.route) for r in result.routes)]) + 2
    lines = [f"{'route':<{width}}{'events':>9}{'kg':>16}{'share of events':>26}"]
    for r in result.routes:
        lines.append(f"{r.route:<{width}}{r.events:>9,}{r.kg:>16,.3f}{r.share:>26}")
    lines.append(f"{'total':<{width}}{result.total_events:>9,}")
    flagged = [s for s in result.shifts if s.flagged]
    if result.baseline_where is not None:
        lines.append("")
        lines.append(f"share shifts against {' and '.join(result.baseline_where)}: {len(flagged)} flagged")
        lines.extend("  " + s.explanation for s in flagged)
    return "\n".join(lines)
