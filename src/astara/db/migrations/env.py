"""Alembic environment: the engine is handed in by astara.db.migrate, never read from a file."""

from __future__ import annotations

from alembic import context

from astara.db import textsearch
from astara.db.models import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=textsearch.include_name,
    )
    context.run_migrations()
