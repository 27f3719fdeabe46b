"""Issue #2's promises, end to end through both sandboxes (no mocks of our own code)."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import func, select

from db.models import (
    DeadLetter,
    DocumentVersion,
    InboxEvent,
    OAuthToken,
    SourceDocumentRow,
    TargetLink,
)
from sandbox.demo.company import TEN_LINES, WEBHOOK_AUTHORIZATION
from sync.engine import states
from sync.models import PostedRef, TargetKind
from sync.secret_box import secret_box_from
from sync.targets.qbo.token_store import DbTokenStore
from tests.e2e.conftest import Harness
from tests.e2e.scenario import commitment_change_order, one_line


async def _count(h: Harness, model: type) -> int:
    async with h.svc.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def _current_version(h: Harness) -> DocumentVersion:
    async with h.svc.sessions() as session:
        doc = (await session.execute(select(SourceDocumentRow))).scalars().one()
        version = await session.get(DocumentVersion, doc.current_version_id)
        assert version is not None
        return version


async def test_ten_line_change_order_becomes_one_purchase_order(harness: Harness) -> None:
    h = harness
    commitment_change_order(h.world)
    await h.deliver()
    await h.drain()

    [po] = h.qbo_rows("PurchaseOrder")
    job = h.world.qbo_id("customer", "Acme Builders:1021 Main St Renovation")
    assert po["VendorRef"]["value"] == h.world.qbo_id("vendor", "Bright Spark Electric")
    assert po["DocNumber"] == "SC-100-001"
    assert len(po["Line"]) == 10
    amounts = [Decimal(str(line["Amount"])) for line in po["Line"]]
    assert amounts == [Decimal(str(seed.amount)) for seed in TEN_LINES]
    assert Decimal(str(po["TotalAmt"])) == Decimal("47026.60")
    details = [line["AccountBasedExpenseLineDetail"] for line in po["Line"]]
    assert {d["CustomerRef"]["value"] for d in details} == {job}
    account = {
        n: h.world.qbo_id("account", n)
        for n in (
            "Labor",
            "Materials",
            "Electrical Subcontract",
            "Subcontractors",
            "Equipment Rental",
        )
    }
    expected = [
        "Labor",
        "Materials",
        "Electrical Subcontract",
        "Equipment Rental",
        "Labor",
        "Materials",
        "Equipment Rental",
        "Subcontractors",
        "Subcontractors",
        "Labor",
    ]
    assert [d["AccountRef"]["value"] for d in details] == [account[n] for n in expected]

    version = await _current_version(h)
    assert version.state == states.POSTED
    assert version.payload is None  # purged after sync; amounts and history stay
    assert version.total == "47026.60"
    async with h.svc.sessions() as session:
        link = (await session.execute(select(TargetLink))).scalars().one()
    assert (link.target_kind, link.target_id) == ("PurchaseOrder", po["Id"])


async def test_same_webhook_five_times_is_one_document(harness: Harness) -> None:
    h = harness
    h.world.procore.switches.duplicate = 4  # every delivery sent 1 + 4 times
    commitment_change_order(h.world, one_line())
    [delivery] = await h.deliver()
    assert delivery.sent_count == 5
    await h.drain()
    assert await _count(h, InboxEvent) == 1
    assert await _count(h, SourceDocumentRow) == 1
    assert len(h.qbo_rows("PurchaseOrder")) == 1


async def test_commit_then_dropped_connection_still_one_purchase_order(harness: Harness) -> None:
    h = harness
    h.world.qbo.faults.drop_after_commit_next = 1
    commitment_change_order(h.world, one_line())
    await h.deliver()
    await h.drain()  # the create committed in QuickBooks, but we never saw the answer
    version = await _current_version(h)
    assert version.state == states.FAILED and version.outcome_unknown
    assert len(h.qbo_rows("PurchaseOrder")) == 1

    h.clock.advance(31)
    await h.drain()
    version = await _current_version(h)
    assert version.state == states.POSTED
    assert len(h.qbo_rows("PurchaseOrder")) == 1


async def test_quickbooks_429_backs_off_then_posts(harness: Harness) -> None:
    h = harness
    h.world.qbo.faults.throttle_next = 2
    commitment_change_order(h.world, one_line())
    await h.deliver()
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    assert len(h.sleep.calls) >= 2 and all(s >= 1 for s in h.sleep.calls)


async def test_procore_429_backs_off_then_posts(harness: Harness) -> None:
    h = harness
    commitment_change_order(h.world, one_line())
    await h.deliver()
    h.world.procore.faults.force_429 = 2
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    assert len(h.sleep.calls) == 2


async def test_unmapped_line_posts_nothing_and_waits(harness: Harness) -> None:
    h = harness
    commitment_change_order(h.world, [*one_line(), *one_line("450.00", "31-000", "O")])
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == []
    version = await _current_version(h)
    assert version.state == states.NEEDS_ATTENTION
    reasons = json.loads(version.reasons)
    assert [r["kind"] for r in reasons] == ["unmapped"]
    assert "31-000" in reasons[0]["message"]


async def test_three_failures_make_a_dead_letter_with_payload_and_error(harness: Harness) -> None:
    h = harness
    h.world.qbo.faults.error_next = 100
    h.world.qbo.faults.error_status = 503
    commitment_change_order(h.world, one_line())
    await h.deliver()
    for _ in range(5):
        await h.drain()
        h.clock.advance(3600)
    version = await _current_version(h)
    assert version.state == states.DEAD and version.attempts == 3
    async with h.svc.sessions() as session:
        letter = (await session.execute(select(DeadLetter))).scalars().one()
    assert json.loads(letter.payload)["number"] == "001"
    assert "503" in letter.error
    assert h.qbo_rows("PurchaseOrder") == []


async def test_refresh_token_rotation_is_stored_and_used(harness: Harness) -> None:
    h = harness
    commitment_change_order(h.world, one_line(), commitment_number="SC-1")
    await h.deliver()
    await h.drain()
    store = DbTokenStore(
        h.svc.sessions,
        secret_box_from(h.svc.settings),
        clock=h.clock,
        provider="qbo",
        account=h.world.qbo_company.realm_id,
    )
    first = await store.load()
    assert first is not None
    assert first.refresh_token != h.world.qbo_refresh_token  # rotated on first use

    h.clock.advance(3700)  # the access token expired: the next call refreshes again
    commitment_change_order(h.world, one_line(), commitment_number="SC-2")
    await h.deliver()
    await h.drain()
    second = await store.load()
    assert second is not None and second.refresh_token != first.refresh_token
    # the old refresh token is dead in QuickBooks, so posting proves the stored one was used
    assert len(h.qbo_rows("PurchaseOrder")) == 2
    async with h.svc.sessions() as session:
        row = (await session.execute(select(OAuthToken))).scalars().one()
    assert second.refresh_token not in row.refresh_token_enc  # encrypted at rest
    assert second.access_token not in row.access_token_enc


async def test_wrong_authorization_is_401_and_nothing_stored(harness: Harness) -> None:
    h = harness
    body = json.dumps(
        {
            "id": "01JMYXMZRBVKK0PC6XS8SA4QRE",
            "reason": "update",
            "company_id": "1",
            "project_id": "2",
            "resource_type": "Commitment Change Orders",
            "resource_id": "3",
        }
    )
    for headers in ({"Authorization": "Bearer wrong"}, {}):
        response = await h.http.post("/webhooks/procore", content=body, headers=headers)
        assert response.status_code == 401
    assert await _count(h, InboxEvent) == 0


async def test_malformed_json_is_400_and_nothing_stored(harness: Harness) -> None:
    h = harness
    auth = {"Authorization": WEBHOOK_AUTHORIZATION}
    for body in (b"{not json", b"[]", b'{"id": "x"}'):
        response = await h.http.post("/webhooks/procore", content=body, headers=auth)
        assert response.status_code == 400
        assert response.json()["error"]
    assert await _count(h, InboxEvent) == 0


async def test_update_in_procore_updates_the_purchase_order(harness: Harness) -> None:
    h = harness
    order_id = commitment_change_order(h.world, one_line("1000.00"))
    await h.deliver()
    await h.drain()
    [po] = h.qbo_rows("PurchaseOrder")
    h.world.procore.update_change_order(order_id, lines=one_line("1250.50"))
    await h.deliver()
    await h.drain()
    [updated] = h.qbo_rows("PurchaseOrder")
    assert updated["Id"] == po["Id"]
    assert Decimal(str(updated["TotalAmt"])) == Decimal("1250.50")
    assert int(updated["SyncToken"]) > int(po["SyncToken"])


async def test_pending_change_order_waits_for_approval(harness: Harness) -> None:
    h = harness
    order_id = commitment_change_order(h.world, one_line(), status="pending")
    await h.deliver()
    await h.drain()
    assert h.qbo_rows("PurchaseOrder") == []
    assert (await _current_version(h)).state == states.FETCHED
    h.world.procore.set_status(order_id, "approved")
    await h.deliver()
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1


async def test_own_writes_are_dropped(harness: Harness) -> None:
    h = harness
    for hook in h.world.procore.hooks.values():
        hook.payload_version = "v2.0"  # v2/v3 payloads carry metadata.source_application_id
    order_id = commitment_change_order(h.world, one_line(), status="pending")
    await h.deliver()
    h.world.procore.set_status(order_id, "approved", source_application_id="costbridge-demo")
    [echo] = await h.deliver()
    assert echo.payload["metadata"]["source_application_id"] == "costbridge-demo"
    assert echo.status == "delivered"  # acknowledged, so Procore does not retry it
    assert await _count(h, InboxEvent) == 1


async def test_unseen_write_of_an_older_version_is_found_not_duplicated(harness: Harness) -> None:
    h = harness
    h.world.qbo.faults.drop_after_commit_next = 1
    order_id = commitment_change_order(h.world, one_line("1000.00"))
    await h.deliver()
    await h.drain()  # version 1 landed in QuickBooks; we saw a dropped connection
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    h.world.procore.update_change_order(order_id, lines=one_line("1100.00"))
    await h.deliver()
    h.clock.advance(31)
    await h.drain()  # version 2 supersedes 1, finds 1's purchase order, updates it
    [po] = h.qbo_rows("PurchaseOrder")
    assert Decimal(str(po["TotalAmt"])) == Decimal("1100.00")
    version = await _current_version(h)
    assert version.state == states.POSTED and version.total == "1100.00"


async def test_purchase_order_deleted_in_quickbooks_needs_a_human(harness: Harness) -> None:
    h = harness
    order_id = commitment_change_order(h.world, one_line("1000.00"))
    await h.deliver()
    await h.drain()
    async with h.svc.sessions() as session:
        link = (await session.execute(select(TargetLink))).scalars().one()
    await h.svc.target.void(
        PostedRef(kind=TargetKind.PURCHASE_ORDER, id=link.target_id), "test-delete"
    )
    assert h.qbo_rows("PurchaseOrder") == []
    h.world.procore.update_change_order(order_id, lines=one_line("1200.00"))
    await h.deliver()
    await h.drain()
    version = await _current_version(h)
    assert version.state == states.NEEDS_ATTENTION
    assert [r["kind"] for r in json.loads(version.reasons)] == ["target_missing"]
    assert h.qbo_rows("PurchaseOrder") == []


async def test_a_change_undone_in_procore_is_undone_in_quickbooks(harness: Harness) -> None:
    """A → B → A: the third state is what an earlier version said; it is a change all the same,
    and QuickBooks ends with A, not B."""
    h = harness
    order_id = commitment_change_order(h.world, one_line("1000.00"))
    h.world.procore.update_change_order(order_id, title="Conduit reroute")
    await h.deliver()
    await h.drain()
    h.world.procore.update_change_order(order_id, title="Conduit reroute, level 2")
    await h.deliver()
    await h.drain()
    [po] = h.qbo_rows("PurchaseOrder")
    assert "Conduit reroute, level 2" in po["PrivateNote"]
    h.world.procore.update_change_order(order_id, title="Conduit reroute")
    await h.deliver()
    await h.drain()
    [po] = h.qbo_rows("PurchaseOrder")
    assert "Conduit reroute" in po["PrivateNote"] and "level 2" not in po["PrivateNote"]
    assert (await _current_version(h)).state == states.POSTED


async def test_approved_again_before_anyone_voided_it_settles_as_posted(harness: Harness) -> None:
    """Approved, set back to pending (Slack asks whether to void), approved again: the question
    is answered by Procore itself; nothing is voided and the document is posted."""
    h = harness
    order_id = commitment_change_order(h.world, one_line("1000.00"))
    await h.deliver()
    await h.drain()
    h.world.procore.update_change_order(order_id, status="pending")
    await h.deliver()
    await h.drain()
    assert (await _current_version(h)).state == states.NEEDS_ATTENTION
    h.world.procore.update_change_order(order_id, status="approved")
    await h.deliver()
    await h.drain()
    current = await _current_version(h)
    assert current.state == states.POSTED and json.loads(current.reasons) == []
    [po] = h.qbo_rows("PurchaseOrder")
    assert Decimal(str(po["TotalAmt"])) == Decimal("1000.00")


async def test_procore_hourly_limit_used_up_waits_for_the_reset_and_loses_nothing(
    harness: Harness,
) -> None:
    """A backlog larger than what is left of Procore's hour: the rest waits for the reset
    (no attempt spent, no dead letter, no call refused in between) and then posts."""
    h = harness
    h.world.procore.limiter.configure(hourly_limit=20, spike_limit=10_000)
    for n in range(8):
        commitment_change_order(h.world, one_line(f"{100 + n}.00"), commitment_number=f"SC-{n}")
    await h.deliver()
    await h.drain()
    first = len(h.qbo_rows("PurchaseOrder"))
    assert 0 < first < 8  # the hour ran out part way
    h.clock.advance(3600)
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 8
    assert await _count(h, DeadLetter) == 0
    async with h.svc.sessions() as session:
        versions = list((await session.execute(select(DocumentVersion))).scalars())
    assert {v.state for v in versions} == {states.POSTED}
    assert {v.attempts for v in versions} <= {0, 1}  # waiting spent none
