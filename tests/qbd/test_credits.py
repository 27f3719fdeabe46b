"""Desktop credits and sign flips, through complete Web Connector runs (every request checked
against qbxmlops130.xsd by the harness): VendorCreditAdd, CreditMemoAdd, and a change order
revised across zero voided (TxnVoidRq) or deleted (TxnDelRq) before its replacement is added,
exactly once, lost answers and replays included."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from sandbox.demo.company_file import JOB_COST_ITEM, seed_demo
from sandbox.procore.state import LineSeed
from sandbox.qbd import CompanyFile, execute
from sandbox.qbd.records import Txn
from sandbox.qbd.schema import qbxml_schema
from sync.clock import FrozenClock
from sync.engine import states
from sync.models import TargetKind
from sync.targets.qbd import requests as rq
from sync.targets.qbd.qbxml import message_set
from tests.e2e.scenario import commitment_change_order, one_line, prime_change_order
from tests.qbd.conftest import QbdHarness

JOB = "Acme Builders:1021 Main St Renovation"


def tags(requests: list[str]) -> list[str]:
    """The first request element of each message set, as ``<TagRq``."""
    return ["<" + r.split("<QBXMLMsgsRq", 1)[1].split("<", 2)[1].split(" ")[0] for r in requests]


def live(qbd: QbdHarness, kind: str) -> list[Txn]:
    """Transactions QuickBooks still counts (a voided one stays, at zero, memo "VOID: ")."""
    return [t for t in qbd.company.of_kind(kind) if not t.memo.startswith("VOID:")]


async def posted(qbd: QbdHarness) -> None:
    """Lists read, the change order delivered and mapped, then one run that writes it."""
    assert (await qbd.poll()).progress[-1] == 100
    await qbd.deliver_and_drain()
    assert (await qbd.poll()).progress[-1] == 100


async def revise(qbd: QbdHarness, order: int, amount: str) -> list[str]:
    qbd.world.procore.update_change_order(order, lines=one_line(amount))
    await qbd.deliver_and_drain()
    log = await qbd.poll()
    assert log.progress[-1] == 100
    return tags(log.requests)


async def test_deductive_commitment_change_order_is_a_vendor_credit(qbd: QbdHarness) -> None:
    order = commitment_change_order(
        qbd.world,
        [
            LineSeed("Floor boxes not installed", "-18450.00", "16-100", "S", "-4", "4612.50"),
            LineSeed("Less concrete labour", "-310.25", "03-300", "L"),
        ],
    )
    await posted(qbd)
    assert qbd.company.of_kind("PurchaseOrder") == []
    [credit] = qbd.company.of_kind("VendorCredit")
    assert qbd.company.lists["vendor"][credit.party_id].full_name == "Bright Spark Electric"
    assert credit.ref_number == "SC-100-001"
    assert [line.amount for line in credit.lines] == [Decimal("18450.00"), Decimal("310.25")]
    accounts = [qbd.company.lists["account"][line.account_id].full_name for line in credit.lines]
    assert accounts == [
        "Job Expenses:Subcontractors:Electrical Subcontract",
        "Job Expenses:Labor",
    ]
    assert {qbd.company.lists["customer"][li.customer_id].full_name for li in credit.lines} == {JOB}
    assert (await qbd.version_of(order)).state == states.POSTED
    link = await qbd.link_of(order)
    assert link is not None
    assert (link.target_kind, link.target_id, link.total) == (
        "VendorCredit",
        credit.txn_id,
        "18760.25",
    )


async def test_deductive_prime_change_order_is_a_credit_memo(qbd: QbdHarness) -> None:
    order = prime_change_order(
        qbd.world,
        [
            LineSeed("Owner deletes alternate 2", "-21500.00", "16-100", "S"),
            LineSeed("Less patching", "-1250.05", "09-200", "L"),
        ],
    )
    await posted(qbd)
    assert qbd.company.of_kind("Invoice") == []
    [memo] = qbd.company.of_kind("CreditMemo")
    assert qbd.company.lists["customer"][memo.party_id].full_name == JOB
    assert [line.amount for line in memo.lines] == [Decimal("21500.00"), Decimal("1250.05")]
    assert memo.total == Decimal("22750.05") and len(memo.ref_number) <= 11
    link = await qbd.link_of(order)
    assert link is not None and (link.target_kind, link.total) == ("CreditMemo", "22750.05")


async def test_mixed_sign_lines_with_a_positive_total_are_one_purchase_order(
    qbd: QbdHarness,
) -> None:
    commitment_change_order(
        qbd.world,
        [
            LineSeed("Add receptacles", "1000.00", "16-100", "S"),
            LineSeed("Less lift rental", "-250.50", "01-100", "E"),
        ],
    )
    await posted(qbd)
    assert qbd.company.of_kind("VendorCredit") == []
    [po] = qbd.company.of_kind("PurchaseOrder")
    assert [line.amount for line in po.lines] == [Decimal("1000.00"), Decimal("-250.50")]
    assert po.total == Decimal("749.50")


async def test_purchase_order_to_vendor_credit_and_back(qbd: QbdHarness) -> None:
    order = commitment_change_order(qbd.world, one_line("500.00"))
    await posted(qbd)
    [po] = qbd.company.of_kind("PurchaseOrder")

    # one run: the delete first (QuickBooks cannot void a purchase order), then the credit
    assert await revise(qbd, order, "-200.00") == ["<TxnDelRq", "<VendorCreditAddRq"]
    assert qbd.company.of_kind("PurchaseOrder") == []
    [credit] = qbd.company.of_kind("VendorCredit")
    assert credit.total == Decimal("200.00")
    link = await qbd.link_of(order)
    assert link is not None
    assert (link.target_kind, link.target_id, link.voided) == (
        "VendorCredit",
        credit.txn_id,
        False,
    )
    assert (link.voided_kind, link.voided_target_id) == ("PurchaseOrder", po.txn_id)
    causes = [e.cause for e in await qbd.history(order)]
    assert "void queued" in causes and "voided in target" in causes
    assert causes[-1] == "posted (created)"

    # and back: a vendor credit is voided (it stays, at zero), a new purchase order added
    assert await revise(qbd, order, "300.00") == ["<TxnVoidRq", "<PurchaseOrderAddRq"]
    assert live(qbd, "VendorCredit") == [] and qbd.company.voided == [credit.txn_id]
    [again] = qbd.company.of_kind("PurchaseOrder")
    assert again.total == Decimal("300.00")
    assert (await qbd.version_of(order)).state == states.POSTED


async def test_invoice_to_credit_memo_and_back_leaves_one_live_document(qbd: QbdHarness) -> None:
    order = prime_change_order(qbd.world, one_line("500.00"))
    await posted(qbd)
    [invoice] = qbd.company.of_kind("Invoice")

    assert await revise(qbd, order, "-200.00") == ["<TxnVoidRq", "<CreditMemoAddRq"]
    assert invoice.memo.startswith("VOID: ") and invoice.total == 0
    assert live(qbd, "Invoice") == []
    [memo] = live(qbd, "CreditMemo")
    assert memo.total == Decimal("200.00")

    assert await revise(qbd, order, "300.00") == ["<TxnVoidRq", "<InvoiceAddRq"]
    assert live(qbd, "CreditMemo") == []
    [current] = live(qbd, "Invoice")
    assert current.total == Decimal("300.00") and current.txn_id != invoice.txn_id
    assert qbd.company.voided == [invoice.txn_id, memo.txn_id]  # each voided once


async def test_the_same_webhook_again_queues_one_void(qbd: QbdHarness) -> None:
    order = prime_change_order(qbd.world, one_line("500.00"))
    await posted(qbd)
    qbd.world.procore.switches.duplicate = 2
    qbd.world.procore.update_change_order(order, lines=one_line("-200.00"))
    await qbd.deliver_and_drain()
    qbd.world.procore.update_change_order(order)  # nothing changed: delivered again
    await qbd.deliver_and_drain()
    voids = [r for r in await qbd.requests() if r.kind == "void"]
    assert len(voids) == 1
    log = await qbd.poll()
    assert tags(log.requests) == ["<TxnVoidRq", "<CreditMemoAddRq"]
    qbd.world.procore.update_change_order(order)
    await qbd.deliver_and_drain()
    again = await qbd.poll()
    assert again.status == "none"  # nothing to send: no second void, no second credit
    assert len(qbd.company.voided) == 1 and len(qbd.company.of_kind("CreditMemo")) == 1


async def test_a_void_whose_answer_was_lost_is_read_not_sent_again(qbd: QbdHarness) -> None:
    order = prime_change_order(qbd.world, one_line("500.00"))
    await posted(qbd)
    [invoice] = qbd.company.of_kind("Invoice")
    qbd.world.procore.update_change_order(order, lines=one_line("-200.00"))
    await qbd.deliver_and_drain()
    qbd.connector.faults.cut_after = 1  # QuickBooks voids the invoice; the answer is lost
    cut = await qbd.poll()
    assert cut.cut and tags(cut.requests) == ["<TxnVoidRq"]
    link = await qbd.link_of(order)
    assert link is not None and not link.voided  # not recorded: we never saw the answer

    qbd.connector.faults.cut_after = None
    log = await qbd.poll()
    # the next run reads the invoice first: voided already, so the credit memo follows
    assert tags(log.requests) == ["<InvoiceQueryRq", "<CreditMemoAddRq"]
    assert f"<TxnID>{invoice.txn_id}</TxnID>" in log.requests[0]
    assert qbd.company.voided == [invoice.txn_id]
    assert invoice.memo.count("VOID:") == 1
    assert len(live(qbd, "CreditMemo")) == 1
    link = await qbd.link_of(order)
    assert link is not None and link.voided_target_id == invoice.txn_id
    assert link.target_kind == "CreditMemo" and not link.voided


async def test_a_delete_whose_answer_was_lost_is_not_sent_again(qbd: QbdHarness) -> None:
    order = commitment_change_order(qbd.world, one_line("500.00"))
    await posted(qbd)
    qbd.world.procore.update_change_order(order, lines=one_line("-200.00"))
    await qbd.deliver_and_drain()
    qbd.connector.faults.cut_after = 1
    await qbd.poll()
    assert qbd.company.of_kind("PurchaseOrder") == []
    qbd.connector.faults.cut_after = None
    log = await qbd.poll()
    assert tags(log.requests) == ["<PurchaseOrderQueryRq", "<VendorCreditAddRq"]
    assert len(qbd.company.deleted) == 1 and len(qbd.company.of_kind("VendorCredit")) == 1


async def test_a_refused_void_adds_nothing_and_asks_a_person(qbd: QbdHarness) -> None:
    order = prime_change_order(qbd.world, one_line("500.00"))
    await posted(qbd)
    qbd.world.procore.update_change_order(order, lines=one_line("-200.00"))
    await qbd.deliver_and_drain()
    qbd.company.faults.answers = [(3210, "This invoice has payments applied to it.")]
    log = await qbd.poll()
    assert tags(log.requests) == ["<TxnVoidRq"]  # the credit memo behind it is cancelled
    assert qbd.company.of_kind("CreditMemo") == [] and len(live(qbd, "Invoice")) == 1
    version = await qbd.version_of(order)
    assert version.state == states.NEEDS_ATTENTION
    [reason] = json.loads(version.reasons)
    assert reason["kind"] == "target_rejected"
    assert "refused to void Invoice" in reason["message"]
    assert (await qbd.poll()).status == "none"


def _body(company: CompanyFile, kind: TargetKind, *amounts: str) -> dict[str, object]:
    vendor = kind in (TargetKind.PURCHASE_ORDER, TargetKind.BILL, TargetKind.VENDOR_CREDIT)
    party = company.id(
        "vendor" if vendor else "customer", "Bright Spark Electric" if vendor else JOB
    )
    line = {
        "desc": "x",
        "account": company.id("account", "Job Expenses:Labor") if vendor else "",
        "item": "" if vendor else company.id("item", "Change Order Work"),
        "class": "",
        "customer": company.id("customer", JOB) if vendor else "",
        "billable": None,
    }
    return {
        "party": party,
        "txn_date": "2026-12-01",
        "ref_number": "T-1",
        "memo": "m [costbridge:procore-cco-1]",
        "lines": [{**line, "amount": a} for a in amounts],
    }


@pytest.mark.parametrize("kind", list(TargetKind))
def test_the_fake_refuses_a_total_below_zero_and_takes_zero(
    clock: FrozenClock, kind: TargetKind
) -> None:
    company = seed_demo(clock)

    def add(request_id: str, *amounts: str) -> str:
        body = _body(company, kind, *amounts)
        request = message_set([rq.txn_add(kind, body, request_id, JOB_COST_ITEM)])
        return execute(company, request).response

    refused = add("1", "5.00", "-5.01")
    assert 'statusCode="3210"' in refused
    assert "Transaction amount must be positive" in refused
    zero = add("2", "5.00", "-5.00")
    assert 'statusCode="0"' in zero
    assert len(company.of_kind(kind.value)) == 1


@pytest.mark.skipif(qbxml_schema() is None, reason="qbXML schemas not available")
def test_a_purchase_order_cannot_be_voided_only_deleted(clock: FrozenClock) -> None:
    company = seed_demo(clock)
    text = message_set([rq.txn_void(TargetKind.INVOICE, "1-1", "1")])
    as_po = text.replace("<TxnVoidType>Invoice<", "<TxnVoidType>PurchaseOrder<")
    assert execute(company, as_po).hresult == "0x80040400"  # not in TxnVoidType
    assert "<TxnDelRq" in message_set([rq.txn_void(TargetKind.PURCHASE_ORDER, "1-1", "2")])
