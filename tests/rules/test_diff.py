"""The import diff: added / changed (field by field) / removed, and its safety rules."""

from __future__ import annotations

from mappings.diff import diff_rules, planned_rules
from mappings.rule_rows import LocatedSpec, RuleSpec
from mappings.rules import Conditions, Outputs, Rule, RuleOrigin
from tests.mappings.factories import T0, rule

LABOR = rule(1, cost_type="Labor", account_id="57")
MATERIALS = rule(2, cost_type="Materials", account_id="58")
OLD = rule(3, cost_type="Other", account_id="59", active=False)
CURRENT = [LABOR, MATERIALS, OLD]


def at(where: str, **fields: object) -> LocatedSpec:
    return LocatedSpec(where, RuleSpec.model_validate(fields))


def spec_of(r: Rule, **changes: object) -> RuleSpec:
    return RuleSpec.of(r).model_copy(update=changes)


def test_the_export_itself_changes_nothing() -> None:
    file = [LocatedSpec(f"line {i}", RuleSpec.of(r)) for i, r in enumerate(CURRENT, 2)]
    diff = diff_rules(CURRENT, file, replace=True)
    assert diff.is_empty and diff.unchanged == (1, 2, 3) and not diff.errors


def test_changed_field_by_field_and_unmentioned_kept() -> None:
    changed = spec_of(LABOR, outputs=Outputs(account_id="60"), note="moved", priority=2)
    diff = diff_rules(CURRENT, [LocatedSpec("line 2", changed)])
    (c,) = diff.changed
    assert c.before is LABOR and c.where == "line 2"
    assert [(f.field, f.before, f.after) for f in c.changes] == [
        ("priority", "", "2"),
        ("account_id", "57", "60"),
        ("note", "", "moved"),
    ]
    assert diff.kept == (2,) and diff.removed == ()  # the inactive rule #3 is not "kept"


def test_replace_removes_only_active_unmentioned_rules() -> None:
    diff = diff_rules(CURRENT, [LocatedSpec("line 2", RuleSpec.of(LABOR))], replace=True)
    assert [r.id for r in diff.removed] == [2] and diff.kept == ()


def test_blank_author_and_a_different_origin_are_not_changes() -> None:
    same = spec_of(LABOR, author=None, origin=RuleOrigin.CSV)
    assert diff_rules(CURRENT, [LocatedSpec("line 2", same)]).unchanged == (1,)


def test_id_less_row_equal_to_an_existing_rule_is_that_rule() -> None:
    row = at("line 2", conditions={"cost_type": "Labor"}, outputs={"account_id": "57"})
    new = at("line 3", conditions={"cost_type": "Labor"}, outputs={"account_id": "99"})
    diff = diff_rules(CURRENT, [row, new])
    assert diff.unchanged == (1,)
    assert [a.where for a in diff.added] == ["line 3"]


def test_errors_unknown_id_duplicate_id_and_duplicate_row() -> None:
    rows = [
        at("line 2", id=9, outputs={"account_id": "1"}),
        LocatedSpec("line 3", RuleSpec.of(LABOR)),
        LocatedSpec("line 4", spec_of(LABOR, note="again")),
        at("line 5", conditions={"cost_code": "01-*"}, outputs={"account_id": "1"}),
        at("line 6", conditions={"cost_code": "01-*"}, outputs={"account_id": "1"}),
    ]
    diff = diff_rules(CURRENT, rows, replace=True)
    assert [(e.where, e.field) for e in diff.errors] == [
        ("line 2", "id"),
        ("line 4", "id"),
        ("line 6", ""),
    ]
    assert "line 3" in diff.errors[1].message and "line 5" in diff.errors[2].message
    assert diff.is_empty  # a diff with errors proposes nothing


def test_planned_rules_new_versions_and_deactivations() -> None:
    later = T0.replace(year=2027)
    rows = [
        at("line 2", conditions={"cost_code": "01-*"}, outputs={"account_id": "1"}),
        LocatedSpec("line 3", spec_of(LABOR, author=None, outputs=Outputs(account_id="60"))),
    ]
    diff = diff_rules(CURRENT, rows, replace=True)
    added, changed, removed = planned_rules(diff, actor="jane", origin=RuleOrigin.CSV, now=later)
    assert added.id is None and added.author == "jane" and added.origin is RuleOrigin.CSV
    assert added.conditions == Conditions(cost_code="01-*") and added.created_at == later
    assert changed.id == 1 and changed.author == LABOR.author and changed.origin is LABOR.origin
    assert changed.outputs.account_id == "60" and changed.created_at == T0
    assert changed.updated_at == later
    assert removed.id == 2 and removed.active is False
