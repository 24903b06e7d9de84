"""Sharing hardening (nonces, retention, audit anchors)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sharing_nonces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("partner_code", sa.String(length=32), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency_id", "partner_code", "nonce"),
    )
    with op.batch_alter_table("sharing_nonces", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sharing_nonces_seen_at"), ["seen_at"], unique=False)
    op.create_table(
        "audit_anchors",
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.PrimaryKeyConstraint("agency_id"),
    )
    # Anchor the chains that already exist at their current head.
    op.execute(
        "INSERT INTO audit_anchors (agency_id, seq, head_hash) "
        "SELECT a.agency_id, a.seq, a.entry_hash FROM audit_log a "
        "WHERE a.seq = (SELECT MAX(b.seq) FROM audit_log b WHERE b.agency_id = a.agency_id)"
    )


def downgrade() -> None:
    op.drop_table("audit_anchors")
    with op.batch_alter_table("sharing_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sharing_nonces_seen_at"))
    op.drop_table("sharing_nonces")
