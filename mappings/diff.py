"""What importing a rules file would do to the rules in force: added, changed, removed.

Semantics (an import never loses a rule by accident):

- A row with an ``id`` updates that rule (a new version); an id the database does not have is
  an error (ids are assigned by storage; leave it blank to add a rule). An id twice is an error.
- A row without an ``id`` adds a rule, unless an existing rule already says exactly the same
  (conditions, outputs, priority, active): then it is that rule, unchanged. So importing the
  same id-less file twice adds nothing the second time.
- Rules the file does not mention are untouched, unless ``replace``: then the active ones are
  *removed*, which means deactivated (rules keep their history; nothing is deleted).
- A rule's ``origin`` is where it first came from: a file cannot rewrite it, so it is not
  compared. A blank ``author`` keeps the rule's author.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from mappings.rule_rows import COLUMNS, FileError, LocatedSpec, RuleSpec, cells_of
from mappings.rules import Rule, RuleOrigin

_NOT_COMPARED = frozenset({"id", "origin"})
COMPARED = tuple(c for c in COLUMNS if c not in _NOT_COMPARED)


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class AddedRule:
    where: str
    spec: RuleSpec


@dataclass(frozen=True, slots=True)
class ChangedRule:
    where: str
    before: Rule
    after: RuleSpec
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class RuleDiff:
    added: tuple[AddedRule, ...] = ()
    changed: tuple[ChangedRule, ...] = ()
    removed: tuple[Rule, ...] = ()
    unchanged: tuple[int, ...] = ()  # ids of rules the file states as they are
    kept: tuple[int, ...] = ()  # ids of active rules the file does not mention (no replace)
    errors: tuple[FileError, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def _content(spec: RuleSpec) -> tuple[object, ...]:
    return (spec.conditions, spec.outputs, spec.priority, spec.active)


def field_changes(before: Rule, after: RuleSpec) -> tuple[FieldChange, ...]:
    old = cells_of(RuleSpec.of(before))
    new = cells_of(after if after.author is not None else after.model_copy(
        update={"author": before.author}
    ))  # fmt: skip
    return tuple(FieldChange(c, old[c], new[c]) for c in COMPARED if old[c] != new[c])


def diff_rules(
    current: Sequence[Rule], imported: Sequence[LocatedSpec], *, replace: bool = False
) -> RuleDiff:
    by_id = {r.id: r for r in current if r.id is not None}
    by_content: dict[tuple[object, ...], int] = {}
    for rule_id, existing in sorted(by_id.items()):
        by_content.setdefault(_content(RuleSpec.of(existing)), rule_id)
    claimed: dict[int, str] = {}  # rule id -> where the file mentions it
    errors: list[FileError] = []
    added: list[AddedRule] = []
    changed: list[ChangedRule] = []
    unchanged: list[int] = []
    new_rows: dict[tuple[object, ...], str] = {}
    for located in imported:
        spec, where = located.spec, located.where
        if spec.id is not None:
            rule = by_id.get(spec.id)
            if rule is None:
                errors.append(
                    FileError(
                        where, "id", f"rule #{spec.id} does not exist (leave id blank to add)"
                    )
                )
            elif spec.id in claimed:
                errors.append(
                    FileError(where, "id", f"rule #{spec.id} is also at {claimed[spec.id]}")
                )
            else:
                claimed[spec.id] = where
                changes = field_changes(rule, spec)
                if changes:
                    changed.append(ChangedRule(where, rule, spec, changes))
                else:
                    unchanged.append(spec.id)
            continue
        content = _content(spec)
        if content in new_rows:
            errors.append(FileError(where, "", f"the same rule as {new_rows[content]}"))
            continue
        new_rows[content] = where
        same = by_content.get(content)
        if same is not None and same not in claimed:
            claimed[same] = where
            unchanged.append(same)
        else:
            added.append(AddedRule(where, spec))
    if errors:
        return RuleDiff(errors=tuple(errors))
    unmentioned = [r for i, r in sorted(by_id.items()) if i not in claimed and r.active]
    return RuleDiff(
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(unmentioned) if replace else (),
        unchanged=tuple(sorted(unchanged)),
        kept=() if replace else tuple(r.id or 0 for r in unmentioned),
    )


def planned_rules(diff: RuleDiff, *, actor: str, origin: RuleOrigin, now: datetime) -> list[Rule]:
    """The rules to save for a diff: new ones (no id), new versions, deactivations."""
    rules: list[Rule] = []
    for a in diff.added:
        s = a.spec
        rules.append(
            Rule(
                conditions=s.conditions,
                outputs=s.outputs,
                priority=s.priority,
                active=s.active,
                author=s.author or actor,
                origin=s.origin or origin,
                created_at=now,
                updated_at=now,
                note=s.note,
            )
        )
    for c in diff.changed:
        s = c.after
        rules.append(
            c.before.model_copy(
                update={
                    "conditions": s.conditions,
                    "outputs": s.outputs,
                    "priority": s.priority,
                    "active": s.active,
                    "author": s.author or c.before.author,
                    "note": s.note,
                    "updated_at": now,
                }
            )
        )
    rules.extend(r.model_copy(update={"active": False, "updated_at": now}) for r in diff.removed)
    return rules
