"""``astara init`` and ``astara agency ...``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import emit, runtime
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.agencies import repository, service
    from astara.auth import roles, secret
    from astara.db import engine, migrate
    from astara.sharing import keys
else:
    _WHY = "the store's modules load when a command runs, not when the help lists it"
    repository = deferred("astara.agencies.repository", _WHY)
    service = deferred("astara.agencies.service", _WHY)
    roles = deferred("astara.auth.roles", _WHY)
    secret = deferred("astara.auth.secret", _WHY)
    engine = deferred("astara.db.engine", _WHY)
    migrate = deferred("astara.db.migrate", _WHY)
    keys = deferred("astara.sharing.keys", _WHY)


def init(
    name: Annotated[str, typer.Option(help="Name of the agency, when it is created.")] = "",
    country: Annotated[str | None, typer.Option(help="Country of the agency (any form).")] = None,
) -> None:
    """Create or upgrade the database schema, make sure the acting agency exists, write the secret key
    and the instance key."""
    rt = runtime()
    migrate.upgrade(rt.engine)
    code = rt.agency or rt.settings.agency
    with engine.transaction(rt.engine) as session:
        scope = service.ensure_agency(session, code, name, country)
    typer.echo(f"database ready at {rt.engine.url.render_as_string()}; agency {scope.agency_code}")
    if rt.settings.secret_key is None and secret.write_secret(rt.settings):
        typer.echo(f"wrote a new secret key for sessions to {secret.secret_path(rt.settings)} (mode 0600)")
    make_instance_key(rt.settings.data_dir)


def make_instance_key(data_dir: Path) -> None:
    """Make the instance key where there is none, and say so (``init`` and ``serve``)."""
    made = keys.make_if_missing(data_dir)
    if made is not None:
        typer.echo(f"made the instance key (fingerprint {made.fingerprint}) in {keys.key_dir(data_dir)}")


agency_app = typer.Typer(help="Agencies on this instance.", no_args_is_help=True)


@agency_app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="Short code, e.g. AZ-SCS.")],
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    country: Annotated[str | None, typer.Option(help="Country (any form).")] = None,
) -> None:
    """Add an agency with its first administrator (as ASTARA_USER, only an administrator may)."""
    rt = runtime()
    if rt.user:
        with rt.unit() as (_, actor):
            roles.require(actor, "users.manage")
    with engine.transaction(rt.engine) as session:
        scope = service.create_agency(session, code, name or code, country)
    typer.echo(f"agency {scope.agency_code} created")


@agency_app.command("list")
def list_(fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table") -> None:
    """List the agencies."""
    with engine.transaction(runtime().engine) as session:
        rows = [
            {"code": a.code, "name": a.name, "country": a.country} for a in repository.list_agencies(session)
        ]
    emit(rows, fmt, "\n".join(f"{r['code']:<16} {r['country'] or '':<3} {r['name']}" for r in rows))


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(agency_app, name="agency")
