"""The warm copy of the CLI that answers small read commands (:mod:`astara.kit.warm` describes it
and is its client).

Started by a command that found none (``python -c ... main()`` with that command's module path),
it loads what the commands of :data:`astara.kit.warm.ALLOWED` need, freezes it for the garbage
collector (a child's collections skip it, and its memory stays shared), and listens. For each
connection from a process of the same user it forks; the child takes the client's streams,
arguments, environment, working folder and umask and runs :func:`astara.cli.main`, then sends its
exit code. Nothing that depends on the environment (the settings, the store, the data folder) is
read before the fork: the child reads it as a command started afresh does. What the child does not
take from the client: its resource limits, process group and controlling terminal (no allowed
command prompts or reads the terminal but through its streams).

It exits after ``ASTARA_WARM_IDLE_SECONDS`` (default 600) without a connection, or at SIGTERM,
removing its socket. One server a key: a second one finds the lock held and exits.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import io
import marshal
import os
import signal
import socket
import sys
import threading
import time
import traceback
import types
from typing import Any

from sqlalchemy.orm import configure_mappers

from astara import cli
from astara.kit import deferred, warm
from astara.matching.tokens import given_name_index
from astara.vocab import get_vocabulary

# Loaded before any command, besides what the commands' modules declare deferred: the store's
# drivers (the configured one is chosen per command, from its environment).
DRIVERS = ("sqlite3", "sqlalchemy.dialects.sqlite.pysqlite", "sqlalchemy.dialects.postgresql.psycopg")


def warm_up() -> None:
    """Load the modules the allowed commands use and build what does not depend on who asks."""
    for words in sorted(warm.ALLOWED):
        cli.register_commands(words[0])
    for name in sorted(sys.modules):
        if name == "astara.cli" or name.endswith((".cli", "_cli")):
            for wanted in deferred.declared(sys.modules[name]):
                importlib.import_module(wanted)
    for name in DRIVERS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    configure_mappers()  # the models' relationships, resolved at the first query otherwise
    get_vocabulary()  # the package's own data
    given_name_index()  # the given-name table every person query reads
    cli.read_options(sorted({words[0] for words in warm.ALLOWED}))


def main(key: str, place: str, lock: int) -> None:
    """Serve the code whose key the starting command computed (:func:`astara.kit.warm.key`) on a
    socket in ``place``, holding ``lock`` (:func:`astara.kit.warm.launch` took it)."""
    path = os.path.join(place, f"warm-{key}.sock")
    locked = os.path.join(place, f"warm-{key}.lock")
    listener: socket.socket | None = None
    try:
        warm_up()
        if warm.key() != key:  # the code changed since the command that started this: serve nothing stale
            return
        gc.freeze()
        listener = _listen(path)
        _serve(listener, lock, float(os.environ.get("ASTARA_WARM_IDLE_SECONDS", warm.IDLE_SECONDS)))
    finally:
        for name in (path, locked) if listener else (locked,):
            with contextlib.suppress(OSError):
                os.unlink(name)
        if listener:
            listener.close()


def _listen(path: str) -> socket.socket:
    """Bound under a passing name and renamed: a client finds no socket or one that listens."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    passing = f"{path}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(passing)
    listener.bind(passing)
    listener.listen(16)
    os.rename(passing, path)
    return listener


def _reap(_signum: int, _frame: object) -> None:
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _stop(_signum: int, _frame: object) -> None:
    raise SystemExit(0)


def _serve(listener: socket.socket, lock: int, idle: float) -> None:
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    signal.signal(signal.SIGINT, _stop)
    last = time.monotonic()
    while (left := last + idle - time.monotonic()) > 0:
        listener.settimeout(left)
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        last = time.monotonic()
        with connection:
            if warm.peer_uid(connection) != os.getuid():
                continue
            if os.fork() == 0:
                listener.close()
                os.close(lock)
                _child(connection)


def _child(connection: socket.socket) -> None:
    """Run the client's command and send its exit code; never returns."""
    code = 1
    try:
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as Python starts: SIGPIPE ignored
        connection.settimeout(10)
        wanted = _receive(connection)
        connection.sendall(warm.REPLY.pack(warm.PID, os.getpid()))
        go, fds, _, _ = socket.recv_fds(connection, 1, 3)
        if go != warm.GO or len(fds) != 3:  # the client has given up waiting and runs it itself
            return
        connection.settimeout(None)
        _take(wanted, fds)
        code = _run()
        connection.sendall(warm.REPLY.pack(warm.EXIT, code))
    finally:
        os._exit(code)


def _receive(connection: socket.socket) -> dict[str, Any]:
    head = warm.received(connection, warm.LENGTH.size)
    payload = None if head is None else warm.received(connection, warm.LENGTH.unpack(head)[0])
    if payload is None:
        raise ConnectionError("the client went away")
    wanted: dict[str, Any] = marshal.loads(payload)  # noqa: S302 - from a process of this user (SO_PEERCRED)
    return wanted


def _take(wanted: dict[str, Any], fds: list[int]) -> None:
    """Become the client's process: its streams, folder, environment, umask, arguments."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(wanted["cwd"])
    os.environ.clear()
    os.environ.update(wanted["env"])
    time.tzset()
    os.umask(wanted["umask"])
    sys.argv = wanted["argv"]
    sys.path[:] = wanted["path"]
    main = types.ModuleType("__main__")  # Click names the program after it (python -m astara)
    main.__package__ = wanted["package"]
    sys.modules["__main__"] = main
    for fd, (name, (encoding, errors, lines, through)) in enumerate(
        zip(("stdin", "stdout", "stderr"), wanted["streams"], strict=True)
    ):
        unbuffered = through and fd != 0  # python -u
        binary: Any = open(fd, "rb" if fd == 0 else "wb", buffering=0 if unbuffered else -1, closefd=False)  # noqa: SIM115
        stream = io.TextIOWrapper(binary, encoding=encoding, errors=errors, newline="\n",
                                  line_buffering=lines, write_through=through)  # fmt: skip
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _run() -> int:
    """:func:`astara.cli.main` and the end of a Python process: its exit code (negative: the
    signal that ended it)."""
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = _exit_code(exc.code)
    except KeyboardInterrupt:  # before the command began: Python ends by the signal
        traceback.print_exc()
        code = -signal.SIGINT
    except BaseException:
        traceback.print_exc()
        code = 1
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = 120  # what Python answers when it cannot flush its output
    return code


def _exit_code(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF  # what the process's parent would see
    sys.stderr.write(f"{value}\n")
    return 1
