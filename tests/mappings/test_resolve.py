"""Resolving one line: every outcome, per-field independence, priority, explanations."""

from __future__ import annotations

from typing import Any

import pytest

from mappings.explain import explain_field, explain_line
from mappings.index import RuleIndex
from mappings.resolve import FieldStatus, LossReason, resolve_line
from mappings.rules import OutputField, Rule
from sync.models import TargetKind
from tests.mappings.factories import doc, line, refs, rule

PO = TargetKind.PURCHASE_ORDER
A = OutputField.ACCOUNT


def resolve(rules: list[Rule], target_kind: TargetKind = PO, **line_kw: Any):
    the_line = line(**line_kw)
    return resolve_line(the_line, doc(the_line), RuleIndex(rules), refs(), target_kind)


# (name, rules, field, status, value, winner id, attention kinds)
OUTCOMES: list[tuple[str, list[Rule], OutputField, FieldStatus, object, int | None, list[str]]] = [
    (
        "mapped by the only rule",
        [rule(1, cost_code="03-300", account_id="5010")],
        A,
        FieldStatus.RESOLVED,
        "5010",
        1,
        [],
    ),
    (
        "unmapped: no rule at all",
        [],
        A,
        FieldStatus.UNSET,
        None,
        None,
        ["unmapped"],
    ),
    (
        "unmapped: rules exist but none matches",
        [rule(1, cost_code="05-*", account_id="5010"), rule(2, project_id="P9", account_id="5020")],
        A,
        FieldStatus.UNSET,
        None,
        None,
        ["unmapped"],
    ),
    (
        "unmapped: the matching rule sets only a class",
        [rule(1, cost_code="03-300", class_id="C1")],
        A,
        FieldStatus.UNSET,
        None,
        None,
        ["unmapped"],
    ),
    (
        "ambiguous: same shape, different accounts",
        [
            rule(1, cost_code="03-300", account_id="5010"),
            rule(2, cost_code="03-300", account_id="5020"),
        ],
        A,
        FieldStatus.AMBIGUOUS,
        None,
        None,
        ["ambiguous"],
    ),
    (
        "ambiguous: different conditions, same rank",
        [rule(1, project_id="P1", account_id="5010"), rule(2, vendor_id="V1", account_id="5020")],
        A,
        FieldStatus.AMBIGUOUS,
        None,
        None,
        ["ambiguous"],
    ),
    (
        "not ambiguous when equal rules agree: lowest id named",
        [
            rule(9, cost_code="03-300", account_id="5010"),
            rule(4, cost_code="03-300", account_id="5010"),
        ],
        A,
        FieldStatus.RESOLVED,
        "5010",
        4,
        [],
    ),
    (
        "not ambiguous when a more specific rule decides",
        [
            rule(1, cost_code="03-300", account_id="5010"),
            rule(2, cost_code="03-300", account_id="5020"),
            rule(3, cost_code="03-300", cost_type="Labor", account_id="5100"),
        ],
        A,
        FieldStatus.RESOLVED,
        "5100",
        3,
        [],
    ),
    (
        "invalid target: inactive account",
        [rule(1, cost_code="03-300", account_id="5900")],
        A,
        FieldStatus.INVALID_TARGET,
        "5900",
        1,
        ["invalid_target"],
    ),
    (
        "invalid target: missing account",
        [rule(1, cost_code="03-300", account_id="7777")],
        A,
        FieldStatus.INVALID_TARGET,
        "7777",
        1,
        ["invalid_target"],
    ),
    (
        "invalid target is not papered over by a lower valid rule",
        [rule(1, cost_code="03-300", account_id="5900"), rule(2, account_id="5010")],
        A,
        FieldStatus.INVALID_TARGET,
        "5900",
        1,
        ["invalid_target"],
    ),
    (
        "invalid class with a valid account",
        [rule(1, cost_code="03-300", account_id="5010", class_id="C9")],
        OutputField.CLASS,
        FieldStatus.INVALID_TARGET,
        "C9",
        1,
        ["invalid_target"],
    ),
    (
        "invalid location",
        [rule(1, cost_code="03-300", account_id="5010", department_id="D9")],
        OutputField.DEPARTMENT,
        FieldStatus.INVALID_TARGET,
        "D9",
        1,
        ["invalid_target"],
    ),
    (
        "an item alone maps a purchase-order line",
        [rule(1, cost_code="03-300", item_id="I1")],
        OutputField.ITEM,
        FieldStatus.RESOLVED,
        "I1",
        1,
        [],
    ),
    (
        "inactive rules are ignored",
        [rule(1, cost_code="03-300", account_id="5010", active=False)],
        A,
        FieldStatus.UNSET,
        None,
        None,
        ["unmapped"],
    ),
    (
        "priority overrides specificity",
        [
            rule(1, cost_code="03-300", cost_type="Labor", project_id="P1", account_id="5010"),
            rule(2, priority=10, cost_type_base="labor", account_id="5020"),
        ],
        A,
        FieldStatus.RESOLVED,
        "5020",
        2,
        [],
    ),
    (
        "negative priority loses to no priority",
        [
            rule(1, priority=-1, cost_code="03-300", cost_type="Labor", account_id="5010"),
            rule(2, account_id="5020"),
        ],
        A,
        FieldStatus.RESOLVED,
        "5020",
        2,
        [],
    ),
    (
        "equal priority falls back to specificity",
        [
            rule(1, priority=5, cost_code="03-*", account_id="5010"),
            rule(2, priority=5, cost_code="03-300", account_id="5020"),
        ],
        A,
        FieldStatus.RESOLVED,
        "5020",
        2,
        [],
    ),
    (
        "equal priority and shape is ambiguous",
        [
            rule(1, priority=5, cost_code="03-300", account_id="5010"),
            rule(2, priority=5, cost_code="03-300", account_id="5020"),
        ],
        A,
        FieldStatus.AMBIGUOUS,
        None,
        None,
        ["ambiguous"],
    ),
    (
        "exact beats prefix beats glob",
        [
            rule(1, cost_code="0?-300", account_id="5010"),
            rule(2, cost_code="03-*", account_id="5020"),
            rule(3, cost_code="03-300", account_id="5100"),
        ],
        A,
        FieldStatus.RESOLVED,
        "5100",
        3,
        [],
    ),
    (
        "prefix beats glob",
        [
            rule(1, cost_code="0?-300", account_id="5010"),
            rule(2, cost_code="03-*", account_id="5020"),
        ],
        A,
        FieldStatus.RESOLVED,
        "5020",
        2,
        [],
    ),
    (
        "longer prefix beats shorter",
        [
            rule(1, cost_code="03-*", account_id="5010"),
            rule(2, cost_code="03-3*", account_id="5020"),
        ],
        A,
        FieldStatus.RESOLVED,
        "5020",
        2,
        [],
    ),
    (
        "cost type by name beats by base type",
        [
            rule(1, cost_type_base="labor", account_id="5010"),
            rule(2, cost_type="Labor", account_id="5020"),
        ],
        A,
        FieldStatus.RESOLVED,
        "5020",
        2,
        [],
    ),
    (
        "custom field rule is more specific",
        [
            rule(1, cost_code="03-300", account_id="5010"),
            rule(
                2,
                cost_code="03-300",
                custom_fields=[{"field": "Phase", "equals": "2"}],
                account_id="5020",
            ),
        ],
        A,
        FieldStatus.RESOLVED,
        "5020",
        2,
        [],
    ),
]


