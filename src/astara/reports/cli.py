"""``astara report``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import runtime
from astara.errors import InvalidInput
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.reports import schemas, service
else:
    _WHY = "the report's modules load when the command runs, not when the help lists it"
    schemas = deferred("astara.reports.schemas", _WHY)
    service = deferred("astara.reports.service", _WHY)


def report_command(
    out: Annotated[Path, typer.Option(help="Where to write the report: FILE.html or FILE.pdf.")],
    country: Annotated[str, typer.Option(help="Country of seizure, any form (AZ, Azerbaijan).")],
    type_: Annotated[str, typer.Option("--type", help="bilateral or route-brief.")] = "bilateral",
    year: Annotated[int | None, typer.Option(help="The year reported on.")] = None,
    period: Annotated[str | None, typer.Option(help="Or a period: 2016, 2016Q3, 2016-03.")] = None,
    partner: Annotated[str | None, typer.Option(help="Partner country, e.g. IR.")] = None,
    place: Annotated[
        str | None, typer.Option(help="Only one place, e.g. the border post az-ir-astara-road.")
    ] = None,
    language: Annotated[
        str, typer.Option(help="The report's words: en, az, ru or fa (right to left).")
    ] = "en",
) -> None:
    """Write a bilateral periodic report or a route brief as HTML or PDF (tables, charts, maps)."""
    if (year is None) == (period is None):
        raise InvalidInput("give either --year or --period")
    request = schemas.ReportRequest(
        type=type_,
        country=country,
        period=period or str(year),
        partner=partner,
        place=place,
        language=language,
    )
    with runtime().unit() as (session, scope):
        path = service.write_report(session, scope, request, out)
    typer.echo(f"report written to {path}")


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)
