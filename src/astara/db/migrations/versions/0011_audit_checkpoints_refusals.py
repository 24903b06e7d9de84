"""Partners' audit checkpoints, counted refusals of partner requests

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sharing_sync_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkpoint", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("checkpoint_warning", sa.Text(), nullable=True))
    op.create_table(
        "sharing_refusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("window", sa.DateTime(), nullable=False),
        sa.Column("route", sa.String(length=40), nullable=False),
        sa.Column("partner_code", sa.String(length=32), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("logged", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency_id", "window", "route", "partner_code", "client"),
    )
    with op.batch_alter_table("sharing_refusals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sharing_refusals_window"), ["window"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sharing_refusals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sharing_refusals_window"))
    op.drop_table("sharing_refusals")
    with op.batch_alter_table("sharing_sync_state", schema=None) as batch_op:
        batch_op.drop_column("checkpoint_warning")
        batch_op.drop_column("checkpoint")
