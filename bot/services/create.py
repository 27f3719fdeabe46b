""" "Create vendor" / "Create job": a confirmed click becomes a party in QuickBooks and a link.

The click (already checked against the approvers) takes the message with the same conditional
update as Apply, so a double click is one effect, and queues one ``slack_party`` work item. The
worker then asks the target (idempotent: looked up by name first, deterministic request id),
links the party with the Slack user as author, re-queues every waiting document the link
resolves, and the message follows the document (posted → edited in place). A name held by
another party is told in plain words and the message opens again.
"""

from __future__ import annotations

from typing import Any

import structlog

from bot import ids
from bot.blocks.model import Outcome
from bot.blocks.refs import ButtonRef, GroupRef
from bot.grouping import GroupSpec, group_reasons
from bot.runtime import SlackBot, find_bot
from bot.services import store
from bot.services.apply import ChoiceError
from bot.services.clicks import Click, claim_message, reply_in_thread, show_outcome, tell, tell_lost
from bot.services.slack_calls import call
from bot.services.views import create_name
from db.models import AuditEntry, DocumentVersion, SourceDocumentRow
from mappings.references import ReferenceIndex
from sync.engine import queue, reference, states
from sync.engine.documents import enqueue_sync, reasons_of, ref_of
from sync.engine.parties import PartyPlan, create_and_link, work_key
from sync.engine.requeue import requeue_resolved
from sync.errors import FatalError, NeedsHumanError
from sync.models import ReferenceKind
from sync.service import Service
from sync.targets.base import OutcomeToFollow

log = structlog.get_logger("costbridge.slack")
WORK_KIND = "slack_party"


def _parent_choice(click: Click, ref: ButtonRef) -> str:
    """The parent customer picked in the same group block (Slack keeps it in the state)."""
    for block_id, actions in (click.state.get("values") or {}).items():
        group = GroupRef.parse(block_id)
        if group is None or group.document_id != ref.document_id or str(group.index) != ref.arg:
            continue
        picked = (actions.get(ids.PICK_PARENT) or {}).get("selected_option") or {}
        return str(picked.get("value") or "")
    return ""


def _plan(
    spec: GroupSpec, row: SourceDocumentRow, refs: ReferenceIndex, user: str, parent_id: str
) -> PartyPlan:
    name = create_name(spec)
    if not name or row.id is None:
        raise ChoiceError("This message is out of date; use the latest one.")
    if spec.picker == "vendor":
        source_kind, source_id, kind, parent_name = "vendor", spec.datum("vendor_id"), "vendor", ""
    else:
        parent = refs.get(ReferenceKind.CUSTOMER, parent_id) if parent_id else None
        if parent is None or parent.parent_id or not parent.active:
            raise ChoiceError("Pick the parent customer for the new job first.")
        source_kind, source_id, kind = "project", spec.datum("project_id"), "customer"
        parent_name = parent.name
    return PartyPlan(
        document_id=row.id,
        source=row.source,
        source_kind=source_kind,
        source_id=source_id,
        kind=kind,
        name=name,
        parent_id=parent_id if kind == "customer" else "",
        parent_name=parent_name,
        user=user,
    )


async def create_clicked(bot: SlackBot, svc: Service, click: Click, ref: ButtonRef) -> None:
    try:
        taken = await _claim_and_queue(svc, click, ref)
    except ChoiceError as exc:  # rolled back: the message stays open
        await tell(bot, click, str(exc))
        return
    if isinstance(taken, str):
        await tell_lost(bot, click, taken, "nothing changed twice")
        return
    row, msg, plan = taken
    what = f"{'vendor' if plan.kind == 'vendor' else 'job'} “{plan.full_name}”"
    await show_outcome(bot, row, msg, Outcome("applying", actor=click.user, summary=msg.summary))
    await reply_in_thread(bot, msg, f"<@{click.user}> asked to create the {what} in QuickBooks.")


