"""Heavy questions asked by the API and the pages: answered at once when the answer is known or
comes within ``ASTARA_QUESTION_WAIT_SECONDS``, else the address of the job that is answering it.

The API answers 202 with ``{"job": "/api/jobs/<id>"}`` and a ``Location`` header; polling that
address gives the job's progress and, when done, ``result.answer``. A page shows the waiting page
(:func:`waiting_page`), which reloads itself and shows the job's progress until the answer is there.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse

from astara.analysis import questions
from astara.errors import AstaraError
from astara.i18n import translate
from astara.jobs import pool
from astara.jobs.schemas import JobOut
from astara.web.deps import runtime_of, unit
from astara.web.i18n import language_of
from astara.web.templating import templates


class QuestionFailed(AstaraError):
    """The job answering a question failed; its message says why."""


def answer_or_job(request: Request, kind: str, params: dict[str, Any]) -> tuple[Any, JobOut | None]:
    """``(answer, None)`` when known or answered in time, else ``(None, job)`` still running."""
    runtime = runtime_of(request)
    with unit(request) as (session, scope):
        question = questions.normalise(kind, params)
        hit = questions.cached(session, scope, question)
    if hit is not None:
        return hit, None
    wait = runtime.settings.question_wait_seconds
    job = pool.ask(runtime, lambda: unit(request), questions.KIND, question, wait=wait)
    if job.status == "failed":
        raise QuestionFailed(job.error or "the question could not be answered")
    if job.status != "done":
        return None, job
    if job.result and job.result.get("answer") is not None:
        return job.result["answer"], None
    with unit(request) as (session, scope):  # answers that are not JSON (the dashboard's) are cached
        hit = questions.cached(session, scope, question)
    return (hit, None) if hit is not None else (None, job)


def accepted(job: JobOut) -> JSONResponse:
    """202: the question is being answered; poll the job's address."""
    address = f"/api/jobs/{job.id}"
    body = {"job": address, "id": job.id, "status": job.status, "progress_done": job.progress_done,
            "progress_total": job.progress_total}  # fmt: skip
    return JSONResponse(body, status_code=202, headers={"Location": address})


def api_answer(request: Request, kind: str, params: dict[str, Any]) -> JSONResponse:
    """The API's answer: 200 with it, or 202 with the job's address."""
    found, job = answer_or_job(request, kind, params)
    return accepted(job) if job is not None else JSONResponse(found)


def waiting_page(request: Request, job: JobOut, title: str) -> HTMLResponse:
    """A page that says the answer is being worked out, with the job's progress; it reloads itself."""
    lang = language_of(request)
    context = {
        "page_title": title,
        "job": job,
        "status_label": translate(lang, f"jobs.status.{job.status}"),
        "job_address": f"/jobs/{job.id}",
    }
    return templates.TemplateResponse(request, "question_wait.html", context, status_code=202)
