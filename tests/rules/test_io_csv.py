"""CSV import: every condition and output kind, and errors that name the line and the field."""

from __future__ import annotations

import pytest

from mappings.io_csv import export_csv, import_csv
from mappings.rule_rows import COLUMNS, RuleSpec
from mappings.rules import BaseCostType, CustomFieldCondition, RuleOrigin
from sync.models import DocumentKind

HEADER = ",".join(COLUMNS)


def one(text: str) -> RuleSpec:
    parsed = import_csv(text)
    assert parsed.ok, [str(e) for e in parsed.errors]
    (located,) = parsed.rules
    assert located.where == "line 2"
    return located.spec


@pytest.mark.parametrize(
    ("header", "row", "attr", "expected"),
    [
        ("cost_code,account_id", "03-300,57", "cost_code", "03-300"),
        ("cost_code,account_id", "03-*,57", "cost_code", "03-*"),
        ("cost_code,account_id", "0?-3[01]0,57", "cost_code", "0?-3[01]0"),
        ("cost_type,account_id", "Labor,57", "cost_type", "Labor"),
        ("cost_type_base,account_id", "Subcontract,57", "cost_type_base", BaseCostType.COMMITMENT),
        ("project_id,account_id", "P1,57", "project_id", "P1"),
        ("vendor_id,account_id", "V1,57", "vendor_id", "V1"),
        ("document_id,account_id", "CO-1,57", "document_id", "CO-1"),
        ("source,account_id", "procore,57", "source", "procore"),
        (
            "document_kind,account_id",
            "prime_change_order,57",
            "document_kind",
            DocumentKind.PRIME_CHANGE_ORDER,
        ),
        (
            "custom_fields,account_id",
            '"{""Phase"": ""1"", ""Area"": [""B"", ""A""]}",57',
            "custom_fields",
            (
                CustomFieldCondition(field="Area", one_of=("A", "B")),
                CustomFieldCondition(field="Phase", equals="1"),
            ),
        ),
    ],
)
def test_every_condition_kind(header: str, row: str, attr: str, expected: object) -> None:
    spec = one(f"{header}\r\n{row}\r\n")
    assert getattr(spec.conditions, attr) == expected
    assert spec.conditions.count() == 1 or attr == "custom_fields"


@pytest.mark.parametrize(
    ("column", "cell", "attr", "expected"),
    [
        ("account_id", "57", "account_id", "57"),
        ("item_id", "I1", "item_id", "I1"),
        ("class_id", "C1", "class_id", "C1"),
        ("department_id", "D1", "department_id", "D1"),
        ("billable", "yes", "billable", True),
        ("billable", "FALSE", "billable", False),
        ("tax_code", "NON", "tax_code", "NON"),
        ("memo", "{cost_code} {description}", "memo", "{cost_code} {description}"),
    ],
)
def test_every_output_kind(column: str, cell: str, attr: str, expected: object) -> None:
    spec = one(f"cost_type,{column}\nLabor,{cell}\n")
    assert getattr(spec.outputs, attr) == expected


def test_meta_columns_and_blank_lines() -> None:
    text = (
        "id,priority,active,author,origin,note,cost_type,account_id\n"
        "\n"
        '12,5,false,jane,slack,"two\nlines, with comma",Labor,57\n'
        ",,,,,,,\n"
    )
    parsed = import_csv(text)
    assert parsed.ok
    (located,) = parsed.rules
    assert located.where == "line 3"
    s = located.spec
    assert (s.id, s.priority, s.active, s.author, s.origin) == (12, 5, False, "jane", "slack")
    assert s.note == "two\nlines, with comma"


def test_unset_author_and_origin_are_left_for_the_importer() -> None:
    spec = one("cost_type,account_id\nLabor,57\n")
    assert spec.author is None and spec.origin is None and spec.active is True


@pytest.mark.parametrize(
    ("row", "field", "fragment"),
    [
        ("x,,true,Labor,,57,,", "id", "not a whole number"),
        (",high,true,Labor,,57,,", "priority", "not a whole number"),
        (",,perhaps,Labor,,57,,", "active", "not true or false"),
        (",,true,Labor,labor,57,,", "conditions", "not both"),
        (",,true,,labour,57,,", "cost_type_base", "Input should be"),
        (",,true,Labor,,,,", "outputs", "at least one output"),
        (",,true,Labor,,57,{nope},", "memo", "nope"),
        (",,true,Labor,,57,,robot", "origin", "not one of"),
    ],
)
def test_errors_name_the_line_and_the_field(row: str, field: str, fragment: str) -> None:
    text = "id,priority,active,cost_type,cost_type_base,account_id,memo,origin\n" + row + "\n"
    parsed = import_csv(text)
    assert not parsed.ok
    assert [(e.where, e.field) for e in parsed.errors] == [("line 2", field)]
    assert fragment in parsed.errors[0].message
    assert str(parsed.errors[0]).startswith(f"line 2, field {field}: ")


def test_all_errors_are_collected_and_good_rows_kept() -> None:
    text = (
        "cost_type,account_id,billable,custom_fields\n"
        "Labor,57,,\n"
        "Labor,,maybe,\n"  # two errors on one row
        'Labor,57,,"[1, 2]"\n'
        "Labor,58,,\n"
    )
    parsed = import_csv(text)
    assert [(e.where, e.field) for e in parsed.errors] == [
        ("line 3", "billable"),
        ("line 3", "outputs"),
        ("line 4", "custom_fields"),
    ]
    assert [r.where for r in parsed.rules] == ["line 2", "line 5"]


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("", "", "empty"),
        ("cost_type,acount_id\nLabor,57\n", "acount_id", "unknown column"),
        ("cost_type,cost_type\nLabor,Labor\n", "cost_type", "more than once"),
    ],
)
def test_header_problems(text: str, field: str, message: str) -> None:
    parsed = import_csv(text)
    assert [(e.where, e.field) for e in parsed.errors] == [("line 1", field)]
    assert message in parsed.errors[0].message


def test_too_many_cells() -> None:
    parsed = import_csv("cost_type,account_id\nLabor,57,extra\n")
    assert [(e.where, e.field) for e in parsed.errors] == [("line 2", "")]


def test_export_writes_every_column_with_a_header() -> None:
    spec = one("cost_code,account_id,billable\n03-*,57,false\n")
    text = export_csv([spec.model_copy(update={"origin": RuleOrigin.CLI, "author": "a"})])
    header, row, end = text.split("\r\n")
    assert header == HEADER and end == ""
    cells = dict(zip(COLUMNS, row.split(","), strict=True))
    assert cells["cost_code"] == "03-*" and cells["billable"] == "false"
    assert cells["active"] == "true" and cells["origin"] == "cli" and cells["id"] == ""
