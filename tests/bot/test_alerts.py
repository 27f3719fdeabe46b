"""Failure alerts: a burst with one cause is one message, edited as it grows and recovers."""

from __future__ import annotations

from bot import ids
from sandbox.slack.state import APPROVER
from tests.bot.conftest import CHANNEL, SlackHarness
from tests.e2e.scenario import commitment_change_order, one_line


async def _fail_until_dead(h: SlackHarness) -> None:
    for _ in range(8):  # backoff 30 s, 60 s...: every attempt is used within minutes
        await h.drain()
        h.clock.advance(300)
    await h.drain()


async def test_thirty_failures_with_one_cause_are_one_rolled_up_alert(
    slack: SlackHarness,
) -> None:
    h = slack
    # 30 documents x 3 attempts at a frozen instant: Procore's own limits are not the subject.
    h.world.procore.limiter.configure(hourly_limit=100_000, spike_limit=100_000)
    h.world.qbo.faults.error_next = 10_000
    h.world.qbo.faults.error_status = 503
    for n in range(30):
        commitment_change_order(h.world, one_line(), commitment_number=f"SC-{300 + n}")
    await h.deliver()
    await _fail_until_dead(h)

    [alert] = h.messages()
    assert "30 documents failed, 30 waiting" in alert.text
    assert "QuickBooks answered 503" in alert.text
    posts = [c for c in h.slack.calls_to("chat.postMessage") if not c.args.get("thread_ts")]
    assert len(posts) == 1  # one message, then edits
    assert alert.edits == 29

    h.world.qbo.faults.error_next = 0
    await h.click(alert, ids.RETRY_ALL)
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 30
    recovered = h.slack.find(CHANNEL, alert.ts)
    assert recovered is not None and "0 waiting" in recovered.text
    assert len(h.messages()) == 1


async def test_a_dead_document_is_alerted_in_plain_words_and_retried_from_slack(
    slack: SlackHarness,
) -> None:
    h = slack
    h.world.qbo.faults.error_next = 3
    commitment_change_order(h.world, one_line())
    await h.deliver()
    await _fail_until_dead(h)
    [alert] = h.messages()
    assert alert.text.startswith("Failed: Commitment change order 001")
    assert "QuickBooks answered 503" in alert.text
    assert [b["action_id"] for b in h.button_row(alert)] == [ids.RETRY, ids.SNOOZE]

    await h.click(alert, ids.RETRY, user=APPROVER)
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    done = h.slack.find(CHANNEL, alert.ts)
    assert done is not None and "Posted as PurchaseOrder" in done.text
    replies = [r.text for r in h.slack.replies(CHANNEL, alert.ts)]
    assert any("posted" in r for r in replies)
