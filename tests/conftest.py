"""Fixtures shared by the suite.

The store under test is SQLite unless ASTARA_TEST_DATABASE_URL names a PostgreSQL server; each
test then gets its own schema, dropped afterwards. Tests that need PostgreSQL itself use the
``postgres_url`` fixture: they skip without ASTARA_TEST_POSTGRES_URL, except in CI (CI=true),
where a missing server is a failure.

Commands the tests start as processes run cold (ASTARA_WARM=0): none leaves a warm server behind;
tests/kit/test_warm.py turns it on for its own, in a folder of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from astara.agencies.scope import Scope
from astara.agencies.service import create_agency
from astara.db.engine import make_engine, transaction
from astara.db.models import Base
from astara.settings import Settings

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SHARED_DATA = SHARED / "data"
from fixtures.make import TODAY  # noqa: E402,F401 - one fixed "today" for every test

os.environ["ASTARA_WARM"] = "0"


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test cleanly when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("ASTARA_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must test PostgreSQL: set ASTARA_TEST_POSTGRES_URL")
        pytest.skip("no PostgreSQL configured (set ASTARA_TEST_POSTGRES_URL)")
    return url


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database for one test: a SQLite file, or a PostgreSQL schema of its own."""
    base = os.environ.get("ASTARA_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def scope(engine: Engine) -> Scope:
    with transaction(engine) as session:
        return create_agency(session, "AZ-SCS", "State Customs Committee", "AZ")


@pytest.fixture
def scope_b(engine: Engine, scope: Scope) -> Scope:
    with transaction(engine) as session:
        return create_agency(session, "IR-ANP", "Anti-Narcotics Police", "IR")


TEST_SECRET = "a test secret that signs the test sessions"


@pytest.fixture
def settings(tmp_path: Path, database_url: str, engine: Engine, scope: Scope) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=database_url,
        agency=scope.agency_code,
        secret_key=TEST_SECRET,
        question_wait_seconds=600,  # a page's answer, however slow the machine; 202s are tested apart
    )


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Settings:
    """The environment the ``astara`` command reads: an empty store that ``astara init`` sets up."""
    settings = Settings(environment="test", data_dir=tmp_path, database_url=database_url, agency="AZ-SCS")
    monkeypatch.setenv("ASTARA_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("ASTARA_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ASTARA_AGENCY", settings.agency)
    return settings


PASSWORD = "correct horse battery staple"


def admin_name(scope: Scope) -> str:
    return f"admin@{scope.agency_code.lower()}"


@pytest.fixture
def web_user(engine: Engine, scope: Scope) -> tuple[str, str]:
    """The agency administrator's user name and password (set; there is no default password)."""
    from astara.auth.service import set_password

    with transaction(engine) as session:
        set_password(session, scope, admin_name(scope), PASSWORD)
    return admin_name(scope), PASSWORD


@pytest.fixture
def api_token(engine: Engine, scope: Scope) -> str:
    """A bearer token of the agency administrator."""
    from astara.auth.service import create_token

    with transaction(engine) as session:
        return create_token(session, scope, "tests")[1]


@pytest.fixture
def api_client(settings: Settings, api_token: str) -> TestClient:
    """The app, with every request authenticated by the administrator's API token."""
    from astara.web.app import create_app

    return TestClient(create_app(settings), headers={"Authorization": f"Bearer {api_token}"})


@pytest.fixture(autouse=True)
def _dispose_app_engines(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Close the connection pools of the apps and runtimes a test built (PostgreSQL allows 100 clients)."""
    import astara.runtime
    from astara.db.engine import make_engine as real_make_engine

    made: list[Engine] = []

    def recording(url: str, **kwargs: object) -> Engine:
        engine = real_make_engine(url, **kwargs)  # type: ignore[arg-type]
        made.append(engine)
        return engine

    monkeypatch.setattr(astara.runtime, "make_engine", recording)
    yield
    for engine in made:
        engine.dispose()
