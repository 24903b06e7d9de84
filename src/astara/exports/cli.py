"""``astara export``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import runtime
from astara.interchange.cli import INTERCHANGE_LAYOUTS, export_interchange
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.exports import service
else:
    service = deferred(
        "astara.exports.service", "the store's modules load when a command runs, not when the help lists it"
    )


def export_file(
    file: Annotated[Path, typer.Argument(help="Output file; .csv, .xlsx, .jsonl or .geojson.")],
    layout: Annotated[
        str,
        typer.Option(help="astara (template) or ids (UNODC IDS) for CSV/XLSX; ftm, stix or misp."),
    ] = "astara",
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, xlsx, jsonl, geojson (default: suffix).")
    ] = None,
    where: Annotated[list[str] | None, typer.Option(help="FIELD=VALUE filter; repeat for more.")] = None,
    partner: Annotated[
        str | None, typer.Option(help="ftm/stix/misp for this partner: only what its agreement allows.")
    ] = None,
) -> None:
    """Export the agency's seizures."""
    if layout in INTERCHANGE_LAYOUTS or partner:
        export_interchange(file, layout, where, partner)
        return

    with runtime().unit() as (session, scope):
        n = service.export(session, scope, file, fmt=fmt, layout=layout, where=where)
    typer.echo(f"wrote {n:,} records to {file}")


def register(app: typer.Typer) -> None:
    app.command("export")(export_file)
