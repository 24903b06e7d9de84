"""``astara demo``: initialise, load the demo data, serve."""

from __future__ import annotations

from typing import Annotated

import typer

from astara.cli import runtime


def demo(
    serve: Annotated[bool, typer.Option(help="Serve the web application after loading.")] = True,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
) -> None:
    """Create the embedded database, load the demo data (UNODC IDS regional subset), then serve."""
    from astara.agencies.service import ensure_agency
    from astara.db.engine import transaction
    from astara.db.migrate import upgrade
    from astara.demo.service import load_demo

    rt = runtime()
    upgrade(rt.engine)
    with transaction(rt.engine) as session:
        scope = ensure_agency(session, rt.agency or rt.settings.agency, "Demonstration agency", None)
        report = load_demo(session, scope)
    typer.echo(report.summary())
    if serve:
        from astara.web.cli import serve as serve_command

        serve_command(host=host, port=port)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
