"""Commitment change orders in ``amend`` mode: their lines go onto the commitment's purchase order.

Procore's own Desktop connector adds a commitment change order's lines to the commitment's
purchase order. ``COSTBRIDGE_COMMITMENT_CHANGE_ORDERS=amend`` (the default) does the same once
the commitment has posted: the change order gets a link of its own to that purchase order
(``TargetLink.amends_document_id``) and owns only its lines there (``Ownership(header=False)``),
each tagged with its Procore line id (``line_tag``: a person can trace it, and a write whose
answer was lost is recognised rather than added twice). A revision edits exactly its lines; a
void removes them and leaves the purchase order.

The plan for a change order:

- posted before as a purchase order of its own: it stays one (``separate``), never moved;
- its commitment's purchase order is live: amend it;
- its commitment is unknown here: read it first (a sync is queued), the change order waits;
- its commitment is approved and on its way (mapping, waiting for a person, retrying): wait;
  no attempt is spent, and the commitment's sync wakes its change orders when it ends;
- otherwise (the commitment is not approved, was skipped or voided): ``separate``.

A target that cannot amend yet (``Target.amends`` false) posts every change order separately.
"""

from __future__ import annotations

from dataclasses import dataclass

from db.models import TargetLink
from sync.engine import states
from sync.engine.documents import current_version, enqueue_sync, find_document
from sync.engine.posting import find_link
from sync.models import DocumentKind, DocumentRef, MappedDocument, SourceDocument, TargetKind
from sync.service import Service
from sync.targets.base import line_tag


@dataclass(frozen=True)
class AmendPlan:
    """Amend ``commitment``'s purchase order, wait (``wait`` says for what), or neither."""

    commitment: TargetLink | None = None
    wait: str = ""


SEPARATE = AmendPlan()


def amending(svc: Service, doc: SourceDocument) -> bool:
    return (
        doc.kind is DocumentKind.COMMITMENT_CHANGE_ORDER
        and bool(doc.contract_id)
        and svc.settings.commitment_change_orders == "amend"
        and svc.target.amends
    )


async def plan(svc: Service, doc: SourceDocument) -> AmendPlan:
    """How this change order posts (module docstring); queues its commitment's sync if new."""
    if not amending(svc, doc):
        return SEPARATE
    async with svc.sessions() as session, session.begin():
        mine = await find_document(session, doc.ref)
        own = await find_link(session, mine.id or 0, svc.target.name) if mine else None
        if own is not None and own.target_id and not own.voided and own.amends_document_id is None:
            return SEPARATE
        ref = DocumentRef(
            source=doc.source,
            kind=DocumentKind.COMMITMENT,
            id=doc.contract_id,
            project_id=doc.project.id,
        )
        row = await find_document(session, ref)
        named = f"commitment {doc.contract_number or doc.contract_id}"
        if row is None or row.id is None:
            await enqueue_sync(session, ref, now=svc.clock.now())
            return AmendPlan(wait=f"waiting for {named} to be read from Procore first")
        link = await find_link(session, row.id, svc.target.name)
        if _live_purchase_order(link):
            return AmendPlan(commitment=link)
        version = await current_version(session, row)
        if link is not None or version is None or not version.approved:
            return SEPARATE  # voided, or not approved: nothing to amend
        if version.state in (states.SKIPPED, states.SUPERSEDED):
            return SEPARATE
        return AmendPlan(
            wait=f"waiting for {named} to post to QuickBooks first: its change orders add "
            "their lines to its purchase order"
        )


def _live_purchase_order(link: TargetLink | None) -> bool:
    return (
        link is not None
        and bool(link.target_id)
        and not link.voided
        and link.target_kind == TargetKind.PURCHASE_ORDER.value
    )


def tagged(mapped: MappedDocument) -> MappedDocument:
    """Each line says which change order line it is, on the purchase order it amends."""
    number = mapped.source.number
    lines = tuple(
        line.model_copy(
            update={
                "description": f"{line.description} {line_tag(number, line.source_line_id)}".strip()
            }
        )
        for line in mapped.lines
    )
    return mapped.model_copy(update={"lines": lines})
