"""Holes 1 and 7 (uploads): no server path in the cookie, uploads bound to their user, and the size
and the uploader checked before a byte of the body is read."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from astara.agencies.scope import Scope
from astara.auth.service import add_user
from astara.db.engine import transaction
from astara.db.models import SeizureEvent
from astara.errors import NotFound
from astara.imports import uploads
from astara.settings import Settings
from astara.web.app import create_app
from conftest import PASSWORD, TEST_SECRET
from fixtures.forge import cookie_content, forged_cookie
from fixtures.make import ids_row, write_ids
from fixtures.web import csrf_of, log_in

MB = 1_000_000


def _events(engine: Engine) -> int:
    with transaction(engine) as session:
        return int(session.scalar(select(func.count()).select_from(SeizureEvent)) or 0)


def _analyst(engine: Engine, scope: Scope, name: str) -> str:
    with transaction(engine) as session:
        add_user(session, scope, name, "analyst", PASSWORD)
    return name


def _check(client: TestClient, path: Path) -> str:
    """Upload for checking; the token of the confirm form."""
    csrf = csrf_of(client.get("/imports/new").text)
    with path.open("rb") as f:
        page = client.post("/imports/new", files={"file": (path.name, f)},
                           data={"mapping": "unodc_ids", "csrf_token": csrf})  # fmt: skip
    found = re.search(r'action="/imports/([\w-]+)/confirm"', page.text)
    assert found, page.text
    return found.group(1)


def test_a_forged_cookie_path_imports_and_deletes_nothing(
    settings: Settings, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    (tmp_path / "elsewhere").mkdir()
    victim = write_ids(tmp_path / "elsewhere" / "victim.csv", [ids_row(AMOUNT="3")])
    client = TestClient(create_app(settings))
    log_in(client, _analyst(engine, scope, "rauf@az-scs"), PASSWORD)
    token = _check(client, write_ids(tmp_path / "mine.csv", [ids_row(AMOUNT="4")]))
    content = cookie_content(TEST_SECRET, client.cookies["astara_session"])
    assert set(content) <= {"sid", "csrf", "lang", "name"}  # nothing about the upload in the cookie
    # the old attack: an "uploads" entry, re-signed, pointing at a file outside the uploads folder
    forged = {**content, "uploads": {"x" * 32: {"path": str(victim), "mapping": "unodc_ids"}}}
    client.cookies.set("astara_session", forged_cookie(TEST_SECRET, forged))
    csrf = content["csrf"]
    assert client.post(f"/imports/{'x' * 32}/confirm", data={"csrf_token": csrf}).status_code == 404
    assert client.get(f"/imports/{'x' * 32}/rejects.csv").status_code == 404
    assert client.post(f"/imports/{'x' * 32}/cancel", data={"csrf_token": csrf}).status_code == 404
    assert victim.exists() and _events(engine) == 0
    assert (settings.data_dir / "uploads" / token).is_dir()  # the real upload is untouched


def test_another_users_token_is_not_found(
    settings: Settings, engine: Engine, scope: Scope, tmp_path: Path
) -> None:
    app = create_app(settings)
    owner, other = TestClient(app), TestClient(app)
    log_in(owner, _analyst(engine, scope, "rauf@az-scs"), PASSWORD)
    log_in(other, _analyst(engine, scope, "nigar@az-scs"), PASSWORD)
    token = _check(owner, write_ids(tmp_path / "mine.csv", [ids_row(AMOUNT="4")]))
    csrf = csrf_of(other.get("/imports/new").text)
    assert other.post(f"/imports/{token}/confirm", data={"csrf_token": csrf}).status_code == 404
    assert other.get(f"/imports/{token}/rejects.csv").status_code == 404
    assert other.post(f"/imports/{token}/cancel", data={"csrf_token": csrf}).status_code == 404
    assert _events(engine) == 0 and (settings.data_dir / "uploads" / token).is_dir()
    done = owner.post(f"/imports/{token}/confirm", data={"csrf_token": csrf_of(owner.get("/").text)})
    assert done.status_code == 200 and _events(engine) == 1


@pytest.mark.parametrize("token", ["..", "../../etc", "x" * 31 + ".", "x" * 33, "x" * 31 + "/"])
def test_a_token_that_is_not_one_builds_no_path(tmp_path: Path, scope: Scope, token: str) -> None:
    (tmp_path / "uploads").mkdir()
    with pytest.raises(NotFound):
        uploads.find(tmp_path / "uploads", scope, token)


def _raw_post(app: FastAPI, path: str, headers: dict[str, str], chunks: int) -> tuple[int, int]:
    """POST ``chunks`` megabytes straight to the ASGI app: its status, and how many bytes it read."""
    given = {"count": 0, "status": 0}
    part = b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'

    async def receive() -> dict[str, Any]:
        if given["count"] < chunks:
            given["count"] += 1
            body = (part if given["count"] == 1 else b"") + b"x" * MB
            return {"type": "http.request", "body": body[:MB], "more_body": given["count"] < chunks}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            given["status"] = message["status"]

    headers = {"content-type": "multipart/form-data; boundary=b0undary", **headers}
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "client": ("192.0.2.1", 1234), "server": ("testserver", 80),
             "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}  # fmt: skip
    # in a thread of its own: Playwright's sync API may hold an event loop in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(anyio.run, app, scope, receive, send).result()
    return given["status"], given["count"] * MB


@pytest.mark.parametrize(("path", "refused"), [("/imports/new", 303), ("/api/imports", 401)])
def test_an_anonymous_50_mb_upload_is_refused_unread(settings: Settings, path: str, refused: int) -> None:
    app = create_app(settings)
    assert _raw_post(app, path, {"content-length": str(50 * MB)}, chunks=50) == (refused, 0)
    assert _raw_post(app, path, {}, chunks=50) == (refused, 0)  # chunked, no length declared
    assert not any((settings.data_dir / "uploads").glob("*"))


@pytest.mark.parametrize("path", ["/imports/new", "/api/imports"])
def test_an_upload_above_the_limit_is_refused_with_413(settings: Settings, api_token: str, path: str) -> None:
    app = create_app(settings.model_copy(update={"max_import_mb": 1}))
    auth = {"authorization": f"Bearer {api_token}"}
    assert _raw_post(app, path, {**auth, "content-length": str(50 * MB)}, chunks=50) == (413, 0)
    status, read = _raw_post(app, path, auth, chunks=50)  # chunked: stopped once past the limit
    assert status == 413 and read <= 2 * MB
    assert not any((settings.data_dir / "uploads").glob("*"))
