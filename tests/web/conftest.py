"""Fixtures of the page tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from astara.agencies.scope import Scope
from astara.settings import Settings
from astara.web.app import create_app
from fixtures.make import ids_row, import_file, write_ids
from fixtures.web import log_in


@pytest.fixture
def browser_like(
    settings: Settings, engine: Engine, scope: Scope, web_user: tuple[str, str], tmp_path: Path
) -> TestClient:
    """A client logged in through the login form, with one imported seizure: its writes carry the
    session's CSRF token, as a browser's do."""
    import_file(engine, scope, write_ids(tmp_path / "ids.csv", [ids_row(AMOUNT="12")]))
    client = TestClient(create_app(settings))
    assert log_in(client, *web_user).status_code == 303
    return client
