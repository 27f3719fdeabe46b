"""A posted change order that left Procore, voided in QuickBooks Online exactly once: by a
person (``sync.engine.voids.void_document``, what ``costbridge void`` and Slack call), or
without asking when ``COSTBRIDGE_AUTO_VOID`` is on; replays and lost answers included."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlmodel import col

from db.models import AuditEntry
from sync.engine import states
from sync.engine.voids import VoidRefused, void_document
from sync.errors import RetryableError
from tests.e2e.conftest import Harness
from tests.e2e.scenario import commitment_change_order, one_line, prime_change_order
from tests.e2e.test_credits import history, link, version
from tests.e2e.test_sign_flip import live_invoices


def writes(h: Harness, entity: str) -> int:
    """POSTs QuickBooks took for one entity (creates, updates, deletes, voids)."""
    path = f"/{entity.lower()}"
    return len([c for c in h.world.qbo.calls if c.method == "POST" and c.path.endswith(path)])


async def posted_then_deleted(h: Harness, *, prime: bool = False) -> int:
    order = (
        prime_change_order(h.world, one_line("5400.00"))
        if prime
        else commitment_change_order(h.world, one_line("5400.00"))
    )
    await h.deliver()
    await h.drain()
    assert (await version(h)).state == states.POSTED
    h.world.procore.delete_change_order(order)
    await h.deliver()
    await h.drain()
    return order


async def audit(h: Harness, action: str) -> list[AuditEntry]:
    async with h.svc.sessions() as session:
        stmt = select(AuditEntry).where(col(AuditEntry.action) == action)
        return list((await session.execute(stmt)).scalars())


async def test_a_deleted_change_order_asks_then_its_purchase_order_is_deleted_once(
    harness: Harness,
) -> None:
    h = harness
    order = await posted_then_deleted(h)
    asked = await version(h)
    assert asked.state == states.NEEDS_ATTENTION
    assert [r["kind"] for r in json.loads(asked.reasons)] == ["source_deleted"]
    [po] = h.qbo_rows("PurchaseOrder")  # nothing happens without a person (setting off)

    done = await void_document(h.svc, f"procore:{order}", actor="cli")
    assert done.done and done.target == f"PurchaseOrder {po['DocNumber']}"
    assert h.qbo_rows("PurchaseOrder") == []  # QuickBooks Online cannot void one: deleted
    now = await link(h)
    assert now.voided and (now.voided_kind, now.voided_target_id) == ("PurchaseOrder", po["Id"])
    assert now.voided_at == h.clock.now()
    settled = await version(h)
    assert settled.state == states.SKIPPED
    entries = await history(h)
    assert [e.cause for e in entries[-3:]] == [
        "void requested",
        "voided in target",
        "voided in QuickBooks",
    ]
    assert entries[-1].actor == "cli" and entries[-3].actor == "cli"
    assert [a.actor for a in await audit(h, "void")] == ["cli"]

    with pytest.raises(VoidRefused, match="already voided"):  # the same again: refused
        await void_document(h.svc, f"procore:{order}", actor="cli")
    assert writes(h, "PurchaseOrder") == 2  # the create and the one delete
    await h.deliver()  # the same webhook again changes nothing
    await h.drain()
    assert (await version(h)).state == states.SKIPPED


async def test_an_invoice_is_voided_not_deleted(harness: Harness) -> None:
    h = harness
    await posted_then_deleted(h, prime=True)
    [invoice] = h.qbo_rows("Invoice")
    done = await void_document(h.svc, str((await version(h)).document_id), actor="cli")
    assert done.done
    [voided] = h.qbo_rows("Invoice")
    assert voided["Id"] == invoice["Id"] and live_invoices(h) == []
    assert (await link(h)).voided_kind == "Invoice"


async def test_a_void_whose_answer_was_lost_is_not_sent_twice(harness: Harness) -> None:
    h = harness
    order = await posted_then_deleted(h, prime=True)
    h.world.qbo.faults.drop_after_commit_next = 1  # the void lands; its answer is lost
    with pytest.raises(RetryableError):  # nothing recorded: we never saw the answer
        await void_document(h.svc, str(order), actor="cli")
    assert not (await link(h)).voided
    [voided] = h.qbo_rows("Invoice")
    token = voided["SyncToken"]
    done = await void_document(h.svc, str(order), actor="cli")  # run again
    assert done.done
    [still] = h.qbo_rows("Invoice")
    assert still["SyncToken"] == token and str(still["PrivateNote"]).count("Voided") == 1
    assert (await version(h)).state == states.SKIPPED


async def test_refusals_are_in_words(harness: Harness) -> None:
    h = harness
    with pytest.raises(VoidRefused, match="no document '4242'"):
        await void_document(h.svc, "4242", actor="cli")
    order = commitment_change_order(h.world, one_line("1260.00"), status="pending")
    await h.deliver()
    await h.drain()
    with pytest.raises(VoidRefused, match="never posted"):
        await void_document(h.svc, f"procore:{order}", actor="cli")
    assert await audit(h, "void") == []


async def test_auto_void_deletes_without_asking_once(harness: Harness) -> None:
    h = harness
    h.svc.settings = h.svc.settings.model_copy(update={"auto_void": True})
    h.world.procore.switches.duplicate = 2  # the deletion is delivered three times
    await posted_then_deleted(h)
    assert h.qbo_rows("PurchaseOrder") == []
    assert writes(h, "PurchaseOrder") == 2
    settled = await version(h)
    assert settled.state == states.SKIPPED
    entries = await history(h)
    assert [e.cause for e in entries].count("voided in QuickBooks") == 1
    assert entries[-1].actor == "auto-void"
    assert "needs a human" not in [e.cause for e in entries]
    assert [a.actor for a in await audit(h, "void")] == ["auto-void"]


async def test_auto_void_still_asks_when_only_unapproved(harness: Harness) -> None:
    h = harness
    h.svc.settings = h.svc.settings.model_copy(update={"auto_void": True})
    order = commitment_change_order(h.world, one_line("800.00"))
    await h.deliver()
    await h.drain()
    h.world.procore.update_change_order(order, status="pending")
    await h.deliver()
    await h.drain()
    asked = await version(h)
    assert asked.state == states.NEEDS_ATTENTION
    assert [r["kind"] for r in json.loads(asked.reasons)] == ["source_unapproved"]
    assert len(h.qbo_rows("PurchaseOrder")) == 1

    h.world.procore.update_change_order(order, status="void")  # voided in Procore: at once
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == []
    assert (await version(h)).state == states.SKIPPED


async def test_a_change_order_approved_again_after_its_void_posts_a_new_invoice(
    harness: Harness,
) -> None:
    """Un-approved, voided on a person's word, then approved again in Procore: a new invoice
    numbered apart from the voided one, which stays voided (never brought back)."""
    h = harness
    order = prime_change_order(h.world, one_line("800.00"))
    await h.deliver()
    await h.drain()
    [first] = h.qbo_rows("Invoice")
    h.world.procore.update_change_order(order, status="pending")
    await h.deliver()
    await h.drain()
    assert (await version(h)).state == states.NEEDS_ATTENTION
    assert (await void_document(h.svc, str((await version(h)).document_id), actor="U1")).done
    assert live_invoices(h) == []

    h.world.procore.update_change_order(order, status="approved")
    await h.deliver()
    await h.drain()
    assert (await version(h)).state == states.POSTED
    [again] = live_invoices(h)
    assert again["Id"] != first["Id"] and again["DocNumber"] == f"{first['DocNumber']}-R2"
    assert str(again["TotalAmt"]) in ("800.00", "800.0", "800")
    voided = next(row for row in h.qbo_rows("Invoice") if row["Id"] == first["Id"])
    assert voided["TotalAmt"] in (0, "0", "0.00", 0.0)  # still voided, at zero
    current = await link(h)
    assert current.target_id == again["Id"] and not current.voided
    assert [entry["id"] for entry in json.loads(current.voided_history)] == [first["Id"]]
