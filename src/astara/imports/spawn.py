"""Start an import's worker process (:mod:`astara.imports.worker`), possibly before it is needed.

A worker takes about as long to start (its interpreter and modules) as the importing process
takes to load the importer, open the store and register the job. ``astara import`` therefore
starts one as soon as it knows the file is large (:func:`start_early`), before loading anything
else, and tells it at once which file to read and how (:func:`tell`): the worker reads and parses
the first chunks while the importer gets ready, then waits for the rest of its job on standard
input. The import takes it (:func:`take`) when it was told the same (an equal
:class:`~astara.imports.messages.ReadFile`); otherwise it is stopped and a new worker is told.
A worker started early and not wanted is stopped (:func:`discard`); one whose caller exits
reads the end of its input and stops by itself. This module needs only the standard library.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from astara.imports import channel
from astara.imports.messages import ReadFile

if TYPE_CHECKING:  # (this module loads before the importer: see the docstring)
    from astara.imports.schemas import ImportOptions

# From this size on, rows are prepared in a worker process while the importer writes.
PARALLEL_ROWS = 50_000
BYTES_PER_ROW = 150  # an IDS CSV row is about 133 bytes
EARLY_BYTES = 1 << 20  # a file this large (compressed, perhaps) may need a worker: start one early
BATCH = 5000  # rows an import prepares and writes at a time
BY_COLUMNS = True  # clean rows of one-row events are parsed column by column (chunks.py)

_early: subprocess.Popen[bytes] | None = None
_told: ReadFile | None = None  # what the worker started early was told


def start() -> subprocess.Popen[bytes]:
    """A new worker process, with this process's module path, waiting for its job."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # the same modules
    return subprocess.Popen(
        [sys.executable, "-m", "astara.imports.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )


def tell(process: subprocess.Popen[bytes], told: ReadFile) -> None:
    """Send a worker its first message: the file to read and how. (The rest of its job follows
    from :func:`take`'s caller.)"""
    if process.stdin is None:  # never: start() asks for a pipe
        raise RuntimeError("the import worker has no input")
    channel.send(process.stdin.fileno(), told)


def start_early(path: Path, options: ImportOptions) -> None:
    """Start a worker now, told to read ``path`` with ``options``, if the file is large enough that
    its import may want one."""
    global _early, _told
    if _early is None and sys.executable and (os.cpu_count() or 1) > 1:
        try:
            large = path.stat().st_size >= EARLY_BYTES
        except OSError:  # the import will say what is wrong with the path
            return
        if large:
            _early, _told = start(), ReadFile(path, options, BATCH, BY_COLUMNS)
            try:
                tell(_early, _told)
            except OSError:  # it stopped at once: the import starts its own
                discard()


def take(told: ReadFile) -> subprocess.Popen[bytes]:
    """The worker started early if it was told the same, or a new one, told ``told``."""
    if _early is not None and _told == told and _early.poll() is None:
        process = _early
        _forget()
        return process
    discard()
    process = start()
    tell(process, told)
    return process


def _forget() -> None:
    global _early, _told
    _early, _told = None, None


def discard() -> None:
    """Stop a worker started early that no import took."""
    process = _early
    _forget()
    if process is not None:
        process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
