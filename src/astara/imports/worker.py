"""A large import's second process: it reads and prepares rows while the importing process writes.

Parsing, duplicate finding and row building (:func:`astara.imports.prepare.prepare`) are pure
Python and need no database; writing is mostly the database's own work. For a file of a few
hundred thousand rows each takes several seconds, so :func:`prepare_in_worker` runs the first
in a worker process and hands its batches over a pipe to the caller, which writes batch N while
the worker prepares batch N+1: on two cores, the import takes about as long as the slower half.

The worker is started with ``spawn`` (a fresh interpreter, safe under a threaded web server) and
opens the file itself. It sends ``("batch", events)`` messages, then ``("done", report, rejects,
merged)``, or ``("error", exception)``; the pipe's buffer keeps it at most a batch ahead, so
memory stays bounded. If the caller stops early (an error while writing), the worker is stopped.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Generator
from contextlib import ExitStack, suppress
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from astara.imports.mapping import get_mapping
from astara.imports.prepare import Job, Prepared, Rejects, fewer_collections, prepare
from astara.imports.readers import open_source
from astara.imports.schemas import ImportReport

# The report fields the preparing side fills (the writing side fills the others).
PREPARED_FIELDS = ("rows_read", "flagged", "warning_count", "warnings", "errors", "rejected_rows",
                   "near_duplicates", "duplicate_examples", "exact_duplicate_rows")  # fmt: skip


def open_job_source(path: Path, options: Any, stack: ExitStack, preferred: str | None) -> Any:
    """Open ``path`` as the import's options say (the same call in either process)."""
    return open_source(
        path,
        stack,
        encoding=options.encoding,
        delimiter=options.delimiter,
        limit_bytes=options.limit_bytes,
        member=options.member,
        preferred_delimiter=preferred,
    )


def _work(conn: Connection, path: Path, job: Job) -> None:
    """The worker's body: prepare the file and send what it finds."""
    try:
        mapping = get_mapping(job.options.mapping)
        with ExitStack() as stack:
            source = open_job_source(path, job.options, stack, mapping.delimiter)
            report = ImportReport(job_id=None, file=source.name, file_sha256="", mapping=mapping.name,
                                  status="running")  # fmt: skip
            rejects = Rejects(source.header)
            stack.enter_context(fewer_collections())
            batches = prepare(job, mapping, source, report, rejects)
            while True:
                try:
                    batch = next(batches)
                except StopIteration as done:
                    merged = done.value
                    break
                if batch:
                    conn.send(("batch", batch))
        conn.send(("done", report, rejects.rows, merged))
    except BaseException as exc:  # every failure goes to the caller, who raises it
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        with suppress(OSError):  # a broken pipe: the caller has stopped listening
            conn.send(("error", exc))
    finally:
        conn.close()


def prepare_in_worker(
    path: Path, job: Job, report: ImportReport, rejects: Rejects
) -> Generator[list[Prepared], None, list[tuple[str, list[int]]]]:
    """Like :func:`prepare`, with the work done in a worker process; the same batches, report and result."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_work, args=(sender, path, job), name="astara-import", daemon=True)
    process.start()
    sender.close()  # the worker holds its own copy; ours closed, a dead worker reads as end of file
    finished = False
    try:
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                code = process.exitcode
                raise RuntimeError(f"the import worker stopped unexpectedly (exit code {code})") from None
            if message[0] == "batch":
                yield message[1]
            elif message[0] == "done":
                _, prepared, rows, merged = message
                merged_rows: list[tuple[str, list[int]]] = merged
                for name in PREPARED_FIELDS:
                    setattr(report, name, getattr(prepared, name))
                rejects.rows.extend(rows)
                finished = True
                return merged_rows
            else:
                raise message[1]
    finally:
        receiver.close()
        if not finished:  # the caller gave up (or the worker failed): nothing it prepares is wanted
            process.terminate()
        process.join()
