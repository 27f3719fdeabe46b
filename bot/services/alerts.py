"""Failure alerts: a dead document is told once; many with one cause share one message.

The first failure with a cause posts an alert for its document; later failures with the same
cause within ``slack_rollup_window_minutes`` join it, and the message is edited into a roll-up
("QuickBooks answered 503: 30 documents failed, 30 waiting"). A document's later failures and
its recovery go to the thread of the message it was reported in.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.blocks.alerts import failure_alert, rollup_alert
from bot.blocks.header import doc_label
from bot.blocks.message import Message
from bot.blocks.model import FailureView, Outcome, RollupView
from bot.blocks.outcome import outcome_message
from bot.causes import Cause, cause_of
from bot.runtime import SlackBot
from bot.services import store
from bot.services.slack_calls import call
from bot.services.views import doc_from_json, doc_json, doc_view
from db.models import DocumentVersion, SourceDocumentRow
from db.models_slack import SlackMessage, SlackRollup
from sync.engine import states
from sync.service import Service

log = structlog.get_logger("costbridge.slack")
WAITING = (states.DEAD, states.FAILED)


async def on_dead(
    bot: SlackBot, svc: Service, row: SourceDocumentRow, version: DocumentVersion
) -> None:
    assert bot.client is not None and row.id is not None
    cause = cause_of(version.last_error or "unknown error")
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        alert = await store.message_for(session, row.id, store.ALERT)
        if alert is not None and alert.state == store.OPEN and alert.version_id == version.id:
            return  # this failure was already told (a re-run notice)
        rollup = await _open_rollup(session, cause, now, bot.settings.slack_rollup_window_minutes)
        if rollup is not None:
            ids = json.loads(rollup.document_ids)
            if row.id not in ids:
                ids.append(row.id)
            rollup.document_ids, rollup.last_at = json.dumps(ids), now
            session.add(rollup)
            _upsert_alert(session, alert, row, version, rollup, now)
    if rollup is not None:
        await render_rollup(bot, svc, rollup.id or 0)
        log.info("slack.failure_rolled_up", document=row.id, cause=cause.key)
        return
    view = FailureView(
        doc_view(row, version),
        error=f"{cause.message}. What to do: {cause.advice}",
        remote=cause.detail,
        attempts=version.attempts or 1,
        revision=1,
    )
    data = await call(
        bot.client.chat_postMessage(channel=bot.channel, **failure_alert(view).kwargs())
    )
    async with svc.sessions() as session, session.begin():
        rollup = SlackRollup(
            cause=cause.key,
            title=cause.title,
            channel=str(data["channel"]),
            ts=str(data["ts"]),
            document_ids=json.dumps([row.id]),
            first_at=now,
            last_at=now,
        )
        session.add(rollup)
        await session.flush()
        alert = await store.message_for(session, row.id, store.ALERT)
        _upsert_alert(session, alert, row, version, rollup, now)
    log.info("slack.failure_alerted", document=row.id, cause=cause.key)


async def on_failed_again(
    bot: SlackBot, svc: Service, row: SourceDocumentRow, version: DocumentVersion
) -> None:
    """A document that was alerted failed once more: say so in its thread, nowhere else."""
    assert bot.client is not None and row.id is not None
    async with svc.sessions() as session:
        alert = await store.message_for(session, row.id, store.ALERT)
    if alert is None or alert.state == store.RESOLVED:
        return
    text = f"{doc_label(doc_view(row, version))}: attempt {version.attempts} failed: "
    await call(
        bot.client.chat_postMessage(
            channel=alert.channel,
            thread_ts=alert.ts,
            text=text + cause_of(version.last_error).message,
        )
    )


async def on_posted(bot: SlackBot, svc: Service, row: SourceDocumentRow, target: str) -> None:
    assert bot.client is not None and row.id is not None
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        alert = await store.message_for(session, row.id, store.ALERT)
        if alert is None or alert.state == store.RESOLVED:
            return
        alert.state, alert.updated_at = store.RESOLVED, now
        session.add(alert)
        rollup = await session.get(SlackRollup, alert.rollup_id) if alert.rollup_id else None
    doc = doc_from_json(alert.doc_json) or doc_view(row, None)
    await call(
        bot.client.chat_postMessage(
            channel=alert.channel, thread_ts=alert.ts, text=f"✅ {doc_label(doc)} posted: {target}"
        )
    )
    if rollup is not None and len(json.loads(rollup.document_ids)) > 1:
        await render_rollup(bot, svc, rollup.id or 0)
    else:
        message = outcome_message(doc, Outcome("posted", actor=alert.actor, target=target))
        await call(bot.client.chat_update(channel=alert.channel, ts=alert.ts, **message.kwargs()))


async def render_rollup(bot: SlackBot, svc: Service, rollup_id: int) -> None:
    """Edit a roll-up's message to its current count (or back to one document's alert)."""
    assert bot.client is not None
    async with svc.sessions() as session:
        rollup = await session.get(SlackRollup, rollup_id)
        if rollup is None:
            return
        message = await _rollup_message(session, rollup)
    await call(bot.client.chat_update(channel=rollup.channel, ts=rollup.ts, **message.kwargs()))


async def _rollup_message(session: AsyncSession, rollup: SlackRollup) -> Message:
    ids = [i for i in json.loads(rollup.document_ids) if isinstance(i, int)]
    waiting, sample = 0, list[str]()
    for document_id in ids:
        row = await session.get(SourceDocumentRow, document_id)
        if row is None or row.current_version_id is None:
            continue
        version = await session.get(DocumentVersion, row.current_version_id)
        if version is not None and version.state in WAITING:
            waiting += 1
            if len(sample) < 10:
                sample.append(f"#{document_id} {doc_label(doc_view(row, version))}")
    others = len(json.loads(rollup.document_ids)) - len(ids)  # failures before a document
    view = RollupView(
        rollup_id=rollup.id or 0,
        title=rollup.title,
        documents=len(ids) + others,
        waiting=waiting + others,
        retry_every="",
        sample=tuple(sample),
    )
    return rollup_alert(view)


async def _open_rollup(
    session: AsyncSession, cause: Cause, now: datetime, window_minutes: int
) -> SlackRollup | None:
    since = now - timedelta(minutes=window_minutes)
    stmt = (
        select(SlackRollup)
        .where(col(SlackRollup.cause) == cause.key, col(SlackRollup.last_at) >= since)
        .order_by(col(SlackRollup.id).desc())
        .limit(1)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


def _upsert_alert(
    session: AsyncSession,
    alert: SlackMessage | None,
    row: SourceDocumentRow,
    version: DocumentVersion,
    rollup: SlackRollup,
    now: datetime,
) -> None:
    assert row.id is not None
    if alert is None:
        alert = SlackMessage(
            document_id=row.id,
            purpose=store.ALERT,
            channel=rollup.channel,
            ts=rollup.ts,
            doc_json=doc_json(doc_view(row, version)),
            created_at=now,
            updated_at=now,
        )
    alert.channel, alert.ts, alert.rollup_id = rollup.channel, rollup.ts, rollup.id
    alert.version_id, alert.state, alert.updated_at = version.id, store.OPEN, now
    session.add(alert)
