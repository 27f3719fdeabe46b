"""Document routes: which target document each source document becomes (configuration)."""

from __future__ import annotations

from sync.models import DocumentKind, TargetKind
from sync.settings import Settings


def target_kind_for(kind: DocumentKind, settings: Settings) -> TargetKind:
    """Approved commitment CO → purchase order; approved prime CO → invoice (or estimate)."""
    if kind is DocumentKind.COMMITMENT_CHANGE_ORDER:
        return TargetKind.PURCHASE_ORDER
    if settings.prime_change_order_target == "estimate":
        return TargetKind.ESTIMATE
    return TargetKind.INVOICE


def document_key(source: str, kind: DocumentKind, external_id: str) -> str:
    """The stable identity of a document in the target (its memo marker): never random."""
    short = {DocumentKind.COMMITMENT_CHANGE_ORDER: "cco", DocumentKind.PRIME_CHANGE_ORDER: "pco"}
    return f"{source}-{short[kind]}-{external_id}"
