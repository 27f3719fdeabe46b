"""QBO refusals that need a person, and those that mean a bug on our side."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox.qbo import QboState, SeededCompany
from sync.errors import FatalError, NeedsHumanError
from sync.models import TargetKind, TargetRef
from sync.targets.qbo import QboClient, QboTarget

from .conftest import mapped_po


def _reason(error: NeedsHumanError) -> str:
    assert error.reasons[0].kind == "target_rejected"
    return error.reasons[0].message


async def test_duplicate_display_name_6240(client: QboClient) -> None:
    # a vendor may not take a customer's name: one namespace across both
    with pytest.raises(NeedsHumanError) as caught:
        await client.write("Vendor", {"DisplayName": "acme builders"}, request_id="v-1")
    assert caught.value.code == "6240"
    assert "already has a customer, vendor or employee" in _reason(caught.value)
    assert "The name supplied already exists" in caught.value.detail
    assert caught.value.reasons[0].data["detail"] == caught.value.detail


async def test_inactive_account_610(target: QboTarget, company: SeededCompany) -> None:
    mapped = mapped_po(company)
    inactive = TargetRef(id=company.ids["account"]["Old Materials"])
    bad_line = mapped.lines[3].model_copy(update={"account": inactive})
    mapped = mapped.model_copy(update={"lines": (*mapped.lines[:3], bad_line, *mapped.lines[4:])})
    with pytest.raises(NeedsHumanError) as caught:
        await target.create(target.build(mapped, TargetKind.PURCHASE_ORDER, "k"), "r")
    assert caught.value.code == "610"
    assert "made inactive" in _reason(caught.value)
    assert "Old Materials" in caught.value.detail


async def test_missing_reference_2500(target: QboTarget, company: SeededCompany) -> None:
    mapped = mapped_po(company).model_copy(update={"vendor": TargetRef(id="9999")})
    with pytest.raises(NeedsHumanError) as caught:
        await target.create(target.build(mapped, TargetKind.PURCHASE_ORDER, "k"), "r")
    assert caught.value.code == "2500"
    assert "does not exist" in _reason(caught.value)
    assert "9999" in caught.value.detail


async def test_closed_books_6210(
    target: QboTarget, state: QboState, company: SeededCompany
) -> None:
    state.close_books(company.realm_id, date(2026, 11, 1))  # the document is dated Nov 1
    with pytest.raises(NeedsHumanError) as caught:
        await target.create(target.build(mapped_po(company), TargetKind.BILL, "k"), "r")
    assert caught.value.code == "6210"
    assert "books are closed" in _reason(caught.value)
    assert "2026-11-01" in caught.value.detail


async def test_duplicate_doc_number_6140_unless_allowed(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    await target.create(target.build(mapped_po(company), TargetKind.BILL, "k1"), "r1")
    with pytest.raises(NeedsHumanError) as caught:
        await target.create(target.build(mapped_po(company), TargetKind.BILL, "k2"), "r2")
    assert caught.value.code == "6140"
    assert "DocNumber=P-1021-CO-007 is assigned to TxnType=Bill" in caught.value.detail


async def test_missing_required_field_is_fatal_2020(client: QboClient) -> None:
    with pytest.raises(FatalError) as caught:
        await client.write("Bill", {"Line": []}, request_id="b-1")
    assert caught.value.code == "2020"
    assert "VendorRef" in caught.value.detail


async def test_doc_number_too_long_is_2050(client: QboClient, company: SeededCompany) -> None:
    body = {
        "VendorRef": {"value": company.ids["vendor"]["Ace Concrete Subcontracting"]},
        "DocNumber": "X" * 22,
        "Line": [
            {
                "DetailType": "AccountBasedExpenseLineDetail",
                "Amount": 1,
                "AccountBasedExpenseLineDetail": {
                    "AccountRef": {"value": company.ids["account"]["Labor"]}
                },
            }
        ],
    }
    with pytest.raises(FatalError) as caught:
        await client.write("Bill", body, request_id="b-2")
    assert caught.value.code == "2050"


def test_build_fits_long_numbers_into_21_chars(target: QboTarget, company: SeededCompany) -> None:
    mapped = mapped_po(company)
    long_a = mapped.model_copy(
        update={"source": mapped.source.model_copy(update={"number": "SC-2026-0042-CO-0003-REV-A"})}
    )
    long_b = mapped.model_copy(
        update={"source": mapped.source.model_copy(update={"number": "SC-2026-0042-CO-0003-REV-B"})}
    )
    a = target.build(long_a, TargetKind.PURCHASE_ORDER, "k")
    b = target.build(long_b, TargetKind.PURCHASE_ORDER, "k")
    assert len(a.doc_number) == len(b.doc_number) == 21
    assert a.doc_number != b.doc_number
    assert a.body["DocNumber"] == a.doc_number


def test_build_refuses_a_line_without_account_or_item(
    target: QboTarget, company: SeededCompany
) -> None:
    mapped = mapped_po(company)
    bare = mapped.lines[0].model_copy(update={"account": None})
    mapped = mapped.model_copy(update={"lines": (bare, *mapped.lines[1:])})
    with pytest.raises(NeedsHumanError) as caught:
        target.build(mapped, TargetKind.PURCHASE_ORDER, "k")
    assert caught.value.reasons[0].kind == "unmapped"
    assert caught.value.reasons[0].line_id == "L1"
