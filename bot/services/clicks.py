"""A click as the listener stored it, and the three ways the bot answers one: an ephemeral note
to the person, the message edited to show the outcome, a line in the message's thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.blocks.model import Outcome
from bot.blocks.outcome import outcome_message
from bot.runtime import SlackBot
from bot.services.slack_calls import call
from bot.services.views import doc_from_json, doc_view
from db.models import SourceDocumentRow


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


async def tell(bot: SlackBot, click: Click, text: str) -> None:
    """An ephemeral note to the person who clicked (only they see it)."""
    assert bot.client is not None
    if click.channel:
        await call(bot.client.chat_postEphemeral(channel=click.channel, user=click.user, text=text))


async def show_outcome(bot: SlackBot, row: SourceDocumentRow, msg: Any, outcome: Outcome) -> None:
    assert bot.client is not None
    doc = doc_from_json(msg.doc_json) or doc_view(row, None)
    message = outcome_message(doc, outcome)
    await call(bot.client.chat_update(channel=msg.channel, ts=msg.ts, **message.kwargs()))


async def reply_in_thread(bot: SlackBot, msg: Any, text: str) -> None:
    assert bot.client is not None
    await call(bot.client.chat_postMessage(channel=msg.channel, thread_ts=msg.ts, text=text))
