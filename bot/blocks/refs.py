"""What a button or picker carries: small, parseable, never trusted without the database.

Slack echoes ``value`` (buttons, ≤ 2000 chars) and ``block_id`` (≤ 255) back to us. We put
the document id, the version shown and the message revision there; the revision is what turns
a double click into one effect (see ``db.models_slack.SlackMessage``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_GROUP_BLOCK = re.compile(r"^g(\d+)\.d(\d+)\.r(\d+)$")


@dataclass(frozen=True)
class ButtonRef:
    document_id: int
    version_id: int = 0
    revision: int = 0
    arg: str = ""  # e.g. the snooze duration ("1d", "7d") or a roll-up id

    def encode(self) -> str:
        return json.dumps(
            {"d": self.document_id, "v": self.version_id, "r": self.revision, "a": self.arg},
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, value: str) -> ButtonRef:
        """Raises ``ValueError`` on anything we did not write."""
        try:
            data = json.loads(value)
            return cls(int(data["d"]), int(data.get("v", 0)), int(data.get("r", 0)), str(data["a"]))
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a costbridge button value: {value[:80]!r}") from exc


@dataclass(frozen=True)
class GroupRef:
    """The block holding one group's pickers: ``g<index>.d<document>.r<revision>``."""

    index: int
    document_id: int
    revision: int

    def encode(self) -> str:
        return f"g{self.index}.d{self.document_id}.r{self.revision}"

    @classmethod
    def parse(cls, block_id: str) -> GroupRef | None:
        match = _GROUP_BLOCK.match(block_id)
        if match is None:
            return None
        return cls(int(match[1]), int(match[2]), int(match[3]))
