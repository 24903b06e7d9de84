"""``astara serve``."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated, Any

import typer

from astara.cli import runtime
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    import secrets

    import uvicorn

    from astara.agencies import cli as agencies_cli
    from astara.auth import secret as auth_secret
    from astara.auth import service as auth_service
    from astara.db import engine as db_engine
    from astara.web import app as web_app
else:
    _WHY = "the server and the store load when the command runs, not when the help lists it"
    secrets = deferred("secrets", _WHY)
    uvicorn = deferred("uvicorn", _WHY)
    agencies_cli = deferred("astara.agencies.cli", _WHY)
    auth_secret = deferred("astara.auth.secret", _WHY)
    auth_service = deferred("astara.auth.service", _WHY)
    db_engine = deferred("astara.db.engine", _WHY)
    web_app = deferred("astara.web.app", _WHY)


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default ASTARA_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default ASTARA_PORT).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Server processes (one per CPU core is typical).")] = 1,
) -> None:
    """Serve the web application and the REST API."""
    rt = runtime()
    db_engine.require_schema(rt.engine)
    if auth_secret.session_secret(rt.settings)[1]:  # before the workers start, so they all read the same file
        typer.echo(
            f"wrote a new secret key for sessions to {auth_secret.secret_path(rt.settings)} (mode 0600)"
        )
    agencies_cli.make_instance_key(rt.settings.data_dir)
    token = secrets.token_urlsafe(18)
    app = web_app.create_app(rt.settings, agency=rt.agency, setup_token=token)
    h, p = host or rt.settings.host, port or rt.settings.port
    typer.echo(f"Astara on http://{h}:{p}/  (API: /api/seizures, OpenAPI: /openapi.json)")
    with db_engine.transaction(rt.engine) as session:
        if auth_service.needs_setup(session):
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
    os.environ[web_app.SETUP_TOKEN_VARIABLE] = token
    if rt.agency:
        os.environ["ASTARA_AGENCY"] = rt.agency
    uvicorn.run("astara.web.app:app_from_environment", factory=True, workers=workers, **options)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
