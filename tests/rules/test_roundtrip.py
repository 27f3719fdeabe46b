"""Export -> import -> export is identical, for any rule (hypothesis), in CSV and in YAML."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappings.io_csv import export_csv, import_csv
from mappings.io_yaml import export_yaml, import_yaml
from mappings.rule_rows import ParsedRules, RuleSpec
from mappings.rules import BaseCostType, Conditions, CustomFieldCondition, Outputs, RuleOrigin
from sync.models import DocumentKind

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any text people might type, including CSV and YAML syntax, quotes, newlines and YAML's
# special words; surrogates cannot be encoded at all.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
TRICKY = st.sampled_from(
    ["null", "~", "yes", "no", "true", "01", "0x1F", "1e3", "- a", "a: b", "#x", '"q"', "a,b",
     " lead", "tail ", "line\nbreak", "cr\rlf", "ümlaut", "*", "[x]", "{x}", "&a", "!tag", "%"]
)  # fmt: skip
TEXT = st.one_of(TRICKY, ANY_TEXT).filter(lambda s: s.strip() != "")


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


@st.composite
def custom_fields(draw: st.DrawFn) -> tuple[CustomFieldCondition, ...]:
    names = draw(st.lists(TEXT, max_size=3, unique_by=lambda s: s.strip()))
    return tuple(
        CustomFieldCondition(field=n, equals=draw(TEXT))
        if draw(st.booleans())
        else CustomFieldCondition(
            field=n, one_of=tuple(draw(st.lists(TEXT, min_size=1, max_size=3)))
        )
        for n in names
    )


@st.composite
def specs(draw: st.DrawFn) -> RuleSpec:
    by_name = draw(st.booleans())
    conditions = Conditions(
        source=draw(maybe(TEXT)),
        document_kind=draw(maybe(st.sampled_from(list(DocumentKind)))),
        project_id=draw(maybe(TEXT)),
        document_id=draw(maybe(TEXT)),
        cost_code=draw(maybe(TEXT)),
        cost_type=draw(maybe(TEXT)) if by_name else None,
        cost_type_base=None if by_name else draw(maybe(st.sampled_from(list(BaseCostType)))),
        vendor_id=draw(maybe(TEXT)),
        custom_fields=draw(custom_fields()),
    )
    outputs: dict[str, Any] = {
        "account_id": draw(maybe(TEXT)),
        "item_id": draw(maybe(TEXT)),
        "class_id": draw(maybe(TEXT)),
        "department_id": draw(maybe(TEXT)),
        "billable": draw(maybe(st.booleans())),
        "tax_code": draw(maybe(TEXT)),
        "memo": draw(
            maybe(st.sampled_from(["{cost_code} {description}", "x {{y}}", "{custom.P}"]))
        ),
    }
    if all(v is None for v in outputs.values()):
        outputs["account_id"] = draw(TEXT)
    return RuleSpec(
        id=draw(maybe(st.integers(min_value=1, max_value=10**12))),
        conditions=conditions,
        outputs=Outputs.model_validate(outputs),
        priority=draw(maybe(st.integers(min_value=-(10**6), max_value=10**6))),
        active=draw(st.booleans()),
        author=draw(maybe(TEXT)),
        origin=draw(maybe(st.sampled_from(list(RuleOrigin)))),
        note=draw(st.one_of(st.just(""), TRICKY, ANY_TEXT)),
    )


FORMATS: list[tuple[Callable[[list[RuleSpec]], str], Callable[[str], ParsedRules]]] = [
    (export_csv, import_csv),
    (export_yaml, import_yaml),
]


@pytest.mark.parametrize(("export", "load"), FORMATS, ids=["csv", "yaml"])
@PROPERTY
@given(rules=st.lists(specs(), max_size=4))
def test_export_import_export_is_identical(
    export: Callable[[list[RuleSpec]], str],
    load: Callable[[str], ParsedRules],
    rules: list[RuleSpec],
) -> None:
    text = export(rules)
    parsed = load(text)
    assert parsed.ok, [str(e) for e in parsed.errors]
    back = [r.spec for r in parsed.rules]
    assert back == rules
    assert export(back) == text
