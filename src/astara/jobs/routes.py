"""REST API for jobs: how a job is doing, for the user who queued it or an administrator."""

from __future__ import annotations

from fastapi import APIRouter, Request

from astara.jobs import service
from astara.jobs.schemas import JobOut
from astara.web.deps import runtime_of, unit

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


@router.get("/{job_id}", response_model=JobOut)
def get_job(request: Request, job_id: str) -> JobOut:
    with unit(request) as (session, scope):
        return service.get_job(session, scope, job_id, runtime_of(request).settings.data_dir)
