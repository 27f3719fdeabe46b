"""A 10-line commitment change order across labor, materials, equipment and subcontract lines,
mapped the way a controller would code it by hand, with every line's explanation asserted."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mappings.document import DocumentMapping, map_document
from mappings.explain import explain_line
from mappings.rules import Rule, RuleOrigin
from sync.models import TargetKind, TargetRef
from tests.mappings.factories import doc, line, links, refs, rule

SEEDED = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


def seed(id: int, **kw: Any) -> Rule:
    return rule(id, author="admin", when=SEEDED, **kw).model_copy(
        update={"origin": RuleOrigin.SEED}
    )


RULES = [
    # The chart's defaults, by Procore base type.
    seed(1, cost_type_base="labor", account_id="5020"),
    seed(2, cost_type_base="materials", account_id="5110"),
    seed(3, cost_type_base="equipment", account_id="5200"),
    seed(4, cost_type_base="subcontract", account_id="5300"),
    # Concrete (division 03) has its own materials and subcontract accounts.
    seed(10, cost_code="03-*", cost_type_base="materials", account_id="5100"),
    seed(11, cost_code="03-*", cost_type="Subcontract", account_id="5310"),
    # Learned in Slack: cast-in-place labor is subcontracted labor.
    rule(12, cost_code="03-300", cost_type="Labor", account_id="5010"),
    # Steel erection labor, any labor-type cost type.
    rule(13, cost_code="05-*", cost_type_base="labor", account_id="5400", author="U777"),
    # A rule for another project must not interfere.
    rule(14, project_id="P2", cost_type="Labor", account_id="5900"),
]

LINES = [
    line("L1", position=1, code="03-300", cost_type="Labor", amount="4200.00"),
    line("L2", position=2, code="03-310", cost_type="Labor", amount="1800.00"),
    line("L3", position=3, code="03-300", cost_type="Materials", amount="6150.40"),
    line("L4", position=4, code="06-100", cost_type="Materials", amount="980.00"),
    line("L5", position=5, code="31-200", cost_type="Equipment", amount="2400.00"),
    line("L6", position=6, code="01-500", cost_type="Equipment", amount="350.00"),
    line("L7", position=7, code="03-300", cost_type="Subcontract", amount="12500.00"),
    line("L8", position=8, code="09-900", cost_type="Subcontract", amount="3100.00"),
    line("L9", position=9, code="05-120", cost_type="Field Labor", amount="2750.00"),
    line("L10", position=10, code="05-120", cost_type="Materials", amount="8800.00"),
]

EXPECTED: list[tuple[str, tuple[int, ...], str]] = [
    (
        "5010",
        (12,),
        "Line 1 (03-300 Cast-in-Place Concrete · Labor) 4200.00:\n"
        "  Account 5010 Subcontract Labor from rule #12 (cost code 03-300, cost type Labor, "
        "by U123, 2026-11-02); also matched rule #1 (base type labor) — less specific.",
    ),
    (
        "5020",
        (1,),
        "Line 2 (03-310 Concrete Finishing · Labor) 1800.00:\n"
        "  Account 5020 Direct Labor from rule #1 (base type labor, by admin, 2026-10-01).",
    ),
    (
        "5100",
        (10,),
        "Line 3 (03-300 Cast-in-Place Concrete · Materials) 6150.40:\n"
        "  Account 5100 Concrete Materials from rule #10 (cost code 03-*, base type materials, "
        "by admin, 2026-10-01); also matched rule #2 (base type materials) — less specific.",
    ),
    (
        "5110",
        (2,),
        "Line 4 (06-100 Rough Carpentry · Materials) 980.00:\n"
        "  Account 5110 Materials from rule #2 (base type materials, by admin, 2026-10-01).",
    ),
    (
        "5200",
        (3,),
        "Line 5 (31-200 Earthwork · Equipment) 2400.00:\n"
        "  Account 5200 Equipment Rental from rule #3 (base type equipment, by admin, "
        "2026-10-01).",
    ),
    (
        "5200",
        (3,),
        "Line 6 (01-500 Temporary Facilities · Equipment) 350.00:\n"
        "  Account 5200 Equipment Rental from rule #3 (base type equipment, by admin, "
        "2026-10-01).",
    ),
    (
        "5310",
        (11,),
        "Line 7 (03-300 Cast-in-Place Concrete · Subcontract) 12500.00:\n"
        "  Account 5310 Concrete Subcontractors from rule #11 (cost code 03-*, cost type "
        "Subcontract, by admin, 2026-10-01); also matched rule #4 (base type commitment) "
        "— less specific.",
    ),
    (
        "5300",
        (4,),
        "Line 8 (09-900 Painting · Subcontract) 3100.00:\n"
        "  Account 5300 Subcontractors from rule #4 (base type commitment, by admin, "
        "2026-10-01).",
    ),
    (
        "5400",
        (13,),
        "Line 9 (05-120 Structural Steel · Field Labor) 2750.00:\n"
        "  Account 5400 Steel Labor from rule #13 (cost code 05-*, base type labor, by U777, "
        "2026-11-02); also matched rule #1 (base type labor) — less specific.",
    ),
    (
        "5110",
        (2,),
        "Line 10 (05-120 Structural Steel · Materials) 8800.00:\n"
        "  Account 5110 Materials from rule #2 (base type materials, by admin, 2026-10-01).",
    ),
]


@pytest.fixture(scope="module")
def mapping() -> DocumentMapping:
    return map_document(doc(*LINES), RULES, refs(), links(), TargetKind.PURCHASE_ORDER)


def test_the_document_maps_without_attention(mapping: DocumentMapping) -> None:
    assert mapping.reasons == ()
    assert mapping.mapped is not None
    assert mapping.mapped.vendor == TargetRef(id="QV1", name="Acme Concrete")
    assert mapping.mapped.customer == TargetRef(id="QC1", name="Owner LLC:1021 Main St")
    assert str(mapping.mapped.total) == "43030.40"


@pytest.mark.parametrize("n", range(10))
def test_each_line_by_specificity(mapping: DocumentMapping, n: int) -> None:
    account, rule_ids, explanation = EXPECTED[n]
    assert mapping.mapped is not None
    mapped = mapping.mapped.lines[n]
    assert mapped.source_line_id == LINES[n].id
    assert mapped.account is not None and mapped.account.id == account
    assert mapped.item is None
    assert mapped.customer == TargetRef(id="QC1", name="Owner LLC:1021 Main St")
    assert mapped.rule_ids == rule_ids
    assert mapped.amount == LINES[n].amount
    assert explain_line(mapping.lines[n]) == explanation


def test_a_new_cost_type_line_waits_for_a_human_and_blocks_the_whole_document() -> None:
    odd = line("L11", position=11, code="03-300", cost_type=None, amount="10.00")
    result = map_document(doc(*LINES, odd), RULES, refs(), links(), TargetKind.PURCHASE_ORDER)
    assert result.mapped is None
    assert [(r.kind, r.line_id) for r in result.reasons] == [("unmapped", "L11")]
    # The other ten lines still carry their explanations for the Slack message.
    assert explain_line(result.lines[0]) == EXPECTED[0][2]
