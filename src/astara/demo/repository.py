"""The one query the demo needs: was this file already imported by the agency?"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from astara.agencies.scope import Scope, scoped
from astara.db.models import ImportJob


def completed_import(session: Session, scope: Scope, file_sha256: str, mapping: str) -> ImportJob | None:
    stmt = scoped(select(ImportJob), ImportJob, scope).where(
        ImportJob.file_sha256 == file_sha256, ImportJob.mapping == mapping, ImportJob.status != "running"
    )
    return session.scalars(stmt.order_by(ImportJob.started_at.desc()).limit(1)).first()
