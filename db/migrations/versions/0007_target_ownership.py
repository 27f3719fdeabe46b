"""qbd_requests.merge; source_documents.contract_id; target_links: what costbridge owns in a target document, conflicts, amended commitments;
document_versions.approved (a change order waits for its commitment only while that is).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from db.types import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _s(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("qbd_requests") as batch:
        batch.add_column(sa.Column("merge", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("source_documents") as batch:
        batch.add_column(sa.Column("contract_id", _s(64), nullable=False, server_default=""))
    with op.batch_alter_table("document_versions") as batch:
        batch.add_column(
            sa.Column("approved", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Rows already there own no recorded lines: their first update adopts the document's lines
    # (sync.engine.ownership), as costbridge wrote all of them.
    with op.batch_alter_table("target_links") as batch:
        batch.add_column(
            sa.Column("voided_history", sa.Text(), nullable=False, server_default="[]")
        )
        batch.add_column(sa.Column("line_ids", sa.Text(), nullable=False, server_default="{}"))
        batch.add_column(
            sa.Column("owned_fields", sa.Text(), nullable=False, server_default="{}")
        )
        batch.add_column(
            sa.Column("overwrite_next", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("detached_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("amends_document_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_target_links_amends_document",
            "source_documents",
            ["amends_document_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("target_links") as batch:
        batch.drop_constraint("fk_target_links_amends_document", type_="foreignkey")
        batch.drop_column("amends_document_id")
        batch.drop_column("detached_at")
        batch.drop_column("overwrite_next")
        batch.drop_column("owned_fields")
        batch.drop_column("line_ids")
        batch.drop_column("voided_history")
    with op.batch_alter_table("document_versions") as batch:
        batch.drop_column("approved")
    with op.batch_alter_table("source_documents") as batch:
        batch.drop_column("contract_id")
    with op.batch_alter_table("qbd_requests") as batch:
        batch.drop_column("merge")
