"""``astara reference import`` and ``astara reference compare``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import emit, runtime
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.reference import service
else:
    service = deferred(
        "astara.reference.service", "the store's modules load when a command runs, not when the help lists it"
    )

app = typer.Typer(help="Reference totals (UNODC country-by-drug-by-year) against recorded seizures.")


@app.command("import")
def import_command(
    path: Annotated[
        Path, typer.Argument(help="UNODC totals CSV (the long 1990-2019 table or the 2018-2022 export).")
    ],
    source: Annotated[
        str | None, typer.Option(help="Name of the reference source (default: file name).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Store a file of reported totals as a reference source, replacing an earlier import of it."""
    with runtime().unit() as (session, _scope):
        report = service.import_reference(session, path, source)
    skipped = ", ".join(f"{n:,} {why}" for why, n in report.skipped.items()) or "none"
    table = (
        f"{report.source}: {report.rows_stored:,} totals from {report.rows_read:,} rows, "
        f"{report.countries} countries, {report.first_year}-{report.last_year}; skipped: {skipped}"
    )
    emit(report.model_dump(mode="json"), fmt, table)


@app.command("compare")
def compare_command(
    country: Annotated[str, typer.Option(help="Country, any form.")],
    year: Annotated[int, typer.Option(help="Year.")],
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Recorded seizures against the reported totals for a country and year, by drug group."""
    with runtime().unit() as (session, scope):
        result = service.compare(session, scope, country, year)
    emit(result.model_dump(mode="json"), fmt, service.format_comparison(result))


def register(main: typer.Typer) -> None:
    main.add_typer(app, name="reference")
