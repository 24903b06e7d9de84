"""``astara seizures list|show``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import emit, runtime
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.seizures import service
    from astara.seizures.schemas import SeizureEventOut
else:
    service = deferred(
        "astara.seizures.service", "the store loads when a command runs, not when the help lists it"
    )

seizures_app = typer.Typer(help="Seizure records.", no_args_is_help=True)


def _line(e: SeizureEventOut) -> str:
    drugs = ", ".join(
        f"{i.drug_code} {i.quantity:g} {i.unit_code}" + (f" ({i.kg:,.3f} kg)" if i.kg is not None else "")
        for i in e.items
    )
    date = e.date.isoformat()[: {"year": 4, "month": 7}.get(e.date_precision or "", 10)] if e.date else "?"
    return f"{e.id}  {date:<10}  {e.country or '??'}  {(e.place_text or '')[:40]:<40}  {drugs}"


@seizures_app.command("list")
def list_(
    where: Annotated[
        list[str] | None, typer.Option(help="FIELD=VALUE filter (see `astara stats --help`).")
    ] = None,
    q: Annotated[
        str | None,
        typer.Option(help="Words in place, reference, notes, admin area (the last also as a prefix)."),
    ] = None,
    sort: Annotated[
        str, typer.Option(help="date, country, place, created, reference; '-' for descending.")
    ] = "-date",
    limit: Annotated[int, typer.Option(help="Rows per page.")] = 20,
    offset: Annotated[int, typer.Option(help="Rows to skip.")] = 0,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List seizures, newest first."""
    with runtime().unit() as (session, scope):
        page = service.list_seizures(session, scope, where, q=q, sort=sort, offset=offset, limit=limit)
    table = "\n".join(
        [_line(e) for e in page.items] + [f"{page.offset + len(page.items):,} of {page.total:,}"]
    )
    emit(page.model_dump(mode="json"), fmt, table)


@seizures_app.command("show")
def show(
    event_id: Annotated[str, typer.Argument(help="Seizure id.")],
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Show one seizure with its items and provenance."""
    with runtime().unit() as (session, scope):
        event = service.get_seizure(session, scope, event_id)
    data = event.model_dump(mode="json")
    lines = [f"{k:<22} {v}" for k, v in data.items() if k != "items" and v not in (None, [], "")]
    for item in event.items:
        lines.append(
            f"item {item.position}: {item.drug_code} {item.quantity:g} {item.unit_code} -> "
            f"{item.kg if item.kg is not None else '-'} kg ({item.kg_method})"
        )
    emit(data, fmt, "\n".join(lines))


def register(app: typer.Typer) -> None:
    app.add_typer(seizures_app, name="seizures")
