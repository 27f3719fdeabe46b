"""connection health and its Slack alerts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from db.types import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "connection_health",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection", _s(64), nullable=False),
        sa.Column("condition", _s(32), nullable=False),
        sa.Column("state", _s(16), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=True),
        sa.Column("last_seen", UTCDateTime(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("notified_at", UTCDateTime(), nullable=True),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("connection", "condition", name="uq_connection_health"),
    )
    op.create_table(
        "slack_health_alerts",
        sa.Column("health_id", sa.Integer(), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("channel", _s(64), nullable=False),
        sa.Column("ts", _s(32), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["health_id"], ["connection_health.id"]),
        sa.PrimaryKeyConstraint("health_id"),
    )


def downgrade() -> None:
    op.drop_table("slack_health_alerts")
    op.drop_table("connection_health")
