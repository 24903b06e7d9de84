"""A small bounded pool of threads, apart from a server's page threads, for the jobs a request waits on.

A request asking a heavy question (:mod:`astara.analysis.questions`) queues it as a job already
claimed for this pool (:func:`astara.jobs.service.enqueue_claimed`), hands it here and waits at most
:data:`WAIT_SECONDS`: answered by then, the request answers; otherwise it returns the job's address
and its thread is free, while a pool thread finishes the job. The pool runs jobs exactly as a
runner does (:meth:`astara.jobs.runner.Runner.execute`: heartbeat, progress, claim token), so a job
whose process died is taken back and run by any runner. One pool a process: its threads bound how
many questions run at once, whichever app or runtime asked them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import AbstractContextManager, suppress
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.jobs import service
from astara.jobs.runner import Claimed, Runner
from astara.jobs.schemas import JobOut
from astara.runtime import Runtime

WORKERS = 2  # questions answered at once by one server process; others wait their turn
WAIT_SECONDS = 2.0  # how long a request waits for an answer before it returns the job's address
PER_AGENCY = 4  # questions an agency may have queued or running at once

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(WORKERS, thread_name_prefix="astara-questions")
        return _executor


def run(runtime: Runtime, claimed: Claimed) -> Future[None]:
    """Run a job claimed for this pool in one of its threads."""
    return _pool().submit(Runner(runtime).execute, claimed)


def ask(
    runtime: Runtime,
    unit: Callable[[], AbstractContextManager[tuple[Session, Scope]]],
    kind: str,
    params: dict[str, Any],
    *,
    wait: float | None = None,
) -> JobOut:
    """Queue a job of ``kind`` for the acting user, run it here, and wait up to ``wait`` seconds:
    the job as it then is (``done`` with its result, or still ``running``: answer with its address).

    ``unit`` opens a transaction acting as the user (the request's). An identical job of the user's
    still active is not queued twice: it is returned as it is, without waiting."""
    with unit() as (session, scope):
        job, token = service.enqueue_claimed(session, scope, kind, params, limit=PER_AGENCY)
    if token is None:
        return job
    future = run(runtime, Claimed(job.id, token))
    with suppress(FutureTimeout):  # still running: the caller answers with the job's address
        future.result(timeout=WAIT_SECONDS if wait is None else wait)
    with unit() as (session, scope):
        return service.get_job(session, scope, job.id)
