"""``astara backup``, ``astara restore`` and ``astara db upgrade|current``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from astara.cli import emit, runtime
from astara.errors import InvalidInput
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from astara.operations import archive, service
    from astara.operations import backup as backups
    from astara.operations import restore as restores
else:
    _WHY = "the store and the archive load when a command runs, not when the help lists it"
    archive = deferred("astara.operations.archive", _WHY)
    backups = deferred("astara.operations.backup", _WHY)
    restores = deferred("astara.operations.restore", _WHY)
    service = deferred("astara.operations.service", _WHY)


def _passphrase(*, new: bool) -> str:
    """ASTARA_BACKUP_PASSPHRASE, else asked for on the terminal (twice for a new backup)."""
    given: str | None = runtime().settings.backup_passphrase
    if given:
        return given
    if not sys.stdin.isatty():
        raise InvalidInput(
            "a backup is encrypted with a passphrase: set ASTARA_BACKUP_PASSPHRASE (or give --no-encrypt"
            " when the backup is kept somewhere only the instance's administrators can read)"
        )
    return str(typer.prompt("Backup passphrase", hide_input=True, confirmation_prompt=new, err=True))


def backup(
    dest: Annotated[Path, typer.Argument(help="File to write, or a folder to write a dated file into.")],
    verify: Annotated[
        bool, typer.Option("--verify", help="Check the backup DEST instead of writing one.")
    ] = False,
    no_encrypt: Annotated[
        bool, typer.Option("--no-encrypt", help="Write it unencrypted (it holds the instance's private key).")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Back up the store, the instance key, the session secret and the audit checkpoints (online)."""
    if verify:
        header, _ = archive.read_header(dest)
        manifest = backups.verify_backup(dest, _passphrase(new=False) if header.encrypted else None)
        emit(manifest, fmt, f"backup {dest} is whole and readable\n{_summary(manifest)}")
        return
    passphrase = None if no_encrypt else _passphrase(new=True)
    if passphrase is not None and len(passphrase) < backups.MIN_PASSPHRASE:
        raise InvalidInput(f"a backup passphrase has at least {backups.MIN_PASSPHRASE} characters")
    path, manifest = backups.create_backup(runtime().settings, dest, passphrase)
    state = "unencrypted" if passphrase is None else "encrypted"
    emit({"path": str(path), **manifest}, fmt, f"wrote {path} ({state})\n{_summary(manifest)}")


def _summary(manifest: dict[str, Any]) -> str:
    lines = [
        f"  made {manifest['created_at']} by Astara {manifest['astara_version']}, {manifest['dialect']}"
        f" store at schema revision {manifest['schema_revision']}",
        f"  instance key {manifest['instance_key'] or 'none'}; {manifest['checkpoints']} audit checkpoints",
    ]
    for code, figures in manifest["agencies"].items():
        lines.append(f"  {code}: " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in figures.items()))
    return "\n".join(lines)


def restore(
    src: Annotated[Path, typer.Argument(help="The backup file.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a store and data folder that are not empty.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Restore a backup into an empty data folder and store (with the server stopped)."""
    header, _ = archive.read_header(src)
    result = restores.restore_backup(
        runtime().settings, src, _passphrase(new=False) if header.encrypted else None, force=force
    )
    lines = [f"restored {src}", _summary(result.manifest)]
    if result.upgraded_from:
        lines.append(f"  schema upgraded from revision {result.upgraded_from}")
    for code, seq in result.restored_to.items():
        lines.append(f'  {code}: signed checkpoint "restored to entry {seq}" written')
    emit(
        {
            "manifest": result.manifest,
            "upgraded_from": result.upgraded_from,
            "restored_to": result.restored_to,
        },
        fmt,
        "\n".join(lines),
    )


db_app = typer.Typer(help="The store's schema.", no_args_is_help=True)


@db_app.command("current")
def db_current(fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table") -> None:
    """Show the store's schema revision and the one this Astara needs."""
    state = service.schema_state(runtime().engine)
    emit(state.__dict__, fmt, state.describe())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations the store lacks (back it up first: `astara backup`)."""
    engine = runtime().engine
    before = service.schema_state(engine)
    after = service.upgrade_store(engine)
    if before.current == after.current:
        typer.echo(f"schema already at revision {after.current}: nothing to do")
    else:
        typer.echo(f"schema upgraded from revision {before.current or 'none'} to {after.current}")
    rekeyed = service.rekey_if_stale(engine)
    if rekeyed is not None:
        agencies = "1 agency" if len(rekeyed) == 1 else f"{len(rekeyed)} agencies"
        typer.echo(f"match keys rebuilt with this version's rules for {agencies}")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.add_typer(db_app, name="db")
