"""Answers to ``external_select`` options requests: suggestions first, then matches.

Slack shows at most 100 options and 75 characters per option text; the value (≤ 150) is the
target's own id, never a name, so a renamed account still resolves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.text import option, plain
from mappings.references import display
from sync.models import ReferenceRecord

MAX_OPTIONS = 99  # "under 100 options"


def options_response(
    suggested: Sequence[ReferenceRecord], matches: Sequence[ReferenceRecord]
) -> dict[str, Any]:
    """``{"option_groups": [...]}`` with Suggested then Matches (no record twice)."""
    seen: set[str] = set()
    groups: list[dict[str, Any]] = []
    budget = MAX_OPTIONS
    for label, records in (("Suggested", suggested), ("Matches", matches)):
        opts = []
        for record in records:
            if budget == 0:
                break
            if record.id in seen:
                continue
            seen.add(record.id)
            opts.append(option(display(record), record.id))
            budget -= 1
        if opts:
            groups.append({"label": plain(label, 75), "options": opts})
    if not groups:
        return {"options": []}
    return {"option_groups": groups}
