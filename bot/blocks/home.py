"""The App Home tab: counts, the viewer's queue, recent failures, connection health."""

from __future__ import annotations

from typing import Any

from bot.blocks.header import doc_link
from bot.blocks.model import HomeView
from bot.blocks.text import Block, clip, context, esc, header, section

MAX_ROWS = 10  # per list; a Home tab holds 100 blocks
ROW_CHARS = 200  # the whole view's text stays under ~12k characters


def home_view(view: HomeView) -> dict[str, Any]:
    blocks: list[Block] = [
        header("costbridge"),
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Synced today*\n{view.synced_today}"},
                {"type": "mrkdwn", "text": f"*Waiting*\n{view.waiting}"},
                {"type": "mrkdwn", "text": f"*Failed*\n{view.failed}"},
                {"type": "mrkdwn", "text": f"*Worker*\n{'paused' if view.paused else 'running'}"},
            ],
        },
        {"type": "divider"},
        header("Your queue"),
    ]
    if not view.is_approver:
        blocks.append(context("You are not an approver: ask an admin to add you."))
    elif not view.my_queue:
        blocks.append(section("Nothing waits on you. 🎉"))
    for doc, why in view.my_queue[:MAX_ROWS]:
        blocks.append(section(clip(f"*{doc_link(doc)}*\n{esc(clip(why, ROW_CHARS))}", 3000)))
    if len(view.my_queue) > MAX_ROWS:
        blocks.append(context(f"…and {len(view.my_queue) - MAX_ROWS} more in the channel."))
    blocks.extend([{"type": "divider"}, header("Recent failures")])
    if not view.recent_failures:
        blocks.append(section("No failures. ✅"))
    for doc, error in view.recent_failures[:MAX_ROWS]:
        blocks.append(section(clip(f"*{doc_link(doc)}*\n{esc(clip(error, ROW_CHARS))}", 3000)))
    blocks.extend([{"type": "divider"}, header("Connections")])
    health = "\n".join(esc(clip(h, 150)) for h in view.health[:8]) or "No data yet."
    blocks.append(section(clip(health, 1500)))
    return {"type": "home", "blocks": blocks}
