"""A document's message after a person answered an edit made in QuickBooks, from Slack or from
``costbridge conflict``: "overwriting…" (until Procore's version posts; ``notify.show_posted``
then says "overwritten"), or "QuickBooks' version kept". Each is shown once: the message is
taken with the same conditional update as a click."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.blocks.model import Outcome
from bot.blocks.outcome import outcome_message
from bot.blocks.text import mention
from bot.runtime import SlackBot
from bot.services import store
from bot.services.slack_calls import call
from bot.services.views import doc_from_json, doc_view
from db.models import HistoryEntry, SourceDocumentRow
from db.models_slack import SlackMessage
from sync.engine import states
from sync.engine.conflicts import KEPT, OVERWRITE
from sync.engine.posting import find_link
from sync.service import Service


async def answer(session: AsyncSession, document_id: int, cause: str) -> HistoryEntry | None:
    """The person's answer ``cause`` when it is their last word on the document: the newest
    history row that is that answer or a new question (``needs_attention``)."""
    stmt = (
        select(HistoryEntry)
        .where(
            col(HistoryEntry.document_id) == document_id,
            or_(
                col(HistoryEntry.cause) == cause,
                col(HistoryEntry.to_state) == states.NEEDS_ATTENTION,
            ),
        )
        .order_by(col(HistoryEntry.id).desc())
        .limit(1)
    )
    entry = (await session.execute(stmt)).scalar_one_or_none()
    return entry if entry is not None and entry.cause == cause else None


async def show_overwriting(bot: SlackBot, svc: Service, row: SourceDocumentRow) -> None:
    """Procore's version was chosen outside Slack: the open question says "overwriting…"."""
    assert row.id is not None
    async with svc.sessions() as session, session.begin():
        msg = await store.message_for(session, row.id, store.ATTENTION)
        chosen = await answer(session, row.id, OVERWRITE)
        if msg is None or chosen is None or msg.state != store.OPEN:
            return  # a click shows it itself, before the document is queued again
        if not await _take(session, msg, chosen.actor, store.APPLYING, svc):
            return
        target = await _target(session, svc, row.id)
    await _edit(bot, row, msg, Outcome("overwriting", actor=chosen.actor, target=target))


async def show_kept(bot: SlackBot, svc: Service, document_id: int) -> None:
    """Edit the document's message to "QuickBooks' version kept" once, with a line in its thread.

    Called when a person kept QuickBooks' version (the click itself; the notice, for
    ``costbridge conflict … keep``); a message already resolved, or a document skipped for
    another reason (a later Procore change of a kept document), is left as it is.
    """
    async with svc.sessions() as session, session.begin():
        row = await session.get(SourceDocumentRow, document_id)
        msg = await store.message_for(session, document_id, store.ATTENTION)
        kept = await answer(session, document_id, KEPT)
        if row is None or msg is None or kept is None or msg.state == store.RESOLVED:
            return
        if not await _take(session, msg, kept.actor, store.RESOLVED, svc):
            return
        target = await _target(session, svc, document_id)
    await _edit(bot, row, msg, Outcome("kept", actor=kept.actor, target=target))
    assert bot.client is not None
    text = (
        f"{mention(kept.actor) or 'costbridge'} kept QuickBooks' version of {target}: "
        "costbridge no longer writes it; later changes in Procore are recorded, not written."
    )
    await call(bot.client.chat_postMessage(channel=msg.channel, thread_ts=msg.ts, text=text))


async def _take(
    session: AsyncSession, msg: SlackMessage, actor: str, to_state: str, svc: Service
) -> bool:
    return await store.claim(
        session,
        msg.id or 0,
        revision=msg.revision,
        actor=actor,
        to_state=to_state,
        now=svc.clock.now(),
        from_states=(store.OPEN, store.APPLYING),
    )


async def _target(session: AsyncSession, svc: Service, document_id: int) -> str:
    link = await find_link(session, document_id, svc.target.name)
    return f"{link.target_kind} {link.doc_number or link.target_id}" if link else ""


async def _edit(bot: SlackBot, row: SourceDocumentRow, msg: SlackMessage, outcome: Outcome) -> None:
    assert bot.client is not None
    doc = doc_from_json(msg.doc_json) or doc_view(row, None)
    message = outcome_message(doc, outcome)
    await call(bot.client.chat_update(channel=msg.channel, ts=msg.ts, **message.kwargs()))
