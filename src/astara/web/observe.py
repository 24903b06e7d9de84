"""What the server notes of each request: its id (the caller's ``X-Request-ID`` when it is a short
plain token, else a new one), sent back in ``X-Request-ID`` and put on every log line written while
it is answered, with one ``astara.access`` line when it ends; and its route, status and duration for
``/metrics`` (:mod:`astara.operations.metrics`)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from astara.operations.logs import request_id
from astara.operations.metrics import RequestMetrics

_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
access = logging.getLogger("astara.access")


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class MeasureRequests:
    """ASGI middleware: each HTTP request's route, status and duration into :class:`RequestMetrics`."""

    def __init__(self, app: ASGIApp, metrics: RequestMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [500]

        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            route, method = route_of(scope), scope["method"]
            self.metrics.requests.labels(method, route, str(status[0])).inc()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - started)


class RequestIds:
    """ASGI middleware: the request's id in a context variable and the answer's X-Request-ID header."""

    def __init__(self, app: ASGIApp, *, log_access: bool) -> None:
        self.app, self.log_access = app, log_access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started, status = time.perf_counter(), [500]

        async def with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = int(message["status"])
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())],
                }
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            if self.log_access:
                access.info(
                    "%s %s %s", scope["method"], scope["path"], status[0],
                    extra={"method": scope["method"], "path": scope["path"], "route": route_of(scope),
                           "status": status[0],
                           "duration_ms": round((time.perf_counter() - started) * 1000, 1)},
                )  # fmt: skip
            request_id.reset(token)
