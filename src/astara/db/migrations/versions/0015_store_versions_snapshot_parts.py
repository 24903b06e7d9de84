"""Store versions per agency; the columnar snapshot's parts and their change counts

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from astara.db import snapshot_log

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_versions",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.PrimaryKeyConstraint("agency_id"),
    )
    op.create_table(
        "snapshot_parts",
        sa.Column("agency_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("import_job", sa.String(length=32), nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "import_job"),
    )
    snapshot_log.install(op.get_bind())


def downgrade() -> None:
    snapshot_log.uninstall(op.get_bind())
    op.drop_table("snapshot_parts")
    op.drop_table("store_versions")
