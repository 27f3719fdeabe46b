"""Posting purchase orders through the target: exact money, idempotency, look-up after loss."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sandbox.qbo import QboState, SeededCompany
from sync.errors import RetryableError
from sync.models import PostedRef, TargetKind
from sync.targets.base import Ownership, Target
from sync.targets.qbo import QboClient, QboTarget

from .conftest import TEN_AMOUNTS, mapped_po


def _stored(state: QboState, company: SeededCompany, entity: str) -> list[dict[str, object]]:
    return state.realm(company.realm_id).rows(entity)


async def test_ten_line_po_reads_back_exact_cents_and_jobs(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    mapped = mapped_po(company)
    document = target.build(mapped, TargetKind.PURCHASE_ORDER, "key-1")
    ref = await target.create(document, "req-po-1")

    assert ref.total == sum(TEN_AMOUNTS, Decimal(0)) == Decimal("1235921.66")
    back = await client.read("PurchaseOrder", ref.id)
    assert [line["Amount"] for line in back["Line"]] == TEN_AMOUNTS
    assert all(isinstance(line["Amount"], Decimal) for line in back["Line"])
    assert back["TotalAmt"] == Decimal("1235921.66")
    details = [line["AccountBasedExpenseLineDetail"] for line in back["Line"]]
    expected_jobs = [line.customer.id for line in mapped.lines if line.customer]
    assert [d["CustomerRef"]["value"] for d in details] == expected_jobs
    assert details[1]["CustomerRef"]["name"] == "Harbor View HOA:Clubhouse Remodel"
    assert details[0]["AccountRef"]["name"] == "Job Expenses:Labor"
    assert details[0]["ClassRef"]["value"] == company.ids["class"]["Labor"]
    assert "ClassRef" not in details[1]
    assert (
        back["VendorRef"]["value"] == company.ids["vendor"]["Norton Lumber and Building Materials"]
    )
    # change order numbers restart per contract: the project (or contract) number leads
    assert back["DocNumber"] == "P-1021-CO-007"
    assert "costbridge:key-1" in back["PrivateNote"]
    assert back["TxnDate"] == "2026-11-01"


async def test_every_write_carries_minorversion_and_requestid(
    target: QboTarget, state: QboState, company: SeededCompany
) -> None:
    document = target.build(mapped_po(company), TargetKind.PURCHASE_ORDER, "key-1")
    await target.create(document, "req-po-1")
    writes = [call for call in state.calls if call.method == "POST" and "query" not in call.path]
    assert [(w.request_id, w.minor_version) for w in writes] == [("req-po-1", 75)]


async def test_requestid_replay_returns_same_id_and_creates_nothing(
    target: QboTarget, state: QboState, company: SeededCompany
) -> None:
    document = target.build(mapped_po(company), TargetKind.PURCHASE_ORDER, "key-1")
    first = await target.create(document, "req-po-1")
    again = await target.create(document, "req-po-1")
    assert again == first
    assert len(_stored(state, company, "PurchaseOrder")) == 1
    assert state.calls[-1].replayed


async def test_ignoring_requestid_duplicates_which_find_would_catch(
    target: QboTarget, state: QboState, company: SeededCompany
) -> None:
    state.realm(company.realm_id).settings.warn_duplicate_docnum = False
    state.faults.ignore_requestid = True
    document = target.build(mapped_po(company), TargetKind.PURCHASE_ORDER, "key-1")
    first = await target.create(document, "req-po-1")
    second = await target.create(document, "req-po-1")
    assert first.id != second.id


async def test_commit_then_drop_is_outcome_unknown_and_find_locates_it(
    target: QboTarget, state: QboState, company: SeededCompany
) -> None:
    document = target.build(mapped_po(company), TargetKind.PURCHASE_ORDER, "key-1")
    state.faults.drop_after_commit_next = 1
    with pytest.raises(RetryableError) as caught:
        await target.create(document, "req-po-1")
    assert caught.value.outcome_unknown

    found = await target.find(document)
    stored = _stored(state, company, "PurchaseOrder")
    assert len(stored) == 1
    assert found is not None and found.id == stored[0]["Id"]
    # and a blind retry with the same requestid would not have duplicated it either
    again = await target.create(document, "req-po-1")
    assert again.id == found.id
    assert len(_stored(state, company, "PurchaseOrder")) == 1


async def test_find_ignores_same_number_without_our_marker(
    target: QboTarget, company: SeededCompany, state: QboState
) -> None:
    state.realm(company.realm_id).settings.warn_duplicate_docnum = False
    other = target.build(mapped_po(company), TargetKind.PURCHASE_ORDER, "someone-else")
    await target.create(other, "req-other")
    mine = target.build(mapped_po(company), TargetKind.PURCHASE_ORDER, "key-1")
    assert await target.find(mine) is None


async def test_update_then_void(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    mapped = mapped_po(company)
    document = target.build(mapped, TargetKind.PURCHASE_ORDER, "key-1")
    created = await target.create(document, "req-1")
    smaller = mapped.model_copy(update={"lines": mapped.lines[:2]})
    owned = Ownership(line_ids=created.line_ids, fields=created.owned_fields)
    updated = await target.update(
        target.build(smaller, TargetKind.PURCHASE_ORDER, "key-1"), created, "req-2", owned
    )
    assert (updated.id, updated.sync_token, updated.total) == (created.id, "1", Decimal("0.30"))
    await target.void(updated, "req-3")
    assert await target.find(document) is None
    await target.void(updated, "req-3")  # already gone: nothing to do, no error


async def test_invoice_estimate_and_bill(
    target: QboTarget, client: QboClient, company: SeededCompany
) -> None:
    mapped = mapped_po(company)
    item = company.ids["item"]["Change Order Work"]
    sales = mapped.model_copy(
        update={
            "lines": tuple(
                line.model_copy(update={"item": line.account.model_copy(update={"id": item})})
                for line in mapped.lines
                if line.account
            ),
            "department": mapped.customer
            and mapped.customer.model_copy(update={"id": company.ids["department"]["North"]}),
        }
    )
    for kind in (TargetKind.INVOICE, TargetKind.ESTIMATE):
        ref = await target.create(target.build(sales, kind, f"k-{kind}"), f"r-{kind}")
        obj = await client.read(kind.value, ref.id)
        assert (
            obj["CustomerRef"]["value"]
            == company.ids["customer"]["Acme Builders:1021 Main St Renovation"]
        )
        assert obj["DepartmentRef"]["name"] == "North"
        assert obj["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"] == item
        assert obj["TotalAmt"] == Decimal("1235921.66")
    invoice = await target.find(target.build(sales, TargetKind.INVOICE, f"k-{TargetKind.INVOICE}"))
    assert invoice is not None
    await target.void(invoice, "void-inv")
    voided = await client.read("Invoice", invoice.id)
    assert voided["TotalAmt"] == 0 and voided["PrivateNote"].startswith("Voided")

    bill = await target.create(target.build(mapped, TargetKind.BILL, "k-bill"), "r-bill")
    assert bill.kind is TargetKind.BILL and bill.total == Decimal("1235921.66")


def test_target_satisfies_protocol(target: QboTarget) -> None:
    as_target: Target = target
    assert as_target.name == "qbo"
    assert isinstance(PostedRef(kind=TargetKind.BILL, id="1"), PostedRef)
