"""Indexes for the incremental identity path: judgements by their second entity, conflicts by either

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_match_judgements_b", "match_judgements", ["agency_id", "entity_b"])
    op.create_index("ix_identity_conflicts_a", "identity_conflicts", ["agency_id", "kind", "entity_a"])
    op.create_index("ix_identity_conflicts_b", "identity_conflicts", ["agency_id", "kind", "entity_b"])


def downgrade() -> None:
    op.drop_index("ix_identity_conflicts_b", table_name="identity_conflicts")
    op.drop_index("ix_identity_conflicts_a", table_name="identity_conflicts")
    op.drop_index("ix_match_judgements_b", table_name="match_judgements")
