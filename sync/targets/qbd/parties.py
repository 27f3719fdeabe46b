"""Vendors and customer:jobs created in QuickBooks Desktop on request (VendorAdd/CustomerAdd).

Like every Desktop write the outcome comes later: the request goes into the company file's
queue (``outbox.enqueue_name``) and the Web Connector brings the answer. The answer records
the list mirror and the link (``list_answers.name_answer``), then queues the caller's follow-up
work item with the answer in its data, which calls ``create_party`` again: this time the
mirror already holds the party and it is returned at once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sync.engine import queue
from sync.errors import AttentionReason, NeedsHumanError
from sync.models import ReferenceKind, ReferenceRecord
from sync.targets.base import PartyRequest
from sync.targets.qbd import lists, outbox
from sync.targets.qbd.text import fit

SYSTEM = "qbd"
NAME_MAX = 41  # Name of CustomerAdd and VendorAdd in qbxml130.xsd


def fitted(request: PartyRequest) -> tuple[PartyRequest, list[str]]:
    """The request with its name as QuickBooks Desktop will store it (Latin-1, 41
    characters), fitted like a transaction's text; the name is looked up, queued, linked
    and shown in that form, so all of them agree with QuickBooks."""
    warnings: list[str] = []
    name = fit(" ".join(request.name.split()), NAME_MAX, "Name", warnings).strip()
    return replace(request, name=name), warnings


def name_in_use(name: str, holder: str = "") -> NeedsHumanError:
    other = f" (the {holder})" if holder else ""
    plain = (
        f"QuickBooks Desktop already uses the name “{name}”{other} for another customer, "
        "vendor, employee or other name. Pick the existing one, or rename one in QuickBooks."
    )
    reason = AttentionReason(kind="target_rejected", message=plain, data={"code": "3100"})
    return NeedsHumanError(plain, reasons=[reason], system=SYSTEM, code="3100")


async def held(
    session: AsyncSession, company_id: int, request: PartyRequest
) -> ReferenceRecord | None:
    """The same party from the mirror; ``NeedsHumanError`` when another holds the name."""
    parent = await lists.full_name(session, company_id, request.parent_id)
    full = f"{parent}:{request.name}" if request.parent_id else request.name
    kinds = {ReferenceKind.VENDOR, ReferenceKind.CUSTOMER}
    for record in await lists.load(session, company_id, kinds):
        if record.name.casefold() != full.casefold():
            continue
        if record.kind is request.kind and record.parent_id == request.parent_id:
            return record
        raise name_in_use(full, record.kind.value)
    return None


async def enqueue(
    session: AsyncSession, company_id: int, request: PartyRequest, *, now: datetime
) -> int:
    row = await outbox.enqueue_name(
        session,
        company_id,
        kind=request.kind.value,
        name=request.name,
        parent_id=request.parent_id,
        link=request.link,
        after=request.follow_up,
        now=now,
    )
    assert row.id is not None
    return row.id


def not_added(body: dict[str, Any], error: str) -> str:
    return f"QuickBooks Desktop did not add “{body['name']}”. {error}"


async def answered(
    session: AsyncSession, body: dict[str, Any], *, error: str, now: datetime
) -> None:
    """Queue the caller's follow-up with QuickBooks' answer (``error`` empty on success)."""
    after = body.get("after") or {}
    if not after:
        return
    data = {**after["data"], "answer": "failed" if error else "done", "error": error}
    await queue.enqueue(session, key=after["key"], kind=after["kind"], data=data, now=now)
