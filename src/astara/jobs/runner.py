"""The runner: claims queued jobs one at a time and runs each acting as the user who queued it.

``astara jobs run`` is a runner in its own process; ``astara serve`` starts one in a thread of each
server process (ASTARA_JOBS_IN_SERVER); each also queues the scheduled jobs due (:mod:`.schedule`).
Any number may run against one store: a job is claimed by a conditional UPDATE
(:func:`repository.claim`), so exactly one runner runs it. While it runs,
a heartbeat thread touches its row; a job whose heartbeat stopped for :data:`STALE_AFTER` (its
runner was killed) is queued again, once, then failed.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.agencies.service import scope_for
from astara.db.engine import transaction
from astara.db.models import Agency, Job, User, utcnow
from astara.errors import AstaraError, PermissionDenied
from astara.jobs import progress, repository
from astara.jobs.service import KINDS, PROGRESS_ASIDE, JobFunction, Work
from astara.runtime import Runtime

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
STALE_AFTER = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 2  # a job whose runner died is run once more, then failed
STOPPED = "the worker running this job stopped; it was tried {attempts} times"
INTERNAL = "internal error"


@dataclass(frozen=True)
class Claimed:
    job_id: str
    token: str


@dataclass
class Runner:
    runtime: Runtime
    kinds: Mapping[str, JobFunction] = field(default_factory=dict)  # overrides of KINDS (tests)
    heartbeat_seconds: float = HEARTBEAT_SECONDS
    schedule: Callable[[], object] | None = None  # queues the scheduled jobs now due
    _wake: threading.Event = field(default_factory=threading.Event, repr=False)

    # -- one job -----------------------------------------------------------------------------------

    def claim_next(self) -> Claimed | None:
        """Claim the oldest queued job no other runner took first."""
        token = secrets.token_hex(16)
        with transaction(self.runtime.engine) as session:
            candidates = repository.queued_ids(session, 5)
        for job_id in candidates:
            with transaction(self.runtime.engine) as session:
                if repository.claim(session, job_id, token, utcnow()):
                    return Claimed(job_id, token)
        return None

    def execute(self, claimed: Claimed) -> None:
        """Run a claimed job to done or failed; a runner that is not its holder any more writes nothing."""
        stop = threading.Event()
        beat = threading.Thread(target=self._beat, args=(claimed, stop), daemon=True, name="job-heartbeat")
        beat.start()
        aside = False
        try:
            with transaction(self.runtime.engine) as session:
                job = repository.by_id(session, claimed.job_id)
                assert job is not None
                kind, params = job.kind, dict(job.params)
                scope = _acting(session, job)
            aside = kind in PROGRESS_ASIDE
            told = self._progress_aside(claimed) if aside else self._progress(claimed)
            work = Work(unit=self._unit(scope), progress=told, settings=self.runtime.settings)
            result = self._function(kind)(work, params) or {}
        except AstaraError as exc:
            self._end(claimed, aside, status=repository.FAILED, error=exc.message)
        except Exception:
            log.exception("job=%s failed with an internal error", claimed.job_id)
            self._end(claimed, aside, status=repository.FAILED, error=INTERNAL)
        else:
            self._end(claimed, aside, status=repository.DONE, result=result)
        finally:
            stop.set()
            beat.join()

    def _function(self, kind: str) -> JobFunction:
        if kind in self.kinds:
            return self.kinds[kind]
        if kind not in KINDS:
            raise AstaraError(f"this Astara cannot run jobs of kind {kind!r}")
        module, name = KINDS[kind].split(":")
        function: JobFunction = getattr(importlib.import_module(module), name)
        return function

    def _unit(self, scope: Scope) -> Any:
        @contextmanager
        def unit() -> Iterator[tuple[Session, Scope]]:
            with self.runtime.session() as session:
                yield session, scope

        return unit

    def _progress(self, claimed: Claimed) -> Any:
        def progress(done: int, total: int | None = None, message: str = "", **_figures: int) -> None:
            """In a transaction of its own: visible while the job's work is still uncommitted."""
            with transaction(self.runtime.engine) as session:
                repository.write(session, claimed.job_id, claimed.token, progress_done=done,
                                 progress_total=total, progress_message=message[:200])  # fmt: skip

        return progress

    def _progress_aside(self, claimed: Claimed) -> Any:
        data_dir = self.runtime.settings.data_dir

        def told(done: int, total: int | None = None, message: str = "", **figures: int) -> None:
            """In a file beside the store (:mod:`astara.jobs.progress`): the job holds the store's lock."""
            progress.write(data_dir, claimed.job_id, done, total, message, figures)

        return told

    def _beat(self, claimed: Claimed, stop: threading.Event) -> None:
        while not stop.wait(self.heartbeat_seconds):
            try:
                with transaction(self.runtime.engine) as session:
                    repository.write(session, claimed.job_id, claimed.token)
            except Exception:  # a busy store: the next beat tries again; only a long silence counts
                log.warning("job=%s heartbeat not written", claimed.job_id, exc_info=True)

    def _end(self, claimed: Claimed, aside: bool = False, **values: Any) -> None:
        data_dir = self.runtime.settings.data_dir
        if aside:  # the last progress kept beside the store goes into the row, which outlives it
            last = progress.read(data_dir, claimed.job_id)
            if last is not None:
                values.update(progress_done=last["done"], progress_total=last["total"],
                              progress_message=last["message"][:200])  # fmt: skip
        with transaction(self.runtime.engine) as session:
            if not repository.write(session, claimed.job_id, claimed.token, finished_at=utcnow(), **values):
                log.warning("job=%s was taken back from this runner; its outcome is dropped", claimed.job_id)
        if aside:
            progress.remove(data_dir, claimed.job_id)
        log.info("job=%s status=%s", claimed.job_id, values["status"])

    # -- the queue ---------------------------------------------------------------------------------

    def reap(self, now: dt.datetime | None = None) -> int:
        """Requeue (or, after MAX_ATTEMPTS, fail) running jobs whose runner has gone silent."""
        at = now or utcnow()
        with transaction(self.runtime.engine) as session:
            silent = repository.stale(session, at - STALE_AFTER)
        taken = 0
        for job_id, token, attempts in silent:
            with transaction(self.runtime.engine) as session:
                if attempts >= MAX_ATTEMPTS:
                    values: dict[str, Any] = {"status": repository.FAILED, "finished_at": at,
                                              "error": STOPPED.format(attempts=attempts)}  # fmt: skip
                else:
                    values = {"status": repository.QUEUED, "progress_message": ""}
                if repository.take_back(session, job_id, token, **values):
                    log.warning("job=%s runner silent since before %s: %s", job_id, at - STALE_AFTER,
                                values["status"])  # fmt: skip
                    taken += 1
        return taken

    def run_once(self) -> int:
        """Queue the scheduled jobs due, take back silent jobs, then run every queued job; the number run."""
        if self.schedule is not None:
            self.schedule()
        self.reap()
        count = 0
        while (claimed := self.claim_next()) is not None:
            self.execute(claimed)
            count += 1
        return count

    def serve(self, stop: threading.Event, poll_seconds: float = 2.0) -> None:
        """Run jobs until ``stop`` is set, looking for new ones every ``poll_seconds`` (or when woken)."""
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # the store was unreachable: keep serving, try again later
                log.exception("the job runner could not read the queue")
            self._wake.wait(poll_seconds)
            self._wake.clear()

    def wake(self) -> None:
        """Look at the queue now (a job was just queued in this process)."""
        self._wake.set()


