"""Resolving one line: for each output field separately, which matching rule wins, and why.

Per field, among the active rules that match the line *and set that field*: the best rank wins
(see ``mappings.conditions``). Equal-rank rules that agree are fine (the lowest id is named the
winner, the others are listed as agreeing); equal-rank rules that disagree make the field
``ambiguous``. A winning value that points at a missing or inactive account, item, class or
location is ``invalid_target``: it is reported, never replaced by a lower-ranked rule's value,
because that would be a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from mappings.conditions import CompiledRule, LineFacts, merged_custom_fields
from mappings.describe import FIELD_LABEL, describe_line, describe_value, rule_label
from mappings.index import RuleIndex
from mappings.references import ReferenceIndex
from mappings.rules import FieldValue, OutputField, Rule
from mappings.template import render_template, template_values
from sync.errors import AttentionReason
from sync.models import ReferenceKind, ReferenceRecord, SourceDocument, SourceLine, TargetKind

#: Output fields whose value is the id of a record in the target's reference data.
REFERENCE_KIND: dict[OutputField, ReferenceKind] = {
    OutputField.ACCOUNT: ReferenceKind.ACCOUNT,
    OutputField.ITEM: ReferenceKind.ITEM,
    OutputField.CLASS: ReferenceKind.CLASS,
    OutputField.DEPARTMENT: ReferenceKind.DEPARTMENT,
}

_SALES_KINDS = frozenset({TargetKind.INVOICE, TargetKind.ESTIMATE, TargetKind.CREDIT_MEMO})


def required_fields(target_kind: TargetKind) -> tuple[OutputField, ...]:
    """At least one of these must resolve for a line of this target kind."""
    if target_kind in _SALES_KINDS:
        return (OutputField.ITEM,)
    return (OutputField.ACCOUNT, OutputField.ITEM)


def applicable_fields(target_kind: TargetKind) -> tuple[OutputField, ...]:
    """The fields resolved for a target kind.

    Sales lines (invoice, estimate) carry an item, never an expense account, so account rules
    are not even considered there: an invalid account must not block an invoice.
    """
    if target_kind in _SALES_KINDS:
        return tuple(f for f in OutputField if f is not OutputField.ACCOUNT)
    return tuple(OutputField)


class FieldStatus(StrEnum):
    RESOLVED = "resolved"
    UNSET = "unset"  # no matching rule sets the field
    AMBIGUOUS = "ambiguous"
    INVALID_TARGET = "invalid_target"
    NOT_APPLICABLE = "not_applicable"  # the target kind has no such field


class LossReason(StrEnum):
    """Why a matching rule did not decide a field."""

    LOWER_PRIORITY = "lower priority"
    LESS_SPECIFIC = "less specific"
    AGREES = "equally specific, same value"
    TIED = "equally specific, different value"  # the contenders of an ambiguous field


@dataclass(frozen=True, slots=True)
class Considered:
    """A matching rule that set the field, the value it gave, and why it did not decide."""

    rule: Rule
    value: FieldValue
    reason: LossReason
    target: ReferenceRecord | None = None  # the record ``value`` points at, for display


@dataclass(frozen=True, slots=True)
class FieldResolution:
    """The outcome for one output field of one line, with the evidence."""

    field: OutputField
    status: FieldStatus
    value: FieldValue = None  # the winning value (kept when it is an invalid target)
    winner: Rule | None = None
    contenders: tuple[Considered, ...] = ()  # ambiguous: the equally specific rules
    considered: tuple[Considered, ...] = ()  # the other matching rules, best first
    target: ReferenceRecord | None = None  # the record the value points at, if known
    problem: str = ""  # invalid_target: "missing" or "inactive"


@dataclass(frozen=True, slots=True)
class LineResolution:
    """Every field of one line resolved, the memo applied, and what needs a human."""

    line: SourceLine
    target_kind: TargetKind
    fields: tuple[FieldResolution, ...]  # one per OutputField, in OutputField order
    description: str  # the memo template applied, or the line's own description
    reasons: tuple[AttentionReason, ...]

    def field(self, field: OutputField) -> FieldResolution:
        return self.fields[_FIELD_POSITION[field]]

    def value(self, field: OutputField) -> FieldValue:
        """The field's value if it resolved cleanly, else ``None``."""
        fr = self.field(field)
        return fr.value if fr.status is FieldStatus.RESOLVED else None

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)

    @property
    def rule_ids(self) -> tuple[int, ...]:
        """The saved rules that decided a field of this line, sorted."""
        ids: set[int] = set()
        for fr in self.fields:
            if fr.status is FieldStatus.RESOLVED and fr.winner and fr.winner.id is not None:
                ids.add(fr.winner.id)
        return tuple(sorted(ids))


