"""``/healthz``, ``/readyz`` and ``/metrics``: outside ``/api``, for load balancers and Prometheus.

Anyone gets a status; the details of readiness only an administrator's bearer token, and metrics
only a supervisor's or administrator's (a partner's name never reaches an anonymous caller).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from astara.agencies.scope import Scope
from astara.auth.service import scope_for_token
from astara.errors import AstaraError, NotAuthenticated, PermissionDenied
from astara.jobs.schedule import overview
from astara.operations.health import readiness
from astara.operations.metrics import CONTENT_TYPE, RequestMetrics
from astara.operations.repository import jobs_by_kind_and_status, last_finished_jobs
from astara.web.deps import runtime_of

router = APIRouter(include_in_schema=False)
METRICS_ROLES = frozenset({"supervisor", "administrator"})


def _token_scope(request: Request) -> Scope | None:
    """The scope of a bearer token, or None (no token, an unknown one, or a store that cannot answer)."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    try:
        with runtime_of(request).session() as session:
            return scope_for_token(session, header[7:])
    except AstaraError:
        return None


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process answers (nothing else is checked: that is /readyz)."""
    return {"status": "alive"}


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    result = readiness(runtime_of(request))
    body: dict[str, object] = {"status": "ready" if result.ready else "not ready"}
    scope = _token_scope(request) if result.checks["store"]["ok"] else None
    if scope is not None and scope.role == "administrator":
        body["checks"] = result.checks
        body["jobs"] = _last_jobs(request, scope)
        body["schedule"] = _schedule(request, scope)
    return JSONResponse(body, status_code=200 if result.ready else 503)


def _last_jobs(request: Request, scope: Scope) -> dict[str, dict[str, object]]:
    """Each kind of job's last run and its outcome, for the agency of the administrator asking."""
    with runtime_of(request).session() as session:
        waiting = jobs_by_kind_and_status(session, scope)
        return {
            kind: {
                "last_status": job.status,
                "finished_at": job.finished_at.isoformat() if job.finished_at else None,
                "error": job.error,
                "queued": waiting.get((kind, "queued"), 0),
            }
            for kind, job in sorted(last_finished_jobs(session, scope).items())
        }


def _schedule(request: Request, scope: Scope) -> dict[str, object]:
    """The agency's scheduled jobs: each one's last run, result or error and next run, and whether the
    schedule file could be read."""
    with runtime_of(request).session() as session:
        return overview(session, scope, runtime_of(request).settings).as_dict()


@router.get("/metrics")
def metrics(request: Request) -> Response:
    try:
        if not request.headers.get("authorization", "").lower().startswith("bearer "):
            raise NotAuthenticated("metrics need a bearer token of a supervisor or an administrator")
        scope = _token_scope(request)
        if scope is None:
            raise NotAuthenticated("the bearer token is not valid")
        if scope.role not in METRICS_ROLES:
            raise PermissionDenied("metrics are for supervisors and administrators")
        measured: RequestMetrics = request.app.state.metrics
        with runtime_of(request).session() as session:
            body = measured.render(session, scope)
    except AstaraError as exc:
        return JSONResponse(exc.to_json(), status_code=exc.status_code)
    return Response(body, media_type=CONTENT_TYPE)
