"""Start an import's worker process (:mod:`astara.imports.worker`), possibly before it is needed.

A worker takes about as long to start (its interpreter and modules) as the importing process
takes to load the importer, open the store and register the job. ``astara import`` therefore
starts one as soon as it knows the file is large (:func:`start_early`), before loading anything
else, and the import takes it (:func:`take`); the worker waits for its job on standard input.
A worker started early and not wanted is stopped (:func:`discard`); one whose caller exits
reads the end of its input and stops by itself. This module needs only the standard library.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# From this size on, rows are prepared in a worker process while the importer writes.
PARALLEL_ROWS = 50_000
BYTES_PER_ROW = 150  # an IDS CSV row is about 133 bytes
EARLY_BYTES = 1 << 20  # a file this large (compressed, perhaps) may need a worker: start one early

_early: subprocess.Popen[bytes] | None = None


def start() -> subprocess.Popen[bytes]:
    """A new worker process, with this process's module path, waiting for its job."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}  # the same modules
    return subprocess.Popen(
        [sys.executable, "-m", "astara.imports.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )


def start_early(path: Path) -> None:
    """Start a worker now if ``path`` is large enough that its import may want one."""
    global _early
    if _early is None and sys.executable and (os.cpu_count() or 1) > 1:
        try:
            large = path.stat().st_size >= EARLY_BYTES
        except OSError:  # the import will say what is wrong with the path
            return
        if large:
            _early = start()


def take() -> subprocess.Popen[bytes]:
    """The worker started early, or a new one."""
    global _early
    process, _early = _early, None
    return process if process is not None and process.poll() is None else start()


def discard() -> None:
    """Stop a worker started early that no import took."""
    global _early
    process, _early = _early, None
    if process is not None:
        process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()
