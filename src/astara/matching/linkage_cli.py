"""``astara link LEFT RIGHT`` / ``astara link LEFT --store``: batch linkage of person records."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import runtime
from astara.errors import InvalidInput
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.matching import linkage
else:
    linkage = deferred("astara.matching.linkage", "Splink and DuckDB load when the command runs")


def link_command(
    left: Annotated[Path, typer.Argument(help="CSV, XLSX/ODS or JSONL of person records.")],
    right: Annotated[Path | None, typer.Argument(help="The other file (or --store).")] = None,
    store: Annotated[
        bool, typer.Option("--store", help="Link LEFT against the agency's stored persons.")
    ] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Linked pairs: .csv or .jsonl.")] = None,
    clusters: Annotated[Path | None, typer.Option("--clusters", help="Clusters: .csv or .jsonl.")] = None,
    engine: Annotated[str, typer.Option(help="duckdb, or spark (needs the spark extra).")] = "duckdb",
    threshold: Annotated[float, typer.Option(help="Link pairs scoring at least this (0..1).")] = 0.5,
    decide: Annotated[
        str,
        typer.Option(
            help="matcher: the explained matcher re-scores Splink's candidates; splink: Splink's model "
            "alone; blend: the mean of both log-odds."
        ),
    ] = "matcher",
    train: Annotated[
        bool | None, typer.Option("--train/--no-train", help="EM training (default: on inputs of 1,000+).")
    ] = None,
    id_col: Annotated[str | None, typer.Option("--id", help="Column of record ids.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Column of full names.")] = None,
    given: Annotated[str | None, typer.Option("--given", help="Column of given names.")] = None,
    surname: Annotated[str | None, typer.Option("--surname", help="Column of surnames.")] = None,
    father: Annotated[str | None, typer.Option("--father", help="Column of fathers' names.")] = None,
    birth_date: Annotated[str | None, typer.Option("--birth-date", help="Column of birth dates.")] = None,
    nationality: Annotated[str | None, typer.Option("--nationality", help="Column of nationalities.")] = None,
    document: Annotated[str | None, typer.Option("--document", help="Column of document numbers.")] = None,
    extra: Annotated[
        list[str] | None, typer.Option("--extra", help="A further column compared exactly (repeatable).")
    ] = None,
) -> None:
    """Link person records across scripts: Splink on the name keys, then the explained matcher.

    Columns are found by their usual names (id, name or given_name + surname,
    birth_date or dob, nationality, document_number or passport). Name them
    with the options: one column, or several separated by commas (the first
    found in each file is used).
    """

    if (right is None) == (not store):
        raise InvalidInput("give a second file, or --store (not both)")
    if not 0 <= threshold <= 1:
        raise InvalidInput(f"--threshold {threshold} is not between 0 and 1")
    columns = linkage.Columns(
        id=id_col,
        name=name,
        given=given,
        surname=surname,
        father=father,
        birth_date=birth_date,
        nationality=nationality,
        id_number=document,
        extra=list(extra or []),
    )
    start = time.perf_counter()
    left_records = linkage.read_records(left, columns)
    if right is not None:
        right_records = linkage.read_records(right, columns)
    else:
        columns.extra = []
        with runtime().unit() as (session, scope):
            right_records = linkage.store_records(session, scope)
    result = linkage.link_records(
        left_records,
        right_records,
        extra=columns.extra,
        engine=engine,
        threshold=threshold,
        decide=decide,
        train=train,
        read_seconds=time.perf_counter() - start,
    )
    if out is not None:
        linkage.write_pairs(result, out)
    if clusters is not None:
        linkage.write_clusters(result, clusters)
    typer.echo(result.summary())
    if out is None:
        for pair in result.pairs[:20]:
            typer.echo(f"  {pair['left_id']} ~ {pair['right_id']}  {pair['match_probability']:.3f}")
        if len(result.pairs) > 20:
            typer.echo(f"  ... {len(result.pairs) - 20:,} more (write them all with --out pairs.csv)")


def register(app: typer.Typer) -> None:
    app.command("link")(link_command)
