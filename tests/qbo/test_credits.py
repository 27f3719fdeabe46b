"""The emulator's credits: VendorCredit and CreditMemo written, queried, found and deleted; no
transaction of any type may total below zero (6000); zero is accepted."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from sandbox.qbo import QboState, SeededCompany
from sync.errors import NeedsHumanError
from sync.models import MappedDocument, PostedRef, TargetKind, TargetRef
from sync.targets.qbo import QboClient, QboTarget

from .conftest import mapped_po

JOB = "Acme Builders:1021 Main St Renovation"


def _expense(company: SeededCompany, amount: str) -> dict[str, Any]:
    return {
        "DetailType": "AccountBasedExpenseLineDetail",
        "Amount": Decimal(amount),
        "AccountBasedExpenseLineDetail": {
            "AccountRef": {"value": company.ids["account"]["Labor"]},
            "CustomerRef": {"value": company.ids["customer"][JOB]},
        },
    }


def _sales(company: SeededCompany, amount: str) -> dict[str, Any]:
    return {
        "DetailType": "SalesItemLineDetail",
        "Amount": Decimal(amount),
        "SalesItemLineDetail": {"ItemRef": {"value": company.ids["item"]["Change Order Work"]}},
    }


def _body(company: SeededCompany, entity: str, *amounts: str) -> dict[str, Any]:
    if entity in ("PurchaseOrder", "Bill", "VendorCredit"):
        vendor = company.ids["vendor"]["Norton Lumber and Building Materials"]
        return {"VendorRef": {"value": vendor}, "Line": [_expense(company, a) for a in amounts]}
    customer = company.ids["customer"][JOB]
    return {"CustomerRef": {"value": customer}, "Line": [_sales(company, a) for a in amounts]}


ENTITIES = ["PurchaseOrder", "Bill", "VendorCredit", "Invoice", "Estimate", "CreditMemo"]


@pytest.mark.parametrize("entity", ENTITIES)
async def test_a_negative_total_is_refused_with_6000(
    client: QboClient, company: SeededCompany, entity: str
) -> None:
    with pytest.raises(NeedsHumanError) as caught:
        await client.write(entity, _body(company, entity, "100.00", "-100.01"), request_id="n")
    assert caught.value.code == "6000"
    assert "must be positive" in caught.value.detail
    assert "-0.01" in caught.value.detail


@pytest.mark.parametrize("entity", ENTITIES)
async def test_zero_and_negative_lines_with_a_positive_total_are_accepted(
    client: QboClient, company: SeededCompany, entity: str
) -> None:
    zero = await client.write(entity, _body(company, entity, "0.00"), request_id=f"z-{entity}")
    assert Decimal(str(zero["TotalAmt"])) == 0
    mixed = _body(company, entity, "250.00", "-249.99")
    row = await client.write(entity, mixed, request_id=f"m-{entity}")
    assert Decimal(str(row["TotalAmt"])) == Decimal("0.01")


async def test_a_negative_total_on_update_is_refused_too(
    client: QboClient, company: SeededCompany
) -> None:
    row = await client.write("Bill", _body(company, "Bill", "10.00"), request_id="b")
    body = {**_body(company, "Bill", "-10.00"), "Id": row["Id"], "SyncToken": row["SyncToken"]}
    with pytest.raises(NeedsHumanError) as caught:
        await client.write("Bill", body, request_id="b2")
    assert caught.value.code == "6000"


def _credit(company: SeededCompany) -> MappedDocument:
    """The mapped purchase order with every line positive: what a credit's builder gets."""
    mapped = mapped_po(company)
    return mapped.model_copy(
        update={
            "lines": tuple(li.model_copy(update={"amount": abs(li.amount)}) for li in mapped.lines)
        }
    )


async def test_vendor_credit_is_created_queried_found_and_deleted(
    target: QboTarget, client: QboClient, company: SeededCompany, state: QboState
) -> None:
    document = target.build(_credit(company), TargetKind.VENDOR_CREDIT, "procore-cco-5501")
    created = await target.create(document, "vc-1")
    assert created.kind is TargetKind.VENDOR_CREDIT
    assert created.total == sum(abs(li.amount) for li in _credit(company).lines)
    page = await client.query("SELECT * FROM VendorCredit WHERE DocNumber = 'P-1021-CO-007'")
    assert [row["Id"] for row in page["VendorCredit"]] == [created.id]
    found = await target.find(document)
    assert found is not None and found.id == created.id

    await target.void(created, "vc-void")
    assert state.realm(company.realm_id).rows("VendorCredit") == []
    assert await target.find(document) is None
    await target.void(created, "vc-void")  # again: already gone, nothing sent


async def test_credit_memo_to_the_job_is_found_by_number_and_marker(
    target: QboTarget, company: SeededCompany
) -> None:
    mapped = _credit(company)
    item = TargetRef(id=company.ids["item"]["Change Order Work"])
    sales = mapped.model_copy(
        update={"lines": tuple(li.model_copy(update={"item": item}) for li in mapped.lines)}
    )
    document = target.build(sales, TargetKind.CREDIT_MEMO, "procore-pco-5501")
    assert document.body["CustomerRef"] == {"value": company.ids["customer"][JOB]}
    created = await target.create(document, "cm-1")
    found = await target.find(document)
    assert found is not None and (found.kind, found.id) == (TargetKind.CREDIT_MEMO, created.id)
    other = target.build(sales, TargetKind.CREDIT_MEMO, "procore-pco-9999")
    assert await target.find(other) is None  # same number, another marker: not ours


async def test_an_invoice_is_voided_once(
    target: QboTarget, company: SeededCompany, state: QboState
) -> None:
    body = _body(company, "Invoice", "500.00")
    row = await target.client.write("Invoice", body, request_id="inv")
    invoice = PostedRef(kind=TargetKind.INVOICE, id=str(row["Id"]))
    await target.void(invoice, "inv-void")
    await target.void(invoice, "inv-void")  # a retry after a lost answer
    [stored] = state.realm(company.realm_id).rows("Invoice")
    assert stored["SyncToken"] == "1" and Decimal(str(stored["TotalAmt"])) == 0
    assert str(stored["PrivateNote"]).startswith("Voided")
