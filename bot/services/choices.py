"""Reading what a person chose in a message (Slack's ``state.values``): pure parsing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.blocks.attention import DEFAULT_SCOPE
from bot.blocks.refs import GroupRef


@dataclass(frozen=True)
class Choice:
    group: int
    value: str  # the target's id (account, item, vendor, customer:job)
    label: str
    scope: str


def choices_from_state(state: dict[str, Any], document_id: int) -> list[Choice]:
    """One choice per group block of this document whose picker has a selection."""
    found = []
    for block_id, actions in (state.get("values") or {}).items():
        ref = GroupRef.parse(block_id)
        if ref is None or ref.document_id != document_id or not isinstance(actions, dict):
            continue
        picked = next(
            (actions[a].get("selected_option") for a in ids.PICKERS if a in actions), None
        )
        if not picked:
            continue
        scope = (actions.get(ids.SCOPE) or {}).get("selected_option") or {}
        found.append(
            Choice(
                group=ref.index,
                value=str(picked["value"]),
                label=str((picked.get("text") or {}).get("text", picked["value"])),
                scope=str(scope.get("value") or DEFAULT_SCOPE),
            )
        )
    return sorted(found, key=lambda c: c.group)