# Iterating an enum class is slow; these run for every field of every line.
_FIELDS = tuple(OutputField)
_FIELD_POSITION = {f: i for i, f in enumerate(_FIELDS)}
_APPLICABLE = {k: frozenset(applicable_fields(k)) for k in TargetKind}
_REQUIRED = {k: required_fields(k) for k in TargetKind}


def resolve_line(
    line: SourceLine,
    doc: SourceDocument,
    rules: RuleIndex,
    refs: ReferenceIndex,
    target_kind: TargetKind,
) -> LineResolution:
    """Resolve every output field of ``line`` (of ``doc``) against the indexed rules."""
    matching = rules.matching(LineFacts.of(line, doc))
    return resolve_matching(line, doc, matching, refs, target_kind)


def resolve_matching(
    line: SourceLine,
    doc: SourceDocument,
    matching: Sequence[CompiledRule],
    refs: ReferenceIndex,
    target_kind: TargetKind,
) -> LineResolution:
    """Resolve a line given the rules that match it, sorted best first (``RuleIndex.matching``)."""
    applicable = _APPLICABLE[target_kind]
    # Which outputs any matching rule sets: the others are UNSET without further work.
    set_by_some = {i for c in matching for i, v in enumerate(c.values) if v is not None}
    fields = tuple(
        _NOT_APPLICABLE[f]
        if f not in applicable
        else _resolve_field(f, matching, refs)
        if i in set_by_some
        else _UNSET[f]
        for i, f in enumerate(_FIELDS)
    )
    memo = fields[_FIELD_POSITION[OutputField.MEMO]]
    if memo.status is FieldStatus.RESOLVED and isinstance(memo.value, str):
        custom = merged_custom_fields(line, doc)
        description = render_template(memo.value, template_values(line, doc), custom)
    else:
        description = line.description
    return LineResolution(
        line=line,
        target_kind=target_kind,
        fields=fields,
        description=description,
        reasons=_attention(line, fields, target_kind),
    )


def _resolve_field(
    field: OutputField, matching: Sequence[CompiledRule], refs: ReferenceIndex
) -> FieldResolution:
    pos = _FIELD_POSITION[field]
    candidates = [c for c in matching if c.values[pos] is not None]
    if not candidates:
        return _UNSET[field]
    top = candidates[0].rank
    # ``matching`` is sorted by rank first, so the equally ranked rules are a leading run.
    n_tied = 1
    while n_tied < len(candidates) and candidates[n_tied].rank == top:
        n_tied += 1
    tied, rest = candidates[:n_tied], candidates[n_tied:]
    kind = REFERENCE_KIND.get(field)
    losers = tuple(
        _considered(
            c, pos, kind, refs,
            LossReason.LOWER_PRIORITY if c.rank[0] < top[0] else LossReason.LESS_SPECIFIC,
        )
        for c in rest
    )  # fmt: skip
    value = tied[0].values[pos]
    if any(c.values[pos] != value for c in tied[1:]):
        return FieldResolution(
            field=field,
            status=FieldStatus.AMBIGUOUS,
            contenders=tuple(_considered(c, pos, kind, refs, LossReason.TIED) for c in tied),
            considered=losers,
        )
    agreeing = tuple(_considered(c, pos, kind, refs, LossReason.AGREES) for c in tied[1:])
    status, target, problem = FieldStatus.RESOLVED, None, ""
    if kind is not None and isinstance(value, str):
        target = refs.get(kind, value)
        if target is None or not target.active:
            status = FieldStatus.INVALID_TARGET
            problem = "missing" if target is None else "inactive"
    return FieldResolution(
        field=field,
        status=status,
        value=value,
        winner=tied[0].rule,
        considered=agreeing + losers,
        target=target,
        problem=problem,
    )


