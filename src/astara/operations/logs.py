"""JSON logs with a request id (ASTARA_LOG_FORMAT=json), for a log collector.

Each request gets an id (the caller's ``X-Request-ID`` when it is a short plain token, else a new
one), sent back in ``X-Request-ID`` and put on every line logged while the request is answered,
with one ``astara.access`` line when it ends.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from astara.operations.metrics import route_of

request_id: ContextVar[str | None] = ContextVar("astara_request_id", default=None)
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
access = logging.getLogger("astara.access")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id.get()
        if rid:
            line["request_id"] = rid
        for name in ("method", "path", "route", "status", "duration_ms", "client"):
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure(log_format: str, level: str) -> None:
    """Send every logger's lines, uvicorn's included, to stderr in ``log_format`` (once a process)."""
    root = logging.getLogger()
    if log_format != "json" or any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root.handlers = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # astara.access says the same, with the id


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
