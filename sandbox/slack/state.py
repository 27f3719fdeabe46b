"""What the sandbox Slack holds: channels and their messages, threads, ephemerals, views, and
every Web API call received (tests assert on those)."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

BOT_TOKEN = "xoxb-sandbox-token"  # noqa: S105 - sandbox-only credential
SIGNING_SECRET = "sandbox-signing-secret"  # noqa: S105 - sandbox-only credential
TEAM_ID = "T0SANDBOX"
BOT_USER = "U0BOT"
APPROVER = "U0ALICE"
VIEWER = "U0BOB"
APPROVERS_GROUP = "S0APPROVERS"


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    user: str = BOT_USER
    thread_ts: str = ""
    edits: int = 0
    ephemeral_to: str = ""  # only this user sees it

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "bot_id": "B0BOT" if self.user == BOT_USER else None,
            "ts": self.ts,
            "text": self.text,
            "blocks": self.blocks,
            "edits": self.edits,
        }
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        return data


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class SlackState:
    """In-memory workspace: one team, a few users, channels by id."""

    token: str = BOT_TOKEN
    base_url: str = "http://slack.sandbox"  # where response_url links point
    channels: dict[str, str] = field(default_factory=lambda: {"C0SYNC": "costbridge"})
    users: dict[str, str] = field(
        default_factory=lambda: {APPROVER: "Alice (approver)", VIEWER: "Bob (viewer)"}
    )
    usergroups: dict[str, list[str]] = field(default_factory=lambda: {APPROVERS_GROUP: []})
    messages: list[Message] = field(default_factory=list)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)  # home tab per user
    modals: dict[str, dict[str, Any]] = field(default_factory=dict)  # by view id
    calls: list[Call] = field(default_factory=list)
    response_urls: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._counter):06d}"

    def channel_id(self, name_or_id: str) -> str | None:
        if name_or_id in self.channels:
            return name_or_id
        wanted = name_or_id.lstrip("#")
        return next((cid for cid, name in self.channels.items() if name == wanted), None)

    def find(self, channel: str, ts: str) -> Message | None:
        return next(
            (
                m
                for m in self.messages
                if m.channel == channel and m.ts == ts and not m.ephemeral_to
            ),
            None,
        )

    def top_level(self, channel: str = "C0SYNC") -> list[Message]:
        return [
            m
            for m in self.messages
            if m.channel == channel and not m.thread_ts and not m.ephemeral_to
        ]

    def replies(self, channel: str, ts: str) -> list[Message]:
        return [m for m in self.messages if m.channel == channel and m.thread_ts == ts]

    def ephemerals(self, user: str) -> list[Message]:
        return [m for m in self.messages if m.ephemeral_to == user]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def new_response_url(self, channel: str, ts: str, user: str) -> str:
        key = f"R{next(self._counter):08d}"
        self.response_urls[key] = (channel, ts, user)
        return f"{self.base_url}/_sandbox/response/{key}"
