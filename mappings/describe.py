"""Words for rules, conditions, values and lines, as a controller would say them.

Shared by explanations (``mappings.explain``) and attention messages (``mappings.resolve``), so
Slack, the dashboard and the logs all describe a rule the same way.
"""

from __future__ import annotations

from mappings.rules import Conditions, FieldValue, OutputField, Rule
from sync.models import ReferenceRecord, SourceLine

FIELD_LABEL: dict[OutputField, str] = {
    OutputField.ACCOUNT: "Account",
    OutputField.ITEM: "Item",
    OutputField.CLASS: "Class",
    OutputField.DEPARTMENT: "Location",
    OutputField.BILLABLE: "Billable",
    OutputField.TAX_CODE: "Tax code",
    OutputField.MEMO: "Memo",
}

_KIND_WORDS = {
    "commitment_change_order": "commitment change order",
    "prime_change_order": "prime change order",
}


def describe_conditions(conditions: Conditions) -> str:
    """``"cost code 03-300, cost type Labor"``; ``"any line"`` when nothing is required."""
    c = conditions
    parts: list[str] = []
    if c.cost_code is not None:
        parts.append(f"cost code {c.cost_code}")
    if c.cost_type is not None:
        parts.append(f"cost type {c.cost_type}")
    if c.cost_type_base is not None:
        parts.append(f"base type {c.cost_type_base.value}")
    if c.project_id is not None:
        parts.append(f"project {c.project_id}")
    if c.vendor_id is not None:
        parts.append(f"vendor {c.vendor_id}")
    if c.document_kind is not None:
        parts.append(f"document type {_KIND_WORDS.get(c.document_kind.value, c.document_kind)}")
    if c.document_id is not None:
        parts.append(f"document {c.document_id}")
    if c.source is not None:
        parts.append(f"source {c.source}")
    for cf in c.custom_fields:
        if cf.equals is not None:
            parts.append(f"{cf.field} = {cf.equals}")
        else:
            parts.append(f"{cf.field} in ({', '.join(cf.one_of)})")
    return ", ".join(parts) if parts else "any line"


def rule_label(rule: Rule) -> str:
    return f"rule #{rule.id}" if rule.id is not None else "an unsaved rule"


def describe_rule(rule: Rule, *, provenance: bool = False) -> str:
    """``"rule #12 (cost code 03-300, cost type Labor, by U123, 2026-11-02)"``.

    The date is ``updated_at``: the version in force is what explains the result.
    """
    parts = [describe_conditions(rule.conditions)]
    if rule.priority is not None:
        parts.append(f"priority {rule.priority}")
    if provenance:
        parts.append(f"by {rule.author}, {rule.updated_at.date().isoformat()}")
    return f"{rule_label(rule)} ({', '.join(parts)})"


def describe_value(field: OutputField, value: FieldValue, target: ReferenceRecord | None) -> str:
    """A value as a person reads it: the account's number and name rather than its id."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "nothing"
    if field is OutputField.MEMO:
        return f'"{value}"'
    if target is not None:
        return f"{target.number} {target.name}" if target.number else target.name
    return value


def describe_line(line: SourceLine) -> str:
    """``"Line 3 (03-300 Concrete Forming · Labor)"``: what a PM sees in Procore."""
    bits: list[str] = []
    if line.cost_code is not None:
        bits.append(f"{line.cost_code.code} {line.cost_code.name}".strip())
    if line.cost_type is not None:
        bits.append(line.cost_type.name)
    inner = " · ".join(bits) if bits else "no cost code"
    return f"Line {line.position} ({inner})"