def _acting(session: Session, job: Job) -> Scope:
    """Who the job acts as: the user who queued it, with their role now (a disabled user's job fails)."""
    agency = session.get(Agency, job.agency_id)
    assert agency is not None
    user = session.get(User, job.created_by) if job.created_by is not None else None
    if user is None:
        return scope_for(session, agency.code, None, via="job")
    if not user.active:
        raise PermissionDenied(f"user {user.username}, who queued this job, is disabled")
    return Scope(agency_id=agency.id, agency_code=agency.code, user_id=user.id, role=user.role, via="job")


@dataclass
class InServer:
    """Runner threads inside a server process, stopped with it."""

    runner: Runner
    threads: list[threading.Thread]
    stop_event: threading.Event

    def stop(self) -> None:
        self.stop_event.set()
        self.runner.wake()
        for thread in self.threads:
            thread.join(timeout=30)


def start_in_server(
    runtime: Runtime, threads: int = 1, schedule: Callable[[], object] | None = None
) -> InServer:
    """Start ``threads`` runner threads (daemons: a server that exits does not wait for a job); with
    ``schedule``, each look at the queue first queues the scheduled jobs due, as `astara jobs run` does."""
    runner, stop = Runner(runtime, schedule=schedule), threading.Event()
    started = []
    for n in range(threads):
        thread = threading.Thread(target=runner.serve, args=(stop,), daemon=True, name=f"astara-jobs-{n}")
        thread.start()
        started.append(thread)
    return InServer(runner, started, stop)
