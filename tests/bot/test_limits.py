"""Every message the bot builds stays inside Slack's documented Block Kit limits."""

from __future__ import annotations

from typing import Any

import pytest

from bot.blocks.alerts import HealthView, connection_alert, failure_alert, rollup_alert
from bot.blocks.attention import attention_message
from bot.blocks.commands import help_message, list_message, progress_message, show_message
from bot.blocks.digest import digest_message
from bot.blocks.home import home_view
from bot.blocks.limits import options_violations, violations
from bot.blocks.model import (
    AttentionView,
    DigestView,
    DocView,
    FailureView,
    Group,
    HomeView,
    LineView,
    Outcome,
    RollupView,
)
from bot.blocks.options import options_response
from bot.blocks.outcome import outcome_message
from sync.models import ReferenceKind, ReferenceRecord
from tests.bot.conftest import SlackHarness
from tests.e2e.scenario import commitment_change_order

LONG = "Ω" * 5000  # longer than any limit, with a non-ASCII character
DOC = DocView(1, "commitment_change_order", "0" * 80, LONG, LONG, LONG, "123456789.99",
              "https://app.procore.com/" + "x" * 4000)  # fmt: skip


def _huge_attention() -> AttentionView:
    lines = tuple(LineView(i, LONG, "1.00") for i in range(200))
    groups = tuple(
        Group("ambiguous", LONG, (LONG, LONG, LONG, LONG), lines, "account", LONG)
        for _ in range(60)
    )
    return AttentionView(DOC, 1, 99999, groups)


BUILT = {
    "attention (60 groups, 200 lines each)": lambda: attention_message(_huge_attention()),
    "attention (nothing)": lambda: attention_message(AttentionView(DOC, 1, 1, ())),
    "outcome": lambda: outcome_message(DOC, Outcome("posted", "U1", LONG, LONG)),
    "failure": lambda: failure_alert(FailureView(DOC, LONG, LONG, 3, 1)),
    "rollup": lambda: rollup_alert(RollupView(1, LONG, 30, 30, LONG, (LONG,) * 50)),
    "health": lambda: connection_alert(
        HealthView(LONG, LONG, LONG, LONG, LONG, LONG, 10**9, False, LONG)
    ),
    "health resolved": lambda: connection_alert(
        HealthView(LONG, LONG, LONG, LONG, LONG, LONG, 1, True, LONG)
    ),
    "help": lambda: help_message(LONG),
    "list": lambda: list_message(LONG, [LONG] * 500),
    "show": lambda: show_message(DOC, "needs_attention", 3, LONG * 20),
    "progress": lambda: progress_message(LONG, 10, 20, False),
    "digest": lambda: digest_message(
        DigestView("2026-11-02", 5, "1.00", (DOC,) * 50, ((DOC, LONG),) * 50)
    ),
}


@pytest.mark.parametrize("name", sorted(BUILT))
def test_each_builder_stays_inside_the_limits(name: str) -> None:
    message = BUILT[name]()
    assert violations(message.blocks, text=message.text) == []


def test_the_app_home_stays_inside_the_limits() -> None:
    rows = tuple((DOC, LONG) for _ in range(300))
    view = home_view(HomeView(1, 2, 3, rows, rows, (LONG,) * 40, True))
    assert violations(view["blocks"], surface="home") == []


def test_options_stay_under_100_and_75_characters() -> None:
    records = [
        ReferenceRecord(kind=ReferenceKind.ACCOUNT, id=str(i) * 3, name=LONG, number=str(i))
        for i in range(500)
    ]
    answer = options_response(records[:5], records)
    assert options_violations(answer) == []
    assert sum(len(g["options"]) for g in answer["option_groups"]) == 99


def test_the_checker_catches_what_slack_refuses() -> None:
    too_many: list[dict[str, Any]] = [{"type": "divider"}] * 51
    assert violations(too_many)
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert violations(long_section)
    option = {"text": {"type": "plain_text", "text": "x" * 76}, "value": "1"}
    assert options_violations({"options": [option]})
    assert options_violations(
        {"options": [{**option, "text": {"type": "plain_text", "text": "ok"}}] * 100}
    )


async def test_every_message_sent_in_a_busy_scenario_passes(slack: SlackHarness) -> None:
    h = slack
    from sandbox.demo.company import TEN_LINES
    from sandbox.procore.state import LineSeed

    other = [LineSeed(f"Odd job {n}", "10.00", "31-000", "O") for n in range(40)]
    commitment_change_order(h.world, TEN_LINES + other)
    await h.deliver()
    await h.drain()
    await h.driver.event({"type": "app_home_opened", "user": "U0ALICE"}, event_id="Ev1")
    await h.drain()
    sent = [
        c for c in h.slack.calls if c.method in ("chat.postMessage", "chat.update", "views.publish")
    ]
    assert sent
    for call in sent:
        blocks = call.args.get("blocks") or (call.args.get("view") or {}).get("blocks") or []
        surface = "home" if call.method == "views.publish" else "message"
        text = str(call.args.get("text", "x"))
        assert violations(blocks, surface=surface, text=text) == [], call.method
