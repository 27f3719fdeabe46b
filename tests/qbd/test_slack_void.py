"""Voiding from Slack when the target is QuickBooks Desktop (issue 10): a posted change order
leaves Procore's approval, the Slack message asks (a confirmed "Void in QuickBooks" button,
approvers only), the click queues the TxnDelRq / TxnVoidRq and says so ("voiding", not yet
voided), the next Web Connector run carries exactly one request, and the message is then
edited in place to "voided", with the approver as the history's actor. Double clicks, a replay
of the same Slack delivery, a stale button and a lost answer never send a second request.

Everything goes through the sandboxes: Procore webhooks, Slack block actions signed and posted
to /slack/events, and the fake company file behind the Web Connector's SOAP calls."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlmodel import col

from bot import ids
from bot.blocks.limits import violations
from db.models import AuditEntry, WorkItem
from db.models_qbd import QbdRequest
from sandbox.qbd.records import Txn
from sandbox.slack.driver import FORM
from sandbox.slack.state import APPROVER, VIEWER, Message
from sync.engine import states
from sync.engine.sweep import sweep
from tests.e2e.scenario import commitment_change_order, one_line, prime_change_order
from tests.qbd import test_slack_party as party
from tests.qbd.test_credits import live, posted, tags

CHANNEL = party.CHANNEL
desk = party.desk  # the fixture: QbdHarness + sandbox Slack + SlackDriver
DesktopSlack = party.DesktopSlack
_button = party._button

DELETED = "<TxnDelRq"
VOIDED = "<TxnVoidRq"
LOST = "Already handled by <@U0ALICE>; nothing was voided twice."


def _has_void(message: Message) -> bool:
    return any(
        e.get("action_id") == ids.VOID for b in message.blocks for e in b.get("elements", [])
    )


def _received(h: DesktopSlack, tag: str) -> int:
    """How many requests of this kind the company file received, over the whole test."""
    return sum(r.count(tag) for r in h.qbd.company.requests)


async def _void_rows(h: DesktopSlack) -> list[QbdRequest]:
    return [r for r in await h.qbd.requests() if r.kind == "void"]


async def _clicks_stored(h: DesktopSlack) -> int:
    async with h.qbd.svc.sessions() as session:
        stmt = select(WorkItem).where(col(WorkItem.kind) == "slack_action")
        return len(list((await session.execute(stmt)).scalars()))


async def _void_audit(h: DesktopSlack) -> list[str]:
    async with h.qbd.svc.sessions() as session:
        stmt = select(AuditEntry).where(col(AuditEntry.action) == "void")
        return [a.actor for a in (await session.execute(stmt)).scalars()]


async def _posted(h: DesktopSlack, order: int, kind: str) -> Txn:
    """Lists read, the change order mapped, one run writes it; posted cleanly, nobody asked."""
    await posted(h.qbd)
    await h.qbd.deliver_and_drain()
    assert (await h.qbd.version_of(order)).state == states.POSTED
    assert h.slack.top_level(CHANNEL) == []
    [txn] = h.qbd.company.of_kind(kind)
    return txn


async def _asked(h: DesktopSlack, order: int, reason: str) -> Message:
    await h.qbd.deliver_and_drain()
    version = await h.qbd.version_of(order)
    assert version.state == states.NEEDS_ATTENTION
    assert [r["kind"] for r in json.loads(version.reasons)] == [reason]
    message = h.message()
    assert "Needs attention" in message.text and _has_void(message)
    assert violations(message.blocks, text=message.text) == []
    return message


def _keep_slack_bodies(http: httpx.AsyncClient) -> list[bytes]:
    """Every body posted to /slack/events, as sent (to replay one delivery byte for byte)."""
    bodies: list[bytes] = []

    async def keep(request: httpx.Request) -> None:
        if request.url.path == "/slack/events":
            bodies.append(request.content)

    http.event_hooks["request"].append(keep)
    return bodies


async def _unapproved_invoice_voiding(h: DesktopSlack, amount: str) -> tuple[int, Txn]:
    """A prime change order posted as an invoice, put back to pending in Procore, and the
    approver's confirmed click: the TxnVoidRq waits for the Web Connector."""
    order = prime_change_order(h.qbd.world, one_line(amount))
    invoice = await _posted(h, order, "Invoice")
    h.qbd.world.procore.update_change_order(order, status="pending")
    await _asked(h, order, "source_unapproved")
    await h.click(ids.VOID)
    assert f"Voiding Invoice {invoice.ref_number} by <@{APPROVER}>…" in h.message().text
    assert [r.txn_id for r in await _void_rows(h)] == [invoice.txn_id]
    return order, invoice


