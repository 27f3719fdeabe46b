"""A ten-line change order becomes one PurchaseOrderAdd, through a complete Web Connector run."""

from __future__ import annotations

from decimal import Decimal

from sandbox.demo.company_file import JOB_COST_ITEM
from sync.engine import states
from tests.qbd.conftest import QbdHarness

# (description, account full name) of the ten lines, by the demo rules.
EXPECTED = [
    ("Electrician labour, L2 rough-in", "Job Expenses:Labor"),
    ("Conduit and boxes", "Job Expenses:Materials"),
    ("Floor boxes (sub)", "Job Expenses:Subcontractors:Electrical Subcontract"),
    ("Scissor lift, 2 weeks", "Job Expenses:Equipment Rental"),
    ("Concrete labour", "Job Expenses:Labor"),
    ("Ready-mix, 12 cy", "Job Expenses:Materials"),
    ("Pump truck", "Job Expenses:Equipment Rental"),
    ("Drywall patch (sub)", "Job Expenses:Subcontractors"),
    ("Plumbing re-route (sub)", "Job Expenses:Subcontractors"),
    ("Supervision", "Job Expenses:Labor"),
]


async def test_first_run_reads_the_lists_with_iterators(qbd: QbdHarness) -> None:
    log = await qbd.poll()
    assert log.calls[:3] == ["serverVersion", "clientVersion", "authenticate"]
    assert log.status == ""  # work to do: use the company file that is open
    assert log.calls[-1] == "closeConnection" and log.progress[-1] == 100
    assert all(0 <= p <= 99 for p in log.progress[:-1])
    tags = [r.split("<QBXMLMsgsRq", 1)[1].split(">", 2)[1].split(" ")[0] for r in log.requests]
    assert tags == [
        "<AccountQueryRq",
        "<VendorQueryRq",
        "<CustomerQueryRq",
        "<ItemQueryRq",
        "<ClassQueryRq",
    ]
    assert 'iterator="Start"' in log.requests[1]
    rows = await qbd.requests()
    assert {r.state for r in rows} == {"done"}
    # nothing left: the next run is told so
    again = await qbd.poll()
    assert again.status == "none" and again.calls[-1] == "authenticate"


async def test_ten_line_change_order_becomes_one_purchase_order(posted_world: QbdHarness) -> None:
    qbd = posted_world
    co = qbd.world.ten_line_change_order_id
    before = await qbd.version_of(co)
    assert before.state == states.POSTING  # accepted, outcome to follow
    history = await qbd.history(co)
    assert history[-1].cause == "accepted, outcome to follow"
    assert "queued for the Web Connector" in history[-1].detail

    log = await qbd.poll()
    assert log.progress[-1] == 100
    orders = qbd.company.of_kind("PurchaseOrder")
    mine = [o for o in orders if o.ref_number == "SC-001-001"]
    assert len(mine) == 1
    order = mine[0]
    assert qbd.company.lists["vendor"][order.party_id].full_name == "Bright Spark Electric"
    assert len(order.lines) == 10
    job = "Acme Builders:1021 Main St Renovation"
    for line, (desc, account) in zip(order.lines, EXPECTED, strict=True):
        assert line.desc == desc
        assert qbd.company.lists["account"][line.account_id].full_name == account
        assert qbd.company.lists["customer"][line.customer_id].full_name == job
        assert qbd.company.lists["item"][line.item_id].full_name == JOB_COST_ITEM
    assert order.total == Decimal("47026.60")
    assert "costbridge:procore-cco-" in order.memo

    after = await qbd.version_of(co)
    assert after.state == states.POSTED
    link = await qbd.link_of(co)
    assert link is not None
    assert (link.target, link.target_kind, link.target_id) == (
        "qbd:demo",
        "PurchaseOrder",
        order.txn_id,
    )
    assert link.sync_token == order.edit_sequence
    assert link.doc_number == "SC-001-001" and link.total == "47026.60"
    history = await qbd.history(co)
    assert (history[-1].from_state, history[-1].to_state) == ("posting", "posted")
    assert history[-1].cause == "posted (created)"


async def test_prime_change_orders_become_invoices_with_fitted_numbers(
    posted_world: QbdHarness,
) -> None:
    qbd = posted_world
    await qbd.poll()
    invoices = qbd.company.of_kind("Invoice")
    assert len(invoices) == 2
    assert all(len(i.ref_number) <= 11 for i in invoices)
    # "1021-PCO-001" is 12 characters: fitted, and the history says so
    prime = next(i for i in invoices if i.ref_number.startswith("1021-P"))
    assert prime.ref_number != "1021-PCO-001"
    rows = [r for r in await qbd.requests() if r.target_kind == "Invoice"]
    assert rows and rows[0].document_id is not None
    version = await qbd.version_of(qbd.world.change_order_ids[-3])
    assert version.state == states.POSTED
    async with qbd.svc.sessions() as session:
        from sqlalchemy import select
        from sqlmodel import col

        from db.models import HistoryEntry

        details = [
            h.detail
            for h in (
                await session.execute(
                    select(HistoryEntry).where(col(HistoryEntry.document_id) == version.document_id)
                )
            ).scalars()
        ]
    assert any("RefNumber: '1021-PCO-001' is longer than 11" in d for d in details)


async def test_documents_wait_for_the_first_list_read(qbd: QbdHarness) -> None:
    from sandbox.demo.company import add_change_orders

    add_change_orders(qbd.world)
    await qbd.deliver_and_drain()  # no list read yet: nothing to map against
    co = qbd.world.ten_line_change_order_id
    version = await qbd.version_of(co)
    assert version.state == states.WAITING
    assert "waiting for QuickBooks Desktop to connect" in version.last_error
    assert version.attempts == 0  # waiting for a system that is away spends no attempt
    log = await qbd.poll()  # reads the lists: that wakes what waited, no clock needed
    assert log.progress[-1] == 100 and not qbd.company.txns
    await qbd.deliver_and_drain()
    assert (await qbd.version_of(co)).state == states.POSTING
    await qbd.poll()
    assert (await qbd.version_of(co)).state == states.POSTED
