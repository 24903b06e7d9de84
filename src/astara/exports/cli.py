"""``astara export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from astara.cli import runtime


def export_file(
    file: Annotated[Path, typer.Argument(help="Output file; .csv, .xlsx, .jsonl or .geojson.")],
    layout: Annotated[
        str, typer.Option(help="astara (template) or ids (UNODC IDS) for CSV/XLSX.")
    ] = "astara",
    fmt: Annotated[
        str | None, typer.Option("--format", help="csv, xlsx, jsonl, geojson (default: suffix).")
    ] = None,
    where: Annotated[list[str] | None, typer.Option(help="FIELD=VALUE filter; repeat for more.")] = None,
) -> None:
    """Export the agency's seizures."""
    from astara.exports.service import export

    with runtime().unit() as (session, scope):
        n = export(session, scope, file, fmt=fmt, layout=layout, where=where)
    typer.echo(f"wrote {n:,} records to {file}")


def register(app: typer.Typer) -> None:
    app.command("export")(export_file)
