"""A click as the listener stored it, how one click takes the document's message (exactly one
of two concurrent clicks does), and the ways the bot answers one: an ephemeral note to the
person, the message edited to show the outcome, a line in the message's thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from bot.blocks.model import Outcome
from bot.blocks.outcome import outcome_message
from bot.blocks.refs import ButtonRef
from bot.blocks.text import mention
from bot.runtime import SlackBot
from bot.services import store
from bot.services.notify import show_attention
from bot.services.slack_calls import call
from bot.services.views import doc_from_json, doc_view
from db.models import DocumentVersion, SourceDocumentRow
from db.models_slack import SlackMessage
from sync.engine import states
from sync.service import Service

log = structlog.get_logger("costbridge.slack")


@dataclass(frozen=True)
class Click:
    """What the listener stored about one click."""

    user: str
    action_id: str
    value: str
    channel: str
    message_ts: str
    state: dict[str, Any]

    @classmethod
    def of(cls, data: dict[str, Any]) -> Click:
        return cls(
            user=str(data["user"]),
            action_id=str(data["action_id"]),
            value=str(data.get("value") or ""),
            channel=str(data.get("channel") or ""),
            message_ts=str(data.get("message_ts") or ""),
            state=dict(data.get("state") or {}),
        )


async def claim_message(
    session: AsyncSession,
    click: Click,
    ref: ButtonRef,
    *,
    now: datetime,
    to_state: str = store.APPLYING,
) -> SlackMessage | str:
    """Take the document's message for this click: the revision the button was drawn with,
    still open. A double click or two people at once: one gets the message, the other the
    actor who got there first ("" when the document has no message)."""
    msg = await store.message_for(session, ref.document_id, store.ATTENTION)
    if msg is None:
        return ""
    won = await store.claim(
        session,
        msg.id or 0,
        revision=ref.revision,
        actor=click.user,
        to_state=to_state,
        now=now,
    )
    if not won:
        return msg.actor
    await session.refresh(msg)  # the claim was a Core UPDATE
    return msg


async def tell(bot: SlackBot, click: Click, text: str) -> None:
    """An ephemeral note to the person who clicked (only they see it)."""
    assert bot.client is not None
    if click.channel:
        await call(bot.client.chat_postEphemeral(channel=click.channel, user=click.user, text=text))


async def tell_lost(bot: SlackBot, click: Click, actor: str, what: str) -> None:
    """The click that lost ``claim_message``: who got there first, and that nothing doubled."""
    await tell(bot, click, f"Already handled by {mention(actor) or 'someone'}; {what}.")


async def show_outcome(bot: SlackBot, row: SourceDocumentRow, msg: Any, outcome: Outcome) -> None:
    assert bot.client is not None
    doc = doc_from_json(msg.doc_json) or doc_view(row, None)
    message = outcome_message(doc, outcome)
    await call(bot.client.chat_update(channel=msg.channel, ts=msg.ts, **message.kwargs()))


async def reply_in_thread(bot: SlackBot, msg: Any, text: str) -> None:
    assert bot.client is not None
    await call(bot.client.chat_postMessage(channel=msg.channel, thread_ts=msg.ts, text=text))


async def refused(
    bot: SlackBot,
    svc: Service,
    click: Click,
    row: SourceDocumentRow,
    msg: SlackMessage,
    error: str,
    *,
    nothing: str,
) -> None:
    """A claimed click the engine refused: say why to the person and in the thread (``nothing``:
    "nothing was voided."), then open the message again while the document still waits."""
    log.warning("slack.click_refused", action=click.action_id, document=row.id, error=error)
    await tell(bot, click, error)
    await reply_in_thread(bot, msg, f"<@{click.user}>: {nothing} {error}")
    async with svc.sessions() as session:
        version = (
            await session.get(DocumentVersion, row.current_version_id)
            if row.current_version_id
            else None
        )
    if version is not None and version.state == states.NEEDS_ATTENTION:
        await show_attention(bot, svc, row, version)
