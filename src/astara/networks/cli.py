"""``astara network`` and ``astara timeline``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import emit, runtime
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.networks import service
else:
    service = deferred("astara.networks.service", "networkx and the store load when a command runs")

Where = Annotated[list[str] | None, typer.Option(help="FIELD=VALUE filter, as for astara stats.")]


def network_command(
    where: Where = None,
    out: Annotated[
        Path | None, typer.Option(help="Write FILE.graphml or FILE.json (the web graph view's data).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Persons, organisations, vehicles, phones and documents linked through shared seizures."""
    with runtime().unit() as (session, scope):
        result = service.network(session, scope, where)
    if out is not None:
        if out.suffix.lower() == ".graphml":
            out.write_text(service.to_graphml(result), encoding="utf-8")
        else:
            out.write_text(
                json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=1), encoding="utf-8"
            )
    emit(result.model_dump(mode="json"), fmt, service.format_network(result))


def timeline_command(
    entity: Annotated[
        str | None, typer.Option(help="An entity: TYPE:ID, e.g. person:P1 or vehicle:V7.")
    ] = None,
    place: Annotated[str | None, typer.Option(help="A place: gazetteer id or the recorded text.")] = None,
    route: Annotated[
        str | None, typer.Option(help="A route: IR>AZ or IR>AZ>RU (departure>seizure>destination).")
    ] = None,
    where: Where = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The seizures of an entity, a place or a route, oldest first."""
    with runtime().unit() as (session, scope):
        result = service.timeline(session, scope, entity=entity, place=place, route=route, where=where)
    emit(result.model_dump(mode="json"), fmt, service.format_timeline(result))


def register(app: typer.Typer) -> None:
    app.command("network")(network_command)
    app.command("timeline")(timeline_command)
