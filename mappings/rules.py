"""The rule model: conditions on a source line -> outputs for the target line.

Rules are data, not code: storage keeps ``conditions`` and ``outputs`` as JSON, people edit them
in Slack, CSV or the CLI. Every model is frozen and canonicalised on validation (sorted custom
fields, normalised base types) so that two rules meaning the same thing compare equal and a JSON
round trip gives back an identical rule.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from mappings.template import parse_template
from sync.models import DocumentKind

# Ids, codes and names people type: surrounding blanks are never meaningful.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class RuleOrigin(StrEnum):
    """Where a rule came from (for the audit trail)."""

    SLACK = "slack"
    CSV = "csv"
    YAML = "yaml"
    CLI = "cli"
    API = "api"
    SEED = "seed"


class BaseCostType(StrEnum):
    """Procore's ``line_item_type.base_type`` enum."""

    LABOR = "labor"
    MATERIALS = "materials"
    EQUIPMENT = "equipment"
    COMMITMENT = "commitment"
    OWNER_COST = "owner_cost"
    PROFESSIONAL_SERVICES = "professional_services"
    OTHER = "other"


# Words people use for a base type that Procore spells differently ("Subcontract" is
# ``commitment`` in Procore).
_BASE_ALIASES: dict[str, BaseCostType] = {
    "subcontract": BaseCostType.COMMITMENT,
    "subcontractor": BaseCostType.COMMITMENT,
    "material": BaseCostType.MATERIALS,
    "owner": BaseCostType.OWNER_COST,
    "professional_service": BaseCostType.PROFESSIONAL_SERVICES,
}


def normalise_base_type(value: str) -> str:
    """``"Owner Cost"`` -> ``"owner_cost"``; ``"Subcontract"`` -> ``"commitment"``."""
    key = "_".join(value.strip().lower().replace("-", " ").split())
    alias = _BASE_ALIASES.get(key)
    return alias.value if alias else key


class OutputField(StrEnum):
    """The outputs a rule may set; each is resolved separately."""

    ACCOUNT = "account"
    ITEM = "item"
    CLASS = "class"
    DEPARTMENT = "department"  # QuickBooks Online calls it "Location"
    BILLABLE = "billable"
    TAX_CODE = "tax_code"
    MEMO = "memo"


FieldValue = str | bool | None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CustomFieldCondition(_Frozen):
    """A custom field equals one value, or is one of several (exact, case-sensitive)."""

    field: Text
    equals: Text | None = None
    one_of: tuple[Text, ...] = ()

    @field_validator("one_of")
    @classmethod
    def _canonical_options(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(value)))

    @model_validator(mode="after")
    def _exactly_one_test(self) -> Self:
        if (self.equals is None) == (not self.one_of):
            raise ValueError("a custom field condition needs exactly one of 'equals' or 'one_of'")
        return self

    def accepts(self, value: str | None) -> bool:
        if value is None:
            return False
        return value == self.equals if self.equals is not None else value in self.one_of


class Conditions(_Frozen):
    """What a line must look like for a rule to apply. Unset conditions match anything.

    ``cost_code`` is an exact code (``"03-300"``), a prefix (``"03-*"``: one trailing ``*``)
    or a glob (``"0?-3*0"``, ``*``/``?``/``[...]``). ``cost_type`` matches the cost type's name
    (case-insensitive); ``cost_type_base`` matches Procore's base type; a rule uses one or the
    other. ``document_id`` pins a rule to one source document (the "this line" scope).
    """

    source: Text | None = None
    document_kind: DocumentKind | None = None
    project_id: Text | None = None
    document_id: Text | None = None
    cost_code: Text | None = None
    cost_type: Text | None = None
    cost_type_base: BaseCostType | None = None
    vendor_id: Text | None = None
    custom_fields: tuple[CustomFieldCondition, ...] = ()

    @field_validator("cost_type_base", mode="before")
    @classmethod
    def _base_alias(cls, value: object) -> object:
        return normalise_base_type(value) if isinstance(value, str) else value

    @field_validator("custom_fields")
    @classmethod
    def _canonical_custom(
        cls, value: tuple[CustomFieldCondition, ...]
    ) -> tuple[CustomFieldCondition, ...]:
        names = [c.field for c in value]
        if len(names) != len(set(names)):
            raise ValueError("a custom field may appear in only one condition")
        return tuple(sorted(value, key=lambda c: c.field))

    @model_validator(mode="after")
    def _one_cost_type_test(self) -> Self:
        if self.cost_type is not None and self.cost_type_base is not None:
            raise ValueError("use either 'cost_type' (a name) or 'cost_type_base', not both")
        return self

    def count(self) -> int:
        """How many conditions are set (each custom field counts once)."""
        scalars = (
            self.source,
            self.document_kind,
            self.project_id,
            self.document_id,
            self.cost_code,
            self.cost_type,
            self.cost_type_base,
            self.vendor_id,
        )
        return sum(v is not None for v in scalars) + len(self.custom_fields)


class Outputs(_Frozen):
    """What a rule decides. Ids are the target's own ids (an account id, not its number)."""

    account_id: Text | None = None
    item_id: Text | None = None
    class_id: Text | None = None
    department_id: Text | None = None
    billable: bool | None = None
    tax_code: Text | None = None
    memo: Text | None = None  # a template, see mappings.template

    @field_validator("memo")
    @classmethod
    def _valid_template(cls, value: str | None) -> str | None:
        if value is not None:
            parse_template(value)
        return value

    @model_validator(mode="after")
    def _sets_something(self) -> Self:
        if not self.fields():
            raise ValueError("a rule must set at least one output")
        return self

    def get(self, field: OutputField) -> FieldValue:
        return getattr(self, _OUTPUT_ATTR[field])  # type: ignore[no-any-return]

    def fields(self) -> tuple[OutputField, ...]:
        """The outputs this rule sets, in ``OutputField`` order."""
        return tuple(f for f in OutputField if getattr(self, _OUTPUT_ATTR[f]) is not None)


_OUTPUT_ATTR: dict[OutputField, str] = {
    OutputField.ACCOUNT: "account_id",
    OutputField.ITEM: "item_id",
    OutputField.CLASS: "class_id",
    OutputField.DEPARTMENT: "department_id",
    OutputField.BILLABLE: "billable",
    OutputField.TAX_CODE: "tax_code",
    OutputField.MEMO: "memo",
}


class Rule(_Frozen):
    """Conditions -> outputs, with who made it, where, when, and which version.

    ``id`` is assigned by storage (``None`` before saving). ``priority`` is optional: rules
    without one rank as priority 0, and a higher priority beats any specificity.
    """

    id: int | None = None
    conditions: Conditions = Field(default_factory=Conditions)
    outputs: Outputs
    priority: int | None = None
    active: bool = True
    author: Text
    origin: RuleOrigin
    created_at: AwareDatetime
    updated_at: AwareDatetime
    version: int = Field(default=1, ge=1)
    note: str = ""  # why the rule exists, shown next to it (e.g. the Slack thread it came from)

    @model_validator(mode="after")
    def _times_in_order(self) -> Self:
        if self.updated_at < self.created_at:
            raise ValueError("updated_at is before created_at")
        return self

    @property
    def effective_priority(self) -> int:
        return 0 if self.priority is None else self.priority

    def touched(self, now: datetime, **changes: object) -> Rule:
        """A new version of this rule: ``changes`` applied, version bumped, ``updated_at=now``."""
        data = self.model_dump()
        data.update(changes)
        data["version"] = self.version + 1
        data["updated_at"] = now
        return Rule.model_validate(data)