async def test_a_deleted_change_order_is_deleted_from_slack_once_the_web_connector_runs(
    desk: DesktopSlack,
) -> None:
    h = desk
    order = commitment_change_order(h.qbd.world, one_line("5400.00"))
    po = await _posted(h, order, "PurchaseOrder")
    ref = po.ref_number
    assert ref == "SC-100-001"
    h.qbd.world.procore.delete_change_order(order)
    message = await _asked(h, order, "source_deleted")
    button: dict[str, Any] = _button(message, ids.VOID)
    dialog = button["confirm"]["text"]["text"]
    assert dialog.startswith(f"Void PurchaseOrder {ref} for $5,400.00 in QuickBooks?")
    assert button["confirm"]["confirm"]["text"] == "Void"

    # Not an approver: refused, nothing queued.
    await h.driver.block_action(CHANNEL, message.ts, button, user=VIEWER)
    await h.qbd.deliver_and_drain()
    assert "Only approvers" in h.slack.ephemerals(VIEWER)[0].text
    assert await _void_rows(h) == []

    # A double click (both stored before the worker runs): one void queued, the loser told.
    bodies = _keep_slack_bodies(h.qbd.http)
    stored = await _clicks_stored(h)
    for _ in range(2):
        response = await h.driver.block_action(CHANNEL, message.ts, button, user=APPROVER)
        assert response.status_code == 200
    assert await _clicks_stored(h) == stored + 2
    await h.qbd.deliver_and_drain()

    # Queued for the Web Connector, not yet voided: the message and thread say so.
    waiting = h.message()
    edits = waiting.edits  # the sandbox edits a message in place: keep what it was
    assert waiting.ts == message.ts
    assert (
        f"⏳ Voiding PurchaseOrder {ref} by <@{APPROVER}>… QuickBooks answers when the Web "
        "Connector runs next"
    ) in waiting.text
    assert "Voided" not in waiting.text and not _has_void(waiting)
    assert (
        f"<@{APPROVER}> asked to void PurchaseOrder {ref} in QuickBooks: TxnDelRq of "
        f"PurchaseOrder {ref} queued for the Web Connector"
    ) in h.replies()
    assert "voided PurchaseOrder" not in h.replies()
    assert [e.text for e in h.slack.ephemerals(APPROVER)] == [LOST]
    [queued] = await _void_rows(h)
    assert (queued.state, queued.target_kind, queued.txn_id) == (
        "queued",
        "PurchaseOrder",
        po.txn_id,
    )
    assert h.qbd.company.of_kind("PurchaseOrder") == [po] and h.qbd.company.deleted == []
    assert _received(h, DELETED) == 0
    assert (await h.qbd.version_of(order)).state == states.NEEDS_ATTENTION
    link = await h.qbd.link_of(order)
    assert link is not None and not link.voided
    asked, accepted = (await h.qbd.history(order))[-2:]
    assert (asked.cause, asked.actor) == ("void requested", APPROVER)
    assert asked.detail == f"PurchaseOrder {ref} for $5,400.00"
    assert accepted.cause == "accepted, outcome to follow" and "TxnDelRq" in accepted.detail

    # The same Slack delivery again, byte for byte: recognised, nothing stored or queued.
    replayed = await h.driver.send(bodies[-1].decode(), FORM)
    assert replayed.status_code == 200
    await h.qbd.deliver_and_drain()
    assert await _clicks_stored(h) == stored + 2
    assert len(await _void_rows(h)) == 1 and len(h.slack.ephemerals(APPROVER)) == 1

    # The next Web Connector run: exactly one TxnDelRq (QuickBooks cannot void a PO).
    log = await h.qbd.poll()
    assert tags(log.requests) == [DELETED] and log.progress[-1] == 100
    [sent] = log.requests
    assert "<TxnDelType>PurchaseOrder</TxnDelType>" in sent
    assert f"<TxnID>{po.txn_id}</TxnID>" in sent
    assert h.qbd.company.of_kind("PurchaseOrder") == [] and po.txn_id not in h.qbd.company.txns
    assert h.qbd.company.deleted == [po.txn_id]
    await h.qbd.deliver_and_drain()  # the answer's notice: the message is edited in place

    [done] = h.slack.top_level(CHANNEL)
    assert done.ts == message.ts and done.edits == edits + 1
    assert (
        f"🗑️ Voided PurchaseOrder {ref} in QuickBooks by <@{APPROVER}>: it will not be posted again"
    ) in done.text
    assert "Voiding" not in done.text and not _has_void(done)
    told = f"<@{APPROVER}> voided PurchaseOrder {ref} in QuickBooks; the change order will not be "
    assert h.replies().count(told + "posted again.") == 1
    assert (await h.qbd.version_of(order)).state == states.SKIPPED
    link = await h.qbd.link_of(order)
    assert link is not None and link.voided
    assert (link.voided_kind, link.voided_target_id) == ("PurchaseOrder", po.txn_id)
    entries = await h.qbd.history(order)
    assert [e.cause for e in entries[-4:]] == [
        "void requested",
        "accepted, outcome to follow",
        "voided in target",
        "voided in QuickBooks",
    ]
    assert entries[-1].actor == APPROVER and entries[-1].to_state == states.SKIPPED
    assert [e.cause for e in entries].count("void requested") == 1
    assert await _void_audit(h) == [APPROVER]

    # The old button clicked once more (a stale client): told, nothing queued or sent.
    await h.driver.block_action(CHANNEL, message.ts, button, user=APPROVER)
    await h.qbd.deliver_and_drain()
    assert [e.text for e in h.slack.ephemerals(APPROVER)] == [LOST, LOST]
    assert len(await _void_rows(h)) == 1
    assert (await h.qbd.poll()).status == "none"  # nothing more for QuickBooks
    assert _received(h, DELETED) == 1 and h.qbd.company.deleted == [po.txn_id]
    assert "Voided PurchaseOrder" in h.message().text and await _void_audit(h) == [APPROVER]


