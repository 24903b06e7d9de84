"""The HTTP boundary's own rules: no NUL characters in parameters or bodies, safe file names, and the
security headers on every response (plain ASGI middleware: no per-request task or body copy).

PostgreSQL text cannot hold NUL (U+0000) and no real name, place or note contains one; a request
carrying one is refused with the usual 422 error naming where it was, before it reaches a service.
Uploaded spreadsheets are binary and are not inspected here (the readers check their content).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path
from urllib.parse import unquote_plus

from fastapi.responses import JSONResponse
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from astara.errors import InvalidInput, TooLarge

_NUL_MARKS = (b"\x00", b"\\u0000", b"%00")
_TEXT_BODIES = (b"application/json", b"application/x-www-form-urlencoded")


def safe_file_name(name: str | None, default: str = "upload.csv") -> str:
    """The last part of an uploaded file's name, without control characters or path separators."""
    base = Path((name or "").replace("\\", "/")).name
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    return re.sub(r"\s+", " ", base)[:200] or default


ENVELOPE_BYTES = 1 << 16  # the multipart boundaries and small form fields around an uploaded file


async def read_upload_form(request: Request, limit_bytes: int) -> FormData:
    """The multipart form of an upload; TooLarge (413) above ``limit_bytes`` plus the envelope, at once
    for a declared Content-Length and, for a streamed body, as soon as what arrived passes it."""
    most = limit_bytes + ENVELOPE_BYTES
    refusal = TooLarge(
        f"the upload is larger than the {limit_bytes // 1_000_000} MB allowed (ASTARA_MAX_IMPORT_MB)"
    )
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > most):
        raise refusal
    received = 0

    async def capped() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > most:
            raise refusal
        return message

    return await Request(request.scope, capped).form(max_files=1, max_fields=20)


class RefuseNul:
    """ASGI middleware: 422 for a query string or a JSON/form body that contains a NUL character."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = None
        if any(mark in scope.get("query_string", b"").lower() for mark in _NUL_MARKS):
            where = "the query string"
        headers = dict(scope.get("headers") or [])
        body_messages: list[Message] = []
        if where is None and headers.get(b"content-type", b"").split(b";")[0].strip() in _TEXT_BODIES:
            more = True
            while more:
                message = await receive()
                body_messages.append(message)
                more = message.get("more_body", False)
            body = b"".join(m.get("body", b"") for m in body_messages)
            if any(mark in body.lower() for mark in _NUL_MARKS):
                where = "the request body"
        if where is not None:
            await _refuse(where, scope, send)
            return

        async def replay() -> Message:
            return body_messages.pop(0) if body_messages else await receive()

        await self.app(scope, replay if body_messages else receive, send)


class LimitParameters:
    """ASGI middleware: 422 for a query string of more parameters than ``most``
    (ASTARA_MAX_QUERY_PARAMETERS), naming the parameter repeated most, before any route parses it."""

    def __init__(self, app: ASGIApp, most: int) -> None:
        self.app, self.most = app, most

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if query.count(b"&") >= self.most:  # (cheap first: only a long query string is split)
            names = Counter(part.split(b"=", 1)[0] for part in query.split(b"&") if part)
            if sum(names.values()) > self.most:
                name, count = names.most_common(1)[0]
                parameter = unquote_plus(name.decode("latin-1"))
                error = InvalidInput(
                    f"the query string has {sum(names.values()):,} parameters, more than the limit of "
                    f"{self.most:,} (ASTARA_MAX_QUERY_PARAMETERS); {parameter!r} is given {count:,} times",
                    details=[{"parameter": parameter, "count": count, "limit": self.most}],
                )
                await _answer(error, scope, send)
                return
        await self.app(scope, receive, send)


async def _refuse(where: str, scope: Scope, send: Send) -> None:
    await _answer(
        InvalidInput(f"{where} contains a NUL character (U+0000), which no field may hold"), scope, send
    )


async def _answer(error: InvalidInput, scope: Scope, send: Send) -> None:
    await JSONResponse(error.to_json(), status_code=error.status_code)(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; object-src 'none'; "
     b"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]  # fmt: skip


NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """ASGI middleware: a content security policy with no inline script, and no framing or sniffing.

    Every answer but a static file is ``Cache-Control: no-store``: pages and API answers carry
    intelligence that must not stay in a browser's or a proxy's cache after logout.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        wanted = SECURITY_HEADERS if scope["path"].startswith("/static/") else [*SECURITY_HEADERS, NO_STORE]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in wanted if n not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
