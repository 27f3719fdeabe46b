"""The mirror of a company file's lists (``qbd_list_records``), filled from query answers.

QuickBooks Desktop cannot be asked synchronously, so the engine's reference data for a
Desktop target is what the Web Connector last reported, refreshed on its sessions.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.models_qbd import QbdListRecord
from sync.models import ReferenceKind, ReferenceRecord
from sync.targets.qbd.responses import text_of


def _type_of(kind: str, ret: etree._Element) -> str:
    if kind == "account":
        return text_of(ret, "AccountType")
    if kind == "item":  # ItemServiceRet → Service, ItemNonInventoryRet → NonInventory
        return str(ret.tag).removeprefix("Item").removesuffix("Ret")
    return ""


async def upsert(
    session: AsyncSession,
    company_id: int,
    kind: str,
    ret: etree._Element,
    *,
    run_id: str,
    now: datetime,
) -> QbdListRecord | None:
    list_id = text_of(ret, "ListID")
    if not list_id:
        return None
    stmt = select(QbdListRecord).where(
        col(QbdListRecord.company_file_id) == company_id,
        col(QbdListRecord.kind) == kind,
        col(QbdListRecord.list_id) == list_id,
    )
    row = (await session.execute(stmt)).scalar_one_or_none() or QbdListRecord(
        company_file_id=company_id, kind=kind, list_id=list_id, full_name="", seen_at=now
    )
    row.full_name = (text_of(ret, "FullName") or text_of(ret, "Name"))[:512]
    row.number = text_of(ret, "AccountNumber")[:32]
    row.type = _type_of(kind, ret)[:64]
    row.active = text_of(ret, "IsActive").lower() != "false"
    row.parent_id = text_of(ret, "ParentRef/ListID")
    row.edit_sequence = text_of(ret, "EditSequence")[:32]
    row.run_id = run_id
    row.seen_at = now
    session.add(row)
    await session.flush()
    return row


async def prune(session: AsyncSession, company_id: int, kind: str, *, run_id: str) -> None:
    """After a complete read, rows it did not see were deleted in QuickBooks."""
    await session.execute(
        delete(QbdListRecord).where(
            col(QbdListRecord.company_file_id) == company_id,
            col(QbdListRecord.kind) == kind,
            col(QbdListRecord.run_id) != run_id,
        )
    )


async def full_name(session: AsyncSession, company_id: int, list_id: str) -> str:
    stmt = select(col(QbdListRecord.full_name)).where(
        col(QbdListRecord.company_file_id) == company_id, col(QbdListRecord.list_id) == list_id
    )
    return (await session.execute(stmt)).scalars().first() or ""


async def load(
    session: AsyncSession, company_id: int, kinds: set[ReferenceKind]
) -> list[ReferenceRecord]:
    stmt = select(QbdListRecord).where(
        col(QbdListRecord.company_file_id) == company_id,
        col(QbdListRecord.kind).in_([k.value for k in kinds]),
    )
    return [
        ReferenceRecord(
            kind=ReferenceKind(r.kind),
            id=r.list_id,
            name=r.full_name,
            number=r.number,
            type=r.type,
            active=r.active,
            parent_id=r.parent_id,
        )
        for r in (await session.execute(stmt)).scalars()
    ]
