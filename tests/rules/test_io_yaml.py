"""YAML import: text stays text, and errors name the item, its line and the field."""

from __future__ import annotations

import pytest

from mappings.io_yaml import export_yaml, import_yaml
from mappings.rules import BaseCostType, CustomFieldCondition


def test_a_rule_with_every_section() -> None:
    text = """\
version: 1
rules:
- id: 12
  priority: 3
  active: no
  conditions:
    cost_code: 01-*
    cost_type_base: Subcontract
    custom_fields: {Phase: 1, Area: [B, A]}
  outputs: {account_id: 0057, billable: true, memo: "{cost_code}"}
  author: jane
  origin: yaml
  note: why
"""
    parsed = import_yaml(text)
    assert parsed.ok, [str(e) for e in parsed.errors]
    (located,) = parsed.rules
    assert located.where == "item 1 (line 3)"
    s = located.spec
    assert (s.id, s.priority, s.active, s.author, s.note) == (12, 3, False, "jane", "why")
    # YAML 1.1 would have made 01-* fine but 0057 the number 57 and Phase 1 an int.
    assert s.outputs.account_id == "0057" and s.outputs.billable is True
    assert s.conditions.cost_code == "01-*"
    assert s.conditions.cost_type_base is BaseCostType.COMMITMENT
    assert s.conditions.custom_fields == (
        CustomFieldCondition(field="Area", one_of=("A", "B")),
        CustomFieldCondition(field="Phase", equals="1"),
    )


def test_a_bare_list_and_null_words() -> None:
    parsed = import_yaml(
        "- {conditions: {cost_type: Labor}, outputs: {account_id: '57'}, priority: ~}\n"
    )
    assert parsed.ok
    assert parsed.rules[0].spec.priority is None


def test_quoted_null_is_text() -> None:
    parsed = import_yaml("- {conditions: {cost_type: 'null'}, outputs: {account_id: '57'}}\n")
    assert parsed.rules[0].spec.conditions.cost_type == "null"


@pytest.mark.parametrize(
    ("item", "field", "fragment"),
    [
        ("{outputs: {account_id: '57'}, colour: red}", "colour", "unknown field"),
        (
            "{conditions: {cost_kode: x}, outputs: {account_id: '57'}}",
            "conditions.cost_kode",
            "unknown",
        ),
        ("{conditions: [x], outputs: {account_id: '57'}}", "conditions", "mapping"),
        ("{conditions: {cost_type: [a, b]}, outputs: {account_id: '57'}}", "cost_type", "single"),
        (
            "{conditions: {custom_fields: {P: {x: 1}}}, outputs: {account_id: '57'}}",
            "custom_fields.P",
            "field name",
        ),
        ("{outputs: {billable: sometimes, tax_code: T}}", "billable", "true or false"),
        ("{outputs: {}}", "outputs", "at least one output"),
        ("{id: 0, outputs: {account_id: '57'}}", "id", "greater than or equal to 1"),
    ],
)
def test_errors_name_the_item_line_and_field(item: str, field: str, fragment: str) -> None:
    parsed = import_yaml(f"rules:\n- {{outputs: {{item_id: I1}}}}\n- {item}\n")
    assert not parsed.ok
    assert [(e.where, e.field) for e in parsed.errors] == [("item 2 (line 3)", field)]
    assert fragment in parsed.errors[0].message
    assert [r.where for r in parsed.rules] == ["item 1 (line 2)"]


@pytest.mark.parametrize(
    ("text", "where", "fragment"),
    [
        ("rules: [\n", "line 2", "not valid YAML"),
        ("version: 1\n", "line 1", "without a 'rules' list"),
        ("rules: {a: 1}\n", "line 1", "not a list"),
        ("rules:\n- just text\n", "item 1 (line 2)", "must be a mapping"),
    ],
)
def test_file_shape_problems(text: str, where: str, fragment: str) -> None:
    parsed = import_yaml(text)
    assert [e.where for e in parsed.errors] == [where]
    assert fragment in parsed.errors[0].message


def test_an_empty_file_has_no_rules() -> None:
    assert import_yaml("") == import_yaml("rules: []\n")
    assert import_yaml("").ok and not import_yaml("").rules


def test_export_is_readable_and_omits_what_is_unset() -> None:
    parsed = import_yaml("- {conditions: {cost_type: Labor}, outputs: {account_id: '57'}}\n")
    text = export_yaml([r.spec for r in parsed.rules])
    assert text == (
        "version: 1\nrules:\n- active: true\n  conditions:\n    cost_type: Labor\n"
        "  outputs:\n    account_id: '57'\n"
    )
