"""The version of the match keys the store holds

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from astara.matching.keys import KEY_VERSION

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "match_key_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # A store without keys has none to rebuild; one with keys gets no row, so `astara db upgrade`
    # rebuilds them with the code it runs.
    if op.get_bind().execute(sa.text("SELECT 1 FROM match_keys LIMIT 1")).first() is None:
        op.bulk_insert(table, [{"id": 1, "version": KEY_VERSION}])


def downgrade() -> None:
    op.drop_table("match_key_version")