async def _claim_and_queue(
    svc: Service, click: Click, ref: ButtonRef
) -> tuple[SourceDocumentRow, Any, PartyPlan] | str:
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        row = await session.get(SourceDocumentRow, ref.document_id)
        version = await session.get(DocumentVersion, ref.version_id)
        if row is None or version is None:
            return ""
        specs = group_reasons(reasons_of(version))
        index = int(ref.arg) if ref.arg.isdigit() else -1
        if not 0 <= index < len(specs):
            raise ChoiceError("This message is out of date; use the latest one.")
        refs = ReferenceIndex(await reference.cached(session, svc.target.name))
        plan = _plan(specs[index], row, refs, click.user, _parent_choice(click, ref))
        msg = await claim_message(session, click, ref, now=now)
        if isinstance(msg, str):
            return msg
        kind = "vendor" if plan.kind == "vendor" else "job"
        msg.summary = f"{kind} “{plan.full_name}” created in QuickBooks and linked"
        session.add(msg)
        await queue.enqueue(session, key=work_key(plan), kind=WORK_KIND, data=plan.data(), now=now)
        session.add(
            AuditEntry(
                at=now,
                actor=click.user,
                action=f"slack.create_{kind}",
                subject=f"document:{row.id}",
                detail=f'{{"name": "{plan.full_name}"}}'.replace("\\", ""),
            )
        )
    return row, msg, plan


async def run_party(svc: Service, data: dict[str, Any]) -> None:
    """The worker's side: create (or find) the party, link it, re-queue what it resolves."""
    plan = PartyPlan.of(data)
    bot = find_bot(svc)
    now = svc.clock.now()
    if data.get("answer") == "failed":  # a deferred target refused it (QuickBooks Desktop)
        await _refused(bot, svc, plan, str(data.get("error") or "QuickBooks refused it."))
        return
    try:
        async with svc.sessions() as session, session.begin():
            created = await create_and_link(session, svc.target, plan, work_kind=WORK_KIND, now=now)
            queued = await requeue_resolved(svc, session)
            row = await session.get(SourceDocumentRow, plan.document_id)
            if row is not None:
                await enqueue_sync(session, ref_of(row), now=now)
    except OutcomeToFollow as exc:
        log.info("slack.party_queued", key=plan.key, detail=exc.detail)
        await _note(bot, svc, plan, f"Queued for QuickBooks: {exc.detail}")
        return
    except (NeedsHumanError, FatalError) as exc:
        log.warning("slack.party_refused", key=plan.key, error=str(exc))
        await _refused(bot, svc, plan, str(exc))
        return
    others = len([d for d in queued if d != plan.document_id])
    more = f" {others} other waiting change orders were queued too." if others else ""
    log.info("slack.party_linked", key=plan.key, target_id=created.id, name=created.name)
    said = await _as_created(svc, plan, created.name)
    await _note(
        bot, svc, plan, f"Created and linked “{created.name}” (for <@{plan.user}>).{said}{more}"
    )


async def _as_created(svc: Service, plan: PartyPlan, name: str) -> str:
    """The name QuickBooks holds may differ from the one asked for (QuickBooks Desktop keeps
    Latin-1 only): the message shows QuickBooks' name, and the reply says why it differs."""
    if name.casefold() == plan.full_name.casefold():
        return ""
    async with svc.sessions() as session, session.begin():
        msg = await store.message_for(session, plan.document_id, store.ATTENTION)
        if msg is not None:
            msg.summary = msg.summary.replace(f"“{plan.full_name}”", f"“{name}”")
            session.add(msg)
    return f" QuickBooks stores it as “{name}” (asked for “{plan.full_name}”)."


async def _note(bot: SlackBot | None, svc: Service, plan: PartyPlan, text: str) -> None:
    if bot is None or bot.client is None:
        return
    async with svc.sessions() as session:
        msg = await store.message_for(session, plan.document_id, store.ATTENTION)
    if msg is not None:
        await reply_in_thread(bot, msg, text)


async def _refused(bot: SlackBot | None, svc: Service, plan: PartyPlan, error: str) -> None:
    """Say why in the thread and to the person, then open the message again."""
    await _note(bot, svc, plan, f"<@{plan.user}>: nothing was created. {error}")
    if bot is None or bot.client is None:
        return
    from bot.services.notify import show_attention  # notify builds on the whole bot

    async with svc.sessions() as session:
        row = await session.get(SourceDocumentRow, plan.document_id)
        version = (
            await session.get(DocumentVersion, row.current_version_id)
            if row is not None and row.current_version_id
            else None
        )
        msg = await store.message_for(session, plan.document_id, store.ATTENTION)
    if msg is not None and plan.user:
        await call(bot.client.chat_postEphemeral(channel=msg.channel, user=plan.user, text=error))
    if row is not None and version is not None and version.state == states.NEEDS_ATTENTION:
        await show_attention(bot, svc, row, version)
