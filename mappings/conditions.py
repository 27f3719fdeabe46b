"""Matching a rule against a line, and ranking rules by priority and specificity.

Rank, compared as a tuple, higher wins:

1. ``priority`` (unset = 0): an explicit priority overrides any specificity;
2. the number of conditions set (each custom field counts once);
3. how the cost code is matched: exact > prefix (``03-*``) > glob (``0?-3*``) > not at all;
4. the length of the cost code's literal part (``03-3*`` beats ``03-*``);
5. how the cost type is matched: by name > by base type > not at all;
6. the number of custom fields tested with ``equals`` rather than ``one_of``.

Two rules with the same rank are *equally specific*: if they disagree on a field, the line is
ambiguous and a human decides. ``order_key`` adds a tie-break by id only so that lists come out in
the same order whatever order the rules arrived in; it never picks a winner between values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from fnmatch import translate
from typing import NamedTuple

from mappings.rules import (
    Conditions,
    CustomFieldCondition,
    FieldValue,
    OutputField,
    Rule,
    normalise_base_type,
)
from sync.models import SourceDocument, SourceLine

_GLOB_CHARS = frozenset("*?[")


class CodeMatch(IntEnum):
    """How a rule matches the cost code; the order is the order of specificity."""

    NONE = 0
    GLOB = 1
    PREFIX = 2
    EXACT = 3


@dataclass(frozen=True, slots=True)
class CodePattern:
    """A parsed cost-code condition."""

    raw: str
    kind: CodeMatch
    literal: str  # the exact code, the prefix, or the glob's non-wildcard characters
    regex: re.Pattern[str] | None = None

    @classmethod
    def parse(cls, raw: str) -> CodePattern:
        body = raw[:-1] if raw.endswith("*") else raw
        if not _GLOB_CHARS.intersection(raw):
            return cls(raw, CodeMatch.EXACT, raw)
        if raw.endswith("*") and not _GLOB_CHARS.intersection(body):
            return cls(raw, CodeMatch.PREFIX, body)
        literal = re.sub(r"\[[^\]]*\]|[*?]", "", raw)
        return cls(raw, CodeMatch.GLOB, literal, re.compile(translate(raw)))

    def matches(self, code: str) -> bool:
        if self.kind is CodeMatch.EXACT:
            return code == self.literal
        if self.kind is CodeMatch.PREFIX:
            return code.startswith(self.literal)
        assert self.regex is not None
        return self.regex.match(code) is not None


class Specificity(NamedTuple):
    conditions: int
    cost_code: int
    cost_code_literal: int
    cost_type: int
    custom_equals: int


Rank = tuple[int, Specificity]  # (priority, specificity)


def specificity(conditions: Conditions) -> Specificity:
    code = CodePattern.parse(conditions.cost_code) if conditions.cost_code else None
    if conditions.cost_type is not None:
        cost_type = 2
    elif conditions.cost_type_base is not None:
        cost_type = 1
    else:
        cost_type = 0
    return Specificity(
        conditions=conditions.count(),
        cost_code=code.kind if code else CodeMatch.NONE,
        cost_code_literal=len(code.literal) if code else 0,
        cost_type=cost_type,
        custom_equals=sum(c.equals is not None for c in conditions.custom_fields),
    )


def rank(rule: Rule) -> Rank:
    return (rule.effective_priority, specificity(rule.conditions))


def merged_custom_fields(line: SourceLine, doc: SourceDocument) -> dict[str, str]:
    """Document custom fields, overridden by the line's own (the line is the more precise)."""
    if not doc.custom_fields:
        return dict(line.custom_fields)
    return {**doc.custom_fields, **line.custom_fields}


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What conditions are tested against, computed once per line."""

    source: str
    document_kind: str
    project_id: str
    document_id: str
    vendor_id: str | None
    cost_code: str | None
    cost_type_name: str | None  # casefolded
    cost_type_base: str | None  # normalised
    custom_fields: Mapping[str, str]

    @classmethod
    def of(cls, line: SourceLine, doc: SourceDocument) -> LineFacts:
        ct = line.cost_type
        return cls(
            source=doc.source,
            document_kind=doc.kind.value,
            project_id=doc.project.id,
            document_id=doc.id,
            vendor_id=doc.vendor.id if doc.vendor else None,
            cost_code=line.cost_code.code if line.cost_code else None,
            cost_type_name=ct.name.strip().casefold() if ct else None,
            cost_type_base=normalise_base_type(ct.base_type) if ct and ct.base_type else None,
            custom_fields=merged_custom_fields(line, doc),
        )


def _order_id(rule: Rule) -> tuple[int, int, str]:
    # Saved rules by id; unsaved ones after them, by content, so the order is total.
    if rule.id is not None:
        return (0, rule.id, "")
    return (1, 0, rule.model_dump_json())


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule prepared for fast matching. Only active rules are ever compiled into an index."""

    rule: Rule
    rank: Rank
    order_key: tuple[object, ...]  # sort ascending = best first, deterministic
    code: CodePattern | None
    code_test: Callable[[str], object] | None  # truthy when the line's cost code matches
    checks: tuple[tuple[str, str], ...]  # (LineFacts attribute, required value), all must hold
    cost_type_name: str | None
    custom_fields: tuple[CustomFieldCondition, ...]
    values: tuple[FieldValue, ...]  # the rule's outputs, indexed like ``OutputField``

    def matches(self, facts: LineFacts) -> bool:
        # This runs for every candidate of every line: plain strings and bound methods only
        # (enum attribute access is slow), cost code first as the most selective test.
        test = self.code_test
        if test is not None:
            code = facts.cost_code
            if code is None or not test(code):
                return False
        for attr, want in self.checks:
            if getattr(facts, attr) != want:
                return False
        if self.custom_fields:
            custom = facts.custom_fields
            return all(cf.accepts(custom.get(cf.field)) for cf in self.custom_fields)
        return True


def _code_test(code: CodePattern) -> Callable[[str], object]:
    if code.kind is CodeMatch.EXACT:
        return code.literal.__eq__
    if code.kind is CodeMatch.PREFIX:
        prefix = code.literal
        return lambda s: s.startswith(prefix)
    assert code.regex is not None
    return code.regex.match


def compile_rule(rule: Rule) -> CompiledRule:
    c = rule.conditions
    r = rank(rule)
    priority, spec = r
    code = CodePattern.parse(c.cost_code) if c.cost_code else None
    wanted = (
        ("cost_type_name", c.cost_type.casefold() if c.cost_type else None),
        ("cost_type_base", c.cost_type_base.value if c.cost_type_base else None),
        ("project_id", c.project_id),
        ("document_kind", c.document_kind.value if c.document_kind else None),
        ("vendor_id", c.vendor_id),
        ("document_id", c.document_id),
        ("source", c.source),
    )
    return CompiledRule(
        rule=rule,
        rank=r,
        order_key=(-priority, *(-x for x in spec), _order_id(rule)),
        code=code,
        code_test=_code_test(code) if code else None,
        checks=tuple((attr, value) for attr, value in wanted if value is not None),
        cost_type_name=c.cost_type.casefold() if c.cost_type else None,
        custom_fields=c.custom_fields,
        values=tuple(rule.outputs.get(f) for f in OutputField),
    )


def rule_matches(rule: Rule, line: SourceLine, doc: SourceDocument) -> bool:
    """Whether the rule's conditions hold for the line (ignores ``active``)."""
    return compile_rule(rule).matches(LineFacts.of(line, doc))
