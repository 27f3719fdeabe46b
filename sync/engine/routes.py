"""Document routes: which target document each source document becomes (configuration)."""

from __future__ import annotations

from decimal import Decimal

from sync.models import DocumentKind, TargetKind
from sync.settings import Settings

ZERO = Decimal("0")
# What a document of each kind becomes when the change order takes money back. An estimate
# has no credit counterpart (QuickBooks has no "credit estimate"): see sync.engine.credits.
CREDIT_OF: dict[TargetKind, TargetKind] = {
    TargetKind.PURCHASE_ORDER: TargetKind.VENDOR_CREDIT,
    TargetKind.BILL: TargetKind.VENDOR_CREDIT,
    TargetKind.INVOICE: TargetKind.CREDIT_MEMO,
}
CREDIT_KINDS = frozenset(CREDIT_OF.values())
# The kind's code in document keys (memo markers): never change one, markers in QuickBooks hold it.
SHORT_KIND: dict[DocumentKind, str] = {
    DocumentKind.COMMITMENT_CHANGE_ORDER: "cco",
    DocumentKind.PRIME_CHANGE_ORDER: "pco",
    DocumentKind.COMMITMENT: "com",
}
KIND_OF_SHORT = {short: kind for kind, short in SHORT_KIND.items()}


def base_kind_for(kind: DocumentKind, settings: Settings) -> TargetKind:
    """Approved commitment and commitment CO → purchase order; approved prime CO → invoice
    (or estimate)."""
    if kind in (DocumentKind.COMMITMENT, DocumentKind.COMMITMENT_CHANGE_ORDER):
        return TargetKind.PURCHASE_ORDER
    if settings.prime_change_order_target == "estimate":
        return TargetKind.ESTIMATE
    return TargetKind.INVOICE


def target_kind_for(
    kind: DocumentKind,
    settings: Settings,
    total: Decimal = ZERO,
    current: TargetKind | None = None,
) -> TargetKind:
    """The route, then its credit when the total is negative.

    A total of exactly zero keeps the kind of the live document (``current``) when it is one of
    the two: zero is not a reason to void a document and create its opposite.
    """
    base = base_kind_for(kind, settings)
    credit = CREDIT_OF.get(base, base)
    if total < ZERO:
        return credit
    if total == ZERO and current is not None and current in (base, credit):
        return current
    return base


def is_credit(kind: TargetKind) -> bool:
    return kind in CREDIT_KINDS


def document_key(source: str, kind: DocumentKind, external_id: str) -> str:
    """The stable identity of a document in the target (its memo marker): never random."""
    return f"{source}-{SHORT_KIND[kind]}-{external_id}"
