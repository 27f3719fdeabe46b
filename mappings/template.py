"""Memo templates: ``"{cost_code} {description}"`` rendered from a line and its document.

A deliberately tiny language instead of ``str.format``: ``str.format`` allows attribute and index
access (``{x.__class__}``), and templates come from people editing rules in Slack or a CSV. Here a
placeholder is only a name from a fixed list, or ``custom.<field>`` for a custom field; ``{{`` and
``}}`` are literal braces. Unknown names are rejected when the rule is built, so a typo never
reaches a posted document.
"""

from __future__ import annotations

from collections.abc import Mapping

from sync.models import SourceDocument, SourceLine

CUSTOM_PREFIX = "custom."

#: Placeholders a memo template may use, besides ``custom.<field>``.
LINE_FIELDS: frozenset[str] = frozenset(
    {
        "description",
        "cost_code",
        "cost_code_name",
        "cost_type",
        "cost_type_base",
        "amount",
        "quantity",
        "uom",
        "unit_cost",
        "position",
        "document_number",
        "document_title",
        "project_name",
        "project_number",
        "vendor_name",
    }
)

# A parsed template: literal text, or a placeholder name (the second element is True).
Part = tuple[str, bool]


def parse_template(template: str) -> tuple[Part, ...]:
    """Split a template into literal text and placeholder names.

    Raises:
        ValueError: an unbalanced brace or a placeholder that is not allowed.
    """
    parts: list[Part] = []
    literal: list[str] = []
    i = 0
    n = len(template)
    while i < n:
        ch = template[i]
        if ch == "{" and template.startswith("{{", i):
            literal.append("{")
            i += 2
        elif ch == "}" and template.startswith("}}", i):
            literal.append("}")
            i += 2
        elif ch == "{":
            end = template.find("}", i + 1)
            if end < 0:
                raise ValueError(f"unclosed '{{' in memo template {template!r}")
            name = template[i + 1 : end].strip()
            _check_placeholder(name, template)
            if literal:
                parts.append(("".join(literal), False))
                literal = []
            parts.append((name, True))
            i = end + 1
        elif ch == "}":
            raise ValueError(f"single '}}' in memo template {template!r} (write '}}}}')")
        else:
            literal.append(ch)
            i += 1
    if literal:
        parts.append(("".join(literal), False))
    return tuple(parts)


def _check_placeholder(name: str, template: str) -> None:
    if name in LINE_FIELDS:
        return
    if name.startswith(CUSTOM_PREFIX) and name[len(CUSTOM_PREFIX) :].strip():
        return
    allowed = ", ".join(sorted(LINE_FIELDS))
    raise ValueError(
        f"unknown placeholder {{{name}}} in memo template {template!r}; "
        f"use one of {allowed} or custom.<field>"
    )


def template_values(line: SourceLine, doc: SourceDocument) -> dict[str, str]:
    """The values a template can refer to, for one line (missing ones are empty strings)."""
    return {
        "description": line.description,
        "cost_code": line.cost_code.code if line.cost_code else "",
        "cost_code_name": line.cost_code.name if line.cost_code else "",
        "cost_type": line.cost_type.name if line.cost_type else "",
        "cost_type_base": line.cost_type.base_type if line.cost_type else "",
        "amount": str(line.amount),
        "quantity": "" if line.quantity is None else str(line.quantity),
        "uom": line.uom,
        "unit_cost": "" if line.unit_cost is None else str(line.unit_cost),
        "position": str(line.position),
        "document_number": doc.number,
        "document_title": doc.title,
        "project_name": doc.project.name,
        "project_number": doc.project.number,
        "vendor_name": doc.vendor.name if doc.vendor else "",
    }


def render_template(
    template: str, values: Mapping[str, str], custom_fields: Mapping[str, str]
) -> str:
    """Fill a template. A missing value renders as nothing; the result is one tidy line.

    Whitespace is collapsed because an empty placeholder would otherwise leave double or
    leading spaces in the memo ("{cost_code} {description}" on a line without a cost code).
    """
    out: list[str] = []
    for text, is_placeholder in parse_template(template):
        if not is_placeholder:
            out.append(text)
        elif text.startswith(CUSTOM_PREFIX):
            out.append(custom_fields.get(text[len(CUSTOM_PREFIX) :].strip(), ""))
        else:
            out.append(values.get(text, ""))
    return " ".join("".join(out).split())
