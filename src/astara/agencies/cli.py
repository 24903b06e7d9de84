"""``astara init`` and ``astara agency ...``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from astara.cli import emit, runtime


def init(
    name: Annotated[str, typer.Option(help="Name of the agency, when it is created.")] = "",
    country: Annotated[str | None, typer.Option(help="Country of the agency (any form).")] = None,
) -> None:
    """Create or upgrade the database schema, make sure the acting agency exists, write the secret key
    and the instance key."""
    from astara.agencies import service
    from astara.auth.secret import secret_path, write_secret
    from astara.db.engine import transaction
    from astara.db.migrate import upgrade

    rt = runtime()
    upgrade(rt.engine)
    code = rt.agency or rt.settings.agency
    with transaction(rt.engine) as session:
        scope = service.ensure_agency(session, code, name, country)
    typer.echo(f"database ready at {rt.engine.url.render_as_string()}; agency {scope.agency_code}")
    if rt.settings.secret_key is None and write_secret(rt.settings):
        typer.echo(f"wrote a new secret key for sessions to {secret_path(rt.settings)} (mode 0600)")
    make_instance_key(rt.settings.data_dir)


def make_instance_key(data_dir: Path) -> None:
    """Make the instance key where there is none, and say so (``init`` and ``serve``)."""
    from astara.sharing import keys

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
    from astara.agencies import service
    from astara.auth.roles import require
    from astara.db.engine import transaction

    rt = runtime()
    if rt.user:
        with rt.unit() as (_, actor):
            require(actor, "users.manage")
    with transaction(rt.engine) as session:
        scope = service.create_agency(session, code, name or code, country)
    typer.echo(f"agency {scope.agency_code} created")


@agency_app.command("list")
def list_(fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table") -> None:
    """List the agencies."""
    from astara.agencies import repository
    from astara.db.engine import transaction

    with transaction(runtime().engine) as session:
        rows = [
            {"code": a.code, "name": a.name, "country": a.country} for a in repository.list_agencies(session)
        ]
    emit(rows, fmt, "\n".join(f"{r['code']:<16} {r['country'] or '':<3} {r['name']}" for r in rows))


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(agency_app, name="agency")
