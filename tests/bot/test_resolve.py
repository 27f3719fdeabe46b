"""The core loop: an unmapped change order is resolved in Slack and the choice becomes a rule."""

from __future__ import annotations

from sqlalchemy import select

from bot import ids
from db.models import AuditEntry
from sandbox.procore.state import LineSeed
from sandbox.slack.state import APPROVER
from sync.rules.store import load_rules
from tests.bot.conftest import CHANNEL, SlackHarness
from tests.e2e.scenario import commitment_change_order

HAUL_OFF = [LineSeed("Haul-off", "450.00", "31-000", "O")]  # cost type Other: no rule maps it


async def test_a_choice_in_slack_becomes_a_rule_and_the_change_order_posts(
    slack: SlackHarness,
) -> None:
    h = slack
    commitment_change_order(h.world, HAUL_OFF)
    await h.deliver()
    await h.drain()
    message = h.only_message()
    assert "Needs attention" in message.text
    assert h.qbo_rows("PurchaseOrder") == []

    option = await h.pick_account(message, "5050")
    assert option["text"]["text"] == "5050 Job Expenses:Site Work"
    values = h.choice(message, option, "everywhere")
    response = await h.click(message, ids.APPLY, values=values)
    assert response.status_code == 200
    await h.drain()

    async with h.svc.sessions() as session:
        rules = [r for r in await load_rules(session) if r.author == APPROVER]
        audit = (await session.execute(select(AuditEntry))).scalars().all()
    assert len(rules) == 1
    assert rules[0].conditions.cost_code == "31-000"
    assert rules[0].conditions.cost_type == "Other"
    assert rules[0].conditions.project_id is None  # "everywhere"
    assert any(a.actor == APPROVER and a.action == "rule.create" for a in audit)
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    edited = h.slack.find(CHANNEL, message.ts)
    assert edited is not None and edited.edits >= 2
    assert "Posted as PurchaseOrder" in edited.text
    assert f"<@{APPROVER}>" in edited.text
    assert h.slack.replies(CHANNEL, message.ts)  # the history is in the thread
    assert len(h.messages()) == 1

    # The same cost code + cost type again: it posts by itself, with no message at all.
    commitment_change_order(h.world, HAUL_OFF, commitment_number="SC-200")
    await h.deliver()
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 2
    assert len(h.messages()) == 1
