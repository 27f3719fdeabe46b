"""Learning a rule from a human choice, and that the learned rule then maps the line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mappings.conditions import rule_matches
from mappings.document import map_document
from mappings.learn import LearnScope, rule_from_choice
from mappings.rules import Conditions, OutputField, RuleOrigin
from sync.models import TargetKind
from tests.mappings.factories import T0, doc, line, links, refs, rule


@pytest.mark.parametrize(
    ("scope", "conditions"),
    [
        ("everywhere", {"cost_code": "03-300", "cost_type": "Labor"}),
        ("project", {"cost_code": "03-300", "cost_type": "Labor", "project_id": "P1"}),
        (
            "line",
            {
                "cost_code": "03-300",
                "cost_type": "Labor",
                "project_id": "P1",
                "document_id": "CO-1",
            },
        ),
    ],
)
def test_scopes(scope: str, conditions: dict[str, str]) -> None:
    the_line = line()
    r = rule_from_choice(the_line, doc(the_line), "5010", scope, "U123", T0)
    assert r.conditions == Conditions.model_validate(conditions)
    assert r.outputs.account_id == "5010"
    assert (r.id, r.version, r.author, r.origin) == (None, 1, "U123", RuleOrigin.SLACK)
    assert r.created_at == r.updated_at == T0
    assert r.note == f"chosen for 007 line 1 ({scope})"


def test_narrower_scopes_are_more_specific_and_reach_less() -> None:
    the_line = line()
    here = doc(the_line)
    other_doc = doc(the_line, id="CO-2")
    other_project = doc(the_line, id="CO-3", project="P2")
    learned = {s: rule_from_choice(the_line, here, "5010", s, "U1", T0) for s in LearnScope}
    assert rule_matches(learned[LearnScope.LINE], the_line, here)
    assert not rule_matches(learned[LearnScope.LINE], the_line, other_doc)
    assert rule_matches(learned[LearnScope.PROJECT], the_line, other_doc)
    assert not rule_matches(learned[LearnScope.PROJECT], the_line, other_project)
    assert rule_matches(learned[LearnScope.EVERYWHERE], the_line, other_project)
    # A "this line" choice overrides an earlier "everywhere" choice without any priority.
    everywhere = learned[LearnScope.EVERYWHERE].model_copy(update={"id": 1})
    line_only = rule_from_choice(the_line, here, "5020", "line", "U2", T0 + timedelta(days=1))
    saved = line_only.model_copy(update={"id": 2})
    result = map_document(here, [everywhere, saved], refs(), links(), TargetKind.PURCHASE_ORDER)
    assert result.mapped is not None
    assert result.mapped.lines[0].account is not None
    assert result.mapped.lines[0].account.id == "5020"


def test_the_learned_rule_resolves_the_unmapped_line() -> None:
    the_line = line(code="09-900", cost_type="Materials")
    d = doc(the_line)
    before = map_document(d, [], refs(), links(), TargetKind.BILL)
    assert [r.kind for r in before.reasons] == ["unmapped"]
    learned = rule_from_choice(the_line, d, "5110", LearnScope.EVERYWHERE, "U1", T0)
    after = map_document(
        d, [learned.model_copy(update={"id": 5})], refs(), links(), TargetKind.BILL
    )
    assert after.reasons == ()
    assert after.mapped is not None and after.mapped.lines[0].rule_ids == (5,)


def test_item_choice_for_invoice_lines() -> None:
    the_line = line()
    r = rule_from_choice(
        the_line, doc(the_line), "I1", "everywhere", "U1", T0, field=OutputField.ITEM
    )
    assert (r.outputs.item_id, r.outputs.account_id) == ("I1", None)


def test_refuses_what_it_cannot_learn() -> None:
    bare = line(code=None, cost_type=None)
    with pytest.raises(ValueError, match="every line"):
        rule_from_choice(bare, doc(bare), "5010", "everywhere", "U1", T0)
    # Scoped to a project or a document, a bare line is still a sensible rule.
    assert rule_from_choice(bare, doc(bare), "5010", "project", "U1", T0).conditions.count() == 1
    with pytest.raises(ValueError):
        rule_from_choice(bare, doc(bare), "5010", "galaxy", "U1", T0)
    with pytest.raises(ValueError, match="account or an item"):
        rule_from_choice(line(), doc(), "C1", "line", "U1", T0, field=OutputField.CLASS)


def test_learned_rules_rank_like_hand_written_ones() -> None:
    # Same conditions as a hand-written rule with another account: equally specific, so a
    # human sees the conflict instead of the newest rule silently winning.
    the_line = line()
    d = doc(the_line)
    hand = rule(1, cost_code="03-300", cost_type="Labor", account_id="5020")
    learned = rule_from_choice(the_line, d, "5010", "everywhere", "U1", T0).model_copy(
        update={"id": 2}
    )
    result = map_document(d, [hand, learned], refs(), links(), TargetKind.PURCHASE_ORDER)
    assert [r.kind for r in result.reasons] == ["ambiguous"]
