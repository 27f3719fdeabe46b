"""Matching every condition kind, cost-code patterns, and the specificity order."""

from __future__ import annotations

from typing import Any

import pytest

from mappings.conditions import CodeMatch, CodePattern, rank, rule_matches, specificity
from mappings.rules import Conditions
from sync.models import DocumentKind
from tests.mappings.factories import doc, line, rule

PRIME = DocumentKind.PRIME_CHANGE_ORDER

# (conditions, line kwargs, doc kwargs, expected match)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], bool]] = [
    ("no conditions match anything", {}, {}, {}, True),
    ("source equal", {"source": "procore"}, {}, {}, True),
    ("source differs", {"source": "buildertrend"}, {}, {}, False),
    ("kind equal", {"document_kind": "commitment_change_order"}, {}, {}, True),
    ("kind differs", {"document_kind": "prime_change_order"}, {}, {}, False),
    ("kind on a prime CO", {"document_kind": "prime_change_order"}, {}, {"kind": PRIME}, True),
    ("project equal", {"project_id": "P1"}, {}, {}, True),
    ("project differs", {"project_id": "P2"}, {}, {}, False),
    ("document equal", {"document_id": "CO-1"}, {}, {}, True),
    ("document differs", {"document_id": "CO-2"}, {}, {}, False),
    ("vendor equal", {"vendor_id": "V1"}, {}, {}, True),
    ("vendor differs", {"vendor_id": "V2"}, {}, {}, False),
    ("vendor on a doc without vendor", {"vendor_id": "V1"}, {}, {"vendor": None}, False),
    ("exact code", {"cost_code": "03-300"}, {}, {}, True),
    ("exact code differs", {"cost_code": "03-310"}, {}, {}, False),
    ("exact code is not a prefix", {"cost_code": "03-30"}, {}, {}, False),
    ("prefix", {"cost_code": "03-*"}, {}, {}, True),
    ("prefix of whole code", {"cost_code": "03-300*"}, {}, {}, True),
    ("prefix differs", {"cost_code": "05-*"}, {}, {}, False),
    ("star matches any code", {"cost_code": "*"}, {}, {}, True),
    ("star needs a code", {"cost_code": "*"}, {"code": None}, {}, False),
    ("glob ?", {"cost_code": "0?-300"}, {}, {}, True),
    ("glob inner *", {"cost_code": "*-300"}, {}, {}, True),
    ("glob inner * differs", {"cost_code": "*-310"}, {}, {}, False),
    ("glob class", {"cost_code": "03-[23]00"}, {}, {}, True),
    ("glob class differs", {"cost_code": "03-[12]00"}, {}, {}, False),
    ("glob is anchored", {"cost_code": "3-3?0"}, {}, {}, False),
    ("code on a line without code", {"cost_code": "03-300"}, {"code": None}, {}, False),
    ("cost type name", {"cost_type": "Labor"}, {}, {}, True),
    ("cost type name ignores case", {"cost_type": "labor"}, {}, {}, True),
    ("cost type name differs", {"cost_type": "Field Labor"}, {}, {}, False),
    ("cost type name, no type", {"cost_type": "Labor"}, {"cost_type": None}, {}, False),
    ("base type", {"cost_type_base": "labor"}, {"cost_type": "Field Labor"}, {}, True),
    ("base type differs", {"cost_type_base": "materials"}, {}, {}, False),
    ("base subcontract", {"cost_type_base": "Subcontract"}, {"cost_type": "Subcontract"}, {}, True),
    (
        "custom equals (line)",
        {"custom_fields": [{"field": "Phase", "equals": "2"}]},
        {"custom": {"Phase": "2"}},
        {},
        True,
    ),
    (
        "custom equals is exact",
        {"custom_fields": [{"field": "Phase", "equals": "2"}]},
        {"custom": {"Phase": "2a"}},
        {},
        False,
    ),
    (
        "custom equals, field missing",
        {"custom_fields": [{"field": "Phase", "equals": "2"}]},
        {},
        {},
        False,
    ),
    (
        "custom one_of",
        {"custom_fields": [{"field": "Phase", "one_of": ["1", "2"]}]},
        {"custom": {"Phase": "1"}},
        {},
        True,
    ),
    (
        "custom one_of differs",
        {"custom_fields": [{"field": "Phase", "one_of": ["1", "2"]}]},
        {"custom": {"Phase": "3"}},
        {},
        False,
    ),
    (
        "custom from the document",
        {"custom_fields": [{"field": "Area", "equals": "East"}]},
        {},
        {"custom": {"Area": "East"}},
        True,
    ),
    (
        "line custom field overrides the document's",
        {"custom_fields": [{"field": "Area", "equals": "East"}]},
        {"custom": {"Area": "West"}},
        {"custom": {"Area": "East"}},
        False,
    ),
    (
        "all conditions must hold",
        {"cost_code": "03-300", "cost_type": "Labor", "project_id": "P2"},
        {},
        {},
        False,
    ),
    (
        "all conditions hold",
        {
            "cost_code": "03-*",
            "cost_type": "Labor",
            "project_id": "P1",
            "vendor_id": "V1",
            "custom_fields": [{"field": "Phase", "equals": "2"}],
        },
        {"custom": {"Phase": "2"}},
        {},
        True,
    ),
]


