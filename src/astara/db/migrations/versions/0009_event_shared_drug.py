"""events carry the drug their items share, for statistics by drug without a join

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ITEMS_OF_EVENT = "FROM seizure_items i WHERE i.event_id = seizure_events.id"


def upgrade() -> None:
    with op.batch_alter_table("seizure_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("drug_code", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("drug_group", sa.String(length=80), nullable=True))
    # Stored events: the drug and group of their items where all items share both
    # (SeizureEvent.refresh_totals keeps them from now on).
    op.execute(
        f"UPDATE seizure_events SET drug_code = (SELECT MIN(i.drug_code) {_ITEMS_OF_EVENT}), "  # noqa: S608 - constant SQL
        f"drug_group = (SELECT MIN(i.drug_group) {_ITEMS_OF_EVENT}) "
        f"WHERE (SELECT COUNT(DISTINCT i.drug_code) {_ITEMS_OF_EVENT}) = 1 "
        f"AND (SELECT COUNT(DISTINCT COALESCE(i.drug_group, '')) {_ITEMS_OF_EVENT}) = 1"
    )
    with op.batch_alter_table("seizure_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_agency_mixed_drugs",
            ["agency_id"],
            unique=False,
            sqlite_where=sa.text("drug_code IS NULL"),
            postgresql_where=sa.text("drug_code IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("seizure_events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_agency_mixed_drugs")
        batch_op.drop_column("drug_group")
        batch_op.drop_column("drug_code")