# Frozen, so one instance per field can be shared by every line no rule sets it for.
_UNSET = {f: FieldResolution(field=f, status=FieldStatus.UNSET) for f in OutputField}
_NOT_APPLICABLE = {
    f: FieldResolution(field=f, status=FieldStatus.NOT_APPLICABLE) for f in OutputField
}


def _considered(
    c: CompiledRule,
    pos: int,
    kind: ReferenceKind | None,
    refs: ReferenceIndex,
    reason: LossReason,
) -> Considered:
    value = c.values[pos]
    target = refs.get(kind, value) if kind is not None and isinstance(value, str) else None
    return Considered(c.rule, value, reason, target)


def _line_data(line: SourceLine, field: OutputField) -> dict[str, str]:
    return {
        "field": field.value,
        "cost_code": line.cost_code.code if line.cost_code else "",
        "cost_code_name": line.cost_code.name if line.cost_code else "",
        "cost_type": line.cost_type.name if line.cost_type else "",
        "cost_type_base": line.cost_type.base_type if line.cost_type else "",
    }


def _rule_id(rule: Rule) -> str:
    return str(rule.id) if rule.id is not None else "new"


def _attention(
    line: SourceLine,
    fields: tuple[FieldResolution, ...],
    target_kind: TargetKind,
) -> tuple[AttentionReason, ...]:
    reasons: list[AttentionReason] = []
    for fr in fields:
        if fr.status is FieldStatus.RESOLVED or fr.status is FieldStatus.UNSET:
            continue  # the common case, kept cheap
        where = describe_line(line)
        label = FIELD_LABEL[fr.field].lower()
        kind = REFERENCE_KIND.get(fr.field)
        if fr.status is FieldStatus.AMBIGUOUS:
            shown = [
                f"{rule_label(c.rule)} gives {describe_value(fr.field, c.value, c.target)}"
                for c in fr.contenders
            ]
            reasons.append(
                AttentionReason(
                    kind="ambiguous",
                    message=f"{where}: equally specific rules disagree on the {label}: "
                    f"{'; '.join(shown)}.",
                    line_id=line.id,
                    data={
                        **_line_data(line, fr.field),
                        "rule_ids": ",".join(_rule_id(c.rule) for c in fr.contenders),
                        "values": ",".join(str(c.value) for c in fr.contenders),
                    },
                )
            )
        elif fr.status is FieldStatus.INVALID_TARGET and fr.winner is not None:
            what = describe_value(fr.field, fr.value, fr.target)
            state = (
                "which is inactive in the accounting system"
                if fr.problem == "inactive"
                else "which does not exist in the accounting system"
            )
            reasons.append(
                AttentionReason(
                    kind="invalid_target",
                    message=f"{where}: {rule_label(fr.winner)} gives {label} {what}, {state}.",
                    line_id=line.id,
                    data={
                        **_line_data(line, fr.field),
                        "rule_ids": _rule_id(fr.winner),
                        "target_kind": kind.value if kind else fr.field.value,
                        "target_id": str(fr.value),
                        "problem": fr.problem,
                    },
                )
            )
    required = _REQUIRED[target_kind]
    # Only "nothing at all" is unmapped; an ambiguous or invalid account was reported above.
    if all(fields[_FIELD_POSITION[f]].status is FieldStatus.UNSET for f in required):
        where = describe_line(line)
        wanted = " or ".join(f"an {FIELD_LABEL[f].lower()}" for f in required)
        reasons.append(
            AttentionReason(
                kind="unmapped",
                message=f"{where}: no rule gives {wanted}.",
                line_id=line.id,
                data=_line_data(line, required[0]),
            )
        )
    return tuple(reasons)
