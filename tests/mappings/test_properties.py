"""Properties of resolution that must hold for any rule set (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mappings.conditions import rank, rule_matches
from mappings.index import RuleIndex
from mappings.resolve import FieldStatus, LineResolution, applicable_fields, resolve_line
from mappings.rules import Conditions, CustomFieldCondition, OutputField, Outputs, Rule, RuleOrigin
from sync.models import DocumentKind, SourceDocument, SourceLine, TargetKind
from tests.mappings.factories import T0, doc, line, refs

# Small domains so that generated rules often match, tie and conflict.
CODES = ["03-300", "03-310", "03-100", "05-120"]
PATTERNS = [*CODES, "03-*", "03-3*", "0?-300", "*-300", "*", "03-[13]*"]
COST_TYPES = ["Labor", "Materials", "Field Labor"]
BASES = ["labor", "materials", "commitment"]

# Per-test settings (not a global profile, which would leak into other test modules).
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    # Mostly unset, so rules have few conditions, as real ones do.
    return st.one_of(st.none(), st.none(), strategy)


@st.composite
def conditions(draw: st.DrawFn) -> Conditions:
    by_name = draw(st.booleans())
    custom = draw(
        st.one_of(
            st.just(()),
            st.builds(
                lambda eq, opts: (
                    CustomFieldCondition(field="Phase", equals=eq)
                    if opts is None
                    else CustomFieldCondition(field="Phase", one_of=opts),
                ),
                st.sampled_from(["1", "2"]),
                st.one_of(st.none(), st.lists(st.sampled_from(["1", "2", "3"]), min_size=1)),
            ),
        )
    )
    return Conditions(
        source=draw(maybe(st.sampled_from(["procore", "buildertrend"]))),
        document_kind=draw(maybe(st.sampled_from(list(DocumentKind)))),
        project_id=draw(maybe(st.sampled_from(["P1", "P2"]))),
        document_id=draw(maybe(st.sampled_from(["CO-1", "CO-2"]))),
        cost_code=draw(maybe(st.sampled_from(PATTERNS))),
        cost_type=draw(maybe(st.sampled_from(COST_TYPES))) if by_name else None,
        cost_type_base=None if by_name else draw(maybe(st.sampled_from(BASES))),
        vendor_id=draw(maybe(st.sampled_from(["V1", "V2"]))),
        custom_fields=custom,
    )


@st.composite
def outputs_strategy(draw: st.DrawFn) -> Outputs:
    values = {
        "account_id": draw(maybe(st.sampled_from(["5010", "5020", "5900", "7777"]))),
        "item_id": draw(maybe(st.sampled_from(["I1", "I2", "I9"]))),
        "class_id": draw(maybe(st.sampled_from(["C1", "C2", "C9"]))),
        "department_id": draw(maybe(st.sampled_from(["D1", "D2"]))),
        "billable": draw(maybe(st.booleans())),
        "tax_code": draw(maybe(st.sampled_from(["TAX", "NON"]))),
        "memo": draw(
            maybe(st.sampled_from(["{cost_code} {description}", "{custom.Phase}: {description}"]))
        ),
    }
    if all(v is None for v in values.values()):
        values["account_id"] = draw(st.sampled_from(["5010", "5020"]))
    return Outputs.model_validate(values)


outputs = outputs_strategy()


def rule_strategy(id: st.SearchStrategy[int | None]) -> st.SearchStrategy[Rule]:
    return st.builds(
        Rule,
        id=id,
        conditions=conditions(),
        outputs=outputs,
        priority=st.one_of(st.none(), st.none(), st.integers(-2, 2)),
        active=st.sampled_from([True, True, True, False]),
        author=st.sampled_from(["U1", "U2"]),
        origin=st.sampled_from(list(RuleOrigin)),
        created_at=st.just(T0),
        updated_at=st.just(T0),
        version=st.integers(1, 3),
    )


@st.composite
def rule_sets(draw: st.DrawFn, max_size: int = 12) -> list[Rule]:
    rules = draw(st.lists(rule_strategy(st.none()), max_size=max_size))
    ids = draw(st.permutations(range(1, len(rules) + 1)))
    # Most rules are saved (with an id); a few are not yet, which must work too.
    keep = draw(st.lists(st.booleans(), min_size=len(rules), max_size=len(rules)))
    return [
        r.model_copy(update={"id": i if k or n % 3 else None})
        for n, (r, i, k) in enumerate(zip(rules, ids, keep, strict=True))
    ]


@st.composite
def docs(draw: st.DrawFn) -> tuple[SourceLine, SourceDocument]:
    phase = draw(st.sampled_from([None, "1", "2"]))
    the_line = line(
        code=draw(st.sampled_from([*CODES, None])),
        cost_type=draw(st.sampled_from([*COST_TYPES, "Subcontract", None])),
        custom={"Phase": phase} if phase else {},
        description="Pour",
    )
    d = doc(
        the_line,
        id=draw(st.sampled_from(["CO-1", "CO-2"])),
        kind=draw(st.sampled_from(list(DocumentKind))),
        project=draw(st.sampled_from(["P1", "P2"])),
        vendor=draw(st.sampled_from(["V1", "V2", None])),
    )
    return the_line, d


target_kinds = st.sampled_from(list(TargetKind))
REFS = refs()


def resolve(
    rules: list[Rule], the_line: SourceLine, d: SourceDocument, kind: TargetKind
) -> LineResolution:
    return resolve_line(the_line, d, RuleIndex(rules), REFS, kind)


@PROPERTY
@given(rule_sets(), docs(), target_kinds, st.randoms(use_true_random=False))
def test_resolution_is_deterministic_and_independent_of_rule_order(
    rules: list[Rule], ld: tuple[SourceLine, SourceDocument], kind: TargetKind, rnd: Any
) -> None:
    the_line, d = ld
    first = resolve(rules, the_line, d, kind)
    shuffled = list(rules)
    rnd.shuffle(shuffled)
    assert resolve(rules, the_line, d, kind) == first
    assert resolve(shuffled, the_line, d, kind) == first


@PROPERTY
@given(rule_sets(), docs(), target_kinds)
def test_index_finds_exactly_what_a_full_scan_finds(
    rules: list[Rule], ld: tuple[SourceLine, SourceDocument], kind: TargetKind
) -> None:
    the_line, d = ld
    scanned = resolve_line(the_line, d, RuleIndex(rules, buckets=False), REFS, kind)
    assert resolve(rules, the_line, d, kind) == scanned


@PROPERTY
@given(rule_sets(), rule_strategy(st.just(10_000)), docs(), target_kinds)
def test_a_rule_that_does_not_match_never_changes_the_result(
    rules: list[Rule], extra: Rule, ld: tuple[SourceLine, SourceDocument], kind: TargetKind
) -> None:
    the_line, d = ld
    assume(not rule_matches(extra, the_line, d))
    assert resolve([*rules, extra], the_line, d, kind) == resolve(rules, the_line, d, kind)


def most_specific_conditions(the_line: SourceLine, d: SourceDocument) -> Conditions:
    """Every condition this line satisfies, as tightly as it can be said."""
    return Conditions(
        source=d.source,
        document_kind=d.kind,
        project_id=d.project.id,
        document_id=d.id,
        cost_code=the_line.cost_code.code if the_line.cost_code else None,
        cost_type=the_line.cost_type.name if the_line.cost_type else None,
        vendor_id=d.vendor.id if d.vendor else None,
        custom_fields=tuple(
            CustomFieldCondition(field=k, equals=v) for k, v in the_line.custom_fields.items()
        ),
    )


@PROPERTY
@given(rule_sets(), outputs, docs(), target_kinds)
def test_a_strictly_more_specific_rule_changes_only_the_fields_it_sets(
    rules: list[Rule], outs: Outputs, ld: tuple[SourceLine, SourceDocument], kind: TargetKind
) -> None:
    the_line, d = ld
    top_priority = max((r.effective_priority for r in rules), default=0)
    new = Rule(
        id=10_000,
        conditions=most_specific_conditions(the_line, d),
        outputs=outs,
        priority=top_priority,
        author="U9",
        origin=RuleOrigin.SLACK,
        created_at=T0,
        updated_at=T0,
    )
    matching = [r for r in rules if r.active and rule_matches(r, the_line, d)]
    assume(all(rank(new) > rank(r) for r in matching))

    before = resolve(rules, the_line, d, kind)
    after = resolve([*rules, new], the_line, d, kind)
    applicable = applicable_fields(kind)
    for field in OutputField:
        if field in outs.fields() and field in applicable:
            fr = after.field(field)
            assert fr.winner == new
            assert fr.value == outs.get(field)
            assert fr.status in (FieldStatus.RESOLVED, FieldStatus.INVALID_TARGET)
            # The rules that decided before are now listed as beaten, not forgotten.
            old = before.field(field)
            previously = {c.rule.id for c in (*old.considered, *old.contenders)}
            if old.winner is not None:
                previously.add(old.winner.id)
            assert previously <= {c.rule.id for c in fr.considered}
        else:
            assert after.field(field) == before.field(field)
    if OutputField.MEMO not in outs.fields():
        assert after.description == before.description


@PROPERTY
@given(rule_strategy(st.one_of(st.none(), st.integers(1, 10**9))))
def test_json_round_trip_of_rules_is_identical(r: Rule) -> None:
    text = r.model_dump_json()
    again = Rule.model_validate_json(text)
    assert again == r
    assert again.model_dump_json() == text
    # The python-mode dump (what an ORM column would hold) round-trips too.
    assert Rule.model_validate(r.model_dump(mode="json")) == r


@PROPERTY
@given(conditions())
def test_conditions_json_is_canonical(c: Conditions) -> None:
    dumped = c.model_dump(mode="json")
    assert Conditions.model_validate(dumped).model_dump(mode="json") == dumped
