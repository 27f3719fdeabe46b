"""``/sync``: help lists every command, and each command works through Slack's request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.command_parse import HELP, NAMES
from db.models import MappingRuleRow
from sandbox.slack.state import APPROVER, VIEWER
from sync.engine.operations import status
from tests.bot.conftest import SlackHarness
from tests.bot.test_resolve import HAUL_OFF
from tests.e2e.scenario import commitment_change_order, one_line


async def sync(h: SlackHarness, text: str, user: str = APPROVER) -> str:
    response = await h.driver.command(text, user=user)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert body["response_type"] == "ephemeral"
    return str(body["text"])


async def _waiting(h: SlackHarness) -> None:
    commitment_change_order(h.world, HAUL_OFF)
    await h.deliver()
    await h.drain()


async def test_help_lists_every_command(slack: SlackHarness) -> None:
    text = await sync(slack, "help")
    for usage, _ in HELP:
        assert f"/sync {usage}" in text
    assert set(NAMES) == {
        "help", "status", "show", "retry", "rules", "map", "pause", "resume", "backfill",
    }  # fmt: skip


async def test_unknown_input_gets_the_help_not_an_error(slack: SlackHarness) -> None:
    assert "unknown command `frobnicate`" in await sync(slack, "frobnicate now")
    assert "/sync status" in await sync(slack, "")
    assert "needs a cost code" in await sync(slack, "map 03-300")


async def test_status(slack: SlackHarness) -> None:
    await _waiting(slack)
    text = await sync(slack, "status")
    assert "needs_attention 1" in text
    assert "Worker:* running" in text


async def test_show_explains_each_line(slack: SlackHarness) -> None:
    await _waiting(slack)
    text = await sync(slack, "show 1")
    assert "needs_attention" in text
    assert "No change order" in await sync(slack, "show 999")


async def test_retry_a_document_and_failed(slack: SlackHarness) -> None:
    h = slack
    h.world.qbo.faults.error_next = 3
    commitment_change_order(h.world, one_line())
    await h.deliver()
    for _ in range(4):
        await h.drain()
        h.clock.advance(600)
    assert "queued again" in await sync(h, "retry 1")
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    assert "0 queued again" in await sync(h, "retry failed")


async def test_rules_with_a_filter(slack: SlackHarness) -> None:
    text = await sync(slack, "rules")
    assert "Mapping rules (6)" in text
    assert "(1)" in await sync(slack, "rules 16-*")


async def test_map_saves_a_rule_and_the_waiting_document_posts(slack: SlackHarness) -> None:
    h = slack
    await _waiting(h)
    text = await sync(h, "map 31-000 Other 5050")
    assert "Rule #7 saved" in text and "1 waiting" in text
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    async with h.svc.sessions() as session:
        rule = await session.get(MappingRuleRow, 7)
    assert rule is not None and rule.author == APPROVER
    assert "Which account" in await sync(h, "map 31-000 Other nothing-like-this")


async def test_map_needs_an_approver(slack: SlackHarness) -> None:
    h = slack
    assert "Only approvers" in await sync(h, "map 31-000 Other 5050", user=VIEWER)
    async with h.svc.sessions() as session:
        rows = (await session.execute(select(MappingRuleRow))).scalars().all()
    assert len(rows) == 6


async def test_pause_and_resume(slack: SlackHarness) -> None:
    h = slack
    assert "Paused" in await sync(h, "pause")
    assert (await status(h.svc)).paused
    assert "Resumed" in await sync(h, "resume")
    assert not (await status(h.svc)).paused


async def test_backfill_queues_a_project_with_an_edited_progress_message(
    slack: SlackHarness,
) -> None:
    h = slack
    h.world.procore.switches.drop_rate = 1.0  # no webhook arrives: only the backfill finds it
    commitment_change_order(h.world, one_line())
    await h.deliver()
    project = h.world.project_ids[0]
    text = await sync(h, f"backfill {project} --since 2026-01-01")
    assert "queued" in text
    await h.drain()
    [progress] = [m for m in h.messages() if "Backfill" in m.text]
    # The change order and its commitment (approved, no SOV lines: nothing to post).
    assert "2/2" in progress.text and "queued, done" in progress.text and progress.edits >= 1
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    assert "takes a date" in await sync(h, f"backfill {project} --since yesterday")


async def test_the_daily_digest_says_what_synced_waits_and_failed(slack: SlackHarness) -> None:
    from bot.schedule import digest_trigger
    from bot.services.digest import post_digest

    h = slack
    await _waiting(h)
    commitment_change_order(h.world, one_line(), commitment_number="SC-201")
    await h.deliver()
    await h.drain()
    assert await post_digest(h.svc)
    [digest] = [m for m in h.messages() if "digest" in m.text]
    assert "1 synced, 1 waiting, 0 failed" in digest.text
    assert digest_trigger(h.svc) == {"hour": 8, "minute": 0, "timezone": "UTC"}
