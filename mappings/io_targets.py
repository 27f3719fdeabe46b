"""Outputs written as people know them (``5010``, ``Labor``) turned into the target's own ids.

Rules store the target's ids (``mappings.rules.Outputs``), but a person importing a sheet or
typing ``rules add --account 5010`` knows an account by number or name. A value resolves, in
order, to: the record with that id; else the one record whose number, full name, last name
segment (``Labor`` of ``Job Expenses:Labor``) or ``number name`` matches (case-insensitive).
Never a guess: a value that names no record, or several, is an error; so is an id that is also
another record's number or name. Nothing unresolved is ever kept: text that is not an id would
be stored as one and never map. The caller passes reference data fresh enough for the rows
(``needs_references`` says whether any row names a target record at all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mappings.references import ReferenceIndex, display
from mappings.rule_rows import FileError, LocatedSpec
from sync.models import ReferenceKind, ReferenceRecord

#: ``Outputs`` attributes that hold a reference id, and the kind of record they point at.
TARGET_FIELDS: dict[str, ReferenceKind] = {
    "account_id": ReferenceKind.ACCOUNT,
    "item_id": ReferenceKind.ITEM,
    "class_id": ReferenceKind.CLASS,
    "department_id": ReferenceKind.DEPARTMENT,
}


@dataclass(frozen=True, slots=True)
class TargetCheck:
    rules: tuple[LocatedSpec, ...]
    errors: tuple[FileError, ...]


def _names(record: ReferenceRecord) -> set[str]:
    names = {record.name.casefold(), record.name.rsplit(":", 1)[-1].strip().casefold()}
    if record.number:
        names |= {record.number.casefold(), display(record).casefold()}
    return names


def find_target(refs: ReferenceIndex, kind: ReferenceKind, value: str) -> str | FileError:
    """The id ``value`` designates, or why it designates none (``where`` left blank)."""
    wanted = value.strip().casefold()
    by_id = refs.get(kind, value)
    others = [
        r for r in refs.records(kind) if r.id != value and wanted in _names(r)
    ]  # fmt: skip
    label = kind.value
    if by_id is not None and not others:
        return by_id.id
    if by_id is not None:
        shown = ", ".join(f"{display(r)} (id {r.id})" for r in others)
        return FileError(
            "", "", f"{value!r} is the id of {display(by_id)} and also names {shown}; "
            "give the id of the one you mean"
        )  # fmt: skip
    if len(others) == 1:
        return others[0].id
    if not others:
        return FileError("", "", f"no {label} has the id, number or name {value!r}")
    shown = ", ".join(f"{display(r)} (id {r.id})" for r in others)
    return FileError("", "", f"{value!r} names several {label}s: {shown}; give the id")


def needs_references(rules: Sequence[LocatedSpec]) -> bool:
    """Whether any row names an account, item, class or location (to resolve against data)."""
    return any(
        getattr(located.spec.outputs, attr) is not None
        for located in rules
        for attr in TARGET_FIELDS
    )


def unresolvable(rules: Sequence[LocatedSpec], why: str) -> TargetCheck:
    """Every target value refused for one reason (the reference data could not be read)."""
    errors = [
        FileError(located.where, attr, f"cannot check {value!r}: {why}")
        for located in rules
        for attr in TARGET_FIELDS
        if (value := getattr(located.spec.outputs, attr)) is not None
    ]
    return TargetCheck(tuple(rules), tuple(errors))


def resolve_targets(rules: Sequence[LocatedSpec], refs: ReferenceIndex) -> TargetCheck:
    resolved: list[LocatedSpec] = []
    errors: list[FileError] = []
    for located in rules:
        outputs = located.spec.outputs
        changes: dict[str, str] = {}
        for attr, kind in TARGET_FIELDS.items():
            value = getattr(outputs, attr)
            if value is None:
                continue
            found = find_target(refs, kind, value)
            if isinstance(found, FileError):
                errors.append(FileError(located.where, attr, found.message))
            elif found != value:
                changes[attr] = found
        if changes:
            spec = located.spec.model_copy(update={"outputs": outputs.model_copy(update=changes)})
            located = LocatedSpec(located.where, spec)
        resolved.append(located)
    return TargetCheck(tuple(resolved), tuple(errors))
