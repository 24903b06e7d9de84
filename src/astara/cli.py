"""The ``astara`` command: a thin shell over the services; each command calls one service function."""

from __future__ import annotations

import gc
import json
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.main import get_command_name

from astara.errors import AstaraError
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from importlib import metadata

    from astara import runtime as runtime_module
    from astara import settings as settings_module
    from astara.runtime import Runtime
else:  # the runtime loads SQLAlchemy, the settings pydantic: only commands that need them pay
    runtime_module = deferred("astara.runtime", "only commands that open the store need it")
    settings_module = deferred("astara.settings", "only commands that open the store need it")
    metadata = deferred("importlib.metadata", "only --version reads the installed metadata")

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Astara: seizure intelligence.")
_state: dict[str, Any] = {}  # the invocation's global options and its Runtime, once built


def runtime() -> Runtime:
    """The Runtime for this invocation (built once, from the environment and global options)."""
    if "runtime" not in _state:
        settings = settings_module.Settings.from_environment()
        _state["runtime"] = runtime_module.Runtime(
            settings, agency=_state.get("agency"), user=settings.user or None, announce=_notice
        )
        start_up_over()
    built: Runtime = _state["runtime"]
    return built


def _notice(line: str) -> None:
    """Who acts, on stderr only: the output of ``--format json`` stays machine-readable."""
    typer.echo(line, err=True)


def start_up_over() -> None:
    """The command has loaded what it needs (see :mod:`astara.__main__`, which turned the cyclic
    garbage collector off): what is loaded is frozen, so later collections skip it, and
    collection resumes. Nothing to do when the collector is on (the CLI run in-process, in tests)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def emit(data: Any, fmt: str, table: str) -> None:
    if fmt == "json":
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        typer.echo(table)


def _show_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"astara {metadata.version('astara')}")
        raise typer.Exit()


@app.callback()
def _global(
    agency: Annotated[str | None, typer.Option(help="Act for this agency (default ASTARA_AGENCY).")] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an internal error (or ASTARA_DEBUG=1).")
    ] = False,
    _version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit."),
    ] = False,
) -> None:
    _state.clear()
    _state["debug"] = debug
    if agency:
        _state["agency"] = agency


# Each top-level command or group and the module whose ``register(app)`` adds it: a command loads
# only its own module (tests/test_startup.py keeps this table equal to what the modules register).
COMMANDS = {
    "init": "agencies", "agency": "agencies", "user": "auth", "token": "auth", "import": "imports",
    "mappings": "imports", "export": "exports", "seizures": "seizures", "stats": "analysis",
    "trends": "analysis", "routes": "analysis", "hotspots": "analysis", "report": "reports",
    "reference": "reference", "network": "networks", "timeline": "networks", "serve": "web",
    "demo": "demo", "extract": "extraction", "match": "matching", "link": "matching",
    "identities": "matching", "agreement": "sharing", "keys": "sharing", "partner": "sharing",
    "sync": "sharing", "bundle": "sharing", "audit": "sharing", "hit": "sharing", "news": "news",
    "jobs": "jobs",
    "backup": "operations", "restore": "operations", "db": "operations",
}  # fmt: skip
# In the order ``astara --help`` lists them.
MODULES = (
    "agencies", "auth", "imports", "exports", "seizures", "analysis", "reports", "reference", "networks",
    "web", "demo", "extraction", "matching", "sharing", "news", "jobs", "operations",
)  # fmt: skip
_registered: set[str] = set()


def register_commands(name: str | None = None) -> None:
    """Add to ``app`` the commands of the module that registers ``name``, or of every module when
    ``name`` is None or not one of :data:`COMMANDS` (help, a mistyped command); each module once."""
    wanted = [COMMANDS[name]] if name in COMMANDS else list(MODULES)
    for module in sorted(wanted, key=MODULES.index):
        if module not in _registered:
            _registered.add(module)
            import_module(f"astara.{module}.cli").register(app)


def _named(argv: list[str]) -> str | None:
    """The command ``argv`` names (after the global options), if any."""
    words = iter(argv)
    for word in words:
        if word == "--agency":
            next(words, None)
        elif word != "--debug" and not word.startswith("--agency="):
            return None if word.startswith("-") else word
    return None


@contextmanager
def _only(name: str | None) -> Iterator[None]:
    """While a command runs, ``app`` holds only that command (when ``name`` is one): typer builds
    the options of every command it holds, about a tenth of a second at each start."""
    commands, groups = app.registered_commands, app.registered_groups
    kept = [c for c in commands if (c.name or get_command_name(getattr(c.callback, "__name__", ""))) == name]
    kept_groups = [g for g in groups if (g.name or (g.typer_instance and g.typer_instance.info.name)) == name]
    if len(kept) + len(kept_groups) == 1:
        app.registered_commands, app.registered_groups = kept, kept_groups
    try:
        yield
    finally:
        app.registered_commands, app.registered_groups = commands, groups


def read_options(names: list[str]) -> None:
    """Have Typer read the options of these commands once (a warm server does, so that the commands it
    runs find the type hints read): the start of a command, without running it."""
    for name in names:
        register_commands(name)
        with _only(name):
            typer.main.get_command(app)


INTERNAL_ERROR = 70  # EX_SOFTWARE (sysexits.h): a bug, not the user's input


def main() -> None:
    """Entry point: AstaraError becomes a message on stderr and its exit code; any other exception
    "error: internal error (...)" and exit code 70, with the traceback only under --debug or
    ASTARA_DEBUG."""
    name = _named(sys.argv[1:])
    register_commands(name)
    try:
        with _only(name):
            code = app(standalone_mode=False)
        if code == 130:  # click's answer to Ctrl-C without standalone mode: returned, not raised
            raise typer.Abort()
    except AstaraError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        for detail in exc.details[:50]:
            typer.echo("  " + ", ".join(f"{k} {v}" for k, v in detail.items()), err=True)
        if len(exc.details) > 50:
            typer.echo(f"  ... and {len(exc.details) - 50} more", err=True)
        sys.exit(exc.exit_code)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except Exception as exc:
        if _is_usage_error(exc):  # an unknown option, a missing argument...: click's message, exit code 2
            exc.show()  # type: ignore[attr-defined]
            sys.exit(exc.exit_code)  # type: ignore[attr-defined]
        if _debugging():
            traceback.print_exc()
        reason = str(exc).splitlines()[0] if str(exc) else ""
        typer.echo(f"error: internal error ({type(exc).__name__}{': ' + reason if reason else ''})", err=True)
        if not _debugging():
            typer.echo("  run again with --debug (or ASTARA_DEBUG=1) to see where", err=True)
        sys.exit(INTERNAL_ERROR)


def _debugging() -> bool:
    """--debug, or ASTARA_DEBUG set to a true value (read here: the settings may be what failed)."""
    return bool(_state.get("debug")) or os.environ.get("ASTARA_DEBUG", "").lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


def _is_usage_error(exc: Exception) -> bool:
    """Click's own errors, raised by click (typer < 0.2x) or by the copy of click that later typer
    releases carry (``typer.TyperException`` subclasses with click's ``show``)."""
    import click  # deferred: later typer releases no longer load click; only a failed command asks

    return isinstance(exc, click.ClickException) or (
        isinstance(exc, typer.TyperException) and callable(getattr(exc, "show", None))
    )
