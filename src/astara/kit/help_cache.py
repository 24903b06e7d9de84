"""``astara ... --help`` printed from a copy when nothing the help is made from has changed.

Rendering the help loads Typer, Rich and every command's module; the text changes only when one
of those files, the terminal, or a variable that Rich or Click read changes. The first run renders
it as usual and keeps a copy of what it printed in the package's ``__pycache__``, with what it
depended on: every loaded module's file (modification time and size, as Python checks bytecode),
the module path, the standard streams' terminal sizes, whether stdout is a terminal, and those
variables. A later run with the same arguments, all of these equal, prints the copy.
Like bytecode it is trusted (this code writes it), and skipped when the folder cannot be written.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

FOLDER = Path(__file__).resolve().parent.parent / "__pycache__"
# What Rich, Typer and Click read from the environment to decide colours, width and language.
VARIABLES = (
    "COLORTERM", "COLUMNS", "DATABRICKS_RUNTIME_VERSION", "FORCE_COLOR", "GITHUB_ACTIONS",
    "JUPYTER_COLUMNS", "JUPYTER_LINES", "LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LINES", "NO_COLOR",
    "PYTHONIOENCODING", "PY_COLORS", "TERM", "TERMINAL_WIDTH", "TTY_COMPATIBLE", "TTY_INTERACTIVE",
    "TYPER_USE_RICH", "_TYPER_FORCE_DISABLE_TERMINAL",
)  # fmt: skip


def asks_for_help(argv: list[str]) -> bool:
    """Command words, then ``--help``: nothing else (an option's value could change the help)."""
    return bool(argv) and argv[-1] == "--help" and not any(w.startswith("-") for w in argv[:-1])


def _surroundings(argv: list[str]) -> tuple[Any, ...]:
    sizes: list[tuple[int, ...] | None] = []
    for fd in (0, 1, 2):
        try:
            sizes.append(tuple(os.get_terminal_size(fd)))
        except OSError:
            sizes.append(None)
    variables = tuple((k, v) for k, v in sorted(os.environ.items()) if k in VARIABLES)
    out = sys.stdout
    return (tuple(argv), sys.version, tuple(sys.path), variables, tuple(sizes), out.isatty(), out.encoding)


KEPT = 32  # copies kept (one per arguments and surroundings); the least recently written go


def _cached(surroundings: tuple[Any, ...]) -> Path:
    return FOLDER / f"help-{hashlib.sha256(repr(surroundings).encode()).hexdigest()[:16]}.marshal"


def _files() -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for module in list(sys.modules.values()):
        try:  # read past the attribute look-up, which would load a module declared deferred
            path = object.__getattribute__(module, "__dict__").get("__file__")
        except AttributeError:
            continue
        if isinstance(path, str) and path not in found:
            try:
                stat = os.stat(path)
            except OSError:
                continue
            found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def _unchanged(files: dict[str, tuple[int, int]]) -> bool:
    for path, (mtime, size) in files.items():
        try:
            stat = os.stat(path)
        except OSError:
            return False
        if (stat.st_mtime_ns, stat.st_size) != (mtime, size):
            return False
    return True


def print_cached(argv: list[str]) -> bool:
    """Print the kept help for ``argv`` when it still holds; say whether it did."""
    surroundings = _surroundings(argv)
    try:
        kept = marshal.loads(_cached(surroundings).read_bytes())  # noqa: S302 - written by _keep, like .pyc files
        _, files, text = kept
    except (OSError, ValueError, EOFError, TypeError):
        return False
    if kept[0] != surroundings or not _unchanged(files):
        return False
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


class _Copying:
    """stdout as the help's renderer sees it (the same terminal), keeping a copy of the text."""

    def __init__(self, real: TextIO) -> None:
        self._real = real
        self.parts: list[str] = []

    def write(self, text: str | bytes) -> int:
        if isinstance(text, bytes):
            text = text.decode(self._real.encoding)
        self.parts.append(text)
        return self._real.write(text)

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, flush...: the real stream's
        if name == "buffer":  # every byte goes through write() to be copied
            raise AttributeError(name)
        return getattr(self._real, name)


def render_and_keep(argv: list[str], render: Callable[[], None]) -> None:
    """Run ``render`` (which prints the help and may exit); keep what it printed if it succeeded."""
    surroundings = _surroundings(argv)
    real = sys.stdout
    copying = _Copying(real)
    sys.stdout = copying  # (a stand-in with the same interface)
    code: Any = 0
    try:
        render()
    except SystemExit as exc:
        code = exc.code
        raise
    finally:
        sys.stdout = real
        if code in (0, None):
            _keep((surroundings, _files(), "".join(copying.parts)))


def _keep(value: tuple[Any, ...]) -> None:
    """Written whole or not at all (another command may be reading it)."""
    target = _cached(value[0])
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    try:
        FOLDER.mkdir(exist_ok=True)
        temporary.write_bytes(marshal.dumps(value))
        os.replace(temporary, target)
        copies = sorted(FOLDER.glob("help-*.marshal"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in copies[KEPT:]:
            old.unlink(missing_ok=True)
    except (OSError, ValueError):  # a read-only installation: rendered each time
        temporary.unlink(missing_ok=True)
