"""Explanations as text: which rule gave each output, and why the other matching rules lost.

Pure rendering of the evidence that ``mappings.resolve`` collected, e.g.::

    Account 5010 Subcontract Labor from rule #12 (cost code 03-300, cost type Labor, by U123,
    2026-11-02); also matched rule #3 (cost type Labor) — less specific.
"""

from __future__ import annotations

from mappings.describe import FIELD_LABEL, describe_line, describe_rule, describe_value
from mappings.resolve import (
    Considered,
    FieldResolution,
    FieldStatus,
    LineResolution,
    required_fields,
)
from mappings.rules import OutputField


def _subject(fr: FieldResolution) -> str:
    """``"Account 5010 Subcontract Labor"``, ``"Billable"``, ``"Not billable"``."""
    if fr.field is OutputField.BILLABLE:
        return "Billable" if fr.value else "Not billable"
    return f"{FIELD_LABEL[fr.field]} {describe_value(fr.field, fr.value, fr.target)}"


def _also(considered: tuple[Considered, ...]) -> str:
    if not considered:
        return ""
    parts = [f"{describe_rule(c.rule)} — {c.reason.value}" for c in considered]
    return "; also matched " + ", ".join(parts)


def explain_field(fr: FieldResolution) -> str:
    """One sentence for one output field; empty for a field no rule set."""
    if fr.status is FieldStatus.RESOLVED and fr.winner is not None:
        source = describe_rule(fr.winner, provenance=True)
        return f"{_subject(fr)} from {source}{_also(fr.considered)}."
    if fr.status is FieldStatus.INVALID_TARGET and fr.winner is not None:
        source = describe_rule(fr.winner, provenance=True)
        state = f"{fr.problem} in the accounting system"
        return f"{_subject(fr)} ({state}) from {source}{_also(fr.considered)}."
    if fr.status is FieldStatus.AMBIGUOUS:
        tied = ", ".join(
            f"{describe_rule(c.rule, provenance=True)} gives "
            f"{describe_value(fr.field, c.value, c.target)}"
            for c in fr.contenders
        )
        label = FIELD_LABEL[fr.field]
        return f"{label} ambiguous: {tied} — equally specific{_also(fr.considered)}."
    return ""


def explain_line(lr: LineResolution) -> str:
    """A header naming the line, then one indented sentence per field that has something to say.

    A required field that no rule sets is said too ("Account or item: no matching rule."), so the
    text answers "why is this line waiting?" on its own.
    """
    lines = [f"{describe_line(lr.line)} {lr.line.amount}:"]
    required = required_fields(lr.target_kind)
    if all(lr.field(f).status is FieldStatus.UNSET for f in required):
        wanted = " or ".join(FIELD_LABEL[f].lower() for f in required)
        lines.append(f"  {wanted[:1].upper()}{wanted[1:]}: no matching rule.")
    for fr in lr.fields:
        text = explain_field(fr)
        if text:
            lines.append(f"  {text}")
    return "\n".join(lines)
