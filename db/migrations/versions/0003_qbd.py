"""qbd tables.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from db.types import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "qbd_company_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _s(28), nullable=False),
        sa.Column("username", _s(64), nullable=False),
        sa.Column("password_hash", _s(256), nullable=False),
        sa.Column("owner_id", _s(38), nullable=False),
        sa.Column("file_id", _s(38), nullable=False),
        sa.Column("company_path", _s(512), nullable=False),
        sa.Column("last_poll_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("lists_refreshed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name", name="uq_qbd_company_name"),
        sa.UniqueConstraint("username", name="uq_qbd_company_user"),
    )
    op.create_table(
        "qbd_sessions",
        sa.Column("ticket", _s(64), nullable=False),
        sa.Column("company_file_id", sa.Integer(), nullable=False),
        sa.Column("state", _s(16), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("noops", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("host_info", sa.Text(), nullable=False),
        sa.Column("company_reported", _s(512), nullable=False),
        sa.ForeignKeyConstraint(["company_file_id"], ["qbd_company_files.id"]),
        sa.PrimaryKeyConstraint("ticket"),
    )
    op.create_index("ix_qbd_session_company", "qbd_sessions", ["company_file_id", "state"])
    op.create_table(
        "qbd_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_file_id", sa.Integer(), nullable=False),
        sa.Column("subject", _s(200), nullable=False),
        sa.Column("kind", _s(16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("target_kind", _s(32), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", _s(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", _s(16), nullable=False),
        sa.Column("step", _s(16), nullable=False),
        sa.Column("verify", sa.Boolean(), nullable=False),
        sa.Column("txn_id", _s(64), nullable=False),
        sa.Column("edit_sequence", _s(32), nullable=False),
        sa.Column("iterator_id", _s(64), nullable=False),
        sa.Column("run_id", _s(64), nullable=False),
        sa.Column("ticket", _s(64), nullable=False),
        sa.Column("request_id", _s(32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status", _s(16), nullable=False),
        sa.Column("last_message", sa.Text(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["company_file_id"], ["qbd_company_files.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["source_documents.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["document_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_qbd_request_next", "qbd_requests", ["company_file_id", "state", "priority"]
    )
    op.create_index("ix_qbd_request_subject", "qbd_requests", ["company_file_id", "subject"])
    op.create_table(
        "qbd_list_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_file_id", sa.Integer(), nullable=False),
        sa.Column("kind", _s(16), nullable=False),
        sa.Column("list_id", _s(64), nullable=False),
        sa.Column("full_name", _s(512), nullable=False),
        sa.Column("number", _s(32), nullable=False),
        sa.Column("type", _s(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("parent_id", _s(64), nullable=False),
        sa.Column("edit_sequence", _s(32), nullable=False),
        sa.Column("run_id", _s(64), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["company_file_id"], ["qbd_company_files.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_file_id", "kind", "list_id", name="uq_qbd_list_record"),
    )


def downgrade() -> None:
    op.drop_table("qbd_list_records")
    op.drop_index("ix_qbd_request_subject", table_name="qbd_requests")
    op.drop_index("ix_qbd_request_next", table_name="qbd_requests")
    op.drop_table("qbd_requests")
    op.drop_index("ix_qbd_session_company", table_name="qbd_sessions")
    op.drop_table("qbd_sessions")
    op.drop_table("qbd_company_files")
