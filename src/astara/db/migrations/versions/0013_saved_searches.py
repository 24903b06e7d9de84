"""The list's text search indexed (SQLite FTS5, PostgreSQL GIN)

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

from astara.db import textsearch

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # the existing events are indexed here (SQLite: one pass; PostgreSQL: the GIN index's build)
    textsearch.install(op.get_bind())


def downgrade() -> None:
    textsearch.uninstall(op.get_bind())