@pytest.mark.parametrize(
    ("name", "rules", "field", "status", "value", "winner", "kinds"),
    OUTCOMES,
    ids=[o[0] for o in OUTCOMES],
)
def test_outcomes(
    name: str,
    rules: list[Rule],
    field: OutputField,
    status: FieldStatus,
    value: object,
    winner: int | None,
    kinds: list[str],
) -> None:
    lr = resolve(rules, custom={"Phase": "2"})
    fr = lr.field(field)
    assert fr.status is status
    assert fr.value == value
    assert (fr.winner.id if fr.winner else None) == winner
    assert [r.kind for r in lr.reasons] == kinds
    assert all(r.line_id == "L1" for r in lr.reasons)


def test_fields_resolve_independently() -> None:
    # The most specific rule sets only the account; class and billable come from broader rules.
    lr = resolve(
        [
            rule(1, cost_code="03-300", cost_type="Labor", account_id="5010"),
            rule(2, cost_type="Labor", account_id="5020", class_id="C1"),
            rule(3, billable=True),
        ]
    )
    assert lr.value(OutputField.ACCOUNT) == "5010"
    assert lr.value(OutputField.CLASS) == "C1"
    assert lr.value(OutputField.BILLABLE) is True
    assert lr.field(OutputField.CLASS).winner.id == 2
    assert lr.rule_ids == (1, 2, 3)
    assert lr.reasons == ()


