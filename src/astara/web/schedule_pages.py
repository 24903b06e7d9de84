"""``/schedule``: the agency's scheduled jobs for its administrators, each with its last run, what
came of it (a failed run's message, never a traceback) and its next run; a schedule file that
cannot be read is shown with the line and field at fault."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from astara.errors import AstaraError, NotAuthenticated, PermissionDenied
from astara.i18n import catalogue, translate
from astara.jobs import schedule
from astara.jobs.schemas import JobOut
from astara.web.deps import runtime_of, unit
from astara.web.i18n import language_of
from astara.web.jobs_pages import refused
from astara.web.templating import templates

router = APIRouter(include_in_schema=False)


def _label(lang: str, prefix: str, key: str, **values: Any) -> str:
    return translate(lang, f"{prefix}.{key}", **values) if f"{prefix}.{key}" in catalogue() else key


def _row(lang: str, planned: schedule.Planned) -> dict[str, Any]:
    entry, last = planned.entry, planned.last
    return {
        "name": entry.name,
        "kind": _label(lang, "jobs.kind", entry.kind, **{k: str(v) for k, v in entry.params.items()}),
        "every": entry.every,
        "at": entry.at,
        "next_at": planned.next_at,
        "problem": planned.problem,
        "last": last,
        "status": _label(lang, "jobs.status", last.status) if last else None,
        "outcome": _outcome(lang, last) if last else [],
    }


def _outcome(lang: str, job: JobOut) -> list[tuple[str, Any]]:
    return [(_label(lang, "jobs.result", key), value) for key, value in (job.result or {}).items()]


@router.get("/schedule", response_class=HTMLResponse)
def schedule_page(request: Request) -> HTMLResponse:
    lang = language_of(request)
    try:
        with unit(request) as (session, scope):
            found = schedule.overview(session, scope, runtime_of(request).settings)
    except NotAuthenticated:
        raise
    except PermissionDenied:
        return refused(request, PermissionDenied(translate(lang, "schedule.forbidden")))
    except AstaraError as exc:
        return refused(request, exc)
    context = {
        "page_title": translate(lang, "schedule.title"),
        "file": str(found.path),
        "problem": found.problem,
        "rows": [_row(lang, p) for p in found.planned],
    }
    return templates.TemplateResponse(request, "schedule.html", context)
