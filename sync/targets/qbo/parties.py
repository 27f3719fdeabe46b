"""Vendors and customer:jobs created in QuickBooks Online, never twice.

DisplayName is one namespace for customers, vendors and employees (6240, research/qbo.md
§3.6). So the name is looked up first in both lists: the same party (same kind, same parent)
is returned, anything else is a clash a person must settle. The POST carries a deterministic
requestid, and a 6240 from a race is looked up once more.
"""

from __future__ import annotations

from typing import Any

from sync.errors import AttentionReason, NeedsHumanError
from sync.models import ReferenceKind, ReferenceRecord
from sync.targets.qbo.client import QboClient, quote
from sync.targets.qbo.reference import ENTITY_OF, to_record

SYSTEM = "qbo"
_PEOPLE = (ReferenceKind.VENDOR, ReferenceKind.CUSTOMER)


async def _holders(client: QboClient, name: str) -> list[tuple[ReferenceKind, dict[str, Any]]]:
    found: list[tuple[ReferenceKind, dict[str, Any]]] = []
    for kind in _PEOPLE:
        entity = ENTITY_OF[kind]
        page = await client.query(
            f"SELECT * FROM {entity} WHERE DisplayName = {quote(name)}"  # noqa: S608
            " AND Active IN (true,false)"
        )
        found.extend((kind, row) for row in page.get(entity) or [])
    return found


def _same(kind: ReferenceKind, parent_id: str | None, held: ReferenceKind, row: Any) -> bool:
    parent = row.get("ParentRef")
    held_parent = str(parent.get("value", "")) if isinstance(parent, dict) else ""
    return held is kind and held_parent == (parent_id or "") and row.get("Active") is not False


def _clash(kind: ReferenceKind, name: str, held: ReferenceKind, row: Any) -> NeedsHumanError:
    what = "a job" if kind is ReferenceKind.CUSTOMER else "a vendor"
    other = str(row.get("FullyQualifiedName") or row.get("DisplayName") or name)
    state = " (inactive)" if row.get("Active") is False else ""
    plain = (
        f"Could not create {what} named “{name}”: QuickBooks already has the {held.value} "
        f"“{other}”{state}, and names must be unique across customers, vendors and employees. "
        "Pick the existing one, or rename one of them in QuickBooks."
    )
    reason = AttentionReason(kind="target_rejected", message=plain, data={"code": "6240"})
    return NeedsHumanError(plain, reasons=[reason], system=SYSTEM, code="6240")


async def find_or_clash(
    client: QboClient, kind: ReferenceKind, name: str, parent_id: str | None
) -> ReferenceRecord | None:
    """The same party when it exists; ``NeedsHumanError`` when another holds the name."""
    holders = await _holders(client, name)
    for held, row in holders:
        if _same(kind, parent_id, held, row):
            return to_record(kind, row)
    if holders:
        held, row = holders[0]
        raise _clash(kind, name, held, row)
    return None


async def create_party(
    client: QboClient, kind: ReferenceKind, name: str, *, parent_id: str | None, key: str
) -> ReferenceRecord:
    existing = await find_or_clash(client, kind, name, parent_id)
    if existing is not None:
        return existing
    body: dict[str, Any] = {"DisplayName": name}
    if kind is ReferenceKind.CUSTOMER and parent_id:
        body.update({"Job": True, "BillWithParent": False, "ParentRef": {"value": parent_id}})
    try:
        obj = await client.write(ENTITY_OF[kind], body, request_id=key)
    except NeedsHumanError as exc:
        if exc.code != "6240":
            raise
        # Created meanwhile (another worker, or our own earlier request): look again.
        found = await find_or_clash(client, kind, name, parent_id)
        if found is None:
            raise
        return found
    return to_record(kind, obj)
