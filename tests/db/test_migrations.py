"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.schema import CreateIndex

from astara.db import textsearch
from astara.db.engine import make_engine
from astara.db.migrate import downgrade, upgrade
from astara.db.models import Base


def _assert_matches_models(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_name": textsearch.include_name}
        diff = compare_metadata(MigrationContext.configure(conn, opts=opts), Base.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    # Alembic compares an index's columns, not its condition: the partial ones are compared here
    modelled = {
        index.name
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if " WHERE " in str(CreateIndex(index).compile(dialect=engine.dialect))
    }
    assert modelled == _partial_indexes(engine) == {"ix_events_agency_mixed_drugs"}
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def _partial_indexes(engine: Engine) -> set[str]:
    """Names of the store's indexes that cover only the rows matching a condition."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
            )
        else:
            rows = conn.execute(
                text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
            )
        return {name for name, sql in rows if " WHERE " in sql.upper()}


def test_migrations_match_models_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _assert_matches_models(f"sqlite:///{tmp_path / 'm.sqlite3'}")


def test_migrations_match_models_on_postgresql(postgres_url: str) -> None:
    schema = f"m_{uuid.uuid4().hex[:10]}"
    admin = make_engine(postgres_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in postgres_url else "?"
        _assert_matches_models(f"{postgres_url}{sep}options={quote(f'-csearch_path={schema}')}")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_a_store_behind_the_code_is_refused_with_what_to_run(tmp_path: Path) -> None:
    from astara.db.engine import head_revision, make_engine, require_schema
    from astara.errors import StoreError

    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0005")
    with pytest.raises(
        StoreError, match=f"revision 0005; this Astara needs {head_revision()}: run `astara db upgrade`"
    ):
        require_schema(engine)
    upgrade(engine)
    require_schema(engine)  # at head: no complaint
    engine.dispose()


def test_upgrading_gives_stored_events_the_drug_their_items_share(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0008")
    events = {
        "one": [("heroin", "opioids"), ("heroin", "opioids")],
        "two": [("heroin", "opioids"), ("hashish", "cannabis")],
        "none": [],
    }
    now = {"now": "2026-01-01 00:00:00"}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO agencies (id, code, name, country, created_at) VALUES (1, 'A', 'A', 'AZ', :now)"
            ),
            now,
        )
        for event, drugs in events.items():
            conn.execute(
                text(
                    "INSERT INTO seizure_events (id, agency_id, transit_countries, conveyance_ids, "
                    "participating_agencies, source_type, tlp, validation_status, quality_flags, total_kg, "
                    "item_count, items_without_kg, duplicate_count, created_at, updated_at, source_rows, "
                    "version) VALUES (:id, 1, '[]', '[]', '[]', 'api', 'amber', 'draft', '[]', 0, "
                    f"{len(drugs)}, 0, 1, :now, :now, '[]', 1)"
                ),
                {"id": event, **now},
            )
            for position, (drug, group) in enumerate(drugs, start=1):
                conn.execute(
                    text(
                        "INSERT INTO seizure_items (event_id, position, drug_code, drug_group, kg_exact) "
                        "VALUES (:event, :position, :drug, :group, 1)"
                    ),
                    {"event": event, "position": position, "drug": drug, "group": group},
                )
    upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, drug_code, drug_group FROM seizure_events ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [
        ("none", None, None),
        ("one", "heroin", "opioids"),
        ("two", None, None),
    ]
    engine.dispose()
