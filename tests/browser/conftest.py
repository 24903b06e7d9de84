"""A live Astara server on loopback and Debian's chromium driven by Playwright.

The browser is ``/usr/bin/chromium`` (or ASTARA_CHROMIUM); without it these tests skip, except in
CI, where .ci/run installs it and a missing browser is a failure. Screenshots go to
ASTARA_SCREENSHOT_DIR when set (kept for people to look at), else to the test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.settings import Settings
from fixtures.make import ids_row, import_file, write_ids


def chromium_path() -> str | None:
    path = os.environ.get("ASTARA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if Path(path).exists() else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium")
        pytest.skip("no chromium found (apt-get install chromium, or set ASTARA_CHROMIUM)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def live_server(
    settings: Settings, engine: Engine, scope: Scope, tmp_path: Path, web_user: Any
) -> Iterator[str]:
    """The app on a free loopback port, with a few Astara-crossing seizures of 2016 stored."""
    import uvicorn

    from astara.web.app import create_app

    rows = [
        ids_row(AMOUNT="12.5", DRUG_NAME="Heroin", SEIZURE_DATE="2016-05-03"),
        ids_row(AMOUNT="3", DRUG_NAME="Opium", SEIZURE_DATE="2016-08-21"),
        ids_row(
            AMOUNT="40",
            DRUG_NAME="Cannabis herb",
            COUNTRY="Georgia",
            PLACE="Tbilisi",
            ADMINISTRATIVE_DIVISION="",
        ),
    ]
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", rows))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ASTARA_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_menu(page: Any) -> None:
    """Open the header's menu where it is folded (a phone): the links, language and Log out are in it."""
    menu = page.locator("header.top details.menu")
    if menu.locator("summary").is_visible() and menu.get_attribute("open") is None:
        menu.locator("summary").click()


def log_in_as_admin(page: Any, base: str, language: str = "en") -> None:
    """Log in as the live server's administrator, then switch the pages to ``language``."""
    from playwright.sync_api import expect

    from conftest import PASSWORD

    page.goto(base + "/login")
    page.get_by_label("User name").fill("admin@az-scs")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("main h1")).to_be_visible()
    if language != "en":
        page.goto(base + "/dashboard")
        open_menu(page)
        page.locator("form.lang select").select_option(language)
        page.locator("form.lang button").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
