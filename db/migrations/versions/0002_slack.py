"""slack tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from db.types import UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "slack_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("purpose", _s(16), nullable=False),
        sa.Column("channel", _s(64), nullable=False),
        sa.Column("ts", _s(32), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("state", _s(16), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("actor", _s(64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("doc_json", sa.Text(), nullable=False),
        sa.Column("rollup_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["source_documents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "purpose", name="uq_slack_message"),
    )
    op.create_table(
        "slack_rollups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cause", _s(128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("channel", _s(64), nullable=False),
        sa.Column("ts", _s(32), nullable=False),
        sa.Column("document_ids", sa.Text(), nullable=False),
        sa.Column("first_at", UTCDateTime(), nullable=False),
        sa.Column("last_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_slack_rollup_cause", "slack_rollups", ["cause"], unique=False)
    op.create_table(
        "slack_processed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", _s(255), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_slack_processed"),
    )
    op.create_table(
        "slack_home_viewers",
        sa.Column("user_id", _s(32), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("slack_home_viewers")
    op.drop_table("slack_processed")
    op.drop_index("ix_slack_rollup_cause", table_name="slack_rollups")
    op.drop_table("slack_rollups")
    op.drop_table("slack_messages")
