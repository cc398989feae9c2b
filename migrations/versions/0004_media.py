"""media: pictures chosen for drafts, approvals bound to them, uploaded ids of publications

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 02:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(sa.Column("media", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("media_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(sa.Column("media_sha256", sa.String(length=64), nullable=True))
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("media_ids", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("media_ids")
    with op.batch_alter_table("approvals") as batch:
        batch.drop_column("media_sha256")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("media_sha256")
        batch.drop_column("media")
