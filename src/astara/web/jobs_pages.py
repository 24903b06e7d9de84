"""A job's page: what it is doing, refreshed while it runs, and what came of it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from astara.errors import AstaraError, NotAuthenticated, PermissionDenied
from astara.i18n import catalogue, translate
from astara.imports.schemas import ImportReport
from astara.jobs import service
from astara.jobs.schemas import JobOut
from astara.web.deps import runtime_of, unit
from astara.web.i18n import language_of
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)
# where the person who started a kind of job goes next, and the link's words
BACK = {"sharing.pull": ("/sharing", "jobs.back"), "imports.run": ("/imports/new", "jobs.back_import"),
        "analysis.question": ("/dashboard", "heavy.back")}  # fmt: skip


def refused(request: Request, exc: AstaraError) -> HTMLResponse:
    """An error page in the page's language (a missing job, a role that may not do this)."""
    lang = language_of(request)
    title = translate(lang, "jobs.refused" if isinstance(exc, PermissionDenied) else "error.not_found")
    context = {"page_title": title, "message": exc.message}
    return templates.TemplateResponse(request, "error.html", context, status_code=exc.status_code)


def wake_runner(request: Request) -> None:
    """A job was queued: this server's runner thread looks at the queue now, not at its next poll."""
    jobs = getattr(request.app.state, "jobs", None)
    if jobs is not None:
        jobs.runner.wake()


def _label(lang: str, prefix: str, key: str, **values: Any) -> str:
    return translate(lang, f"{prefix}.{key}", **values) if f"{prefix}.{key}" in catalogue() else key


def _outcome(lang: str, job: JobOut) -> list[tuple[str, Any]]:
    """The result as labelled figures (a field without a label of its own shows its name); a
    question's answer is shown where it was asked, not here."""
    if job.kind == "analysis.question":
        return []
    return [(_label(lang, "jobs.result", key), value) for key, value in (job.result or {}).items()]


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> HTMLResponse:
    try:
        with unit(request) as (session, scope):
            job = service.get_job(session, scope, job_id, runtime_of(request).settings.data_dir)
    except NotAuthenticated:
        raise
    except AstaraError as exc:
        return refused(request, exc)
    lang = language_of(request)
    if job.kind == "imports.run" and job.status == "done" and job.result:
        return _import_done(request, job.result)
    title = _label(lang, "jobs.kind", job.kind, **{k: str(v) for k, v in job.params.items()})
    context = {"page_title": title, "job": job, "outcome": _outcome(lang, job), "back": BACK.get(job.kind),
               "status_label": _label(lang, "jobs.status", job.status)}  # fmt: skip
    return templates.TemplateResponse(request, "job.html", context)


def _import_done(request: Request, result: dict[str, Any]) -> HTMLResponse:
    """A finished import job shows the report a synchronous import shows, with the same links."""
    report = ImportReport.model_validate(result["report"])
    context = {"page_title": translate(language_of(request), "import.title"), "report": report,
               "token": result["upload"], "rejects": bool(result["rejects"])}  # fmt: skip
    return templates.TemplateResponse(request, "import_done.html", context)
