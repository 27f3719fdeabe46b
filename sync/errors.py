"""One error taxonomy for the whole engine: retryable, needs a human, fatal.

Connectors translate what their remote system says into one of these; the pipeline decides what
to do by the class alone (retry with backoff, park the document for Slack, or stop and alert).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class CostbridgeError(Exception):
    """Base of every error the engine reasons about."""

    def __init__(self, message: str, *, system: str = "", code: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.system = system  # "procore", "qbo", ...
        self.code = code  # the remote system's own code, e.g. "6240" or "429"
        self.detail = detail  # the remote system's message, safe to show a human

    def __str__(self) -> str:
        parts = [self.message]
        if self.system or self.code:
            parts.append(f"[{self.system} {self.code}]".replace(" ]", "]"))
        if self.detail:
            parts.append(self.detail)
        return " ".join(parts)


class RetryableError(CostbridgeError):
    """Worth trying again later: 429, 5xx, timeouts, dropped connections, stale SyncToken.

    ``outcome_unknown`` is set when a write may have been applied remotely (timeout or dropped
    connection after sending): the next attempt must look the document up before re-creating it.
    """

    def __init__(
        self,
        message: str,
        *,
        system: str = "",
        code: str = "",
        detail: str = "",
        retry_after: float | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(message, system=system, code=code, detail=detail)
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


@dataclass(frozen=True)
class AttentionReason:
    """Why a document needs a human, in words a project manager understands.

    ``kind`` is one of: ``unmapped``, ``ambiguous``, ``invalid_target``, ``vendor_not_linked``,
    ``project_not_linked``, ``target_rejected`` (the target refused the document, e.g. duplicate
    name or closed books), ``no_credit_document`` (a negative total on a route that has no
    credit, e.g. prime change orders to estimates), ``edited_in_target`` (a bookkeeper changed
    a field costbridge owns: ``EditedInTargetError``).
    """

    kind: str
    message: str
    line_id: str | None = None
    data: dict[str, str] = field(default_factory=dict)


class SystemAwayError(CostbridgeError):
    """An outside system is known to be away: not connected yet (the Web Connector has not
    polled), or rate-limited for a long while. Waiting for it is not a failed attempt: the
    document waits (``waiting``) and tries again at ``retry_after`` or when the system is back.
    ``message`` says what it waits for, in words a person understands."""

    def __init__(
        self,
        message: str,
        *,
        system: str = "",
        code: str = "",
        detail: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, system=system, code=code, detail=detail)
        self.retry_after = retry_after


class NeedsHumanError(CostbridgeError):
    """Cannot proceed without a person: unmapped, ambiguous, inactive reference, closed books."""

    def __init__(
        self,
        message: str,
        *,
        reasons: list[AttentionReason] | None = None,
        system: str = "",
        code: str = "",
        detail: str = "",
    ) -> None:
        super().__init__(message, system=system, code=code, detail=detail)
        self.reasons = reasons or [AttentionReason(kind="target_rejected", message=message)]


class EditedInTargetError(NeedsHumanError):
    """Someone changed, in the target, a field costbridge owns since costbridge last wrote it.

    Never overwritten silently: a person chooses (``sync.engine.conflicts``) between Procore's
    version and the target's. ``edits`` says what changed, for that person.
    """

    def __init__(self, label: str, edits: list[str], *, system: str = "") -> None:
        shown = "; ".join(edits[:5]) + (f"; and {len(edits) - 5} more" if len(edits) > 5 else "")
        message = (
            f"{label} was edited in QuickBooks by someone else ({shown}): overwrite with "
            "Procore's version, or keep QuickBooks' and stop syncing this document?"
        )
        reason = AttentionReason(
            kind=EDITED_IN_TARGET,
            message=message,
            data={"document": label, "edits": "; ".join(edits)},
        )
        super().__init__(message, reasons=[reason], system=system, code="edited")
        self.edits = edits


EDITED_IN_TARGET = "edited_in_target"


class FatalError(CostbridgeError):
    """A bug or a contract violation: recorded and alerted, never retried blindly."""


class AuthError(FatalError):
    """Credentials were refused and could not be refreshed (needs reconnecting)."""


class NotFoundError(CostbridgeError):
    """The remote object does not exist (or is no longer visible to us)."""


class InvalidEventError(ValueError):
    """An inbound request we refuse with a 4xx: the message says why."""


class ConfigurationError(Exception):
    """A setting or the installation is wrong: the message says what to change; nothing started."""
