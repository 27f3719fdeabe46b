"""Button clicks, run by the worker from ``slack_action`` items (the listener only stored them).

Every click that changes something is checked against the approvers, then takes the message
with a conditional update: a double click or two people at once is one effect, and the loser is
told. Failures a person can fix are told to them (ephemeral), never raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog

from bot import ids
from bot.blocks.model import Outcome
from bot.blocks.refs import ButtonRef
from bot.runtime import SlackBot
from bot.services import store
from bot.services.apply import ChoiceError, apply_choices
from bot.services.choices import Choice, choices_from_state
from bot.services.clicks import Click, claim_message, reply_in_thread, show_outcome, tell, tell_lost
from bot.services.conflict import conflict_clicked
from bot.services.create import create_clicked
from bot.services.void import void_clicked
from db.models import AuditEntry, DocumentVersion, SourceDocumentRow
from db.models_slack import SlackMessage
from sync.engine import queue, states
from sync.engine.documents import enqueue_sync, payload_of, reasons_of, ref_of, transition
from sync.engine.operations import retry_dead
from sync.engine.requeue import requeue_resolved
from sync.service import Service

log = structlog.get_logger("costbridge.slack")
SNOOZE = {"1d": timedelta(days=1), "7d": timedelta(days=7)}


async def handle_click(bot: SlackBot, svc: Service, click: Click) -> None:
    if not await bot.approvers.allows(click.user):
        await _refuse(bot, svc, click)
        return
    try:
        ref = ButtonRef.decode(click.value)
    except ValueError:
        log.warning("slack.bad_button", action=click.action_id, value=click.value[:80])
        return
    handler = {
        ids.CREATE_VENDOR: create_clicked,
        ids.CREATE_JOB: create_clicked,
        ids.APPLY: _apply,
        ids.RETRY: _retry,
        ids.SKIP: _skip,
        ids.SNOOZE: _snooze,
        ids.RETRY_ALL: _retry_all,
        ids.VOID: void_clicked,
        ids.OVERWRITE: conflict_clicked,
        ids.KEEP: conflict_clicked,
    }[click.action_id]
    await handler(bot, svc, click, ref)


async def _refuse(bot: SlackBot, svc: Service, click: Click) -> None:
    log.warning("slack.refused", user=click.user, action=click.action_id)
    async with svc.sessions() as session, session.begin():
        session.add(
            AuditEntry(
                at=svc.clock.now(),
                actor=click.user,
                action="slack.refused",
                subject=f"slack:{click.action_id}",
                detail=f'{{"value": "{click.value[:200]}"}}'.replace("\\", ""),
            )
        )
    await tell(bot, click, "Only approvers can change mappings or post. Ask an admin to add you.")


@dataclass(frozen=True)
class _Applied:
    row: SourceDocumentRow
    msg: SlackMessage
    queued: list[int]


async def _apply(bot: SlackBot, svc: Service, click: Click, ref: ButtonRef) -> None:
    choices = choices_from_state(click.state, ref.document_id)
    if not choices:
        await tell(bot, click, "Pick an account (or a vendor / customer:job) first.")
        return
    try:
        applied = await _claim_and_apply(svc, click, ref, choices)
    except ChoiceError as exc:  # rolled back: the message stays open for another try
        await tell(bot, click, str(exc))
        return
    if isinstance(applied, str):
        await tell_lost(bot, click, applied, "nothing changed twice")
        return
    msg = applied.msg
    log.info("slack.applied", document=ref.document_id, user=click.user, requeued=applied.queued)
    await show_outcome(
        bot, applied.row, msg, Outcome("applying", actor=click.user, summary=msg.summary)
    )
    others = len([d for d in applied.queued if d != ref.document_id])
    more = f" {others} other waiting change orders were queued too." if others else ""
    await reply_in_thread(bot, msg, f"<@{click.user}>: {msg.summary}.{more}")


async def _claim_and_apply(
    svc: Service, click: Click, ref: ButtonRef, choices: list[Choice]
) -> _Applied | str:
    """One transaction: take the message, save rules/links, queue what they resolve.

    Returns the actor who got there first when this click lost.
    """
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        msg = await claim_message(session, click, ref, now=now)
        if isinstance(msg, str):
            return msg
        row = await session.get(SourceDocumentRow, ref.document_id)
        version = await session.get(DocumentVersion, ref.version_id)
        doc = payload_of(version) if version is not None else None
        if row is None or version is None or doc is None:
            raise ChoiceError("This change order changed since; use the latest message.")
        saved = await apply_choices(
            session,
            target=svc.target.name,
            doc=doc,
            version=version,
            choices=choices,
            user=click.user,
            now=now,
        )
        msg.summary = "; ".join(saved)
        session.add(msg)
        queued = await requeue_resolved(svc, session)
        await enqueue_sync(session, ref_of(row), now=now)
    return _Applied(row, msg, queued)


async def _retry(bot: SlackBot, svc: Service, click: Click, ref: ButtonRef) -> None:
    replayed = await retry_dead(svc, actor=click.user, document_id=ref.document_id)
    if not replayed:
        async with svc.sessions() as session, session.begin():
            row = await session.get(SourceDocumentRow, ref.document_id)
            if row is None:
                return
            await enqueue_sync(session, ref_of(row), now=svc.clock.now())
            session.add(_audit(svc, click.user, "slack.retry", ref.document_id))
    await tell(bot, click, "Queued again; this message will show the outcome.")


async def _retry_all(bot: SlackBot, svc: Service, click: Click, ref: ButtonRef) -> None:
    replayed = await retry_dead(svc, actor=click.user)
    await tell(bot, click, f"{len(replayed)} queued again.")


async def _skip(bot: SlackBot, svc: Service, click: Click, ref: ButtonRef) -> None:
    await _settle(bot, svc, click, ref, states.SKIPPED, "skipped in Slack", until="")


async def _snooze(bot: SlackBot, svc: Service, click: Click, ref: ButtonRef) -> None:
    delay = SNOOZE.get(ref.arg, SNOOZE["1d"])
    until = svc.clock.now() + delay
    await _settle(
        bot,
        svc,
        click,
        ref,
        states.SNOOZED,
        "snoozed in Slack",
        until=f"{until:%Y-%m-%d %H:%M} UTC",
        wake_at=until,
    )


async def _settle(
    bot: SlackBot,
    svc: Service,
    click: Click,
    ref: ButtonRef,
    to_state: str,
    cause: str,
    *,
    until: str,
    wake_at: Any = None,
) -> None:
    """Skip or snooze: the document (attention) or its failure (alert), one winner."""
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        row = await session.get(SourceDocumentRow, ref.document_id)
        version = (
            await session.get(DocumentVersion, row.current_version_id)
            if row is not None and row.current_version_id
            else None
        )
        if row is None or version is None:
            return
        dead = version.state == states.DEAD
        if dead:  # a failure's alert: no question to claim, only the document's state
            msg = await store.message_for(session, ref.document_id, store.ALERT)
            taken: SlackMessage | str = msg if msg is not None else ""
        else:
            taken = await claim_message(session, click, ref, now=now, to_state=store.RESOLVED)
        won = not isinstance(taken, str)
        if won and not (dead and to_state == states.SNOOZED):
            await transition(
                session,
                version,
                to_state,
                cause,
                now=now,
                actor=click.user,
                detail=until,
                reasons=reasons_of(version),
            )
        if won and wake_at is not None:
            await queue.enqueue(
                session,
                key=f"slack:wake:{ref.document_id}",
                kind="slack_wake",
                data={"document_id": ref.document_id},
                now=now,
                run_after=wake_at,
            )
        if won:
            session.add(_audit(svc, click.user, f"slack.{to_state}", ref.document_id))
    if isinstance(taken, str):
        await tell_lost(bot, click, taken, "nothing changed twice")
        return
    await show_outcome(bot, row, taken, Outcome(to_state, actor=click.user, until=until))
    await reply_in_thread(
        bot, taken, f"<@{click.user}> {to_state} it{f' until {until}' if until else ''}."
    )


def _audit(svc: Service, user: str, action: str, document_id: int) -> AuditEntry:
    return AuditEntry(
        at=svc.clock.now(),
        actor=user,
        action=action,
        subject=f"document:{document_id}",
        detail="{}",
    )