async def test_an_unapproved_invoice_is_voided_not_deleted(desk: DesktopSlack) -> None:
    h = desk
    order = prime_change_order(h.qbd.world, one_line("500.00"))
    invoice = await _posted(h, order, "Invoice")
    ref, txn_id, memo = invoice.ref_number, invoice.txn_id, invoice.memo
    h.qbd.world.procore.update_change_order(order, status="pending")
    message = await _asked(h, order, "source_unapproved")
    dialog = _button(message, ids.VOID)["confirm"]["text"]["text"]
    assert dialog.startswith(f"Void Invoice {ref} for $500.00 in QuickBooks?")

    await h.click(ids.VOID)
    assert f"⏳ Voiding Invoice {ref} by <@{APPROVER}>…" in h.message().text
    assert f"TxnVoidRq of Invoice {ref} queued for the Web Connector" in h.replies()
    assert h.qbd.company.voided == [] and live(h.qbd, "Invoice") == [invoice]

    log = await h.qbd.poll()
    assert tags(log.requests) == [VOIDED]
    assert "<TxnVoidType>Invoice</TxnVoidType>" in log.requests[0]
    assert h.qbd.company.voided == [txn_id] and h.qbd.company.deleted == []
    [kept] = h.qbd.company.of_kind("Invoice")  # voided, not deleted: it stays at zero
    assert (kept.txn_id, kept.ref_number) == (txn_id, ref)
    assert kept.memo == f"VOID: {memo}" and kept.total == Decimal("0")
    assert live(h.qbd, "Invoice") == []
    await h.qbd.deliver_and_drain()

    done = h.message()
    assert done.ts == message.ts
    assert f"🗑️ Voided Invoice {ref} in QuickBooks by <@{APPROVER}>" in done.text
    assert not _has_void(done)
    assert f"<@{APPROVER}> voided Invoice {ref} in QuickBooks" in h.replies()
    assert (await h.qbd.version_of(order)).state == states.SKIPPED
    link = await h.qbd.link_of(order)
    assert link is not None and (link.voided_kind, link.voided_target_id) == ("Invoice", txn_id)
    last = (await h.qbd.history(order))[-1]
    assert (last.cause, last.actor) == ("voided in QuickBooks", APPROVER)
    assert (await h.qbd.poll()).status == "none"
    assert _received(h, VOIDED) == 1 and h.qbd.company.voided == [txn_id]


