"""Forged requests, non-approvers, double clicks and Slack's retries change nothing twice."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlmodel import col

from bot import ids
from db.models import AuditEntry, MappingRuleRow, WorkItem
from sandbox.slack.state import APPROVER, VIEWER
from sync.service import build_service
from sync.settings import Settings
from sync.web import create_app
from tests.bot.conftest import CHANNEL, SlackHarness
from tests.bot.test_resolve import HAUL_OFF
from tests.e2e.scenario import commitment_change_order


async def _waiting_message(h: SlackHarness) -> object:
    commitment_change_order(h.world, HAUL_OFF)
    await h.deliver()
    await h.drain()
    return h.only_message()


async def _count(h: SlackHarness, table: type) -> int:
    async with h.svc.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def test_forged_or_stale_signatures_are_refused_and_change_nothing(
    slack: SlackHarness,
) -> None:
    h = slack
    message = await _waiting_message(h)
    option = await h.pick_account(message, "5050")  # type: ignore[arg-type]
    apply = h.button(message, ids.APPLY)  # type: ignore[arg-type]
    payload = {
        "type": "block_actions",
        "user": {"id": APPROVER},
        "container": {"message_ts": message.ts, "channel_id": CHANNEL},  # type: ignore[attr-defined]
        "actions": [{**apply, "action_ts": "1"}],
        "state": {"values": h.choice(message, option, "everywhere")},  # type: ignore[arg-type]
    }
    body = urlencode({"payload": json.dumps(payload)})
    items = await _count(h, WorkItem)
    forged = await h.driver.send(body, "application/x-www-form-urlencoded", secret="not-it")
    stale = await h.driver.send(
        body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 6 * 60
    )
    unsigned = await h.http.post("/slack/events", content=body.encode())
    assert [forged.status_code, stale.status_code, unsigned.status_code] == [401, 401, 401]
    assert await _count(h, WorkItem) == items  # nothing stored, nothing queued
    await h.drain()
    assert await _count(h, MappingRuleRow) == 6  # the demo's seed rules only
    assert h.qbo_rows("PurchaseOrder") == []


async def test_a_non_approver_click_changes_nothing_and_is_told(slack: SlackHarness) -> None:
    h = slack
    message = await _waiting_message(h)
    option = await h.pick_account(message, "5050", user=VIEWER)  # type: ignore[arg-type]
    values = h.choice(message, option, "everywhere")  # type: ignore[arg-type]
    response = await h.click(message, ids.APPLY, user=VIEWER, values=values)  # type: ignore[arg-type]
    assert response.status_code == 200
    await h.drain()
    assert await _count(h, MappingRuleRow) == 6
    assert h.qbo_rows("PurchaseOrder") == []
    [note] = h.slack.ephemerals(VIEWER)
    assert "Only approvers" in note.text
    async with h.svc.sessions() as session:
        refused = (
            (
                await session.execute(
                    select(AuditEntry).where(col(AuditEntry.action) == "slack.refused")
                )
            )
            .scalars()
            .all()
        )
    assert [a.actor for a in refused] == [VIEWER]


async def test_a_double_click_or_two_people_post_once(slack: SlackHarness) -> None:
    h = slack
    message = await _waiting_message(h)
    option = await h.pick_account(message, "5050")  # type: ignore[arg-type]
    values = h.choice(message, option, "everywhere")  # type: ignore[arg-type]
    first = await h.click(message, ids.APPLY, values=values)  # type: ignore[arg-type]
    second = await h.click(message, ids.APPLY, values=values)  # type: ignore[arg-type]
    assert first.status_code == second.status_code == 200
    await h.drain()
    assert len(h.qbo_rows("PurchaseOrder")) == 1
    assert await _count(h, MappingRuleRow) == 7  # one rule, not two
    [note] = h.slack.ephemerals(APPROVER)
    assert "Already handled" in note.text


async def test_slack_retrying_an_event_changes_nothing_twice(slack: SlackHarness) -> None:
    h = slack
    event = {"type": "app_home_opened", "user": APPROVER, "channel": "D0HOME", "tab": "home"}
    first = await h.driver.event(event, event_id="Ev0001")
    again = await h.driver.event(event, event_id="Ev0001", retry_num=1)
    assert first.status_code == again.status_code == 200
    await h.drain()
    assert len(h.slack.calls_to("views.publish")) == 1
    assert h.slack.views[APPROVER]["type"] == "home"


async def test_the_same_click_delivered_twice_is_one_click(slack: SlackHarness) -> None:
    h = slack
    message = await _waiting_message(h)
    action = {**h.button(message, ids.RETRY), "action_ts": "1700000000.000001"}  # type: ignore[arg-type]
    payload = {
        "type": "block_actions",
        "user": {"id": APPROVER},
        "container": {"message_ts": message.ts, "channel_id": CHANNEL},  # type: ignore[attr-defined]
        "actions": [action],
    }
    for _ in range(2):
        assert (await h.driver.interaction(payload)).status_code == 200
    async with h.svc.sessions() as session:
        clicks = (
            (await session.execute(select(WorkItem).where(col(WorkItem.kind) == "slack_action")))
            .scalars()
            .all()
        )
    assert len(clicks) == 1


async def test_without_slack_settings_the_endpoint_answers_clearly(
    db_url: str, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None, data_dir=str(tmp_path), database_url=db_url)
    svc = build_service(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(svc)), base_url="http://t"
    ) as http:
        response = await http.post("/slack/events", content=b"payload=%7B%7D")
        assert response.status_code == 503
        assert "SLACK_SIGNING_SECRET" in response.json()["error"]
    await svc.aclose()
    only_secret = settings.model_copy(update={"slack_signing_secret": SecretStr("s3cret")})
    svc = build_service(only_secret)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(svc)), base_url="http://t"
    ) as http:
        assert (await http.post("/slack/events", content=b"x")).status_code == 401
    await svc.aclose()
