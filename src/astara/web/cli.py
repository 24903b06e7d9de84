"""``astara serve``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from astara.cli import runtime


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default ASTARA_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default ASTARA_PORT).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (one per CPU core is typical).")] = 1,
) -> None:
    """Serve the web application and the REST API."""
    import os
    import secrets

    import uvicorn

    from astara.agencies.cli import make_instance_key
    from astara.auth.secret import secret_path, session_secret
    from astara.db.engine import require_schema
    from astara.web.app import SETUP_TOKEN_VARIABLE, create_app

    rt = runtime()
    require_schema(rt.engine)
    if session_secret(rt.settings)[1]:  # before the workers start, so they all read the same file
        typer.echo(f"wrote a new secret key for sessions to {secret_path(rt.settings)} (mode 0600)")
    make_instance_key(rt.settings.data_dir)
    token = secrets.token_urlsafe(18)
    app = create_app(rt.settings, agency=rt.agency, setup_token=token)
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
    # uvicorn would believe X-Forwarded-For from loopback; web/deps.client_address decides instead
    options: dict[str, Any] = {"host": h, "port": p, "log_level": rt.settings.log_level.lower(),
                               "proxy_headers": False}  # fmt: skip
    if rt.settings.log_format == "json":  # create_app sends every logger's lines as JSON instead
        options.update(log_config=None, access_log=False)
    if workers == 1:
        uvicorn.run(app, **options)
        return
    # Several processes: each builds its app from the environment (same settings, same set-up token).
    os.environ[SETUP_TOKEN_VARIABLE] = token
    if rt.agency:
        os.environ["ASTARA_AGENCY"] = rt.agency
    uvicorn.run("astara.web.app:app_from_environment", factory=True, workers=workers, **options)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
