"""A large import's second process: it reads and prepares rows while the importing process writes.

Parsing and duplicate finding (:func:`astara.imports.prepare.prepare`) are pure Python and need
no database; writing is the other half of the work. For a file of a few hundred thousand rows
each takes several seconds, so :func:`prepare_in_worker` runs the first in a worker process and
hands its batches to the caller, which writes batch N while the worker prepares batch N+1: on
two cores, the import takes about as long as the slower half.

The worker is ``python -m astara.imports.worker``, a fresh interpreter (safe under a threaded
web server, and unlike ``multiprocessing``'s spawn it never re-runs the caller's script), with the
caller's module path. The messages both ways are the dataclasses of :mod:`astara.imports.messages`:
a :class:`ReadFile` as it starts and a :class:`PrepareJob` once the importer has opened its store
(it reads and parses the file's first chunks between the two); back, a :class:`Prepared` per
batch, then :class:`Done` or :class:`Failed`. A thread in the worker writes them, at most
``AHEAD`` batches ahead of the caller, so memory stays bounded while neither side waits for the
other; if the caller stops early (an error while writing), the worker is killed.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import sys
import threading
from collections.abc import Callable, Generator
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import IO, cast

if sys.platform != "win32":
    import fcntl

from astara.imports import channel, spawn
from astara.imports.chunks import Chunk
from astara.imports.mapping import get_mapping
from astara.imports.messages import Done, Failed, FromWorker, Prepared, PrepareJob, ReadFile
from astara.imports.prepare import (
    Batch,
    Job,
    Merged,
    Rejects,
    Row,
    chunk_parser,
    drain,
    parsed_chunks,
    prepare,
)
from astara.imports.readers import Source, open_source
from astara.imports.schemas import ImportOptions, ImportReport

AHEAD = 8  # batches the worker may have prepared and not yet handed over
PIPE_BYTES = 1 << 20
# The report fields the preparing side fills (the writing side fills the others).
PREPARED_FIELDS = ("rows_read", "flagged", "warning_count", "warnings", "errors", "rejected_rows",
                   "near_duplicates", "duplicate_examples", "exact_duplicate_rows")  # fmt: skip


def open_job_source(path: Path, options: ImportOptions, stack: ExitStack, preferred: str | None) -> Source:
    """Open ``path`` as the import's options say (the same call in either process)."""
    return open_source(
        path,
        stack,
        encoding=options.encoding,
        delimiter=options.delimiter,
        limit_bytes=options.limit_bytes,
        limits=options.limits,
        member=options.member,
        preferred_delimiter=preferred,
    )


class _Inbox:
    """The job on standard input (``fd``), read by a thread (the worker reads ahead meanwhile)."""

    def __init__(self, fd: int) -> None:
        self._found: list[tuple[bool, object]] = []
        self._arrived = threading.Event()
        threading.Thread(target=self._read, args=(fd,), name="astara-import-inbox", daemon=True).start()

    def _read(self, fd: int) -> None:
        try:
            self._found.append((True, channel.receive(fd)))
        except BaseException as exc:  # the caller stopped before sending it: get() raises this
            self._found.append((False, exc))
        self._arrived.set()

    def arrived(self) -> bool:
        return self._arrived.is_set()

    def get(self) -> PrepareJob:
        self._arrived.wait()
        ok, value = self._found[0]
        if not ok:
            raise value  # type: ignore[misc]  # (what reading raised)
        if not isinstance(value, PrepareJob):
            raise RuntimeError(f"the import worker expected its job, not {type(value).__name__}")
        return value


def _work(told: ReadFile, inbox: _Inbox, send: Callable[[FromWorker], None]) -> None:
    """The worker's body: read ahead while the job is on its way, prepare the file, send what it finds.

    ``told`` is the first message, sent as soon as the worker starts
    (:func:`astara.imports.spawn.tell`). Until the rest of the job arrives (it needs the
    importer's store), the first chunks are read and parsed.
    """
    options, batch, by_columns = told.options, told.batch, told.by_columns
    mapping = get_mapping(options.mapping)
    with ExitStack() as stack:
        source = open_job_source(told.path, options, stack, mapping.delimiter)
        report = ImportReport(job_id=None, file=source.name, file_sha256="", mapping=mapping.name,
                              status="running")  # fmt: skip
        rejects = Rejects(source.header)
        parser = chunk_parser(mapping, source, options.today)
        ahead: list[tuple[list[Row], Chunk]] = []
        if by_columns and parser.usable():
            chunks = parsed_chunks(parser, source, batch)
            while not inbox.arrived() and len(ahead) < AHEAD:
                parsed = next(chunks, None)
                if parsed is None:
                    break
                ahead.append(parsed)
        job = inbox.get().job
        if (job.options, job.batch, job.by_columns) != (options, batch, by_columns):
            raise RuntimeError("the import worker was told other options than its job's")

        def forward(batch: Batch) -> None:
            if batch.events or batch.items or batch.columns:
                send(Prepared(batch, report.rows_read))

        merged = drain(prepare(job, mapping, source, report, rejects, parser, ahead), forward)
    send(Done(report, rejects.rows, merged))


