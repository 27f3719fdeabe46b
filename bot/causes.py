"""Failures in plain words, and which of them share one cause (pure, no I/O).

Errors are stored as text (``str(CostbridgeError)``: ``"message [system code] detail"``). The
cause is the message with its system: 30 change orders failing with "QuickBooks answered 503"
are one problem to tell people about, not thirty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TAG = re.compile(r" \[(?P<system>[a-z_]+)(?: (?P<code>[^\]]+))?\]")
_SYSTEMS = {
    "qbo": "QuickBooks",
    "procore": "Procore",
    "slack": "Slack",
    "qbd": "QuickBooks Desktop",
}
_HEALTH_WORDS = ("refresh token", "credentials", "not connected", "reconnect")


@dataclass(frozen=True)
class Cause:
    key: str  # what failures are grouped by, e.g. "qbo:QuickBooks answered 503"
    system: str  # "QuickBooks"
    message: str  # in plain words
    code: str
    detail: str  # the remote system's own message
    health: bool  # a connection problem (credentials, rate limit exhausted), not a document's

    @property
    def title(self) -> str:
        return (
            self.message
            if self.message.startswith(self.system)
            else (f"{self.system}: {self.message}")
        )

    @property
    def advice(self) -> str:
        if "refresh token" in self.message or "not connected" in self.message:
            return f"reconnect {self.system} (docs/runbook.md), then `/sync retry failed`."
        if "credentials" in self.message:
            return f"check the {self.system} client id and secret, then `/sync retry failed`."
        return "costbridge keeps retrying; `/sync retry failed` once it is back."


def cause_of(error: str) -> Cause:
    text = error.strip()
    tag = _TAG.search(text)
    message = (text[: tag.start()] if tag else text).strip() or "unknown error"
    detail = text[tag.end() :].strip() if tag else ""
    system_key = tag["system"] if tag else ""
    system = _SYSTEMS.get(system_key, system_key or "costbridge")
    code = ((tag["code"] if tag else "") or "").strip()
    lowered = message.lower()
    health = (
        any(w in lowered for w in _HEALTH_WORDS)
        or code in {"401", "403"}
        or (code in {"429", "3001"} and "throttl" in lowered)
    )
    return Cause(
        key=f"{system_key or 'internal'}:{message}"[:128],
        system=system,
        message=message,
        code=code,
        detail=detail,
        health=health,
    )
