"""A second, empty store beside the one under test: where a backup is restored "elsewhere"."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from astara.db.engine import make_engine


@pytest.fixture
def second_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """SQLite: a file in another folder. PostgreSQL: another database, so the backup's schema name is
    free there (its public schema is what the dump's schema is renamed to)."""
    if make_url(database_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'elsewhere' / 'astara.sqlite3'}"
        return
    name = f"r_{uuid.uuid4().hex[:10]}"
    admin = make_engine(database_url.split("?")[0], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(database_url).set(database=name, query={}).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
