""" "Void in QuickBooks": a confirmed click voids what posted for a change order that left
Procore (deleted, voided or un-approved there).

The click (already checked against the approvers) takes the message with the same conditional
update as Apply, so a double click or two people at once is one void; the loser is told. The
void itself is ``sync.engine.voids.void_document`` with the Slack user as actor (history,
audit, exactly once). QuickBooks Online answers at once: the message is edited to "voided" and
the thread says so. QuickBooks Desktop queues it for the Web Connector: the message says
"voiding" until the answer settles the document (the notifier then edits it to "voided"). A
refusal is told in plain words and the message opens again.
"""

from __future__ import annotations

import structlog

from bot.blocks.model import Outcome
from bot.blocks.refs import ButtonRef
from bot.runtime import SlackBot
from bot.services.clicks import (
    Click,
    claim_message,
    refused,
    reply_in_thread,
    show_outcome,
    tell_lost,
)
from bot.services.notify import show_voided
from db.models import SourceDocumentRow
from db.models_slack import SlackMessage
from sync.engine.voids import VoidRefused, void_document
from sync.errors import CostbridgeError
from sync.service import Service

log = structlog.get_logger("costbridge.slack")
NOTHING = "nothing was voided."


async def void_clicked(bot: SlackBot, svc: Service, click: Click, ref: ButtonRef) -> None:
    taken = await _claim(svc, click, ref)
    if isinstance(taken, str):
        await tell_lost(bot, click, taken, "nothing was voided twice")
        return
    row, msg = taken
    try:
        done = await void_document(svc, str(ref.document_id), actor=click.user)
    except VoidRefused as exc:
        await refused(bot, svc, click, row, msg, str(exc), nothing=NOTHING)
        return
    except CostbridgeError as exc:  # QuickBooks did not answer: nothing recorded, try again
        error = f"{exc}; nothing was voided, try again"
        await refused(bot, svc, click, row, msg, error, nothing=NOTHING)
        return
    log.info("slack.voided", document=ref.document_id, user=click.user, done=done.done)
    if done.done:
        await show_voided(bot, svc, ref.document_id)
        return
    await show_outcome(bot, row, msg, Outcome("voiding", actor=click.user, target=done.target))
    await reply_in_thread(
        bot, msg, f"<@{click.user}> asked to void {done.target} in QuickBooks: {done.detail}."
    )


async def _claim(
    svc: Service, click: Click, ref: ButtonRef
) -> tuple[SourceDocumentRow, SlackMessage] | str:
    """Take the message for this click; the actor who got there first when it lost."""
    async with svc.sessions() as session, session.begin():
        row = await session.get(SourceDocumentRow, ref.document_id)
        if row is None:
            return ""
        msg = await claim_message(session, click, ref, now=svc.clock.now())
    return msg if isinstance(msg, str) else (row, msg)
