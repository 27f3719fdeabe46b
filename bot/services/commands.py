"""``/sync``: each command runs against the engine's own operations and answers at once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import structlog
from sqlalchemy import select
from sqlmodel import col

from bot.blocks import commands as replies
from bot.blocks.message import Message
from bot.blocks.model import StatusView
from bot.command_parse import APPROVER_ONLY, Command, parse
from bot.runtime import SlackBot
from bot.services import reads
from bot.services.views import doc_view
from db.models import AuditEntry, DocumentVersion, SourceDocumentRow
from mappings.describe import describe_rule
from mappings.references import ReferenceIndex, display
from mappings.rules import Conditions, Outputs, Rule, RuleOrigin
from sync.engine import queue, reference
from sync.engine.documents import enqueue_sync, payload_of, ref_of
from sync.engine.mapping_step import map_for_target
from sync.engine.operations import retry_dead, set_paused, status
from sync.engine.requeue import requeue_resolved
from sync.engine.routes import target_kind_for
from sync.models import ReferenceKind
from sync.rules.service import save_rules
from sync.rules.store import load_rules
from sync.service import Service

log = structlog.get_logger("costbridge.slack")


@dataclass(frozen=True)
class Caller:
    user: str
    channel: str
    response_url: str = ""


Handler = Callable[[Service, SlackBot, Caller, Command], Awaitable[Message]]


async def run_command(svc: Service, bot: SlackBot, caller: Caller, text: str) -> Message:
    command = parse(text)
    if command.name in APPROVER_ONLY and not await bot.approvers.allows(caller.user):
        log.warning("slack.refused", user=caller.user, command=command.name)
        async with svc.sessions() as session, session.begin():
            session.add(
                AuditEntry(
                    at=svc.clock.now(),
                    actor=caller.user,
                    action="slack.refused",
                    subject=f"/sync {command.name}",
                    detail="{}",
                )
            )
        return replies.note(f"Only approvers can run `/sync {command.name}`.")
    return await HANDLERS[command.name](svc, bot, caller, command)


async def _help(svc: Service, bot: SlackBot, caller: Caller, command: Command) -> Message:
    return replies.help_message(command.problem)


async def _status(svc: Service, bot: SlackBot, caller: Caller, command: Command) -> Message:
    s = await status(svc)
    async with svc.sessions() as session:
        health = await reads.health(
            session, now=svc.clock.now(), window_minutes=bot.settings.slack_rollup_window_minutes
        )
    view = StatusView(
        counts=s.counts,
        dead_letters=s.dead_letters,
        oldest_waiting=f"{s.oldest_waiting:%Y-%m-%d %H:%M} UTC" if s.oldest_waiting else "-",
        last_posted=f"{s.last_posted:%Y-%m-%d %H:%M} UTC" if s.last_posted else "-",
        paused=s.paused,
        health=tuple(health),
    )
    return replies.status_message(view)


async def _find(svc: Service, text: str) -> SourceDocumentRow | None:
    key = text.lstrip("#")
    async with svc.sessions() as session:
        if key.isdigit():
            row = await session.get(SourceDocumentRow, int(key))
            if row is not None:
                return row
        for column in (SourceDocumentRow.external_id, SourceDocumentRow.number):
            found = (
                await session.execute(
                    select(SourceDocumentRow)
                    .where(col(column) == key)
                    .order_by(col(SourceDocumentRow.id))
                    .limit(1)
                )
            ).scalar_one_or_none()
            if found is not None:
                return found
    return None


async def _show(svc: Service, bot: SlackBot, caller: Caller, command: Command) -> Message:
    row = await _find(svc, command.args[0])
    if row is None or row.current_version_id is None:
        return replies.note(f"No change order `{command.args[0]}` (try its costbridge id).")
    async with svc.sessions() as session:
        version = await session.get(DocumentVersion, row.current_version_id)
        assert version is not None
        doc = payload_of(version)
        if doc is not None:
            mapping = await map_for_target(
                svc, session, doc, target_kind_for(doc.kind, svc.settings)
            )
            explanation = mapping.explain()
        else:
            explanation = "Lines are not kept once posted (payload purged); see the history."
        if version.last_error:
            explanation += f"\nLast error: {version.last_error}"
    return replies.show_message(
        doc_view(row, version), version.state, version.attempts, explanation
    )


async def _retry(svc: Service, bot: SlackBot, caller: Caller, command: Command) -> Message:
    what = command.args[0]
    if what.lower() == "failed":
        replayed = await retry_dead(svc, actor=caller.user)
        return replies.note(f"{len(replayed)} queued again.")
    row = await _find(svc, what)
    if row is None or row.id is None:
        return replies.note(f"No change order `{what}`.")
    replayed = await retry_dead(svc, actor=caller.user, document_id=row.id)
    if not replayed:
        async with svc.sessions() as session, session.begin():
            await enqueue_sync(session, ref_of(row), now=svc.clock.now())
    return replies.note(f"Change order #{row.id} ({row.number}) queued again.")


async def _rules(svc: Service, bot: SlackBot, caller: Caller, command: Command) -> Message:
    wanted = " ".join(command.args).casefold()
    async with svc.sessions() as session:
        rules = await load_rules(session)
        refs = ReferenceIndex(await reference.cached(session, svc.target.name))
    rows = []
    for rule in rules:
        outputs = ", ".join(
            f"{f.value} {refs.display_name(_ref_kind(f.value), str(rule.outputs.get(f)))}"
            for f in rule.outputs.fields()
        )
        line = f"{describe_rule(rule, provenance=True)} → {outputs}"
        if wanted in line.casefold():
            rows.append(line)
    title = f"Rules matching “{' '.join(command.args)}”" if wanted else "Mapping rules"
    return replies.list_message(f"{title} ({len(rows)})", rows)


def _ref_kind(field: str) -> ReferenceKind:
    try:
        return ReferenceKind(field)
    except ValueError:
        return ReferenceKind.ACCOUNT


async def _map(svc: Service, bot: SlackBot, caller: Caller, command: Command) -> Message:
    code, *middle, account_text = command.args
    cost_type = " ".join(middle)
    now = svc.clock.now()
    async with svc.sessions() as session, session.begin():
        refs = ReferenceIndex(await reference.cached(session, svc.target.name))
        found = refs.search(ReferenceKind.ACCOUNT, account_text, limit=5)
        exact = [
            r
            for r in found
            if account_text.casefold()
            in (r.number.casefold(), r.name.casefold(), display(r).casefold())
        ]
        if len(exact) != 1 and len(found) != 1:
            options = ", ".join(display(r) for r in found) or "none"
            return replies.note(f"Which account is “{account_text}”? Matches: {options}.")
        account = exact[0] if len(exact) == 1 else found[0]
        conditions = {"cost_code": code, **({"cost_type": cost_type} if cost_type else {})}
        rule = Rule(
            conditions=Conditions.model_validate(conditions),
            outputs=Outputs(account_id=account.id),
            author=caller.user,
            origin=RuleOrigin.SLACK,
            created_at=now,
            updated_at=now,
            note="/sync map",
        )
        [saved], _requeued = await save_rules(session, [rule], actor=caller.user, now=now)
        queued = await requeue_resolved(svc, session)
    return replies.note(
        f"Rule #{saved.id} saved: {describe_rule(saved)} → {display(account)}. "
        f"{len(queued)} waiting change orders queued again."
    )


async def _pause(svc: Service, bot: SlackBot, caller: Caller, command: Command) -> Message:
    await set_paused(svc, command.name == "pause", actor=caller.user)
    if command.name == "pause":
        return replies.note("Paused: nothing is posted until `/sync resume` (webhooks are kept).")
    return replies.note("Resumed: the worker takes work again.")


async def _backfill(svc: Service, bot: SlackBot, caller: Caller, command: Command) -> Message:
    since = command.options.get("since")
    start = (
        datetime.combine(date.fromisoformat(since), time(), tzinfo=svc.clock.now().tzinfo)
        if since
        else svc.clock.now() - timedelta(days=365)
    )
    async with svc.sessions() as session, session.begin():
        await queue.enqueue(
            session,
            key=f"slack:backfill:{command.args[0]}",
            kind="slack_backfill",
            data={
                "project_id": command.args[0],
                "since": start.isoformat(),
                "channel": caller.channel or bot.channel,
                "user": caller.user,
            },
            now=svc.clock.now(),
        )
    return replies.note(
        f"Backfill of project {command.args[0]} since {start:%Y-%m-%d} queued; "
        "a progress message follows in this channel."
    )


HANDLERS: dict[str, Handler] = {
    "help": _help,
    "status": _status,
    "show": _show,
    "retry": _retry,
    "rules": _rules,
    "map": _map,
    "pause": _pause,
    "resume": _pause,
    "backfill": _backfill,
}
