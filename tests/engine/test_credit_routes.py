"""Routes with a sign: negative totals become credits, zero keeps the live kind, and a credit's
lines are turned around exactly (pure: no database, no target)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sync.engine.credits import for_kind
from sync.engine.routes import target_kind_for
from sync.models import (
    DocumentKind,
    MappedDocument,
    MappedLine,
    ProjectRef,
    SourceDocument,
    TargetKind,
)
from sync.settings import Settings

CCO, PCO = DocumentKind.COMMITMENT_CHANGE_ORDER, DocumentKind.PRIME_CHANGE_ORDER
PO, VC = TargetKind.PURCHASE_ORDER, TargetKind.VENDOR_CREDIT
INV, CM, EST = TargetKind.INVOICE, TargetKind.CREDIT_MEMO, TargetKind.ESTIMATE


@pytest.mark.parametrize(
    ("kind", "total", "current", "expected"),
    [
        (CCO, "500.00", None, PO),
        (CCO, "-0.01", None, VC),
        (CCO, "-200.00", PO, VC),  # the sign flipped: the other kind
        (CCO, "0", None, PO),
        (CCO, "0", VC, VC),  # zero keeps the live credit: no void for nothing
        (PCO, "-1", None, CM),
        (PCO, "0", CM, CM),
        (PCO, "10", CM, INV),
    ],
)
def test_the_sign_decides_the_kind(
    kind: DocumentKind, total: str, current: TargetKind | None, expected: TargetKind
) -> None:
    settings = Settings(_env_file=None)
    assert target_kind_for(kind, settings, Decimal(total), current) is expected


def test_estimates_have_no_credit() -> None:
    settings = Settings(_env_file=None, prime_change_order_target="estimate")
    assert target_kind_for(PCO, settings, Decimal("-5")) is EST  # the engine asks a person


def _mapped(*lines: MappedLine) -> MappedDocument:
    source = SourceDocument(
        kind=CCO,
        id="1",
        number="001",
        status="approved",
        approved=True,
        project=ProjectRef(id="p", name="P"),
        updated_at=datetime(2026, 12, 1, tzinfo=UTC),
        lines=(),
    )
    return MappedDocument(source=source, lines=lines)


def test_a_credit_carries_the_opposite_sign_exactly() -> None:
    mapped = _mapped(
        MappedLine(
            source_line_id="a",
            description="",
            amount=Decimal("-18450.00"),
            quantity=Decimal("-4"),
            unit_cost=Decimal("4612.50"),
        ),
        MappedLine(
            source_line_id="b",
            description="",
            amount=Decimal("-100.10"),
            quantity=Decimal("7"),
            unit_cost=Decimal("-14.30"),
        ),
        MappedLine(source_line_id="c", description="", amount=Decimal("30.05")),
    )
    credit = for_kind(mapped, VC)
    assert [li.amount for li in credit.lines] == [
        Decimal("18450.00"),
        Decimal("100.10"),
        Decimal("-30.05"),
    ]
    assert all(
        li.quantity * li.unit_cost == li.amount
        for li in credit.lines
        if li.quantity is not None and li.unit_cost is not None
    )
    assert credit.total == Decimal("18520.05")
    assert for_kind(mapped, PO) is mapped
