"""Small read commands answered by a warm copy of the CLI: the client side (the server is
:mod:`astara.kit.warm_server`).

A command that opens the store spends about half a second loading SQLAlchemy, the models and
pydantic before it reads a row. For the commands of :data:`ALLOWED` (they read the store or their
input and print) ``astara`` first asks a server that has loaded all that: it forks, and the child
runs the command with this process's arguments, environment, working folder, umask and standard
streams (passed as file descriptors), exactly as :func:`astara.cli.main` runs it here, and
answers with the exit code. Signals (Ctrl-C) are passed on to the child. The child first sends its
pid and waits for a go that carries the streams: a server that has not answered within
:data:`START_SECONDS` is given up and the command runs here, never twice.

When no server answers, the command runs here as before, and a server is started in the
background for the next one. It exits after ``ASTARA_WARM_IDLE_SECONDS`` (600) without a command.
``ASTARA_WARM=0`` turns all of this off. The server listens on a Unix socket in a folder only this
user may use (``$XDG_RUNTIME_DIR/astara``, else ``/tmp/astara-UID``; refused when it is a link,
someone else's or open to others), named by a digest of the code it serves (the interpreter, the
module path, the modification times and sizes of the package's files) and of the variables read
while Python, Click and Rich start: an edited or upgraded installation never answers with old
code, and a server nobody asks for any more idles out.

This module runs before every such command: it imports little (the socket module only when a
command may be answered warm).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import stat
import struct
import sys
import time

from astara.__main__ import version

TYPE_CHECKING = False  # typing is large, and this module runs before every small command
if TYPE_CHECKING:
    from typing import Any

# Command words (after the global options) of the commands a warm copy may answer: each reads the
# store or its input and prints; none prompts, serves, starts other processes or changes the schema.
ALLOWED = frozenset({
    ("stats",), ("trends",), ("routes",), ("hotspots",), ("network",), ("timeline",),
    ("seizures", "list"), ("seizures", "show"),
    ("match", "query"), ("match", "pairs"), ("match", "judgements"), ("match", "alerts"),
    ("identities", "show"), ("identities", "conflicts"),
    ("agency", "list"), ("user", "list"), ("jobs", "list"), ("jobs", "show"),
    ("news", "list"), ("news", "show"), ("db", "current"),
})  # fmt: skip
IDLE_SECONDS = 600
NAME_LIMIT = 100  # a Unix socket's path is at most 107 bytes on Linux
# Read while Python starts (the streams' encoding, hashing, warnings) or by Rich, Typer and Click
# when first imported: a server serves only clients that agree on all of them.
STARTUP_VARIABLES = (
    "COLORTERM", "COLUMNS", "DATABRICKS_RUNTIME_VERSION", "FORCE_COLOR", "GITHUB_ACTIONS",
    "JUPYTER_COLUMNS", "JUPYTER_LINES", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LINES",
    "NO_COLOR", "PSYCOPG_IMPL", "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8", "PYTHONWARNINGS",
    "PY_COLORS", "TERM", "TERMINAL_WIDTH", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "TYPER_USE_RICH",
    "_TYPER_FORCE_DISABLE_TERMINAL",
)  # fmt: skip
PID, EXIT = b"P", b"X"  # what the child sends: its pid, then its exit code
GO = b"G"  # the client's answer to the pid, with its streams: run the command
START_SECONDS = 5.0  # a child that has not said it is ready by then is not waited for
REPLY = struct.Struct("!ci")
LENGTH = struct.Struct("!I")
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def enabled() -> bool:
    """Not turned off, and the platform passes descriptors over Unix sockets and forks."""
    if os.environ.get("ASTARA_WARM", "1") == "0":
        return False
    import socket  # deferred: only a command that may be answered warm needs it (SQLAlchemy loads it too)

    return (
        hasattr(socket, "AF_UNIX")
        and hasattr(socket, "send_fds")
        and hasattr(socket, "SO_PEERCRED")
        and hasattr(os, "fork")
    )


def command_words(argv: list[str]) -> tuple[str, ...]:
    """The words naming the command, after the global options, up to its first option."""
    words: list[str] = []
    rest = iter(argv)
    for word in rest:
        if not words and word == "--agency":
            next(rest, None)
        elif not words and (word == "--debug" or word.startswith("--agency=")):
            continue
        elif word.startswith("-"):
            break
        else:
            words.append(word)
    return tuple(words)


def allowed(argv: list[str]) -> bool:
    """A command of :data:`ALLOWED`, not asking for help or the version (printed without Typer)."""
    if "--help" in argv or "--version" in argv:
        return False
    words = command_words(argv)
    return words[:1] in ALLOWED or words[:2] in ALLOWED


def folder() -> str | None:
    """The user's own folder for the socket, created if missing; None when it is not safe."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    path = os.path.join(runtime, "astara") if runtime else f"/tmp/astara-{os.getuid()}"  # noqa: S108
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return None
    return path if safe(path) else None


