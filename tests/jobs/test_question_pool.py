"""The pool a request waits on: its jobs are claimed when queued, so no runner runs them twice,
and a job it did not finish in time is still finished, with its progress told meanwhile."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.analysis import questions
from astara.db.engine import transaction
from astara.errors import RateLimited
from astara.jobs import pool, service
from astara.jobs.runner import Runner
from astara.runtime import Runtime
from astara.settings import Settings

KIND = "analysis.question"


def _unit(engine: Engine, scope: Scope) -> Any:
    @contextmanager
    def unit() -> Iterator[tuple[Session, Scope]]:
        with transaction(engine) as session:
            yield session, scope

    return unit


def test_a_job_claimed_for_the_pool_is_not_taken_by_a_runner(
    settings: Settings, engine: Engine, scope: Scope
) -> None:
    question = questions.normalise("stats", {"by": ["drug"]})
    with transaction(engine) as session:
        job, token = service.enqueue_claimed(session, scope, KIND, question, limit=4)
    assert token is not None
    assert Runner(Runtime(settings)).claim_next() is None  # already running, for the pool
    with transaction(engine) as session:
        assert service.get_job(session, scope, job.id).status == "running"
        again, none = service.enqueue_claimed(session, scope, KIND, question, limit=4)
    assert (again.id, none) == (job.id, None)  # asking again while it runs: the same job


def test_a_job_not_finished_in_time_is_returned_running_then_ends_done(
    settings: Settings, engine: Engine, scope: Scope, monkeypatch: pytest.MonkeyPatch
) -> None:
    release, started = threading.Event(), threading.Event()

    def slow(session: Session, scope_: Scope, question: dict[str, Any], told: Any) -> dict[str, Any]:
        told(1, 2)
        started.set()
        release.wait(120)
        return {"answer": 42}

    monkeypatch.setitem(questions.COMPUTE, "stats", slow)
    question = questions.normalise("stats", {"by": ["year"]})
    job = pool.ask(Runtime(settings), _unit(engine, scope), KIND, question, wait=0)
    assert job.status in ("queued", "running")
    assert started.wait(120)
    with transaction(engine) as session:
        running = service.get_job(session, scope, job.id)
    assert (running.status, running.progress_done, running.progress_total) == ("running", 1, 2)
    limited = "AZ-SCS has reached its limit of 1 questions"
    with transaction(engine) as session, pytest.raises(RateLimited, match=limited):
        service.enqueue_claimed(session, scope, KIND, questions.normalise("trends", {}), limit=1)
    release.set()
    for _ in range(2400):
        with transaction(engine) as session:
            ended = service.get_job(session, scope, job.id)
        if ended.finished:
            break
        time.sleep(0.05)
    assert ended.status == "done" and ended.result == {"answer": {"answer": 42}}