def test_ambiguity_on_one_field_leaves_others_resolved() -> None:
    lr = resolve(
        [
            rule(1, cost_code="03-300", account_id="5010", class_id="C1"),
            rule(2, cost_code="03-300", account_id="5010", class_id="C2"),
        ]
    )
    assert lr.value(OutputField.ACCOUNT) == "5010"
    assert lr.field(OutputField.CLASS).status is FieldStatus.AMBIGUOUS
    (reason,) = lr.reasons
    assert reason.kind == "ambiguous"
    assert reason.data["field"] == "class"
    assert reason.data["rule_ids"] == "1,2"
    assert reason.data["values"] == "C1,C2"
    assert reason.message == (
        "Line 1 (03-300 Cast-in-Place Concrete · Labor): equally specific rules disagree on "
        "the class: rule #1 gives Labor; rule #2 gives Materials."
    )


def test_ambiguous_billable_is_attention_too() -> None:
    lr = resolve(
        [
            rule(1, cost_code="03-300", account_id="5010", billable=True),
            rule(2, cost_code="03-300", billable=False),
        ]
    )
    assert [r.data["field"] for r in lr.reasons] == ["billable"]


def test_unmapped_reason_names_the_coordinates() -> None:
    (reason,) = resolve([]).reasons
    assert reason.message == (
        "Line 1 (03-300 Cast-in-Place Concrete · Labor): no rule gives an account or an item."
    )
    assert reason.data == {
        "field": "account",
        "cost_code": "03-300",
        "cost_code_name": "Cast-in-Place Concrete",
        "cost_type": "Labor",
        "cost_type_base": "labor",
    }


def test_invalid_target_reason() -> None:
    (reason,) = resolve([rule(12, cost_code="03-300", account_id="5900")]).reasons
    assert reason.message == (
        "Line 1 (03-300 Cast-in-Place Concrete · Labor): rule #12 gives account 5900 Old Labor, "
        "which is inactive in the accounting system."
    )
    assert reason.data["rule_ids"] == "12"
    assert reason.data["target_kind"] == "account"
    assert reason.data["target_id"] == "5900"
    assert reason.data["problem"] == "inactive"


@pytest.mark.parametrize("kind", [TargetKind.INVOICE, TargetKind.ESTIMATE])
def test_sales_lines_need_an_item_and_ignore_accounts(kind: TargetKind) -> None:
    only_account = resolve([rule(1, cost_code="03-300", account_id="5900")], kind)
    assert only_account.field(A).status is FieldStatus.NOT_APPLICABLE
    assert [r.kind for r in only_account.reasons] == ["unmapped"]
    assert only_account.reasons[0].data["field"] == "item"
    assert only_account.reasons[0].message.endswith("no rule gives an item.")
    with_item = resolve([rule(1, cost_code="03-300", item_id="I1")], kind)
    assert with_item.reasons == ()


@pytest.mark.parametrize("kind", [TargetKind.PURCHASE_ORDER, TargetKind.BILL])
def test_purchase_lines_accept_an_account(kind: TargetKind) -> None:
    assert resolve([rule(1, account_id="5010")], kind).reasons == ()


def test_memo_template_uses_line_and_custom_fields() -> None:
    lr = resolve(
        [rule(1, account_id="5010", memo="{cost_code} {description} (phase {custom.Phase})")],
        description="Pour footings",
        custom={"Phase": "2"},
    )
    assert lr.description == "03-300 Pour footings (phase 2)"