@pytest.mark.parametrize(
    ("name", "conditions", "line_kw", "doc_kw", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_condition_matching(
    name: str,
    conditions: dict[str, Any],
    line_kw: dict[str, Any],
    doc_kw: dict[str, Any],
    expected: bool,
) -> None:
    r = rule(1, account_id="5010", **conditions)
    the_line = line(**line_kw)
    assert rule_matches(r, the_line, doc(the_line, **doc_kw)) is expected


@pytest.mark.parametrize(
    ("raw", "kind", "literal"),
    [
        ("03-300", CodeMatch.EXACT, "03-300"),
        ("03-*", CodeMatch.PREFIX, "03-"),
        ("03-3*", CodeMatch.PREFIX, "03-3"),
        ("*", CodeMatch.PREFIX, ""),
        ("0?-300", CodeMatch.GLOB, "0-300"),
        ("*-300", CodeMatch.GLOB, "-300"),
        ("03-[12]*", CodeMatch.GLOB, "03-"),
        ("03-**", CodeMatch.GLOB, "03-"),
    ],
)
def test_code_pattern_kinds(raw: str, kind: CodeMatch, literal: str) -> None:
    p = CodePattern.parse(raw)
    assert (p.kind, p.literal) == (kind, literal)


def _rank(**conditions: Any) -> tuple[int, tuple[int, ...]]:
    return rank(rule(1, account_id="1", **conditions))


# Each pair: the first is strictly more specific than the second.
MORE_SPECIFIC = [
    ({"cost_code": "03-300", "cost_type": "Labor"}, {"cost_code": "03-300"}),
    ({"cost_code": "03-300", "cost_type": "Labor"}, {"cost_type": "Labor"}),
    ({"cost_code": "03-300"}, {"cost_code": "03-*"}),
    ({"cost_code": "03-*"}, {"cost_code": "0?-300"}),
    ({"cost_code": "03-3*"}, {"cost_code": "03-*"}),
    ({"cost_code": "0?-300"}, {"cost_type": "Labor"}),
    ({"cost_type": "Labor"}, {"cost_type_base": "labor"}),
    ({"cost_type_base": "labor"}, {"project_id": "P1"}),
    ({"cost_code": "*"}, {"project_id": "P1"}),
    ({"project_id": "P1"}, {}),
    (
        {"custom_fields": [{"field": "A", "equals": "1"}]},
        {"custom_fields": [{"field": "A", "one_of": ["1", "2"]}]},
    ),
    # More conditions beat a more precise cost code: four conditions, a glob, vs one exact code.
    (
        {"cost_code": "0?-300", "cost_type": "Labor", "project_id": "P1"},
        {"cost_code": "03-300", "cost_type": "Labor"},
    ),
]


@pytest.mark.parametrize(("stronger", "weaker"), MORE_SPECIFIC)
def test_specificity_order(stronger: dict[str, Any], weaker: dict[str, Any]) -> None:
    assert _rank(**stronger) > _rank(**weaker)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"project_id": "P1"}, {"vendor_id": "V1"}),
        ({"cost_code": "03-300"}, {"cost_code": "03-310"}),
        ({"cost_type": "Labor"}, {"cost_type": "Materials"}),
        ({"document_kind": "prime_change_order"}, {"source": "procore"}),
    ],
)
def test_equally_specific(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert _rank(**a) == _rank(**b)


def test_priority_beats_any_specificity() -> None:
    broad = rank(rule(1, priority=1, account_id="1"))
    narrow = rank(rule(2, cost_code="03-300", cost_type="Labor", project_id="P1", account_id="1"))
    assert broad > narrow
    assert rank(rule(3, priority=-1, cost_code="03-300", account_id="1")) < rank(
        rule(4, account_id="1")
    )


def test_specificity_counts_each_custom_field() -> None:
    c = Conditions.model_validate(
        {
            "cost_code": "03-300",
            "custom_fields": [{"field": "A", "equals": "1"}, {"field": "B", "one_of": ["x"]}],
        }
    )
    assert specificity(c) == (3, CodeMatch.EXACT, 6, 0, 1)
