"""The import's worker pipe under signals: both processes interrupted all the time (as a sampling
profiler interrupts them), the import of a large file ends as it does undisturbed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select

from astara.agencies.scope import Scope
from astara.db.engine import transaction
from astara.db.models import SeizureEvent, SeizureItem
from astara.imports import service, spawn
from astara.imports.schemas import ImportReport
from fixtures.make import ids_row, import_file, write_ids

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX signals")

ROWS = 50_000
# The worker, with a no-op handler for SIGUSR1 and SIGPROF, and its own SIGPROF every 0.2 ms of CPU.
# SIGUSR1 stays blocked (inherited from the parent's thread that started it) until the handler is in.
NOISY_WORKER = (
    "import signal\n"
    "for s in (signal.SIGUSR1, signal.SIGPROF): signal.signal(s, lambda *_: None)\n"
    "signal.setitimer(signal.ITIMER_PROF, 0.0002, 0.0002)\n"
    "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})\n"
    "from astara.imports.worker import main\n"
    "main()\n"
)


def _stored(engine: Engine) -> list[tuple[object, ...]]:
    with transaction(engine) as session:
        events = session.scalars(select(SeizureEvent).order_by(SeizureEvent.id)).all()
        return [(e.id, e.source_rows, e.duplicate_count, e.total_kg, e.quality_flags) for e in events]


def _figures(report: ImportReport) -> tuple[object, ...]:
    return (report.rows_read, report.events_created, report.items_created, report.exact_duplicate_rows,
            report.near_duplicates, report.flagged, report.rejected_rows, report.warning_count)  # fmt: skip


@pytest.fixture
def interrupted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Workers started noisy; SIGUSR1 sent every 0.5 ms to this process and to each worker, and
    SIGALRM every 0.3 ms to this process (its blocking reads and writes are interrupted), while the
    test runs. Yields the workers' process ids."""
    workers: list[int] = []
    real_popen = subprocess.Popen

    def start() -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
        try:
            process = real_popen([sys.executable, "-c", NOISY_WORKER], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, env=env)  # fmt: skip
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
        workers.append(process.pid)
        return process

    monkeypatch.setattr(spawn, "start", start)
    sent = [0]
    stop = threading.Event()

    def noise() -> None:
        while not stop.wait(0.0005):
            for pid in (os.getpid(), *workers[-1:]):
                try:
                    os.kill(pid, signal.SIGUSR1)
                    sent[0] += 1
                except ProcessLookupError:  # the worker has ended
                    pass

    handlers = {s: signal.signal(s, lambda *_: None) for s in (signal.SIGUSR1, signal.SIGALRM)}
    signal.setitimer(signal.ITIMER_REAL, 0.0003, 0.0003)
    thread = threading.Thread(target=noise, daemon=True)
    thread.start()
    try:
        yield workers
    finally:
        stop.set()
        thread.join()
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        for number, handler in handlers.items():
            signal.signal(number, handler)
    assert sent[0] > 100  # the signals did arrive while the import ran


def test_an_import_interrupted_by_signals_stores_what_an_undisturbed_one_stores(
    engine: Engine,
    scope: Scope,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    rows = [ids_row(AMOUNT=f"{10 + n % 40_000}.{n % 7}", SEIZURE_DATE=f"20{10 + n % 9}-0{1 + n % 9}-1{n % 9}")
            for n in range(ROWS)]  # fmt: skip
    path = write_ids(tmp_path / "ids.csv", rows)
    monkeypatch.setattr(service, "PARALLEL_ROWS", ROWS * 10)  # undisturbed, in this process alone
    alone = import_file(engine, scope, path)
    stored_alone = _stored(engine)
    with transaction(engine) as session:
        session.execute(delete(SeizureItem))
        session.execute(delete(SeizureEvent))
    monkeypatch.setattr(service, "PARALLEL_ROWS", ROWS)
    workers = request.getfixturevalue("interrupted")
    report = import_file(engine, scope, path)
    assert workers, "the import went through a worker"
    assert _figures(report) == _figures(alone)
    assert report.rows_read == ROWS
    assert _stored(engine) == stored_alone


def test_a_message_written_in_pieces_with_pauses_is_read_whole() -> None:
    from astara.imports import channel

    message = {"rows": list(range(50_000)), "text": "Дорожная полиция — پلیس"}
    data = channel.framed(message)
    read_fd, write_fd = os.pipe()
    handler = signal.signal(signal.SIGALRM, lambda *_: None)
    signal.setitimer(signal.ITIMER_REAL, 0.0005, 0.0005)  # the reader's os.read is interrupted

    def dribble() -> None:
        for start in range(0, len(data), 7919):  # pieces that split the length and UTF-8 characters
            os.write(write_fd, data[start : start + 7919])
        os.close(write_fd)

    writer = threading.Thread(target=dribble)
    writer.start()
    try:
        received = channel.receive(read_fd)
        with pytest.raises(EOFError):
            channel.receive(read_fd)  # then the pipe ends, between messages
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, handler)
        writer.join()
        os.close(read_fd)
    assert received == message


def test_a_pipe_ending_inside_a_message_says_so() -> None:
    from astara.imports import channel

    data = channel.framed(["a batch", 1, 2, 3])
    read_fd, write_fd = os.pipe()
    os.write(write_fd, data[:-3])
    os.close(write_fd)
    with pytest.raises(channel.Truncated, match="ended inside a message"):
        channel.receive(read_fd)
    os.close(read_fd)