def safe(path: str) -> bool:
    """A real folder (not a link), this user's, that nobody else may enter or change."""
    try:
        found = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid() and not found.st_mode & 0o077


def fingerprint() -> list[tuple[str, int, int]]:
    """Each file of the package (code and data): path, modification time, size."""
    found: list[tuple[str, int, int]] = []
    folders = [PACKAGE]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        folders.append(entry.path)
                elif not entry.name.endswith((".pyc", ".tmp")):
                    kept = entry.stat()
                    found.append((entry.path, kept.st_mtime_ns, kept.st_size))
    return sorted(found)


def key() -> str:
    """What the serving code and its start depend on, as a short digest (see the module's doc)."""
    try:  # deferred: hashlib would load OpenSSL, a few milliseconds of every command
        from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # (renamed _sha2 in Python 3.12)
        from hashlib import sha256  # deferred: as above, where _sha256 is missing

    variables = [(name, os.environ.get(name)) for name in STARTUP_VARIABLES]
    made = (version(), sys.executable, sys.version, tuple(sys.flags), sys.warnoptions, sys._xoptions,
            sys.path[1:], variables, fingerprint())  # fmt: skip
    return str(sha256(repr(made).encode()).hexdigest()[:20])


_known: list[str] = []  # this process's key: the files do not change between two look-ups


def served_key() -> str:
    """:func:`key`, computed once a process (asking a server and starting one both need it)."""
    if not _known:
        _known.append(key())
    return _known[0]


def address(place: str) -> str:
    return os.path.join(place, f"warm-{served_key()}.sock")


def peer_uid(connection: Any) -> int:
    """The user id of the process at the other end of a Unix socket."""
    import socket  # deferred: see enabled()

    return int(struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[1])


def _streams() -> list[tuple[Any, ...]] | None:
    """How this process opened its standard streams, for the child to open them alike."""
    found: list[tuple[Any, ...]] = []
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if stream is None or not hasattr(stream, "write_through"):
            return None
        found.append((stream.encoding, stream.errors, stream.line_buffering, stream.write_through))
    return found


def request() -> dict[str, Any] | None:
    streams = _streams()
    if streams is None:
        return None
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    mask = os.umask(0o077)
    os.umask(mask)
    main = sys.modules.get("__main__")
    return {
        "argv": list(sys.argv), "env": dict(os.environ), "cwd": cwd, "umask": mask, "path": list(sys.path),
        "package": getattr(main, "__package__", None), "streams": streams,
    }  # fmt: skip


