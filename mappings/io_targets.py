"""Outputs written as people know them (``5010``, ``Labor``) turned into the target's own ids.

Rules store the target's ids (``mappings.rules.Outputs``), but a person importing a sheet or
typing ``rules add --account 5010`` knows an account by number or name. A value resolves, in
order, to: the record with that id; else the one record whose number, full name, last name
segment (``Labor`` of ``Job Expenses:Labor``) or ``number name`` matches (case-insensitive).
Never a guess: a value that names no record, or several, is an error; so is an id that is also
another record's number or name. When the reference data holds nothing of a kind (the cache was
never filled), values of that kind are kept as written with a warning: the mapper still reports
an unknown id as an invalid target before anything is posted.
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
    warnings: tuple[FileError, ...]


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


def resolve_targets(rules: Sequence[LocatedSpec], refs: ReferenceIndex) -> TargetCheck:
    resolved: list[LocatedSpec] = []
    errors: list[FileError] = []
    warnings: list[FileError] = []
    for located in rules:
        outputs = located.spec.outputs
        changes: dict[str, str] = {}
        for attr, kind in TARGET_FIELDS.items():
            value = getattr(outputs, attr)
            if value is None:
                continue
            if not refs.records(kind):
                warnings.append(
                    FileError(
                        located.where, attr,
                        f"not checked: no {kind.value}s in the reference data yet",
                    )
                )  # fmt: skip
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
    return TargetCheck(tuple(resolved), tuple(errors), tuple(warnings))
