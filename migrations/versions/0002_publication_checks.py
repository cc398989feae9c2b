"""publication checks: the first send stamp and the daemon's reconciliation of needs_check

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("first_sent_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_sent_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("check_tries", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("check_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("checking_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("checking_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("checking_until")
        batch.drop_column("checking_by")
        batch.drop_column("check_at")
        batch.drop_column("check_tries")
        batch.drop_column("last_sent_at")
        batch.drop_column("first_sent_at")