class _Child:
    """The child's pid once known, and the signals that came before it."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.pending: list[int] = []

    def forward(self, signum: int, _frame: object) -> None:
        if self.pid is None:
            self.pending.append(signum)
        else:
            with contextlib.suppress(ProcessLookupError):  # it has just ended: its code is on its way
                os.kill(self.pid, signum)


def answer(argv: list[str]) -> int | None:
    """The exit code of the command run by a warm copy, or None when none could run it (it has
    not started: the caller runs it here)."""
    if not allowed(argv) or not enabled():
        return None
    place = folder()
    if place is None:
        return None
    import socket  # deferred: see enabled()

    path = address(place)
    if len(path) > NAME_LIMIT:
        return None
    wanted = request()
    if wanted is None:
        return None
    import signal  # deferred: see enabled()

    child = _Child()  # a signal that comes before the child's pid is passed on once it is known
    kept = {s: signal.signal(s, child.forward) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    code: int | None = None
    try:
        connection.settimeout(START_SECONDS)  # a server stopped or overwhelmed: run here
        connection.connect(path)
        if peer_uid(connection) == os.getuid():
            payload = marshal.dumps(wanted)
            connection.sendall(LENGTH.pack(len(payload)) + payload)
            code = _wait(connection, child)
    except OSError:  # no server (yet), or it went away before the child started
        code = None
    finally:
        connection.close()
        for signum, handler in kept.items():
            signal.signal(signum, handler)
    if code is None:
        for pending in child.pending:  # meant for the command, which runs here now
            signal.raise_signal(pending)
    elif code < 0:  # the child ended as Python does on an unhandled Ctrl-C: by the signal
        signal.signal(-code, signal.SIG_DFL)
        signal.raise_signal(signal.Signals(-code))
        code = 128 - code
    return code


def _wait(connection: Any, child: _Child) -> int | None:
    """The child's exit code; None when no child said in time it would run the command: it then
    never does (it waits for the go, which carries the streams), and the command runs here."""
    import socket  # deferred: see enabled()

    started = _read(connection)  # (within START_SECONDS: the connection's timeout)
    if started is None or started[0] != PID:
        return None
    socket.send_fds(connection, [GO], [0, 1, 2])  # (only now: passed streams stay open until read)
    connection.settimeout(None)
    child.pid = started[1]
    for signum in child.pending:
        child.forward(signum, None)
    ended = _read(connection)
    if ended is None or ended[0] != EXIT:
        sys.stderr.write("error: the warm astara ended without an exit code\n")
        return 1
    return ended[1]


def received(connection: Any, size: int) -> bytes | None:
    """Exactly ``size`` bytes from ``connection``, or None when the other end closes first."""
    data = bytearray()
    while len(data) < size:
        part = connection.recv(min(size - len(data), 1 << 16))
        if not part:
            return None
        data += part
    return bytes(data)


def _read(connection: Any) -> tuple[bytes, int] | None:
    try:
        data = received(connection, REPLY.size)
    except OSError:  # (a timeout too)
        return None
    if data is None:
        return None
    what, value = REPLY.unpack(data)
    return what, int(value)


def start_server(argv: list[str]) -> None:
    """Start a server in the background when this command could have been answered warm. It costs
    this command a fork: the server waits for it to end before loading anything (on two cores the
    loading would otherwise slow it by half); a second one started meanwhile finds the first's lock
    and exits."""
    if not allowed(argv) or not enabled():
        return
    place = folder()
    if place is None or len(address(place)) > NAME_LIMIT:
        return
    import subprocess  # deferred: only the command that starts a server needs it (SQLAlchemy loads it too)

    code = (
        "import sys; sys.path[:] = sys.argv[3:]; from astara.kit.warm import launch; launch(*sys.argv[1:3])"
    )
    flags = subprocess._args_from_interpreter_flags()  # type: ignore[attr-defined]
    with contextlib.suppress(OSError):
        subprocess.Popen(  # noqa: S603 - this interpreter, this package
            [sys.executable, *flags, "-c", code, served_key(), str(os.getpid()), *sys.path],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd="/", start_new_session=True,
        )  # fmt: skip


def launch(key: str, parent: str) -> None:
    """The server's start: the only one for ``key`` (a lock held while it lives, holding its pid),
    once the command that started it (``parent``) has ended."""
    import fcntl  # deferred: only a server needs it

    place = folder()
    if place is None:
        return
    lock = os.open(os.path.join(place, f"warm-{key}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # another server for this code is starting or listening
        return
    os.ftruncate(lock, 0)
    os.write(lock, f"{os.getpid()}\n".encode())
    while os.getppid() == int(parent):
        time.sleep(0.02)
    from astara.kit import warm_server  # deferred: the server's modules load in the one server only

    warm_server.main(key, place, lock)
