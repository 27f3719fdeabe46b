"""Connection health alerts: one message per connection and condition, never one per document."""

from __future__ import annotations

import re

from pydantic import SecretStr

from sandbox.procore import create_app as procore_app
from sandbox.qbo import create_app as qbo_app
from sandbox.slack.state import Message
from sandbox.transport import SandboxTransport
from sync.engine.operations import retry_dead, status
from sync.engine.worker import run_until_idle
from sync.service import build_service
from tests.bot.conftest import CHANNEL, SlackHarness
from tests.e2e.scenario import commitment_change_order, one_line


def health_alerts(h: SlackHarness) -> list[Message]:
    return [m for m in h.messages() if m.text.startswith(("🔌", "✅"))]


async def _new_change_orders(h: SlackHarness, count: int, start: int) -> None:
    for n in range(count):
        commitment_change_order(h.world, one_line(), commitment_number=f"SC-{start + n}")
    await h.deliver()
    await h.drain()


async def test_refused_quickbooks_token_is_one_alert_edited_then_resolved_on_reconnect(
    slack: SlackHarness,
) -> None:
    h = slack
    h.world.qbo.auth.refresh.clear()  # revoked in QuickBooks: every token we hold is refused
    h.world.qbo.auth.access.clear()
    await _new_change_orders(h, 5, 300)

    [alert] = health_alerts(h)
    assert alert.text.startswith("🔌 QuickBooks refused costbridge's credentials")
    assert "Reconnect QuickBooks" in alert.text or "Reconnect QuickBooks" in str(alert.blocks)
    assert alert.edits == 0  # five documents at one instant: one message, no edit storm
    assert "seen 5 times" in str(alert.blocks)

    h.clock.advance(300)  # a second failure, later: the same message is edited
    await _new_change_orders(h, 1, 400)
    [alert] = health_alerts(h)
    assert alert.edits == 1 and "seen 6 times" in str(alert.blocks)

    # Reconnect (docs/runbook.md): a new refresh token in the setting, a restart, a retry.
    settings = h.svc.settings
    fresh = h.world.qbo.auth.issue_refresh_token(
        settings.qbo_client_id, settings.qbo_realm_id, h.clock.now()
    )
    restarted = build_service(
        settings.model_copy(update={"qbo_refresh_token": SecretStr(fresh)}),
        clock=h.clock,
        procore_transport=SandboxTransport(procore_app(h.world.procore)),
        qbo_transport=SandboxTransport(qbo_app(h.world.qbo)),
        sleep=h.sleep,
    )
    try:
        assert len(await retry_dead(restarted, actor="test")) == 6
        await run_until_idle(restarted)
    finally:
        await restarted.aclose()
    assert len(h.qbo_rows("PurchaseOrder")) == 6
    [alert] = health_alerts(h)
    assert alert.text == "✅ QuickBooks is connected again"
    thread = h.slack.replies(CHANNEL, alert.ts)
    assert [m.text for m in thread] == ["✅ QuickBooks is connected again"]


async def test_procore_403_while_fetching_is_one_alert_then_resolved(slack: SlackHarness) -> None:
    h = slack
    installed = {cid: set(c.company_ids) for cid, c in h.world.procore.clients.items()}
    for client in h.world.procore.clients.values():
        client.company_ids.clear()  # the app was uninstalled from the company: 403
    await _new_change_orders(h, 3, 300)

    # the items died before any document version existed; still, people are told once
    assert [m.text.split(":")[0] for m in h.messages()] == [
        "🔌 Procore refused costbridge's credentials"
    ]
    async with h.svc.sessions() as session:
        from bot.services.reads import health

        lines = await health(session, now=h.clock.now(), window_minutes=30)
    assert lines[0].startswith("🔌 Procore refused costbridge's credentials (since ")
    reply = await h.driver.command("status")
    assert "Procore refused costbridge's credentials" in str(reply.json())

    for cid, ids in installed.items():
        h.world.procore.clients[cid].company_ids.update(ids)
    h.clock.advance(60)
    await _new_change_orders(h, 1, 400)
    [alert] = health_alerts(h)
    assert alert.text == "✅ Procore is connected again"
    assert (await status(h.svc)).counts.get("posted") == 1


async def test_rate_limiting_alerts_only_once_it_lasts_past_the_setting(
    slack: SlackHarness,
) -> None:
    h = slack
    assert h.svc.settings.rate_limit_alert_minutes == 15
    h.world.procore.faults.force_429 = 1_000_000  # every call: "too many requests"
    started = h.clock.now()
    minutes = 0.0
    while minutes <= 15:
        await _new_change_orders(h, 1, 300 + int(minutes))
        minutes = (h.clock.now() - started).total_seconds() / 60
        if minutes <= 15:
            assert health_alerts(h) == [], f"alerted after {minutes:.1f} minutes"
        h.clock.advance(120)
    # The streak began at the first throttled call, a little after ``started`` (backoff waits
    # carry jitter), so one more throttled call two minutes on is surely past the threshold.
    await _new_change_orders(h, 1, 399)
    [alert] = health_alerts(h)
    # How far past 15 minutes depends on the backoff's jitter: rate-limited documents wait
    # (no attempt spent) and come back, each throttled call moving the frozen clock on.
    said = re.match(r"🔌 Procore has been rate limiting costbridge for (\d+) minutes", alert.text)
    assert said is not None and int(said.group(1)) > 15, alert.text
    await _new_change_orders(h, 2, 500)  # it goes on: still one message
    assert len(health_alerts(h)) == 1

    h.world.procore.faults.force_429 = 0
    h.clock.advance(120)
    await _new_change_orders(h, 1, 600)
    [alert] = health_alerts(h)
    assert alert.text == "✅ Procore is no longer rate limiting costbridge"
