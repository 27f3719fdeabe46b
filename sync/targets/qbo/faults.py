"""Turn a QBO error response into the engine's error taxonomy (research §6.3)."""

from __future__ import annotations

from typing import Any

from sync.errors import (
    AttentionReason,
    CostbridgeError,
    FatalError,
    NeedsHumanError,
    NotFoundError,
    RetryableError,
)

SYSTEM = "qbo"

# What each refusal means to the person who has to fix it.
PLAIN_WORDS: dict[str, str] = {
    "6240": "QuickBooks already has a customer, vendor or employee with this name.",
    "610": "QuickBooks refused the document because something it uses has been made inactive "
    "(an account, customer:job, item, class or vendor).",
    "2500": "QuickBooks refused the document because something it refers to does not exist "
    "(an account, customer:job, item, class or vendor may have been deleted).",
    "6210": "The books are closed for this date in QuickBooks: move the closing date or the "
    "document date.",
    "6140": "QuickBooks already has a document with this number.",
    "6000": "QuickBooks rejected the document.",
}
NEEDS_HUMAN = frozenset(PLAIN_WORDS)
FATAL = frozenset({"2010", "2020", "4000", "4001"})


def _first_error(body: Any) -> dict[str, Any]:
    """The first error of either envelope: ``Fault.Error`` or the lower-case 401 ``fault.error``."""
    if not isinstance(body, dict):
        return {}
    fault = body.get("Fault") or body.get("fault") or {}
    errors = (fault.get("Error") or fault.get("error")) if isinstance(fault, dict) else None
    first = errors[0] if isinstance(errors, list) and errors else {}
    return {str(k).lower(): v for k, v in first.items()} if isinstance(first, dict) else {}


def fault_code(body: Any) -> str:
    # throttle bodies sometimes say "003001": codes compare without leading zeros
    return str(_first_error(body).get("code") or "").lstrip("0")


def fault_text(body: Any) -> tuple[str, str, str]:
    """(message, detail, element) of the first error."""
    error = _first_error(body)
    return (
        str(error.get("message") or ""),
        str(error.get("detail") or ""),
        str(error.get("element") or ""),
    )


def classify(status: int, body: Any, *, write: bool, reading_one: bool = False) -> CostbridgeError:
    """The error for a non-2xx answer (or a batch item's Fault, with status 200)."""
    code = fault_code(body)
    message, detail, element = fault_text(body)
    if status >= 500:
        return RetryableError(
            f"QuickBooks answered {status}",
            system=SYSTEM,
            code=code or str(status),
            detail=detail,
            outcome_unknown=write,
        )
    if code == "5010":
        return RetryableError(
            "QuickBooks: someone else changed this document first (stale SyncToken)",
            system=SYSTEM,
            code=code,
            detail=detail,
        )
    if code == "610" and reading_one:
        return NotFoundError(
            "QuickBooks has no such document", system=SYSTEM, code=code, detail=detail
        )
    if code in NEEDS_HUMAN:
        plain = PLAIN_WORDS[code]
        if code == "6000" and message:
            plain = f"QuickBooks rejected the document: {message}."
        reason = AttentionReason(
            kind="target_rejected",
            message=f"{plain} QuickBooks says: {detail or message}",
            data={"code": code, "detail": detail, "element": element},
        )
        return NeedsHumanError(plain, reasons=[reason], system=SYSTEM, code=code, detail=detail)
    return FatalError(
        f"QuickBooks refused the request ({status}): {message or 'no message'}",
        system=SYSTEM,
        code=code or str(status),
        detail=detail,
    )
