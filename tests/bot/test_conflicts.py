"""An edit made in QuickBooks to a field costbridge owns: one Slack question with two confirmed
answers, "Overwrite with Procore's version" and "Keep QuickBooks' version" (approvers only,
through the durable queue, answered once, edited in place), produced for real through the
sandboxes; ``costbridge conflict`` reaches the same message."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import col

from bot import ids
from bot.blocks.limits import violations
from db.models import AuditEntry, HistoryEntry
from db.models_slack import SlackMessage
from sandbox.slack.state import APPROVER, VIEWER, Message
from sync.engine import states
from sync.engine.sweep import sweep
from tests.bot.conftest import CHANNEL, SlackHarness
from tests.e2e.conflicts import (
    NOTE,
    Conflict,
    bookkeeper_saves,
    cli_on,
    edited_in_quickbooks,
    link_of,
    one_line_output,
    settle,
    the_po,
    total,
    version_of,
)
from tests.e2e.scenario import one_line


def action_ids(message: Message) -> list[str]:
    return [
        e["action_id"] for b in message.blocks for e in b.get("elements", []) if "action_id" in e
    ]


def question(h: SlackHarness) -> Message:
    """The change order's one message (the commitment's, if any, is another document)."""
    [message] = [m for m in h.messages() if "change order 001" in m.text]
    return message


async def audit(h: SlackHarness, action: str) -> list[str]:
    async with h.svc.sessions() as session:
        rows = await session.execute(select(AuditEntry).where(col(AuditEntry.action) == action))
        return [a.actor for a in rows.scalars()]


def edited(h: SlackHarness, message: Message) -> Message:
    found = h.slack.find(CHANNEL, message.ts)
    assert found is not None
    return found


def thread(h: SlackHarness, message: Message) -> str:
    return " ".join(r.text for r in h.slack.replies(CHANNEL, message.ts))


async def test_an_edit_in_quickbooks_is_asked_once_with_overwrite_and_keep(
    slack: SlackHarness,
) -> None:
    h = slack
    conflict = await edited_in_quickbooks(h)
    message = question(h)
    assert "Edited in QuickBooks since costbridge wrote it" in str(message.blocks)
    assert "PurchaseOrder SC-100-001 was edited in QuickBooks by someone else" in str(
        message.blocks
    )
    assert violations(message.blocks, text=message.text) == []
    buttons = [e for e in h.button_row(message) if "action_id" in e]
    assert [e["action_id"] for e in buttons] == [
        ids.OVERWRITE, ids.KEEP, ids.RETRY, ids.SNOOZE, ids.SNOOZE, ids.OPEN,
    ]  # fmt: skip
    assert ids.APPLY not in action_ids(message) and ids.SKIP not in action_ids(message)
    overwrite = h.button(message, ids.OVERWRITE)
    assert overwrite["text"]["text"] == "Overwrite with Procore's version"
    assert overwrite["confirm"]["text"]["text"].startswith(
        "Replace what was edited in QuickBooks on PurchaseOrder SC-100-001 with Procore's "
        "version of the fields costbridge owns?"
    )
    keep = h.button(message, ids.KEEP)
    assert keep["text"]["text"] == "Keep QuickBooks' version"
    assert "costbridge stops syncing this document" in keep["confirm"]["text"]["text"]
    assert "PurchaseOrder SC-100-001" in keep["confirm"]["text"]["text"]

    await settle(h)  # the same webhooks again, and the sweep: still one question
    await sweep(h.svc)
    await h.drain()
    assert len([m for m in h.messages() if "change order 001" in m.text]) == 1
    async with h.svc.sessions() as session:
        rows = await session.execute(
            select(SlackMessage).where(col(SlackMessage.document_id) == conflict.document_id)
        )
        assert len(rows.scalars().all()) == 1
    assert (await version_of(h, conflict.document_id)).state == states.NEEDS_ATTENTION
    assert the_po(h, conflict.po_id)["PrivateNote"] == NOTE


async def test_overwrite_from_slack_posts_procores_version_once(slack: SlackHarness) -> None:
    h = slack
    conflict = await edited_in_quickbooks(h)
    message = question(h)

    await h.click(message, ids.OVERWRITE, user=VIEWER)  # not an approver: nothing changes
    await h.drain()
    assert "Only approvers" in h.slack.ephemerals(VIEWER)[0].text
    assert (await version_of(h, conflict.document_id)).state == states.NEEDS_ATTENTION
    assert the_po(h, conflict.po_id)["PrivateNote"] == NOTE
    assert await audit(h, "conflict.overwrite") == []

    await h.click(message, ids.OVERWRITE)
    await h.click(message, ids.OVERWRITE)  # a double click
    await h.click(message, ids.KEEP)  # and the other answer at once: one answer wins
    await h.drain()
    po = the_po(h, conflict.po_id)
    assert po["PrivateNote"] == conflict.note  # Procore's version again
    assert total(po) == Decimal("1500.00")
    assert (await version_of(h, conflict.document_id)).state == states.POSTED
    assert (await link_of(h, conflict.document_id)).detached_at is None
    assert await audit(h, "conflict.overwrite") == [APPROVER]
    assert await audit(h, "conflict.keep") == []
    lost = [e.text for e in h.slack.ephemerals(APPROVER) if "Already handled" in e.text]
    assert len(lost) == 2 and all(f"<@{APPROVER}>" in text for text in lost)

    now = edited(h, message)
    assert f"Overwritten PurchaseOrder SC-100-001 with Procore's version by <@{APPROVER}>" in (
        now.text
    )
    assert not {ids.OVERWRITE, ids.KEEP} & set(action_ids(now))
    said = thread(h, message)
    assert f"<@{APPROVER}> chose Procore's version: PurchaseOrder SC-100-001" in said
    assert "overwrite with Procore's version" in said  # the history reply
    assert len([m for m in h.messages() if "change order 001" in m.text]) == 1


async def test_keep_from_slack_leaves_quickbooks_version_and_skips_later_changes(
    slack: SlackHarness,
) -> None:
    h = slack
    conflict = await edited_in_quickbooks(h)
    message = question(h)
    await h.click(message, ids.KEEP, user=VIEWER)
    await h.drain()
    assert (await link_of(h, conflict.document_id)).detached_at is None

    await h.click(message, ids.KEEP)
    await h.drain()
    po = the_po(h, conflict.po_id)
    assert po["PrivateNote"] == NOTE and total(po) == Decimal("1260.00")
    assert (await version_of(h, conflict.document_id)).state == states.SKIPPED
    assert (await link_of(h, conflict.document_id)).detached_at is not None
    assert await audit(h, "conflict.keep") == [APPROVER]
    now = edited(h, message)
    assert f"QuickBooks' version of PurchaseOrder SC-100-001 kept by <@{APPROVER}>" in now.text
    assert not {ids.OVERWRITE, ids.KEEP} & set(action_ids(now))
    said = thread(h, message)
    assert f"<@{APPROVER}> kept QuickBooks' version of PurchaseOrder SC-100-001" in said
    edits = now.edits

    h.world.procore.update_change_order(conflict.order, lines=one_line("1800.00"))
    await settle(h)
    later = await version_of(h, conflict.document_id)
    assert later.state == states.SKIPPED and Decimal(later.total) == Decimal("1800.00")
    po = the_po(h, conflict.po_id)
    assert po["PrivateNote"] == NOTE and total(po) == Decimal("1260.00")  # not written
    async with h.svc.sessions() as session:
        why = await session.execute(
            select(col(HistoryEntry.detail)).where(col(HistoryEntry.version_id) == later.id)
        )
        assert any("costbridge no longer writes it" in d for d in why.scalars())
    assert edited(h, message).edits == edits  # nobody is asked or told again
    assert len([m for m in h.messages() if "change order 001" in m.text]) == 1


async def test_costbridge_conflict_edits_the_slack_question_in_place(
    slack: SlackHarness, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = slack
    cli = cli_on(h, db_url, tmp_path, monkeypatch)
    conflict: Conflict = await edited_in_quickbooks(h)
    message = question(h)

    result = await cli("conflict", str(conflict.document_id), "overwrite")
    assert result.exit_code == 0, result.output
    await h.drain()
    assert the_po(h, conflict.po_id)["PrivateNote"] == conflict.note
    now = edited(h, message)
    assert "Overwritten PurchaseOrder SC-100-001 with Procore's version by cli" in now.text

    # edited again in QuickBooks, changed again in Procore: the same message asks again
    await bookkeeper_saves(h.svc, "PurchaseOrder", conflict.po_id, PrivateNote="Sam again")
    h.world.procore.update_change_order(conflict.order, lines=one_line("1700.00"))
    await settle(h)
    reopened = edited(h, message)
    assert ids.KEEP in action_ids(reopened)
    assert len([m for m in h.messages() if "change order 001" in m.text]) == 1

    kept = await cli("conflict", str(conflict.document_id), "keep")
    assert "QuickBooks' version kept" in one_line_output(kept)
    await h.drain()
    po = the_po(h, conflict.po_id)
    assert po["PrivateNote"] == "Sam again" and total(po) == Decimal("1500.00")

    assert the_po(h, conflict.po_id)["PrivateNote"] == "Sam again"
    now = edited(h, message)  # the message shows the command's answer by itself
    assert "QuickBooks' version of PurchaseOrder SC-100-001 kept by cli" in now.text
    assert "cli kept QuickBooks' version of PurchaseOrder SC-100-001" in thread(h, message)
    assert not {ids.OVERWRITE, ids.KEEP} & set(action_ids(now))


async def test_costbridge_conflict_keep_edits_the_slack_question_by_itself(
    slack: SlackHarness, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = slack
    cli = cli_on(h, db_url, tmp_path, monkeypatch)
    conflict = await edited_in_quickbooks(h)
    message = question(h)
    assert (await cli("conflict", str(conflict.document_id), "keep")).exit_code == 0
    await h.drain()
    assert "QuickBooks' version of PurchaseOrder SC-100-001 kept by cli" in (
        edited(h, message).text
    )


async def test_retry_after_the_edit_was_undone_in_quickbooks_posts_without_asking(
    slack: SlackHarness,
) -> None:
    h = slack
    conflict = await edited_in_quickbooks(h)
    message = question(h)
    await bookkeeper_saves(h.svc, "PurchaseOrder", conflict.po_id, PrivateNote=conflict.note)
    await h.click(message, ids.RETRY)
    await h.drain()
    assert total(the_po(h, conflict.po_id)) == Decimal("1500.00")
    assert (await version_of(h, conflict.document_id)).state == states.POSTED
    assert "Posted as PurchaseOrder SC-100-001" in edited(h, message).text
