"""Options requests (``block_suggestion``) for the searchable pickers, answered in the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import ids
from bot.services.pickers import picker_options
from sync.service import Service

_DEFAULT = {
    ids.PICK_ACCOUNT: "account",
    ids.PICK_VENDOR: "vendor",
    ids.PICK_CUSTOMER: "customer",
    ids.PICK_PARENT: "parent",
}


def register(app: AsyncApp, svc: Service) -> None:
    for action_id, default in _DEFAULT.items():
        app.options(action_id)(_answer(svc, default))


def _answer(svc: Service, default: str) -> Any:
    async def answer(ack: AsyncAck, payload: dict[str, Any]) -> None:
        options = await picker_options(
            svc, str(payload.get("block_id", "")), str(payload.get("value", "")), default
        )
        await ack(**options)

    return answer
