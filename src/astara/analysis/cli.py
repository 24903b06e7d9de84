"""``astara stats``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from astara.cli import emit, runtime
from astara.errors import InvalidInput
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.analysis import flows, hotspots, periods, questions, schemas, service, trends
else:
    _WHY = "the store's modules load when a command runs, not when the help lists it"
    flows = deferred("astara.analysis.flows", _WHY)
    hotspots = deferred("astara.analysis.hotspots", _WHY)
    periods = deferred("astara.analysis.periods", _WHY)
    questions = deferred("astara.analysis.questions", _WHY)
    schemas = deferred("astara.analysis.schemas", _WHY)
    service = deferred("astara.analysis.service", _WHY)
    trends = deferred("astara.analysis.trends", _WHY)

# The names of astara.seizures.dimensions.DIMENSIONS, kept here so that --help needs no database
# code; tests/analysis/test_cli_fields.py keeps the two lists equal.
FIELDS = (
    "drug", "drug_group", "year", "quarter", "month", "country", "departure_country", "destination_country",
    "producing_country", "transport", "concealment", "place_type", "routing", "detection_method", "place",
    "admin_area", "agency", "source_type", "validation_status", "tlp", "handling_code", "import_job",
    "possible_duplicate",
)  # fmt: skip
FIELDS_HELP = ", ".join(FIELDS)


def stats_command(
    by: Annotated[list[str], typer.Option(help=f"Group by FIELD (repeat for a cross table): {FIELDS_HELP}.")],
    where: Annotated[
        list[str] | None, typer.Option(help="FIELD=VALUE filter; A,B for either; none for empty.")
    ] = None,
    sort: Annotated[str, typer.Option(help="events, kg or key.")] = "events",
    limit: Annotated[int | None, typer.Option(help="Show only the first N groups.")] = None,
    exclude_possible_duplicates: Annotated[
        bool, typer.Option(help="Leave out events flagged as near duplicates.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    engine: Annotated[
        str,
        typer.Option(
            help="auto (duckdb for a large SQLite store, else sql), sql (the store) or duckdb "
            "(a columnar snapshot of the embedded store)."
        ),
    ] = "auto",
) -> None:
    """Count seizure events and sum kilogram equivalents by any field, with shares."""
    params = {"by": by, "where": where or [], "sort": sort, "limit": limit, "engine": engine,
              "exclude_possible_duplicates": exclude_possible_duplicates}  # fmt: skip
    with runtime().unit() as (session, scope):
        result = schemas.StatsResult.model_validate(
            questions.answer(session, scope, questions.normalise("stats", params))
        )
    emit(result.model_dump(mode="json"), fmt, service.format_table(result))


Where = Annotated[list[str] | None, typer.Option(help="FIELD=VALUE filter, as for astara stats.")]
PeriodOpt = Annotated[
    str | None, typer.Option(help="Period: 2016, 2016Q3 or 2016-03 (compared with the one before).")
]
Baseline = Annotated[str | None, typer.Option(help="Compare with this period instead of the previous one.")]
Fmt = Annotated[str, typer.Option("--format", help="table or json")]


def _periods(where: list[str] | None, period: str | None, baseline: str | None) -> Any:
    """The filters for the period asked about, and for the baseline it is compared with."""
    where = list(where or [])
    if period is None:
        if baseline is not None:
            raise InvalidInput("--baseline needs --period")
        return where, None, ("the baseline", "the period")
    now = periods.parse_period(period)
    before = periods.parse_period(baseline) if baseline else now.previous()
    return [*where, now.where()], [*where, before.where()], (before.label, now.label)


def trends_command(
    where: Where = None,
    interval: Annotated[str, typer.Option(help="month or year.")] = "month",
    measure: Annotated[str, typer.Option(help="events or kg.")] = "events",
    threshold: Annotated[float, typer.Option(help="Robust z above which a period is an anomaly.")] = 3.5,
    fmt: Fmt = "table",
) -> None:
    """Monthly or yearly series with the change against the previous period and explained anomalies."""
    params = {"where": where or [], "interval": interval, "measure": measure, "threshold": threshold}
    with runtime().unit() as (session, scope):
        result = schemas.TrendResult.model_validate(
            questions.answer(session, scope, questions.normalise("trends", params))
        )
    emit(result.model_dump(mode="json"), fmt, trends.format_trends(result))


def routes_command(
    where: Where = None,
    period: PeriodOpt = None,
    baseline: Baseline = None,
    detail: Annotated[
        str, typer.Option(help="country, or place to split routes by place of seizure.")
    ] = "country",
    limit: Annotated[int | None, typer.Option(help="Show only the first N routes.")] = None,
    fmt: Fmt = "table",
) -> None:
    """Routes (producing, departure, transit, seizure, destination) with shares and share shifts."""
    now, before, labels = _periods(where, period, baseline)
    with runtime().unit() as (session, scope):
        result = flows.route_flows(
            session, scope, now, baseline_where=before, labels=labels, detail=detail, limit=limit
        )
    emit(result.model_dump(mode="json"), fmt, flows.format_routes(result))


def hotspots_command(
    where: Where = None,
    period: PeriodOpt = None,
    baseline: Baseline = None,
    level: Annotated[str, typer.Option(help="border_post, place, admin_area or h3.")] = "place",
    resolution: Annotated[int, typer.Option(help="H3 resolution (0-15) for --level h3.")] = 6,
    limit: Annotated[int | None, typer.Option(help="Show only the first N hotspots.")] = None,
    fmt: Fmt = "table",
) -> None:
    """Where seizures happen most, and what is new against the previous period."""
    now, before, _labels = _periods(where, period, baseline)
    with runtime().unit() as (session, scope):
        result = hotspots.hotspots(
            session, scope, now, level=level, baseline_where=before, resolution=resolution, limit=limit
        )
    emit(result.model_dump(mode="json"), fmt, hotspots.format_hotspots(result))


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_command)
    app.command("trends")(trends_command)
    app.command("routes")(routes_command)
    app.command("hotspots")(hotspots_command)
