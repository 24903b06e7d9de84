"""Questions that scan the store (statistics, trends, routes, hotspots, the dashboard's figures),
asked the same way by the CLI, the API and the pages, and answered once per store version.

A question is a kind and its parameters, normalised (:func:`normalise`: defaults filled in, filters
sorted), so that two ways of asking the same thing share one cached answer in
:data:`astara.kit.cache.figures`, keyed by (agency, question); the cache forgets it when the store
changes. :func:`answer` gives the cached answer or computes it; the API and the pages ask it as a
job of kind ``analysis.question`` (:func:`question_job`), so a slow answer does not hold a page
thread (:mod:`astara.jobs.pool`). The CLI calls :func:`answer` directly: same path, same figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis.periods import parse_period
from astara.analysis.service import ENGINES, SORTS, stats
from astara.errors import InvalidInput
from astara.jobs.service import Work
from astara.kit.cache import figures, store_of
from astara.seizures.dimensions import dimension, parse_where

KIND = "analysis.question"
COLUMNAR_FROM_BYTES = 64_000_000  # below this a SQLite store answers faster than a Parquet snapshot
Compute = Callable[[Session, Scope, dict[str, Any], Callable[[int, int], None]], Any]


def engine_for(session: Session, engine: str = "auto") -> str:
    """``auto``: DuckDB over the columnar snapshot for a large SQLite file when DuckDB is
    installed, else SQL on the store; ``sql`` and ``duckdb`` as asked."""
    if engine != "auto":
        return engine
    url = session.get_bind().engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return "sql"
    if find_spec("duckdb") is None or find_spec("pyarrow") is None:
        return "sql"
    try:
        size = Path(url.database).stat().st_size
    except OSError:
        return "sql"
    return "duckdb" if size >= COLUMNAR_FROM_BYTES else "sql"


def _where(params: dict[str, Any]) -> list[str]:
    where = params.get("where") or []
    if isinstance(where, str) or not all(isinstance(w, str) for w in where):
        raise InvalidInput("where must be a list of FIELD=VALUE filters")
    parse_where(list(where))  # names the bad filter now, not in the job
    return sorted(where)


def _int_or_none(params: dict[str, Any], name: str) -> int | None:
    value = params.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"{name} must be a whole number, 0 or more (0: no limit)")
    return value or None


def _choice(params: dict[str, Any], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = params.get(name, default)
    if value not in choices:
        raise InvalidInput(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return str(value)


def _period(params: dict[str, Any]) -> str | None:
    period = params.get("period")
    if period is None or period == "":
        return None
    parse_period(str(period))
    return str(period)


def normalise(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """The question as one canonical JSON object; bad parameters are refused here, naming them."""
    if kind == "stats":
        by = params.get("by") or []
        if isinstance(by, str) or not all(isinstance(b, str) for b in by):
            raise InvalidInput("by must be a list of field names")
        for name in by:
            dimension(name)
        return {"kind": kind, "by": list(by), "where": _where(params),
                "sort": _choice(params, "sort", "events", SORTS), "limit": _int_or_none(params, "limit"),
                "exclude_possible_duplicates": bool(params.get("exclude_possible_duplicates", False)),
                "q": params.get("q") or None,
                "engine": _choice(params, "engine", "auto", ("auto", *ENGINES))}  # fmt: skip
    if kind == "trends":
        threshold = params.get("threshold", 3.5)
        if not isinstance(threshold, int | float) or threshold <= 0:
            raise InvalidInput("threshold must be a number above 0")
        return {"kind": kind, "where": _where(params),
                "interval": _choice(params, "interval", "month", ("month", "year")),
                "measure": _choice(params, "measure", "events", ("events", "kg")),
                "threshold": float(threshold)}  # fmt: skip
    if kind == "routes":
        return {"kind": kind, "where": _where(params), "period": _period(params),
                "detail": _choice(params, "detail", "country", ("country", "place")),
                "limit": _int_or_none(params, "limit")}  # fmt: skip
    if kind == "hotspots":
        resolution = params.get("resolution", 6)
        if isinstance(resolution, bool) or not isinstance(resolution, int) or not 0 <= resolution <= 15:
            raise InvalidInput("resolution (H3) is a whole number from 0 to 15")
        return {"kind": kind, "where": _where(params), "period": _period(params),
                "level": _choice(params, "level", "place", ("border_post", "place", "admin_area", "h3")),
                "resolution": resolution, "limit": _int_or_none(params, "limit")}  # fmt: skip
    if kind == "dashboard":
        return {"kind": kind, "period": _period(params), "words": str(params.get("words") or "en"),
                "label": str(params.get("label") or "")}  # fmt: skip
    raise InvalidInput(f"no question {kind!r}; questions: {', '.join(sorted(COMPUTE))}")


def key(question: dict[str, Any]) -> tuple[str, str]:
    """The cache key of a normalised question."""
    return ("question", json.dumps(question, sort_keys=True, separators=(",", ":")))


def cached(session: Session, scope: Scope, question: dict[str, Any]) -> Any | None:
    """The answer already known for this store version, else None (nothing is computed)."""
    return figures.peek(store_of(session), scope.agency_id, key(question))


def answer(
    session: Session, scope: Scope, question: dict[str, Any], told: Callable[[int, int], None] | None = None
) -> Any:
    """The answer to a normalised question: cached, or computed now and cached.

    Computed outside the cache's lock, so that a page looking for it (:func:`cached`) meanwhile
    is not held while it is computed."""
    hit = cached(session, scope, question)
    if hit is not None:
        return hit
    value = COMPUTE[question["kind"]](session, scope, question, told or (lambda _done, _total: None))
    figures.put(store_of(session), scope.agency_id, key(question), value)
    return value


def question_job(work: Work, params: dict[str, Any]) -> dict[str, Any]:
    """The job of a question a request did not wait for: its answer, cached for the next asker."""
    question = normalise(str(params.get("kind")), params)
    with work.unit() as (session, scope):
        value = answer(session, scope, question, lambda done, total: work.progress(done, total))
    # the dashboard's figures are Python objects the page renders from the cache, not JSON
    return {"answer": value if question["kind"] != "dashboard" else None}


def _periods(where: list[str], period: str | None) -> tuple[list[str], list[str] | None, tuple[str, str]]:
    """The filters for the period asked about and for the one before, with their labels."""
    if period is None:
        return list(where), None, ("the baseline", "the period")
    now = parse_period(period)
    before = now.previous()
    return [*where, now.where()], [*where, before.where()], (before.label, now.label)


def _stats(session: Session, scope: Scope, q: dict[str, Any], _told: Any) -> dict[str, Any]:
    result = stats(session, scope, q["by"], q["where"], sort=q["sort"], limit=q["limit"],
                   exclude_possible_duplicates=q["exclude_possible_duplicates"],
                   engine=engine_for(session, q["engine"]), q=q["q"])  # fmt: skip
    return result.model_dump(mode="json")


def _trends(session: Session, scope: Scope, q: dict[str, Any], _told: Any) -> dict[str, Any]:
    from astara.analysis.trends import trends  # deferred: numpy's statistics, this question only

    result = trends(session, scope, q["where"], period=q["interval"], measure=q["measure"],
                    threshold=q["threshold"], engine=engine_for(session))  # fmt: skip
    return result.model_dump(mode="json")


def _routes(session: Session, scope: Scope, q: dict[str, Any], _told: Any) -> dict[str, Any]:
    from astara.analysis.flows import route_flows  # deferred: the gazetteer, this question only

    now, before, labels = _periods(q["where"], q["period"])
    result = route_flows(session, scope, now, baseline_where=before, labels=labels, detail=q["detail"],
                         limit=q["limit"])  # fmt: skip
    return result.model_dump(mode="json")


def _hotspots(session: Session, scope: Scope, q: dict[str, Any], _told: Any) -> dict[str, Any]:
    from astara.analysis.hotspots import hotspots  # deferred: h3 and the gazetteer, this question only

    now, before, _labels = _periods(q["where"], q["period"])
    result = hotspots(session, scope, now, level=q["level"], baseline_where=before,
                      resolution=q["resolution"], limit=q["limit"])  # fmt: skip
    return result.model_dump(mode="json")


def _dashboard(session: Session, scope: Scope, q: dict[str, Any], told: Any) -> dict[str, Any]:
    from astara.analysis.overview import overview  # deferred: matplotlib and the maps, the dashboard only

    period = parse_period(q["period"]) if q["period"] else None
    return overview(session, scope, period, q["words"], q["label"], told)


COMPUTE: dict[str, Compute] = {
    "stats": _stats,
    "trends": _trends,
    "routes": _routes,
    "hotspots": _hotspots,
    "dashboard": _dashboard,
}
