""" "Overwrite with Procore's version" / "Keep QuickBooks' version": a confirmed click answers
an edit a bookkeeper made in QuickBooks to a field costbridge owns (``edited_in_target``).

The click (already checked against the approvers) takes the message with the same conditional
update as every other answer (``clicks.claim_message``), so a double click or two people at
once is one answer; the loser is told who answered. The answer itself is
``sync.engine.conflicts.resolve_conflict`` with the Slack user as actor (history, audit).

- Overwrite: the message says "overwriting…" before the document is queued again (so the
  notifier, which edits it to "overwritten" once Procore's version posted, always comes
  after), and the thread says who chose it.
- Keep: the version settles ``skipped``; the message is edited to "kept" and the thread says
  who kept it (``notify.show_kept``, which a ``costbridge conflict … keep`` also reaches).

A refusal (no edit waiting any more) is told in plain words; the message opens again while the
document still waits, or shows the answer given meanwhile from the command line.
"""

from __future__ import annotations

import structlog

from bot import ids
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
from bot.services.conflict_notices import show_kept
from bot.services.views import conflict_target
from db.models import SourceDocumentRow
from db.models_slack import SlackMessage
from sync.engine.conflicts import Choice, ConflictRefused, resolve_conflict
from sync.engine.documents import current_version, reasons_of
from sync.service import Service

log = structlog.get_logger("costbridge.slack")
NOTHING = "nothing was changed."


async def conflict_clicked(bot: SlackBot, svc: Service, click: Click, ref: ButtonRef) -> None:
    choice: Choice = "overwrite" if click.action_id == ids.OVERWRITE else "keep"
    taken = await _claim(svc, click, ref)
    if isinstance(taken, str):
        await tell_lost(bot, click, taken, "the edit in QuickBooks was answered once")
        return
    row, msg, target = taken
    if choice == "overwrite":
        outcome = Outcome("overwriting", actor=click.user, target=target)
        await show_outcome(bot, row, msg, outcome)
    try:
        done = await resolve_conflict(svc, str(ref.document_id), choice, actor=click.user)
    except ConflictRefused as exc:
        await refused(bot, svc, click, row, msg, str(exc), nothing=NOTHING)
        # Answered meanwhile (``costbridge conflict … keep``, another person): the message
        # shows that answer now, if the notifier has not already.
        await show_kept(bot, svc, ref.document_id)
        return
    log.info("slack.conflict_answered", document=ref.document_id, user=click.user, choice=choice)
    if choice == "keep":
        await show_kept(bot, svc, ref.document_id)
        return
    await reply_in_thread(
        bot,
        msg,
        f"<@{click.user}> chose Procore's version: {done.target} gets Procore's version of "
        "the fields costbridge owns, replacing what was edited in QuickBooks.",
    )


async def _claim(
    svc: Service, click: Click, ref: ButtonRef
) -> tuple[SourceDocumentRow, SlackMessage, str] | str:
    """Take the message for this click; the actor who got there first when it lost."""
    async with svc.sessions() as session, session.begin():
        row = await session.get(SourceDocumentRow, ref.document_id)
        version = await current_version(session, row) if row is not None else None
        if row is None or version is None:
            return ""
        msg = await claim_message(session, click, ref, now=svc.clock.now())
    if isinstance(msg, str):
        return msg
    return row, msg, conflict_target(version, reasons_of(version))