def main() -> None:
    """``python -m astara.imports.worker``: the job on standard input, messages on standard output."""
    out = sys.stdout.fileno()
    sys.stdout = sys.stderr  # anything printed by mistake must not corrupt the channel
    # A thread writes the pickled messages, so that preparing goes on while the caller is busy
    # writing to its database and not reading; the queue bounds how far ahead the worker gets.
    outbox: queue.Queue[bytes | None] = queue.Queue(maxsize=AHEAD)
    broken: list[OSError] = []

    def pump() -> None:
        while (data := outbox.get()) is not None:
            if not broken:
                try:
                    channel.write_all(out, data)
                except OSError as exc:  # the caller has stopped listening
                    broken.append(exc)

    thread = threading.Thread(target=pump, name="astara-import-sender", daemon=True)
    thread.start()

    def send(message: FromWorker) -> None:
        if broken:
            raise broken[0]
        outbox.put(channel.framed(message))

    # This process prepares one import and ends (os._exit below): the cyclic garbage collector
    # only re-walks the hundreds of thousands of objects the import keeps (about a tenth of the
    # work); preparing makes no reference cycles worth collecting (the peak memory is the same).
    gc.disable()
    try:
        told = channel.receive(sys.stdin.fileno())
        if not isinstance(told, ReadFile):
            raise RuntimeError(f"the import worker expected a file to read, not {type(told).__name__}")
        _work(told, _Inbox(sys.stdin.fileno()), send)
    except BaseException as exc:  # every failure goes to the caller, who raises it
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        with suppress(OSError):  # a broken pipe: the caller has stopped listening
            send(Failed(exc))
    finally:
        outbox.put(None)
        thread.join()
    # Everything is sent: leave without freeing the import's hundreds of thousands of objects one
    # by one (about half a second that the caller, waiting for this process to end, would spend).
    sys.stderr.flush()
    os._exit(0)


def _widen(pipe: IO[bytes]) -> None:
    """Give the pipe from the worker a larger buffer where the system allows (Linux: up to 1 MB)."""
    if sys.platform == "win32":
        return
    with suppress(AttributeError, OSError):  # not Linux, or above the system's limit
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def prepare_in_worker(
    path: Path, job: Job, report: ImportReport, rejects: Rejects
) -> Generator[Batch, None, Merged]:
    """Like :func:`prepare`, with the work done in a worker process; the same batches, report and result."""
    process = spawn.take(ReadFile(path, job.options, job.batch, job.by_columns))
    stdin, stdout = cast_pipe(process.stdin), cast_pipe(process.stdout)
    _widen(stdout)
    finished = False
    try:
        with suppress(BrokenPipeError):  # a worker that failed reading ahead: its error is on stdout
            channel.send(stdin.fileno(), PrepareJob(job))
        with suppress(BrokenPipeError):
            stdin.close()
        while True:
            try:
                message = cast("FromWorker", channel.receive(stdout.fileno()))
            except EOFError:
                code = process.wait()
                raise RuntimeError(f"the import worker stopped unexpectedly (exit code {code})") from None
            if isinstance(message, Prepared):
                report.rows_read = message.rows_read
                yield message.batch
            elif isinstance(message, Done):
                for name in PREPARED_FIELDS:
                    setattr(report, name, getattr(message.report, name))
                rejects.rows.extend(message.rejects)
                finished = True
                return message.merged
            else:
                raise message.error
    finally:
        if not finished:  # the caller gave up (or the worker failed): nothing it prepares is wanted
            process.kill()
        stdout.close()
        process.wait()


def cast_pipe(pipe: IO[bytes] | None) -> IO[bytes]:
    if pipe is None:  # never: both are asked for as pipes
        raise RuntimeError("the import worker has no pipe")
    return pipe


if __name__ == "__main__":
    main()
