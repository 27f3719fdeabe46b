"""qbd: each list's complete read on its own; a retry time on queued requests.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from db.types import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIST_KINDS = ("account", "vendor", "customer", "item", "class")


def upgrade() -> None:
    op.create_table(
        "qbd_list_reads",
        sa.Column("company_file_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["company_file_id"], ["qbd_company_files.id"]),
        sa.PrimaryKeyConstraint("company_file_id", "kind"),
    )
    # A company file already refreshed had every list read at that time: not read again.
    for kind in LIST_KINDS:
        op.execute(
            sa.text(
                "INSERT INTO qbd_list_reads (company_file_id, kind, read_at) "
                "SELECT id, :kind, lists_refreshed_at FROM qbd_company_files "
                "WHERE lists_refreshed_at IS NOT NULL"
            ).bindparams(kind=kind)
        )
    with op.batch_alter_table("qbd_requests") as batch:
        batch.add_column(sa.Column("retry_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("qbd_requests") as batch:
        batch.drop_column("retry_at")
    op.drop_table("qbd_list_reads")
