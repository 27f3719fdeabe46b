"""The notifier: a document's state changed, so its Slack message is posted or edited.

Runs in the worker from the durable ``notify`` work items
(``sync.engine.documents.transition``), so a crash cannot lose a notice. It always reads the
document's *current* state: notices coalesce by document, and only the latest truth is worth
showing.
"""

from __future__ import annotations

import structlog
from sqlalchemy import select
from sqlmodel import col

from bot.blocks.attention import attention_message
from bot.blocks.model import Outcome
from bot.blocks.outcome import outcome_message
from bot.runtime import SlackBot
from bot.services import alerts, store
from bot.services.conflict_notices import answer, show_kept, show_overwriting
from bot.services.history import history_text
from bot.services.slack_calls import call
from bot.services.views import attention_view, doc_from_json, doc_json, doc_view
from db.models import DocumentVersion, HistoryEntry, SourceDocumentRow
from db.models_slack import SlackMessage
from sync.engine import states
from sync.engine.conflicts import OVERWRITE
from sync.engine.outcomes import VOIDED
from sync.engine.posting import find_link
from sync.engine.voids import posted_label
from sync.service import Service

log = structlog.get_logger("costbridge.slack")


async def on_state_change(bot: SlackBot, svc: Service, document_id: int) -> None:
    async with svc.sessions() as session:
        row = await session.get(SourceDocumentRow, document_id)
        if row is None or row.current_version_id is None:
            return
        version = await session.get(DocumentVersion, row.current_version_id)
    if version is None:
        return
    if version.state == states.NEEDS_ATTENTION:
        await show_attention(bot, svc, row, version)
    elif version.state == states.POSTED:
        await show_posted(bot, svc, row)
    elif version.state == states.SKIPPED:
        await show_voided(bot, svc, document_id)
        await show_kept(bot, svc, document_id)
    elif version.state == states.DEAD:
        await alerts.on_dead(bot, svc, row, version)
    elif version.state == states.FAILED:
        await show_overwriting(bot, svc, row)
        await alerts.on_failed_again(bot, svc, row, version)
    from bot.services.home import refresh_homes

    await refresh_homes(svc)


async def show_attention(
    bot: SlackBot, svc: Service, row: SourceDocumentRow, version: DocumentVersion
) -> None:
    """Post the document's one message, or edit it to the current reasons."""
    assert bot.client is not None and row.id is not None
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        msg = await store.message_for(session, row.id, store.ATTENTION)
        revision = 1 if msg is None else msg.revision + 1
        view = await attention_view(session, svc.target.name, row, version, revision)
        was_applying = msg is not None and msg.state == store.APPLYING
        if msg is not None:
            msg.revision, msg.state, msg.version_id = revision, store.OPEN, version.id
            msg.updated_at = now
            session.add(msg)
    message = attention_message(view)
    if msg is None:
        data = await call(bot.client.chat_postMessage(channel=bot.channel, **message.kwargs()))
        async with svc.sessions() as session, session.begin():
            session.add(
                SlackMessage(
                    document_id=row.id,
                    purpose=store.ATTENTION,
                    channel=str(data["channel"]),
                    ts=str(data["ts"]),
                    version_id=version.id,
                    doc_json=doc_json(view.doc),
                    created_at=now,
                    updated_at=now,
                )
            )
        log.info("slack.attention_posted", document=row.id, ts=data["ts"])
        return
    await call(bot.client.chat_update(channel=msg.channel, ts=msg.ts, **message.kwargs()))
    if was_applying:
        still = "; ".join(g.title for g in view.groups[:5])
        await call(
            bot.client.chat_postMessage(
                channel=msg.channel, thread_ts=msg.ts, text=f"Still needs attention: {still}"
            )
        )


async def show_posted(bot: SlackBot, svc: Service, row: SourceDocumentRow) -> None:
    """Edit the document's messages to the outcome; nothing is posted if none exists."""
    assert bot.client is not None and row.id is not None
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        link = await find_link(session, row.id, svc.target.name)
        target = posted_label(link) if link else ""
        msg = await store.message_for(session, row.id, store.ATTENTION)
        history, overwrite = "", None
        if msg is not None and msg.state != store.RESOLVED:
            msg.state, msg.revision, msg.updated_at = store.RESOLVED, msg.revision + 1, now
            session.add(msg)
            history = await history_text(session, row.id, since=msg.created_at)
            overwrite = await answer(session, row.id, OVERWRITE)
    if msg is not None and history:
        doc = doc_from_json(msg.doc_json) or doc_view(row, None)
        outcome = (
            Outcome("overwritten", actor=overwrite.actor, target=target)
            if overwrite is not None  # a person chose Procore's version over an edit
            else Outcome("posted", actor=msg.actor, target=target, summary=msg.summary)
        )
        message = outcome_message(doc, outcome)
        await call(bot.client.chat_update(channel=msg.channel, ts=msg.ts, **message.kwargs()))
        await call(bot.client.chat_postMessage(channel=msg.channel, thread_ts=msg.ts, text=history))
        log.info("slack.attention_resolved", document=row.id, target=target)
    await alerts.on_posted(bot, svc, row, target)


async def show_voided(bot: SlackBot, svc: Service, document_id: int) -> None:
    """Edit the document's message to "voided" once, with a line in its thread.

    Called after a void settled the document (the click itself for QuickBooks Online, the
    notice when the Web Connector answered for Desktop); a message already resolved, or a
    document whose link is not voided (skipped for another reason), is left as it is.
    """
    assert bot.client is not None
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        row = await session.get(SourceDocumentRow, document_id)
        link = await find_link(session, document_id, svc.target.name)
        msg = await store.message_for(session, document_id, store.ATTENTION)
        if row is None or link is None or not link.voided or msg is None:
            return
        if msg.state == store.RESOLVED:
            return
        voided = (
            await session.execute(
                select(HistoryEntry)
                .where(
                    col(HistoryEntry.document_id) == document_id,
                    col(HistoryEntry.cause) == VOIDED,
                )
                .order_by(col(HistoryEntry.id).desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        actor = voided.actor if voided is not None else msg.actor
        msg.state, msg.revision, msg.updated_at = store.RESOLVED, msg.revision + 1, now
        msg.actor = actor
        session.add(msg)
    target = f"{link.voided_kind or link.target_kind} {link.doc_number or link.voided_target_id}"
    slack_user = actor.startswith(("U", "W"))
    outcome = Outcome("voided", actor=actor if slack_user else "", target=target)
    doc = doc_from_json(msg.doc_json) or doc_view(row, None)
    message = outcome_message(doc, outcome)
    await call(bot.client.chat_update(channel=msg.channel, ts=msg.ts, **message.kwargs()))
    who = f"<@{actor}>" if slack_user else (actor or "costbridge")
    await call(
        bot.client.chat_postMessage(
            channel=msg.channel,
            thread_ts=msg.ts,
            text=f"{who} voided {target} in QuickBooks; the change order will not be posted again.",
        )
    )
    log.info("slack.voided_shown", document=document_id, target=target)
