"""Every query on the ``jobs`` table.

Reading a job is scoped to an agency. Claiming and taking back jobs are the runner's, across
agencies (one runner serves the instance); each is one conditional UPDATE, so two runners, in
two processes or two threads, never both win the same job, on SQLite or PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped
from astara.db.models import Job, utcnow
from astara.kit.deferred import deferred

if TYPE_CHECKING:
    from sqlalchemy.dialects import postgresql, sqlite
else:
    postgresql = deferred("sqlalchemy.dialects.postgresql", "only a PostgreSQL store needs its dialect")
    sqlite = deferred("sqlalchemy.dialects.sqlite", "only a SQLite store needs its dialect")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
ACTIVE = (QUEUED, RUNNING)


def add(session: Session, job: Job) -> Job:
    session.add(job)
    session.flush()
    return job


def get(session: Session, scope: Scope, job_id: str) -> Job | None:
    return session.scalars(scoped(select(Job), Job, scope).where(Job.id == job_id)).one_or_none()


def listed(session: Session, scope: Scope, user_id: int | None, limit: int) -> list[Job]:
    """The agency's newest jobs; only ``user_id``'s when given."""
    stmt = scoped(select(Job), Job, scope).order_by(Job.created_at.desc(), Job.id).limit(limit)
    if user_id is not None:
        stmt = stmt.where(Job.created_by == user_id)
    return list(session.scalars(stmt))


def active(session: Session, scope: Scope, kind: str, params: dict[str, Any]) -> Job | None:
    """A queued or running job of ``kind`` with these parameters (asking twice starts one job)."""
    stmt = scoped(select(Job), Job, scope).where(Job.kind == kind, Job.status.in_(ACTIVE))
    return next((job for job in session.scalars(stmt) if job.params == params), None)


def active_count(session: Session, scope: Scope, kind: str) -> int:
    """How many jobs of ``kind`` the agency has queued or running."""
    stmt = scoped(select(func.count()).select_from(Job), Job, scope).where(
        Job.kind == kind, Job.status.in_(ACTIVE)
    )
    return int(session.scalar(stmt) or 0)


def queued_ids(session: Session, limit: int) -> list[str]:
    stmt = select(Job.id).where(Job.status == QUEUED).order_by(Job.created_at, Job.id).limit(limit)
    return list(session.scalars(stmt))


def claim(session: Session, job_id: str, token: str, now: dt.datetime) -> bool:
    """Take a queued job for the run named ``token``; False when another runner took it first."""
    done = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == QUEUED)
        .values(
            status=RUNNING,
            claim_token=token,
            started_at=now,
            heartbeat_at=now,
            attempts=Job.attempts + 1,
            error=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def by_id(session: Session, job_id: str) -> Job | None:
    """A job whatever its agency: only for the runner, which acts for whoever queued it."""
    return session.get(Job, job_id)


def write(session: Session, job_id: str, token: str, **values: Any) -> bool:
    """Change a running job's row, if the run named ``token`` still holds it."""
    done = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.claim_token == token, Job.status == RUNNING)
        .values(heartbeat_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def stale(session: Session, before: dt.datetime) -> list[tuple[str, str, int]]:
    """Running jobs whose runner has not been heard of since ``before``: (id, token, attempts)."""
    stmt = select(Job.id, Job.claim_token, Job.attempts).where(
        Job.status == RUNNING, func.coalesce(Job.heartbeat_at, Job.started_at) < before
    )
    return [(i, t or "", a) for i, t, a in session.execute(stmt)]


def take_back(session: Session, job_id: str, token: str, **values: Any) -> bool:
    """Requeue or fail a stale job, if it is still the run named ``token`` (two reapers: one wins)."""
    done = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.claim_token == token, Job.status == RUNNING)
        .values(claim_token=None, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


def insert_once(session: Session, values: dict[str, Any]) -> bool:
    """Insert a job unless one with its id exists (a scheduled slot's id): False when one did.

    One INSERT ... ON CONFLICT DO NOTHING, so two schedulers racing for a slot queue it once."""
    if session.get_bind().dialect.name == "postgresql":
        stmt: Any = postgresql.insert(Job).values(**values).on_conflict_do_nothing(index_elements=["id"])
    else:
        stmt = sqlite.insert(Job).values(**values).on_conflict_do_nothing(index_elements=["id"])
    return session.execute(stmt.returning(Job.id)).scalar_one_or_none() is not None


def of_kind(session: Session, scope: Scope, kind: str, limit: int) -> list[Job]:
    """The agency's newest jobs of ``kind``."""
    stmt = (
        scoped(select(Job), Job, scope).where(Job.kind == kind).order_by(Job.created_at.desc()).limit(limit)
    )
    return list(session.scalars(stmt))
