"""``create_app(settings)``: the API routers of every domain, the pages, one error handler."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from astara.analysis.routes import router as stats_router
from astara.auth.routes import router as auth_router
from astara.auth.secret import secret_path, session_secret
from astara.db.engine import PAGE_THREADS
from astara.errors import AstaraError, InvalidInput, NotAuthenticated, NotFound
from astara.exports.routes import router as export_router
from astara.imports.routes import router as import_router
from astara.jobs import schedule
from astara.jobs.routes import router as jobs_router
from astara.jobs.runner import start_in_server
from astara.matching.routes import router as matching_router
from astara.networks.routes import router as networks_router
from astara.news.routes import router as news_router
from astara.operations import logs
from astara.operations.metrics import RequestMetrics
from astara.operations.routes import router as operations_router
from astara.reports.routes import router as reports_router
from astara.runtime import Runtime
from astara.seizures.routes import router as seizures_router
from astara.settings import Settings
from astara.sharing.routes import router as sharing_router
from astara.web.admin_pages import router as admin_pages_router
from astara.web.auth_pages import router as auth_pages_router
from astara.web.dashboard import router as dashboard_router
from astara.web.forms import router as forms_router
from astara.web.import_pages import router as import_pages_router
from astara.web.inputs import LimitParameters, RefuseNul, SecurityHeaders
from astara.web.jobs_pages import router as jobs_pages_router
from astara.web.list_tools import router as list_tools_router
from astara.web.match_pages import router as match_pages_router
from astara.web.more_pages import router as more_pages_router
from astara.web.news_pages import router as news_pages_router
from astara.web.observe import MeasureRequests, RequestIds
from astara.web.pages import router as pages_router
from astara.web.problems import error_page
from astara.web.schedule_pages import router as schedule_pages_router
from astara.web.search_pages import router as search_pages_router
from astara.web.sharing_pages import router as sharing_pages_router
from astara.web.vocab_routes import router as vocab_router

STATIC_DIR = Path(__file__).with_name("static")
SETUP_TOKEN_VARIABLE = "ASTARA_SETUP_TOKEN"  # noqa: S105 - a variable name; `astara serve --workers N` sets it


def app_from_environment() -> FastAPI:
    """The app built from ASTARA_* variables: what each process of `astara serve --workers N` runs."""
    return create_app(Settings.from_environment(), setup_token=os.environ.get(SETUP_TOKEN_VARIABLE))


@asynccontextmanager
async def _run_jobs(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs, a thread of it queues the scheduled jobs due and runs queued jobs (unless
    ASTARA_JOBS_IN_SERVER=false)."""
    runtime: Runtime = app.state.runtime
    to_thread.current_default_thread_limiter().total_tokens = PAGE_THREADS  # one pooled connection each
    if not runtime.settings.jobs_in_server:
        yield
        return
    loaded = schedule.read(runtime.settings)
    if loaded.problem:  # the server still serves; the schedule page and /readyz details say why
        logging.getLogger(__name__).error("no scheduled jobs are queued: %s", loaded.problem)
    app.state.jobs = start_in_server(runtime, schedule=schedule.scheduler(runtime.engine, loaded.entries))
    try:
        yield
    finally:
        app.state.jobs.stop()


def _is_page(request: Request) -> bool:
    """Whether the request is for a page (HTML errors) rather than the API or a file (JSON errors)."""
    path = request.url.path
    return not path.startswith(("/api/", "/static/", "/openapi.json")) and path != "/api"


def create_app(settings: Settings, agency: str | None = None, setup_token: str | None = None) -> FastAPI:
    app = FastAPI(
        lifespan=_run_jobs,
        title="Astara",
        version="0.1.0",
        description="Seizure intelligence for cross-border counter-narcotics cooperation.",
        docs_url=None,  # Swagger UI loads from a CDN; the OpenAPI document is served at /openapi.json
        redoc_url=None,
    )
    logs.configure(settings.log_format, settings.log_level)
    secret, created = session_secret(settings)
    if created:
        logging.getLogger(__name__).warning("wrote a new session secret key to %s", secret_path(settings))
    app.state.runtime = Runtime(settings, agency=agency)
    # First run: whoever holds this (printed by `astara serve`) may create the administrator.
    app.state.setup_token = setup_token or secrets.token_urlsafe(18)

    @app.exception_handler(AstaraError)
    async def _astara_error(request: Request, exc: AstaraError) -> Response:
        if isinstance(exc, NotAuthenticated) and not request.url.path.startswith("/api"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        if _is_page(request):
            return error_page(request, exc)
        return JSONResponse(exc.to_json(), status_code=exc.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # an address no route serves, or a method it does not take: a page, or JSON for the API
        if exc.status_code == 404 and _is_page(request):
            return error_page(request, NotFound(str(exc.detail)), "page")
        return await http_exception_handler(request, exc)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def _value_out_of_range(request: Request, exc: Exception) -> JSONResponse:
        # a value the schema lets through (any integer, any text) that the store cannot hold:
        # SQLite's 64-bit integers (OverflowError), PostgreSQL's column types (DataError)
        reason = str(getattr(exc, "orig", exc)).splitlines()[0]
        error = InvalidInput(f"a value in the request to {request.url.path} does not fit the store: {reason}")
        return JSONResponse(error.to_json(), status_code=error.status_code)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "reason": e["msg"]}
            for e in exc.errors()
        ]
        error = InvalidInput("the request is not valid", details=details)
        return JSONResponse(error.to_json(), status_code=error.status_code)

    for router in (
        operations_router,
        seizures_router,
        sharing_router,
        stats_router,
        reports_router,
        networks_router,
        news_router,
        matching_router,
        import_router,
        jobs_router,
        export_router,
        vocab_router,
        auth_router,
        auth_pages_router,
        dashboard_router,
        forms_router,
        import_pages_router,
        jobs_pages_router,
        schedule_pages_router,
        sharing_pages_router,
        more_pages_router,
        admin_pages_router,
        news_pages_router,
        match_pages_router,
        pages_router,
        list_tools_router,
        search_pages_router,
    ):
        app.include_router(router)
    app.add_middleware(RefuseNul)
    app.add_middleware(LimitParameters, most=settings.max_query_parameters)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie="astara_session",
        max_age=8 * 3600,  # a working day
        same_site="strict",
        https_only=settings.environment == "production",
    )
    app.state.metrics = RequestMetrics()
    app.add_middleware(MeasureRequests, metrics=app.state.metrics)
    app.add_middleware(RequestIds, log_access=settings.log_format == "json")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