def test_without_memo_rule_the_line_description_is_kept() -> None:
    assert resolve([rule(1, account_id="5010")], description="As typed").description == "As typed"


def test_losers_and_reasons_are_listed() -> None:
    lr = resolve(
        [
            rule(1, account_id="5110"),
            rule(2, cost_type="Labor", account_id="5020"),
            rule(3, priority=-2, cost_code="03-300", cost_type="Labor", account_id="5100"),
            rule(12, cost_code="03-300", cost_type="Labor", account_id="5010"),
            rule(13, cost_code="03-300", cost_type="Labor", account_id="5010"),
        ]
    )
    fr = lr.field(A)
    assert fr.winner is not None and fr.winner.id == 12
    assert [(c.rule.id, c.reason) for c in fr.considered] == [
        (13, LossReason.AGREES),
        (2, LossReason.LESS_SPECIFIC),
        (1, LossReason.LESS_SPECIFIC),
        (3, LossReason.LOWER_PRIORITY),
    ]


def test_explanation_text_from_the_issue() -> None:
    lr = resolve(
        [
            rule(3, cost_type="Labor", account_id="5020", author="U9"),
            rule(12, cost_code="03-300", cost_type="Labor", account_id="5010"),
        ]
    )
    assert explain_field(lr.field(A)) == (
        "Account 5010 Subcontract Labor from rule #12 (cost code 03-300, cost type Labor, "
        "by U123, 2026-11-02); also matched rule #3 (cost type Labor) — less specific."
    )


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (
            [rule(5, cost_code="03-300", account_id="5900")],
            "Account 5900 Old Labor (inactive in the accounting system) from rule #5 "
            "(cost code 03-300, by U123, 2026-11-02).",
        ),
        (
            [rule(5, cost_code="03-300", account_id="7777")],
            "Account 7777 (missing in the accounting system) from rule #5 "
            "(cost code 03-300, by U123, 2026-11-02).",
        ),
        (
            [
                rule(5, cost_code="03-300", account_id="5010"),
                rule(6, cost_code="03-300", account_id="5020", author="U7"),
                rule(1, priority=-1, account_id="5110"),
            ],
            "Account ambiguous: rule #5 (cost code 03-300, by U123, 2026-11-02) gives "
            "5010 Subcontract Labor, rule #6 (cost code 03-300, by U7, 2026-11-02) gives "
            "5020 Direct Labor — equally specific; also matched rule #1 (any line, priority -1) "
            "— lower priority.",
        ),
    ],
)
def test_explanation_of_problems(rules: list[Rule], expected: str) -> None:
    assert explain_field(resolve(rules).field(A)) == expected


def test_explain_line_lists_every_field_that_was_set() -> None:
    lr = resolve(
        [
            rule(12, cost_code="03-300", account_id="5010", class_id="C1"),
            rule(2, billable=False, tax_code="NON", memo="{cost_code} {description}"),
        ]
    )
    assert explain_line(lr) == "\n".join(
        [
            "Line 1 (03-300 Cast-in-Place Concrete · Labor) 100.00:",
            "  Account 5010 Subcontract Labor from rule #12 (cost code 03-300, by U123, "
            "2026-11-02).",
            "  Class Labor from rule #12 (cost code 03-300, by U123, 2026-11-02).",
            "  Not billable from rule #2 (any line, by U123, 2026-11-02).",
            "  Tax code NON from rule #2 (any line, by U123, 2026-11-02).",
            '  Memo "{cost_code} {description}" from rule #2 (any line, by U123, 2026-11-02).',
        ]
    )


def test_explain_line_says_why_an_unmapped_line_waits() -> None:
    assert explain_line(resolve([], code=None, cost_type=None)) == (
        "Line 1 (no cost code) 100.00:\n  Account or item: no matching rule."
    )


def test_unsaved_rules_are_described_and_kept_out_of_rule_ids() -> None:
    lr = resolve([rule(None, cost_code="03-300", account_id="5010")])
    assert lr.rule_ids == ()
    assert explain_field(lr.field(A)).startswith(
        "Account 5010 Subcontract Labor from an unsaved rule (cost code 03-300"
    )
