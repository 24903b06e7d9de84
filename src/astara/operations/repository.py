"""The store's figures that /metrics reports, for the acting agency."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped
from astara.db.models import AuditEntry, ImportJob, Job, MatchAlert, SeizureEvent


def imports_by_status(session: Session, scope: Scope) -> dict[str, int]:
    stmt = scoped(select(ImportJob.status, func.count()), ImportJob, scope).group_by(ImportJob.status)
    return {str(status): int(n) for status, n in session.execute(stmt)}


def jobs_by_kind_and_status(session: Session, scope: Scope) -> dict[tuple[str, str], int]:
    stmt = scoped(select(Job.kind, Job.status, func.count()), Job, scope).group_by(Job.kind, Job.status)
    return {(str(kind), str(status)): int(n) for kind, status, n in session.execute(stmt)}


def count(session: Session, scope: Scope, model: type[AuditEntry | MatchAlert | SeizureEvent]) -> int:
    stmt = scoped(select(func.count()).select_from(model), model, scope)
    return int(session.execute(stmt).scalar_one())


def last_finished_jobs(session: Session, scope: Scope, look_back: int = 500) -> dict[str, Job]:
    """The newest finished job of each kind among the agency's last ``look_back`` finished ones."""
    stmt = (
        scoped(select(Job), Job, scope)
        .where(Job.status.in_(("done", "failed")))
        .order_by(Job.finished_at.desc())
        .limit(look_back)
    )
    out: dict[str, Job] = {}
    for job in session.scalars(stmt):
        out.setdefault(job.kind, job)
    return out
