"""QuickBooks Online as a costbridge Target (sync.targets.base.Target)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import structlog

from sync.errors import NotFoundError
from sync.models import (
    MappedDocument,
    PostedRef,
    ReferenceKind,
    ReferenceRecord,
    TargetDocument,
    TargetKind,
)
from sync.targets.base import PartyRequest
from sync.targets.qbo.build import build_document
from sync.targets.qbo.client import QboClient, quote
from sync.targets.qbo.parties import create_party
from sync.targets.qbo.reference import ENTITY_OF, to_record

log = structlog.get_logger("sync.targets.qbo")

MAX_REQUEST_ID = 50
VOIDED_PREFIX = "Voided"


def posted(kind: TargetKind, obj: dict[str, Any]) -> PostedRef:
    total = obj.get("TotalAmt")
    return PostedRef(
        kind=kind,
        id=str(obj["Id"]),
        sync_token=str(obj.get("SyncToken", "")),
        doc_number=str(obj.get("DocNumber") or ""),
        total=Decimal(total) if total is not None else None,
    )


def is_voided(obj: dict[str, Any]) -> bool:
    """QBO prefixes a voided transaction's PrivateNote with "Voided" and zeroes its amounts
    [Inferred: research §1 names the operation only; the sandbox does the same]."""
    note = str(obj.get("PrivateNote") or "")
    return note.startswith(VOIDED_PREFIX) and Decimal(str(obj.get("TotalAmt", 0))) == 0


def versioned_request_id(request_id: str, sync_token: str) -> str:
    """An update's requestid names the version it edits.

    QBO replays the stored answer for a repeated requestid, failures included. After a 5010
    the retry reads a newer SyncToken; with the same requestid it would only get the old 5010
    back forever. Keyed by the SyncToken, a retry of the *same* edit still replays.
    """
    suffix = f".{sync_token}"
    return request_id[: MAX_REQUEST_ID - len(suffix)] + suffix


class QboTarget:
    name = "qbo"

    def __init__(self, client: QboClient) -> None:
        self.client = client

    async def load_reference_data(self, kinds: set[ReferenceKind]) -> list[ReferenceRecord]:
        records: list[ReferenceRecord] = []
        for kind in sorted(kinds):
            # inactive rows too: a mapping to an inactive account must be explained, not hidden
            rows = await self.client.query_all(ENTITY_OF[kind], "Active IN (true,false)")
            records.extend(to_record(kind, row) for row in rows)
        return records

    def build(self, mapped: MappedDocument, kind: TargetKind, key: str) -> TargetDocument:
        return build_document(mapped, kind, key)

    async def find(self, document: TargetDocument) -> PostedRef | None:
        entity = document.kind.value
        page = await self.client.query(
            f"SELECT * FROM {entity} WHERE DocNumber = {quote(document.doc_number)}"  # noqa: S608
        )
        found = [
            row
            for row in page.get(entity) or []
            if document.marker in str(row.get("PrivateNote") or "")
        ]
        if len(found) > 1:
            log.warning("qbo.find_ambiguous", marker=document.marker, ids=[r["Id"] for r in found])
        return posted(document.kind, found[0]) if found else None

    async def create(self, document: TargetDocument, request_id: str) -> PostedRef:
        obj = await self.client.write(
            document.kind.value, dict(document.body), request_id=request_id
        )
        return posted(document.kind, obj)

    async def update(
        self, document: TargetDocument, existing: PostedRef, request_id: str
    ) -> PostedRef:
        """Full update: the whole new body plus the current Id and SyncToken."""
        entity = document.kind.value
        current = await self.client.read(entity, existing.id)
        token = str(current["SyncToken"])
        body = {**document.body, "Id": existing.id, "SyncToken": token}
        obj = await self.client.write(
            entity, body, request_id=versioned_request_id(request_id, token)
        )
        return posted(document.kind, obj)

    async def void(self, existing: PostedRef, request_id: str) -> None:
        """Invoices are voided (they stay, at zero); the other kinds are deleted.

        QBO voids only invoices among our kinds (research §1: ``operation=void``); purchase
        orders, estimates, bills, vendor credits and credit memos are deleted. What already
        happened is not done again: a deleted document reads 610, a voided invoice says so
        in its memo (a void that landed unseen, then a retry).
        """
        entity = existing.kind.value
        try:
            current = await self.client.read(entity, existing.id)
        except NotFoundError:
            return  # already deleted: the goal is reached
        if existing.kind is TargetKind.INVOICE and is_voided(current):
            return
        token = str(current["SyncToken"])
        operation = "void" if existing.kind is TargetKind.INVOICE else "delete"
        await self.client.write(
            entity,
            {"Id": existing.id, "SyncToken": token},
            request_id=versioned_request_id(request_id, token),
            operation=operation,
        )

    async def create_party(self, request: PartyRequest) -> ReferenceRecord:
        return await create_party(
            self.client, request.kind, request.name, parent_id=request.parent_id, key=request.key
        )