async def test_a_lost_answer_is_read_back_not_deleted_twice(desk: DesktopSlack) -> None:
    h = desk
    order = commitment_change_order(h.qbd.world, one_line("800.00"))
    po = await _posted(h, order, "PurchaseOrder")
    h.qbd.world.procore.delete_change_order(order)
    await _asked(h, order, "source_deleted")
    await h.click(ids.VOID)

    h.qbd.connector.faults.cut_after = 1  # QuickBooks deletes it; the answer never comes back
    log = await h.qbd.poll()
    assert log.cut and tags(log.requests) == [DELETED]
    assert h.qbd.company.deleted == [po.txn_id]
    await h.qbd.deliver_and_drain()
    assert "Voiding PurchaseOrder" in h.message().text  # we never saw the answer
    link = await h.qbd.link_of(order)
    assert link is not None and not link.voided

    h.qbd.connector.faults.cut_after = None
    log = await h.qbd.poll()  # the next run reads the transaction instead of deleting again
    assert DELETED not in tags(log.requests) and log.progress[-1] == 100
    await h.qbd.deliver_and_drain()
    assert _received(h, DELETED) == 1 and h.qbd.company.deleted == [po.txn_id]
    assert f"Voided PurchaseOrder {po.ref_number} in QuickBooks by <@{APPROVER}>" in (
        h.message().text
    )
    assert (await h.qbd.version_of(order)).state == states.SKIPPED
    last = (await h.qbd.history(order))[-1]
    assert (last.cause, last.actor) == ("voided in QuickBooks", APPROVER)


async def test_an_edit_in_procore_while_the_void_waits_still_ends_voided(
    desk: DesktopSlack,
) -> None:
    h = desk
    order, invoice = await _unapproved_invoice_voiding(h, "600.00")
    h.qbd.world.procore.update_change_order(order, title="Owner change (on hold)")
    await h.qbd.deliver_and_drain()

    log = await h.qbd.poll()
    assert tags(log.requests) == [VOIDED] and h.qbd.company.voided == [invoice.txn_id]
    await h.qbd.deliver_and_drain()
    link = await h.qbd.link_of(order)
    assert link is not None and link.voided  # QuickBooks did void it, and the link says so
    # What was asked is done: the document is settled and the message says "voided".
    assert (await h.qbd.version_of(order)).state == states.SKIPPED
    done = h.message()
    assert f"Voided Invoice {invoice.ref_number} in QuickBooks by <@{APPROVER}>" in done.text
    assert not _has_void(done)


async def test_the_sweep_while_the_void_waits_does_not_ask_again(desk: DesktopSlack) -> None:
    h = desk
    order, invoice = await _unapproved_invoice_voiding(h, "700.00")
    assert await sweep(h.qbd.svc) == 1  # the scheduled sweep finds the change order again
    await h.qbd.deliver_and_drain()

    waiting = h.message()  # still the answered question, not a new one
    assert f"Voiding Invoice {invoice.ref_number}" in waiting.text
    assert not _has_void(waiting) and "Still needs attention" not in h.replies()

    await h.qbd.poll()
    await h.qbd.deliver_and_drain()
    assert "Voided Invoice" in h.message().text
    assert _received(h, VOIDED) == 1 and await _void_audit(h) == [APPROVER]
    assert (await h.qbd.version_of(order)).state == states.SKIPPED
