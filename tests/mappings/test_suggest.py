"""Suggestions: entity links and accounts for unmapped lines."""

from __future__ import annotations

import pytest

from mappings.references import ReferenceIndex
from mappings.rules import OutputField
from mappings.suggest import LinkMatch, normalise_name, suggest_accounts, suggest_links
from sync.models import ReferenceKind, ReferenceRecord
from tests.mappings.factories import ACCOUNTS, OTHER_REFS, account, doc, line, refs, rule


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Acme Builders, Inc.", "acme builders"),
        ("ACME BUILDERS LLC", "acme builders"),
        ("Acme Builders L.L.C.", "acme builders"),
        ("Smith & Sons Co.", "smith and sons"),
        ("Smith and Sons Company Ltd", "smith and sons"),
        ("O'Neil-Grey Corp", "o neil grey"),
        ("Co", "co"),  # never normalised away entirely
        ("  Concrete   Co-op  ", "concrete co op"),
    ],
)
def test_normalise_name(raw: str, expected: str) -> None:
    assert normalise_name(raw) == expected


VENDORS = ReferenceIndex(
    [
        ReferenceRecord(kind=ReferenceKind.VENDOR, id="1", name="Acme Builders LLC"),
        ReferenceRecord(kind=ReferenceKind.VENDOR, id="2", name="ACME Concrete", number="V-100"),
        ReferenceRecord(kind=ReferenceKind.VENDOR, id="3", name="Acme Builder"),
        ReferenceRecord(kind=ReferenceKind.VENDOR, id="4", name="Acme Builders Inc", active=False),
        ReferenceRecord(kind=ReferenceKind.VENDOR, id="5", name="Zenith Steel"),
        ReferenceRecord(kind=ReferenceKind.CUSTOMER, id="6", name="Owner LLC:1021 Main St"),
        ReferenceRecord(kind=ReferenceKind.CUSTOMER, id="7", name="1021 Main", number="1021"),
    ]
)


def test_vendor_suggestions_best_first() -> None:
    got = suggest_links("Acme Builders, Inc.", "v-100", VENDORS, ReferenceKind.VENDOR)
    assert [(s.record.id, s.match) for s in got] == [
        ("2", LinkMatch.SAME_CODE),
        ("1", LinkMatch.SAME_NAME),
        ("3", LinkMatch.SIMILAR_NAME),
    ]
    assert [s.reason for s in got] == ["same code V-100", "same name", "similar name (96%)"]


def test_no_suggestion_for_unrelated_names() -> None:
    assert suggest_links("Northwind Electric", "", VENDORS, ReferenceKind.VENDOR) == []


def test_project_suggestions_match_the_job_segment_and_the_number() -> None:
    got = suggest_links("1021 Main St.", "1021", VENDORS, ReferenceKind.CUSTOMER)
    assert [(s.record.id, s.match) for s in got] == [
        ("7", LinkMatch.SAME_CODE),
        ("6", LinkMatch.SAME_NAME),
    ]


def test_account_suggestions_rank_by_evidence() -> None:
    the_line = line(code="03-300", cost_type="Labor")
    rules = [
        # Same cost code in other projects: strongest evidence.
        rule(1, project_id="P2", cost_code="03-300", cost_type="Materials", account_id="5100"),
        rule(2, project_id="P3", cost_code="03-300", account_id="5100"),
        # Same cost code in *this* project is not "other projects".
        rule(3, project_id="P1", cost_code="03-300", cost_type="Equipment", account_id="5200"),
        # Same cost type: most used first.
        rule(4, cost_type="Labor", project_id="P2", account_id="5020"),
        rule(5, cost_type="Labor", project_id="P3", account_id="5020"),
        rule(6, cost_type_base="labor", project_id="P4", account_id="5400"),
        # Inactive rules and rules to inactive accounts are not evidence.
        rule(7, cost_type="Labor", account_id="5010", active=False),
        rule(8, cost_type="Labor", account_id="5900"),
    ]
    got = suggest_accounts(the_line, doc(the_line), rules, refs())
    assert [s.record.id for s in got] == ["5100", "5020", "5400"]
    assert got[0].reasons == ("used for cost code 03-300 by rules #1, #2",)
    assert got[1].reasons == ("used for cost type Labor by rules #4, #5",)
    assert got[2].reasons == ("used for cost type Labor by rule #6",)


def test_account_suggestions_by_name_similarity() -> None:
    the_line = line(code="03-100", cost_type=None)  # "Concrete Forming"
    chart = ReferenceIndex(
        [*ACCOUNTS, account("5500", "5500", "Job Costs:Concrete Forms"), *OTHER_REFS]
    )
    got = suggest_accounts(the_line, doc(the_line), [], chart)
    assert got[0].record.id == "5500"
    assert got[0].reasons == ('name similar to "Concrete Forming" (87%)',)
    assert all(s.similarity >= 0.6 for s in got)


def test_item_suggestions() -> None:
    the_line = line()
    rules = [rule(1, cost_code="03-300", project_id="P2", item_id="I1")]
    got = suggest_accounts(the_line, doc(the_line), rules, refs(), field=OutputField.ITEM)
    assert [s.record.id for s in got] == ["I1"]
    assert got[0].record.kind is ReferenceKind.ITEM


def test_suggestions_are_deterministic_whatever_the_rule_order() -> None:
    the_line = line()
    rules = [
        rule(i, cost_type="Labor", project_id=f"P{i}", account_id=acc)
        for i, acc in enumerate(["5010", "5020", "5010", "5020", "5400"], start=1)
    ]
    a = suggest_accounts(the_line, doc(the_line), rules, refs())
    b = suggest_accounts(the_line, doc(the_line), list(reversed(rules)), refs())
    assert a == b
    assert [s.record.id for s in a][:2] == ["5010", "5020"]  # tie on count: by number
