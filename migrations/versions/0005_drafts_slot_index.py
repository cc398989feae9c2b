"""drafts_slot_index: an index on drafts.slot_id (a slot's drafts, its alternatives, are read by it)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 16:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_drafts_slot_id", "drafts", ["slot_id"])


def downgrade() -> None:
    op.drop_index("ix_drafts_slot_id", table_name="drafts")
