"""The pipe between an import and its worker: each message pickled whole, behind its length.

Signals (a sampling profiler's, a terminal's) interrupt reads and writes on a pipe, and a read
may return fewer bytes than asked. So a message is written as an 8-byte length then its pickle,
with ``os.write`` repeated until every byte is out, and read by repeating ``os.read`` until the
length and then the whole pickle are in; only a complete message is unpickled, and a stream that
ends inside one is an error that says so, never a half-read pickle. Standard library only (see
:mod:`astara.imports.messages`).
"""

from __future__ import annotations

import os
import pickle

HEADER = 8  # bytes of the big-endian length before each message
CHUNK = 1 << 20  # the most one os.read asks for


class Truncated(EOFError):
    """The pipe ended inside a message (the other process died while writing)."""


def send(fd: int, message: object) -> None:
    """Write ``message`` to ``fd`` whole (raises BrokenPipeError when the reader has gone)."""
    write_all(fd, framed(message))


def framed(message: object) -> bytes:
    """``message`` as it goes down the pipe: its pickle's length, then the pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(HEADER, "big") + data


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except InterruptedError:  # (Python retries these itself since 3.5; a handler may still raise one)
            continue
        view = view[written:]


def receive(fd: int) -> object:
    """The next message on ``fd``; EOFError when the pipe ends between messages."""
    header = read_exactly(fd, HEADER)
    if not header:
        raise EOFError("the pipe ended")
    if len(header) < HEADER:
        raise Truncated(f"the pipe ended inside a message's length ({len(header)} of {HEADER} bytes)")
    size = int.from_bytes(header, "big")
    data = read_exactly(fd, size)
    if len(data) < size:
        raise Truncated(f"the pipe ended inside a message ({len(data):,} of {size:,} bytes)")
    return pickle.loads(data)  # noqa: S301 - from the process at the other end, which this one started or was started by


def read_exactly(fd: int, size: int) -> bytes:
    """``size`` bytes from ``fd``, fewer only if it ends first."""
    parts: list[bytes] = []
    wanted = size
    while wanted:
        try:
            part = os.read(fd, min(wanted, CHUNK))
        except InterruptedError:
            continue
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)
