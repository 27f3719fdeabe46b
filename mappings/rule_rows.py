"""A rule as a file holds it: one flat row per rule, shared by the CSV and YAML formats.

A file carries what a person decides (conditions, outputs, priority, active, author, origin,
note) and the rule's id, never its times or version: storage owns those. ``RuleSpec`` is that
part of a ``Rule``. ``COLUMNS`` is the flat shape (the CSV header, the diff's field names);
``spec_from_cells`` turns one row of text cells into a ``RuleSpec`` or a list of errors, one per
bad field, so a file reports every problem at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mappings.rules import Conditions, CustomFieldCondition, Outputs, Rule, RuleOrigin, Text

#: Plain form of custom field conditions: ``{"Phase": "1", "Area": ["A", "B"]}`` (a string is
#: ``equals``, a list is ``one_of``).
CustomPlain = dict[str, str | list[str]]

META_COLUMNS = ("id", "priority", "active")
CONDITION_COLUMNS = tuple(Conditions.model_fields)
OUTPUT_COLUMNS = tuple(Outputs.model_fields)
TRAILER_COLUMNS = ("author", "origin", "note")
COLUMNS = (*META_COLUMNS, *CONDITION_COLUMNS, *OUTPUT_COLUMNS, *TRAILER_COLUMNS)
_BOOL_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class RuleSpec(BaseModel):
    """A rule as a file states it. ``author``/``origin`` unset: the importer fills them in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int | None = Field(default=None, ge=1)
    conditions: Conditions = Field(default_factory=Conditions)
    outputs: Outputs
    priority: int | None = None
    active: bool = True
    author: Text | None = None
    origin: RuleOrigin | None = None
    note: str = ""

    @classmethod
    def of(cls, rule: Rule) -> RuleSpec:
        return cls(
            id=rule.id,
            conditions=rule.conditions,
            outputs=rule.outputs,
            priority=rule.priority,
            active=rule.active,
            author=rule.author,
            origin=rule.origin,
            note=rule.note,
        )


@dataclass(frozen=True, slots=True)
class FileError:
    """One problem in a rules file, located as a person finds it (``line 7``, ``item 3``)."""

    where: str
    field: str  # a column / key name, or "" when the problem is not one field's
    message: str

    def __str__(self) -> str:
        at = f"{self.where}, field {self.field}" if self.field else self.where
        return f"{at}: {self.message}"


@dataclass(frozen=True, slots=True)
class LocatedSpec:
    """A rule read from a file, with where it was (for errors and the diff)."""

    where: str
    spec: RuleSpec


@dataclass(frozen=True, slots=True)
class ParsedRules:
    """The valid rules of a file and every error in it; a file with errors is never applied."""

    rules: tuple[LocatedSpec, ...] = ()
    errors: tuple[FileError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors


def custom_to_plain(conditions: tuple[CustomFieldCondition, ...]) -> CustomPlain:
    return {c.field: c.equals if c.equals is not None else list(c.one_of) for c in conditions}


def _custom_from_plain(plain: CustomPlain) -> list[dict[str, object]]:
    return [
        {"field": name, "equals": value}
        if isinstance(value, str)
        else {"field": name, "one_of": value}
        for name, value in plain.items()
    ]


def _bool_text(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def cells_of(spec: RuleSpec) -> dict[str, str]:
    """The spec as one text cell per column (``""`` = unset), in ``COLUMNS`` order."""
    cond = spec.conditions.model_dump(mode="json", exclude={"custom_fields"})
    out = spec.outputs.model_dump(mode="json")
    custom = custom_to_plain(spec.conditions.custom_fields)
    cells: dict[str, str] = {
        "id": "" if spec.id is None else str(spec.id),
        "priority": "" if spec.priority is None else str(spec.priority),
        "active": _bool_text(spec.active),
    }
    for name in CONDITION_COLUMNS:
        if name == "custom_fields":
            cells[name] = json.dumps(custom, ensure_ascii=False) if custom else ""
        else:
            cells[name] = "" if cond[name] is None else str(cond[name])
    for name in OUTPUT_COLUMNS:
        value = out[name]
        cells[name] = _bool_text(value) if isinstance(value, bool) else (value or "")
    cells["author"] = spec.author or ""
    cells["origin"] = spec.origin.value if spec.origin else ""
    cells["note"] = spec.note
    return cells


def _int(value: str, field: str, where: str, errors: list[FileError]) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        errors.append(FileError(where, field, f"{value!r} is not a whole number"))
        return None


def _bool(value: str, field: str, where: str, errors: list[FileError]) -> bool | None:
    word = _BOOL_WORDS.get(value.strip().lower())
    if word is None:
        errors.append(FileError(where, field, f"{value!r} is not true or false"))
    return word


def _pydantic_errors(
    exc: ValidationError, where: str, fallback: str, errors: list[FileError]
) -> None:
    for e in exc.errors():
        loc = e["loc"]
        field = str(loc[0]) if loc else fallback
        message = e["msg"].removeprefix("Value error, ")
        errors.append(FileError(where, field, message))


def spec_from_cells(
    cells: Mapping[str, str | None],
    where: str,
    *,
    custom: CustomPlain | None = None,
) -> tuple[RuleSpec | None, list[FileError]]:
    """Build a spec from text cells (missing, ``None`` or blank = unset).

    ``custom`` is the already-decoded custom field conditions (the formats encode them
    differently); every other value is text, converted and validated here.
    """
    errors: list[FileError] = []

    def text(name: str) -> str | None:
        value = cells.get(name)
        return value if value is not None and value.strip() != "" else None

    raw_id, raw_priority, raw_active = text("id"), text("priority"), text("active")
    rule_id = _int(raw_id, "id", where, errors) if raw_id is not None else None
    priority = _int(raw_priority, "priority", where, errors) if raw_priority else None
    active = _bool(raw_active, "active", where, errors) if raw_active is not None else True

    cond_data: dict[str, object] = {
        name: text(name) for name in CONDITION_COLUMNS if name != "custom_fields"
    }
    cond_data["custom_fields"] = _custom_from_plain(custom or {})
    conditions: Conditions | None = None
    try:
        conditions = Conditions.model_validate(cond_data)
    except ValidationError as exc:
        _pydantic_errors(exc, where, "conditions", errors)

    out_data: dict[str, object] = {name: text(name) for name in OUTPUT_COLUMNS}
    raw_billable = text("billable")
    out_data["billable"] = (
        _bool(raw_billable, "billable", where, errors) if raw_billable is not None else None
    )
    outputs: Outputs | None = None
    try:
        outputs = Outputs.model_validate(out_data)
    except ValidationError as exc:
        _pydantic_errors(exc, where, "outputs", errors)

    origin: RuleOrigin | None = None
    raw_origin = text("origin")
    if raw_origin is not None:
        try:
            origin = RuleOrigin(raw_origin.strip().lower())
        except ValueError:
            choices = ", ".join(o.value for o in RuleOrigin)
            errors.append(FileError(where, "origin", f"{raw_origin!r} is not one of {choices}"))

    if errors or conditions is None or outputs is None:
        return None, errors
    try:
        spec = RuleSpec(
            id=rule_id,
            conditions=conditions,
            outputs=outputs,
            priority=priority,
            active=bool(active),
            author=text("author"),
            origin=origin,
            note=cells.get("note") or "",
        )
    except ValidationError as exc:
        _pydantic_errors(exc, where, "rule", errors)
        return None, errors
    return spec, errors
