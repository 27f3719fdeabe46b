"""The daily digest: what synced, what waits, what failed."""

from __future__ import annotations

from bot.blocks.header import doc_link
from bot.blocks.message import Message
from bot.blocks.model import DigestView
from bot.blocks.text import Block, clip, context, esc, header, money, section

MAX_ROWS = 10


def digest_message(view: DigestView) -> Message:
    summary = (
        f"*Synced:* {view.posted} change orders ({money(view.posted_total)}) · "
        f"*Waiting:* {len(view.waiting)} · *Failed:* {len(view.failed)}"
    )
    blocks: list[Block] = [header(f"costbridge digest — {view.day}"), section(summary)]
    if view.waiting:
        rows = "\n".join(f"• {doc_link(d)}" for d in view.waiting[:MAX_ROWS])
        blocks.append(section(clip(f"*Waiting for a human*\n{rows}", 3000)))
    if view.failed:
        rows = "\n".join(f"• {doc_link(d)}: {esc(e)}" for d, e in view.failed[:MAX_ROWS])
        blocks.append(section(clip(f"*Failed*\n{rows}", 3000)))
    blocks.append(context("`/sync status` for the live picture; the App Home lists your queue."))
    text = f"costbridge digest {view.day}: {view.posted} synced, {len(view.waiting)} waiting, "
    return Message(text=text + f"{len(view.failed)} failed", blocks=blocks)
