"""Jobs: queue work for a runner, and read how it went. Services never commit; the caller does.

A job kind is a function ``(work, params) -> result``: ``work.unit()`` opens a transaction acting
as the user who queued the job (a job of several steps commits each, as a partner pull does per
page), ``work.progress(done, total, message)`` is visible at once to whoever watches the job, and
the result is a JSON object. Kinds are named in :data:`KINDS` as ``module:function`` and imported
when a job of theirs runs, so this module imports no domain.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from astara.agencies.scope import Scope
from astara.auth.roles import allowed
from astara.db.models import Job, utcnow
from astara.errors import Conflict, InvalidInput, NotFound, RateLimited
from astara.jobs import progress, repository
from astara.jobs.schemas import JobOut
from astara.settings import Settings

Unit = Callable[[], AbstractContextManager[tuple[Session, Scope]]]
Progress = Callable[..., None]  # progress(done, total=None, message="", **figures)

KINDS: dict[str, str] = {
    "sharing.pull": "astara.sharing.service:pull_job",
    "matching.watch": "astara.matching.jobs:watch_job",
    "matching.resolve": "astara.matching.jobs:resolve_job",
    "operations.backup": "astara.operations.backup_job:backup_job",
    "imports.run": "astara.imports.jobs:import_job",
    "sharing.purge": "astara.sharing.service:purge_job",
    "analysis.question": "astara.analysis.questions:question_job",
}
# Kinds that hold the store's write transaction for their whole run: progress goes beside the
# store (:mod:`astara.jobs.progress`), since on SQLite a progress row would wait on the job itself.
PROGRESS_ASIDE = frozenset({"imports.run"})


@dataclass(frozen=True)
class Work:
    """What a job's function is given besides its parameters."""

    unit: Unit
    progress: Progress
    settings: Settings


JobFunction = Callable[[Work, dict[str, Any]], dict[str, Any] | None]


def enqueue(
    session: Session, scope: Scope, kind: str, params: dict[str, Any], *, once: bool = False
) -> JobOut:
    """Queue a job acting as ``scope``'s user. With ``once``, an identical job still queued or
    running is returned instead of a second one. The caller checks the user may ask for it."""
    if kind not in KINDS:
        raise InvalidInput(f"no job kind {kind!r}; kinds: {', '.join(sorted(KINDS))}")
    existing = repository.active(session, scope, kind, params) if once else None
    if existing is not None:
        return JobOut.model_validate(existing)
    job = Job(id=secrets.token_urlsafe(24), agency_id=scope.agency_id, kind=kind, params=params,
              status=repository.QUEUED, created_by=scope.user_id, progress_done=0,
              progress_message="", attempts=0)  # fmt: skip
    return JobOut.model_validate(repository.add(session, job))


def enqueue_claimed(
    session: Session, scope: Scope, kind: str, params: dict[str, Any], *, limit: int
) -> tuple[JobOut, str | None]:
    """Queue a job already claimed for this process's pool (:mod:`astara.jobs.pool`): the job and
    its claim token. The user's identical job still active is returned instead, with no token (it
    is someone else's to run); more than ``limit`` active jobs of ``kind`` in the agency are refused."""
    existing = repository.active(session, scope, kind, params)
    if existing is not None and existing.created_by == scope.user_id:
        return JobOut.model_validate(existing), None
    if repository.active_count(session, scope, kind) >= limit:
        raise RateLimited(
            f"agency {scope.agency_code} has reached its limit of {limit} questions being answered at "
            "once; ask again when one of them has finished"
        )
    job = enqueue(session, scope, kind, params)
    token = secrets.token_hex(16)
    if not repository.claim(session, job.id, token, utcnow()):  # the row is this transaction's: never
        raise Conflict(f"job {job.id} was taken by another runner")
    return job, token


def get_job(session: Session, scope: Scope, job_id: str, data_dir: Path | None = None) -> JobOut:
    """A job of the agency, for the user who queued it or an administrator (others: not found).
    With ``data_dir``, a running job's progress kept beside the store is read too."""
    job = repository.get(session, scope, job_id)
    if job is None or not (job.created_by == scope.user_id or allowed(scope, "users.manage")):
        raise NotFound(f"no job {job_id!r}")
    found = JobOut.model_validate(job)
    return progress.overlay(found, data_dir) if data_dir is not None else found


def list_jobs(session: Session, scope: Scope, limit: int = 50) -> list[JobOut]:
    """The newest jobs: the agency's for an administrator, else the user's own."""
    mine = None if allowed(scope, "users.manage") else scope.user_id
    return [
        JobOut.model_validate(j) for j in repository.listed(session, scope, mine, min(max(limit, 1), 500))
    ]
