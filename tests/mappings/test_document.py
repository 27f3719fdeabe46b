"""Mapping a whole document: entity links, the location, and the MappedDocument built."""

from __future__ import annotations

from typing import Any

import pytest

from mappings.document import map_document
from mappings.index import RuleIndex
from mappings.references import EntityLinks
from sync.models import DocumentKind, MappedLine, TargetKind, TargetRef
from tests.mappings.factories import doc, line, links, refs, rule

PO = TargetKind.PURCHASE_ORDER
OK_RULES = [rule(1, cost_code="03-300", account_id="5010")]


@pytest.mark.parametrize(
    ("link_kw", "doc_kw", "kinds", "data"),
    [
        ({}, {}, [], {}),
        ({"project": None}, {}, ["project_not_linked"], {"project_id": "P1"}),
        (
            {"project": TargetRef(id="QC9")},
            {},
            ["invalid_target"],
            {"target_kind": "customer", "target_id": "QC9", "problem": "inactive"},
        ),
        (
            {"project": TargetRef(id="nope", name="Deleted job")},
            {},
            ["invalid_target"],
            {"target_kind": "customer", "problem": "missing"},
        ),
        ({"vendor": None}, {}, ["vendor_not_linked"], {"vendor_id": "V1"}),
        ({}, {"vendor": None}, ["vendor_not_linked"], {"vendor_id": ""}),
        (
            {"vendor": TargetRef(id="QV9")},
            {},
            ["invalid_target"],
            {"target_kind": "vendor", "target_id": "QV9", "problem": "inactive"},
        ),
        # Prime change orders go to the owner: their vendor is never needed.
        ({"vendor": None}, {"kind": DocumentKind.PRIME_CHANGE_ORDER}, [], {}),
        (
            {"vendor": None, "project": None},
            {},
            ["project_not_linked", "vendor_not_linked"],
            {},
        ),
    ],
)
def test_links(
    link_kw: dict[str, Any], doc_kw: dict[str, Any], kinds: list[str], data: dict[str, str]
) -> None:
    result = map_document(doc(line(), **doc_kw), OK_RULES, refs(), links(**link_kw), PO)
    assert [r.kind for r in result.reasons] == kinds
    assert (result.mapped is None) == bool(kinds)
    for reason in result.reasons:
        assert reason.line_id is None
    if data:
        assert data.items() <= result.reasons[0].data.items()


def test_link_messages() -> None:
    result = map_document(
        doc(line()), OK_RULES, refs(), links(vendor=TargetRef(id="QV9"), project=None), PO
    )
    assert [r.message for r in result.reasons] == [
        "Project Project P1 is not linked to a customer:job.",
        "Vendor Acme Concrete, Inc. is linked to vendor Gone Vendor, which is inactive in the "
        "accounting system.",
    ]


def test_document_reasons_come_before_line_reasons() -> None:
    result = map_document(doc(line()), [], refs(), links(project=None), PO)
    assert [r.kind for r in result.reasons] == ["project_not_linked", "unmapped"]
    assert result.explain().splitlines()[0] == (
        "Project Project P1 is not linked to a customer:job."
    )


def test_linked_names_come_from_the_target_not_the_link() -> None:
    stale = EntityLinks(
        vendors={"V1": TargetRef(id="QV1", name="Acme (old name)")},
        projects={"P1": TargetRef(id="QC1", name="old")},
    )
    result = map_document(doc(line()), OK_RULES, refs(), stale, PO)
    assert result.mapped is not None
    assert result.mapped.vendor == TargetRef(id="QV1", name="Acme Concrete")
    assert result.mapped.customer == TargetRef(id="QC1", name="Owner LLC:1021 Main St")


def test_every_output_reaches_the_mapped_line() -> None:
    rules = [
        rule(
            1,
            cost_code="03-300",
            account_id="5010",
            class_id="C1",
            department_id="D1",
            tax_code="NON",
            billable=True,
            memo="{cost_code} {description}",
        ),
    ]
    result = map_document(doc(line(description="Pour")), rules, refs(), links(), PO)
    assert result.mapped is not None
    assert result.mapped.department == TargetRef(id="D1", name="North")
    assert result.mapped.lines == (
        MappedLine(
            source_line_id="L1",
            description="03-300 Pour",
            amount=line().amount,
            account=TargetRef(id="5010", name="Subcontract Labor"),
            class_ref=TargetRef(id="C1", name="Labor"),
            customer=TargetRef(id="QC1", name="Owner LLC:1021 Main St"),
            billable=True,
            tax_code="NON",
            rule_ids=(1,),
        ),
    )


def test_lines_must_agree_on_the_location() -> None:
    rules = [
        rule(1, account_id="5010"),
        rule(2, cost_code="03-300", department_id="D1"),
        rule(3, cost_code="05-120", department_id="D2"),
    ]
    lines = (line("L1"), line("L2", position=2, code="05-120"), line("L3", position=3, code=None))
    result = map_document(doc(*lines), rules, refs(), links(), PO)
    (reason,) = result.reasons
    assert reason.kind == "ambiguous"
    assert reason.line_id is None
    assert reason.data == {"field": "department", "values": "D1,D2", "line_ids": "L1,L2"}
    assert reason.message == (
        "Lines set different locations (North, South); a document has one location."
    )
    # Lines that set no location do not object to the one the others agree on.
    agreed = map_document(doc(line("L1"), lines[2]), rules, refs(), links(), PO)
    assert agreed.reasons == ()
    assert agreed.department == TargetRef(id="D1", name="North")


def test_invoice_lines_take_items_and_the_customer() -> None:
    rules = [
        rule(1, cost_code="03-300", account_id="5010"),
        rule(2, document_kind="prime_change_order", cost_code="03-*", item_id="I1"),
    ]
    d = doc(line(), kind=DocumentKind.PRIME_CHANGE_ORDER, vendor=None)
    result = map_document(d, rules, refs(), links(), TargetKind.INVOICE)
    assert result.reasons == ()
    assert result.mapped is not None
    (mapped,) = result.mapped.lines
    assert (mapped.account, mapped.item) == (None, TargetRef(id="I1", name="Labor:Concrete"))
    assert result.mapped.vendor is None


def test_a_prebuilt_index_gives_the_same_result() -> None:
    d = doc(line(), line("L2", position=2, code="09-900"))
    rules = [*OK_RULES, rule(2, cost_code="09-*", account_id="5110")]
    assert map_document(d, RuleIndex(rules), refs(), links(), PO) == map_document(
        d, rules, refs(), links(), PO
    )


def test_all_line_problems_are_reported_at_once() -> None:
    rules = [
        rule(1, cost_code="03-300", account_id="5900"),
        rule(2, cost_code="05-120", account_id="5010"),
        rule(3, cost_code="05-120", account_id="5020"),
    ]
    lines = (
        line("L1"),
        line("L2", position=2, code="05-120"),
        line("L3", position=3, code="09-900"),
    )
    result = map_document(doc(*lines), rules, refs(), links(), PO)
    assert [(r.kind, r.line_id) for r in result.reasons] == [
        ("invalid_target", "L1"),
        ("ambiguous", "L2"),
        ("unmapped", "L3"),
    ]
    assert result.needs_attention and result.mapped is None
