"""``astara user ...`` and ``astara token ...``: accounts and API tokens, from the server's shell.

The command acts as ASTARA_USER with that user's role, or, when it is unset, as the agency's
administrator (ASTARA_AGENCY: first set-up and password recovery); the web and the API always act
as a logged-in user.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from astara.cli import emit, runtime
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.auth import service
else:
    service = deferred(
        "astara.auth.service", "the store's modules load when a command runs, not when the help lists it"
    )

user_app = typer.Typer(help="User accounts of the acting agency.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (Authorization: Bearer ...).", no_args_is_help=True)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    value: str = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    return value


@user_app.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="Login name, e.g. leyla@az-scs.")],
    role: Annotated[str, typer.Option(help="analyst, liaison, supervisor or administrator.")] = "analyst",
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Add a user to the acting agency, with a password (asked twice, or read from stdin)."""
    password = _password(password_stdin)
    with runtime().unit() as (session, scope):
        user = service.add_user(session, scope, username, role, password, name)
    typer.echo(f"user {user.username} ({user.role}) added to {scope.agency_code}")


@user_app.command("password")
def set_password(
    username: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Set a user's password (the first administrator's too: there is no default password)."""
    password = _password(password_stdin)
    with runtime().unit() as (session, scope):
        service.set_password(session, scope, username, password)
    typer.echo(f"password of {username} set")


@user_app.command("list")
def list_users(fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table") -> None:
    """List the agency's users: role, whether active, last login (administrators only)."""
    with runtime().unit() as (session, scope):
        rows = [
            {"username": u.username, "display_name": u.display_name, "role": u.role, "active": u.active,
             "last_login_at": u.last_login_at}
            for u in service.list_users(session, scope)
        ]  # fmt: skip
    lines = [
        (r["username"], r["role"], "active" if r["active"] else "disabled", r["display_name"]) for r in rows
    ]
    table = "\n".join(f"{name:<32} {role:<14} {state:<9} {shown}" for name, role, state, shown in lines)
    emit(rows, fmt, table or "no users")


@user_app.command("role")
def set_role(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Argument(help="analyst, liaison, supervisor or administrator.")],
) -> None:
    """Change a user's role (the agency keeps at least one administrator)."""
    with runtime().unit() as (session, scope):
        user = service.set_role(session, scope, username, role)
    typer.echo(f"user {user.username} is now {user.role}")


@user_app.command("disable")
def disable_user(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Disable a user: their browser sessions end at once and their API tokens stop working."""
    with runtime().unit() as (session, scope):
        service.set_active(session, scope, username, False)
    typer.echo(f"user {username} disabled")


@user_app.command("enable")
def enable_user(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Enable a disabled user again (their unrevoked API tokens work again)."""
    with runtime().unit() as (session, scope):
        service.set_active(session, scope, username, True)
    typer.echo(f"user {username} enabled")


@token_app.command("create")
def create_token(
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. 'nightly export'.")],
) -> None:
    """Create an API token for the acting user; it is printed once and never stored."""
    with runtime().unit() as (session, scope):
        token, plain = service.create_token(session, scope, name)
        session.flush()
        number = token.id
    typer.echo(f"token {number} ({name}): {plain}")
    typer.echo("keep it safe: it is shown only now", err=True)


@token_app.command("list")
def list_tokens(fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table") -> None:
    """List API tokens (never the tokens themselves)."""
    with runtime().unit() as (session, scope):
        rows = [
            {"id": t.id, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
             "last_used_at": t.last_used_at, "revoked_at": t.revoked_at}
            for t in service.list_tokens(session, scope)
        ]  # fmt: skip
    table = "\n".join(
        f"{r['id']:>4}  {r['prefix']}…  {r['name']}{'  (revoked)' if r['revoked_at'] else ''}" for r in rows
    )
    emit(rows, fmt, table or "no tokens")


@token_app.command("revoke")
def revoke_token(
    token_id: Annotated[int, typer.Argument(help="Token number (see `astara token list`).")],
) -> None:
    """Revoke an API token at once."""
    with runtime().unit() as (session, scope):
        service.revoke_token(session, scope, token_id)
    typer.echo(f"token {token_id} revoked")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
