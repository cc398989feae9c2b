"""draft requests: work a person asks of the daemon (``regenerate`` from the web page)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 02:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "draft_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("draft_id", sa.Integer(), sa.ForeignKey("drafts.id"), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=200), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_draft_requests_draft_id", "draft_requests", ["draft_id"])
    op.create_index("ix_draft_requests_state", "draft_requests", ["state"])


def downgrade() -> None:
    op.drop_index("ix_draft_requests_state", table_name="draft_requests")
    op.drop_index("ix_draft_requests_draft_id", table_name="draft_requests")
    op.drop_table("draft_requests")
