"""Small text helpers shared by the builders: escaping, clipping, money, Block Kit atoms."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

Block = dict[str, Any]

KIND_WORDS = {
    "commitment_change_order": "Commitment change order",
    "prime_change_order": "Prime change order",
}


def esc(text: str) -> str:
    """Escape what Slack's mrkdwn treats as control characters (its documented three)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(actor: str) -> str:
    """A Slack user (``U…``/``W…``) as a mention; anyone else (``cli``, ``auto-void``) by name."""
    return f"<@{actor}>" if actor.startswith(("U", "W")) else esc(actor)


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut (Slack rejects longer text)."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def money(amount: str) -> str:
    try:
        return f"${Decimal(amount):,.2f}"
    except (InvalidOperation, ValueError):
        return amount


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = 3000) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit) or " "}


def section(text: str, **extra: Any) -> Block:
    return {"type": "section", "text": mrkdwn(text), **extra}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t, 2000) for t in texts[:10]]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, 150)}


def button(
    text: str, action_id: str, value: str = "", *, style: str = "", url: str = ""
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id}
    if value:
        element["value"] = value[:2000]
    if style:
        element["style"] = style
    if url:
        element["url"] = url[:3000]
    return element


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, 75), "value": value[:150]}
