"""``astara stats``."""

from __future__ import annotations

from typing import Annotated

import typer

from astara.cli import emit, runtime

# The names of astara.seizures.dimensions.DIMENSIONS, kept here so that --help needs no database
# code; tests/analysis/test_cli_fields.py keeps the two lists equal.
FIELDS = (
    "drug", "drug_group", "year", "quarter", "month", "country", "departure_country", "destination_country",
    "producing_country", "transport", "concealment", "place_type", "routing", "detection_method", "place",
    "admin_area", "agency", "source_type", "validation_status", "tlp", "import_job",
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
) -> None:
    """Count seizure events and sum kilogram equivalents by any field, with shares."""
    from astara.analysis.service import format_table, stats

    with runtime().unit() as (session, scope):
        result = stats(
            session,
            scope,
            by,
            where,
            sort=sort,
            limit=limit,
            exclude_possible_duplicates=exclude_possible_duplicates,
        )
    emit(result.model_dump(mode="json"), fmt, format_table(result))


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_command)
