"""QuickBooks Online as a costbridge Target (sync.targets.base.Target)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import structlog

from sync.errors import EditedInTargetError, NotFoundError
from sync.models import (
    MappedDocument,
    PostedRef,
    ReferenceKind,
    ReferenceRecord,
    TargetDocument,
    TargetKind,
)
from sync.targets.base import Ownership, PartyRequest
from sync.targets.qbo import sparse
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


def _owned(
    document: TargetDocument, obj: dict[str, Any], keys: list[str | None], *, header: bool
) -> PostedRef:
    """The write's outcome with what costbridge now owns in the document."""
    line_ids = sparse.line_ids_after(obj, keys)
    return posted(document.kind, obj).model_copy(
        update={
            "line_ids": line_ids,
            "owned_fields": sparse.projection(document, obj, line_ids, header),
        }
    )


class QboTarget:
    name = "qbo"
    amends = True

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
        # a voided invoice keeps its marker: it is never found again (never brought back)
        found = [
            row
            for row in page.get(entity) or []
            if document.marker in str(row.get("PrivateNote") or "") and not is_voided(row)
        ]
        if len(found) > 1:
            log.warning("qbo.find_ambiguous", marker=document.marker, ids=[r["Id"] for r in found])
        return posted(document.kind, found[0]) if found else None

    async def create(self, document: TargetDocument, request_id: str) -> PostedRef:
        obj = await self.client.write(
            document.kind.value, dict(document.body), request_id=request_id
        )
        return _owned(document, obj, list(document.line_keys), header=True)

    async def update(
        self,
        document: TargetDocument,
        existing: PostedRef,
        request_id: str,
        ownership: Ownership,
    ) -> PostedRef:
        """A sparse update of what costbridge owns (``sparse.py``), after reading the document:
        an owned field a person changed since our last write stops it (``EditedInTargetError``)
        unless a person chose Procore's version (``ownership.overwrite``)."""
        entity = document.kind.value
        current = await self.client.read(entity, existing.id)
        token = str(current["SyncToken"])
        if token != existing.sync_token and not ownership.overwrite:
            found = sparse.edits(current, ownership, document)
            if found:
                label = f"{entity} {existing.doc_number or current.get('DocNumber') or existing.id}"
                raise EditedInTargetError(label, found, system="qbo")
        body, keys = sparse.merged_body(document, current, ownership)
        body = {**body, "Id": existing.id, "SyncToken": token, "sparse": True}
        obj = await self.client.write(
            entity, body, request_id=versioned_request_id(request_id, token)
        )
        return _owned(document, obj, keys, header=ownership.header)

    async def remove_lines(
        self, existing: PostedRef, ownership: Ownership, request_id: str, document_key: str
    ) -> PostedRef:
        """A sparse update that leaves our lines out, so QBO deletes them; nothing else moves."""
        nothing = TargetDocument(
            kind=existing.kind, doc_number=existing.doc_number, marker="", body={"Line": []}
        )
        return await self.update(nothing, existing, request_id, ownership)

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
