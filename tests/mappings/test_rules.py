"""The rule model: validation, canonical form, JSON round trip, new versions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from mappings.rules import (
    BaseCostType,
    Conditions,
    CustomFieldCondition,
    OutputField,
    Outputs,
    Rule,
    RuleOrigin,
)
from tests.mappings.factories import T0, rule


def test_json_round_trip_of_a_full_rule_is_identical() -> None:
    r = Rule(
        id=12,
        conditions=Conditions(
            source="procore",
            document_kind="commitment_change_order",
            project_id="P1",
            cost_code="03-*",
            cost_type_base="labor",
            vendor_id="V1",
            custom_fields=(
                CustomFieldCondition(field="Phase", one_of=("2", "1")),
                CustomFieldCondition(field="Area", equals="East"),
            ),
        ),
        outputs=Outputs(
            account_id="5010",
            class_id="C1",
            department_id="D1",
            billable=True,
            tax_code="NON",
            memo="{cost_code} {description} {custom.Phase}",
        ),
        priority=5,
        author="U123",
        origin=RuleOrigin.CSV,
        created_at=T0,
        updated_at=T0 + timedelta(days=1),
        version=3,
    )
    text = r.model_dump_json()
    again = Rule.model_validate_json(text)
    assert again == r
    assert again.model_dump_json() == text
    # Storage keeps the two halves as JSON columns: each must round-trip on its own as well.
    assert Conditions.model_validate_json(r.conditions.model_dump_json()) == r.conditions
    assert Outputs.model_validate_json(r.outputs.model_dump_json()) == r.outputs


def test_custom_fields_are_canonical_so_equal_meaning_compares_equal() -> None:
    a = Conditions(
        custom_fields=(
            CustomFieldCondition(field="B", one_of=("y", "x", "x")),
            CustomFieldCondition(field="A", equals="1"),
        )
    )
    b = Conditions(
        custom_fields=(
            CustomFieldCondition(field="A", equals="1"),
            CustomFieldCondition(field="B", one_of=("x", "y")),
        )
    )
    assert a == b
    assert [c.field for c in a.custom_fields] == ["A", "B"]
    assert a.custom_fields[1].one_of == ("x", "y")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("labor", BaseCostType.LABOR),
        ("Subcontract", BaseCostType.COMMITMENT),
        ("commitment", BaseCostType.COMMITMENT),
        ("Owner Cost", BaseCostType.OWNER_COST),
        ("professional-services", BaseCostType.PROFESSIONAL_SERVICES),
        ("material", BaseCostType.MATERIALS),
    ],
)
def test_base_type_spellings_normalise(given: str, expected: BaseCostType) -> None:
    assert Conditions(cost_type_base=given).cost_type_base is expected


@pytest.mark.parametrize(
    ("conditions", "outputs", "message"),
    [
        ({}, {}, "at least one output"),
        ({"cost_type": "Labor", "cost_type_base": "labor"}, {"account_id": "1"}, "either"),
        ({"cost_type_base": "robots"}, {"account_id": "1"}, "cost_type_base"),
        ({"cost_code": "  "}, {"account_id": "1"}, "cost_code"),
        ({"custom_fields": [{"field": "A"}]}, {"account_id": "1"}, "exactly one"),
        (
            {"custom_fields": [{"field": "A", "equals": "1", "one_of": ["2"]}]},
            {"account_id": "1"},
            "exactly one",
        ),
        (
            {"custom_fields": [{"field": "A", "equals": "1"}, {"field": "A", "equals": "2"}]},
            {"account_id": "1"},
            "only one condition",
        ),
        ({}, {"memo": "{cost_code} {secret.__class__}"}, "unknown placeholder"),
        ({}, {"memo": "{cost_code"}, "unclosed"),
        ({"colour": "red"}, {"account_id": "1"}, "colour"),
    ],
)
def test_invalid_rules_are_refused(
    conditions: dict[str, object], outputs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        Rule(
            conditions=Conditions.model_validate(conditions),
            outputs=Outputs.model_validate(outputs),
            author="U1",
            origin=RuleOrigin.API,
            created_at=T0,
            updated_at=T0,
        )


def test_times_must_be_aware_and_in_order() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        Rule(
            outputs=Outputs(account_id="1"),
            author="U1",
            origin=RuleOrigin.API,
            created_at=datetime(2026, 1, 1),
            updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
    with pytest.raises(ValidationError, match="before created_at"):
        Rule(
            outputs=Outputs(account_id="1"),
            author="U1",
            origin=RuleOrigin.API,
            created_at=T0,
            updated_at=T0 - timedelta(seconds=1),
        )


def test_outputs_report_the_fields_they_set_in_a_fixed_order() -> None:
    o = Outputs(memo="x", account_id="1", billable=False)
    assert o.fields() == (OutputField.ACCOUNT, OutputField.BILLABLE, OutputField.MEMO)
    assert o.get(OutputField.BILLABLE) is False
    assert o.get(OutputField.CLASS) is None


def test_touched_makes_a_new_version() -> None:
    r = rule(7, cost_code="03-300", account_id="5010")
    later = T0 + timedelta(hours=3)
    r2 = r.touched(later, outputs=Outputs(account_id="5020"))
    assert (r2.id, r2.version, r2.updated_at, r2.created_at) == (7, 2, later, T0)
    assert r2.outputs.account_id == "5020"
    assert r2.conditions == r.conditions
