"""``astara demo``: initialise, load the demo data, serve."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import runtime
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.agencies import service as agencies
    from astara.db import engine, migrate
    from astara.demo import service
    from astara.web import cli as web_cli
else:
    _WHY = "the store's modules load when a command runs, not when the help lists it"
    agencies = deferred("astara.agencies.service", _WHY)
    engine = deferred("astara.db.engine", _WHY)
    migrate = deferred("astara.db.migrate", _WHY)
    service = deferred("astara.demo.service", _WHY)
    web_cli = deferred("astara.web.cli", "only --serve starts the server")


def demo(
    serve: Annotated[bool, typer.Option(help="Serve the web application after loading.")] = True,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Create the embedded database, load the demo data (UNODC IDS regional subset), then serve."""
    rt = runtime()
    migrate.upgrade(rt.engine)
    with engine.transaction(rt.engine) as session:
        scope = agencies.ensure_agency(session, rt.agency or rt.settings.agency, "Demonstration agency", None)
        report = service.load_demo(session, scope)
    typer.echo(report.summary())
    if serve:
        web_cli.serve(host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
