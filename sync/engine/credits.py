"""The sign of a change order decides its document: a credit when it takes money back.

A change order with a negative total becomes a credit (vendor credit, credit memo) whose lines
carry the opposite sign, so the credit's total is the positive amount credited: that is how
both QuickBooks write credits, and both refuse a transaction whose total is below zero. Lines
of mixed sign stay one document (a positive total with negative lines is what QuickBooks
accepts, e.g. retainage lines). Which kind is configuration (``sync.engine.routes``); this
module decides what a version can become and turns the mapped lines around for a credit.

Two totals have no document:

- Zero with nothing on any line, and nothing posted before: nothing for the books. The version
  is ``skipped`` with a history line that says so (visible in status, Slack and the dashboard);
  a later revision with amounts is a new version and posts normally. A zero change order that
  moves money between lines (+100 here, -100 there) still posts: the job cost moves.
- Negative on a route without a credit (prime change orders to estimates): a person decides
  (``needs_attention``, plain reason), since an estimate cannot go below zero.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DocumentVersion, TargetLink
from sync.engine import outcomes, states
from sync.engine.documents import transition
from sync.engine.routes import ZERO, base_kind_for, is_credit, target_kind_for
from sync.errors import AttentionReason
from sync.models import DocumentKind, MappedDocument, MappedLine, SourceDocument, TargetKind
from sync.settings import Settings


def live_kind(link: TargetLink | None) -> TargetKind | None:
    """The kind of the document the link holds, when it is still live in the target."""
    if link is None or link.voided or not link.target_kind:
        return None
    return TargetKind(link.target_kind)


def no_credit_reason(doc: SourceDocument, kind: TargetKind) -> AttentionReason:
    return AttentionReason(
        kind="no_credit_document",
        message=f"{doc.kind.noun} {doc.number} totals {doc.total}; QuickBooks has no credit "
        f"for a {kind.value} and refuses one below zero. Enter it by hand, or route prime "
        "change orders to invoices (COSTBRIDGE_PRIME_CHANGE_ORDER_TARGET=invoice).",
        data={"total": str(doc.total), "target_kind": kind.value},
    )


def nothing_to_post(doc: SourceDocument, link: TargetLink | None) -> bool:
    """Zero everywhere and never posted: nothing for QuickBooks to hold."""
    return live_kind(link) is None and all(line.amount == ZERO for line in doc.lines)


async def route(
    session: AsyncSession,
    settings: Settings,
    doc: SourceDocument,
    version: DocumentVersion,
    link: TargetLink | None,
    *,
    now: datetime,
    amending: bool = False,
) -> TargetKind | None:
    """The kind this version becomes, or None when it has no document (recorded here).

    ``amending``: the lines go onto the commitment's purchase order with their own signs (a
    deductive change order lowers the commitment); a commitment itself never becomes a credit.
    """
    if amending or doc.kind is DocumentKind.COMMITMENT:
        kind = base_kind_for(doc.kind, settings)
    else:
        kind = target_kind_for(doc.kind, settings, doc.total, live_kind(link))
    if doc.total < ZERO and not is_credit(kind) and not amending:
        await outcomes.needs_human(session, version, now, [no_credit_reason(doc, kind)])
        return None
    if nothing_to_post(doc, link):
        await transition(
            session,
            version,
            states.SKIPPED,
            "nothing to post",
            now=now,
            detail=f"{doc.kind.noun.lower()} {doc.number} totals {doc.total} and no line has an "
            "amount; "
            "nothing was written to QuickBooks",
        )
        return None
    return kind


def for_kind(mapped: MappedDocument, kind: TargetKind) -> MappedDocument:
    """The mapped document as the target writes it: a credit's lines turned around."""
    if not is_credit(kind):
        return mapped
    return mapped.model_copy(update={"lines": tuple(_opposite(line) for line in mapped.lines)})


def _opposite(line: MappedLine) -> MappedLine:
    """The same line with the opposite sign; quantity times unit cost still gives the amount
    exactly (the quantity turns when it was the negative factor, else the unit cost)."""
    update: dict[str, object] = {"amount": -line.amount}
    if line.quantity is not None and line.quantity < ZERO:
        update["quantity"] = -line.quantity
    elif line.unit_cost is not None:
        update["unit_cost"] = -line.unit_cost
    return line.model_copy(update=update)
