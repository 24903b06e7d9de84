"""``astara serve``."""

from __future__ import annotations

from typing import Annotated

import typer

from astara.cli import runtime


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default ASTARA_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default ASTARA_PORT).")] = None,
) -> None:
    """Serve the web application and the REST API."""
    import uvicorn

    from astara.db.engine import require_schema
    from astara.web.app import create_app

    rt = runtime()
    require_schema(rt.engine)
    app = create_app(rt.settings, agency=rt.agency)
    h, p = host or rt.settings.host, port or rt.settings.port
    typer.echo(f"Astara on http://{h}:{p}/  (API: /api/seizures, OpenAPI: /openapi.json)")
    from astara.auth.service import needs_setup
    from astara.db.engine import transaction

    with transaction(rt.engine) as session:
        if needs_setup(session):
            typer.echo(
                "No one can log in yet. Create the administrator at this address (valid while this server"
                f" runs):\n  http://{h}:{p}/setup?token={app.state.setup_token}\n"
                "or from the shell: astara user password admin@" + (rt.agency or rt.settings.agency).lower()
            )
    uvicorn.run(app, host=h, port=p, log_level=rt.settings.log_level.lower())


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
