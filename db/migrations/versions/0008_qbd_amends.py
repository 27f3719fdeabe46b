"""qbd_requests.amends_document_id: a Desktop write that adds a change order's lines to its
commitment's purchase order.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("qbd_requests") as batch:
        batch.add_column(sa.Column("amends_document_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_qbd_requests_amends_document", "source_documents", ["amends_document_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("qbd_requests") as batch:
        batch.drop_constraint("fk_qbd_requests_amends_document", type_="foreignkey")
        batch.drop_column("amends_document_id")
