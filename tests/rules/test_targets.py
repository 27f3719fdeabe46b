"""Outputs given by id, number or name resolve to ids, never by a guess."""

from __future__ import annotations

import pytest

from mappings.io_targets import find_target, resolve_targets
from mappings.references import ReferenceIndex
from mappings.rule_rows import FileError, LocatedSpec, RuleSpec
from sync.models import ReferenceKind, ReferenceRecord

A = ReferenceKind.ACCOUNT
REFS = ReferenceIndex(
    [
        ReferenceRecord(kind=A, id="3", name="Job Expenses:Labor", number="5010"),
        ReferenceRecord(kind=A, id="4", name="Job Expenses:Materials", number="5020"),
        ReferenceRecord(kind=A, id="8", name="Shop:Materials", number="6020"),
        ReferenceRecord(kind=A, id="5010", name="Clash", number=""),
        ReferenceRecord(kind=A, id="9", name="Old", number="5099", active=False),
        ReferenceRecord(kind=ReferenceKind.CLASS, id="21", name="Labor"),
    ]
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", "3"),
        ("job expenses:labor", "3"),
        ("5020", "4"),
        ("5020 Job Expenses:Materials", "4"),
        ("Shop:Materials", "8"),
        ("5099", "9"),  # inactive is still that account: the mapper will say it is inactive
    ],
)
def test_resolves(value: str, expected: str) -> None:
    assert find_target(REFS, A, value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("Labour", "no account has"),
        ("Materials", "names several accounts"),
        ("5010", "is the id of Clash and also names 5010 Job Expenses:Labor"),
    ],
)
def test_refuses_to_guess(value: str, fragment: str) -> None:
    found = find_target(REFS, A, value)
    assert isinstance(found, FileError) and fragment in found.message


def test_resolve_targets_locates_errors_and_refuses_a_kind_the_target_lacks() -> None:
    def row(where: str, **outputs: str) -> LocatedSpec:
        return LocatedSpec(where, RuleSpec.model_validate({"outputs": outputs}))

    rows = [
        row("line 2", account_id="5010 Job Expenses:Labor", class_id="Labor"),
        row("line 3", account_id="Nope", item_id="Widget"),
    ]
    checked = resolve_targets(rows, REFS)
    assert checked.rules[0].spec.outputs.account_id == "3"
    assert checked.rules[0].spec.outputs.class_id == "21"
    # No item at all in the reference data: "Widget" is refused, never stored as an id.
    assert [(e.where, e.field) for e in checked.errors] == [
        ("line 3", "account_id"),
        ("line 3", "item_id"),
    ]
