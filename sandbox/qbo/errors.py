"""QBO faults: the exception the emulator raises and the exact envelopes it answers with."""

from __future__ import annotations

from typing import Any

# Message per code, as QBO words them (research §6.3).
MESSAGES: dict[str, str] = {
    "500": "Unsupported Operation",
    "610": "Object Not Found",
    "2010": "Request has invalid or unsupported property",
    "2020": "Required Param Missing",
    "2050": "String length is either shorter or longer than supported by specification",
    "2170": "Invalid Enumeration",
    "2500": "Invalid Reference Id",
    "4000": "Error parsing query",
    "4001": "Invalid query",
    "5010": "Stale Object Error",
    "6000": "A business validation error has occurred while processing your request",
    "6010": "Invalid Account.AccountType && Account.SubType",
    "6140": "Duplicate Document Number Error",
    "6210": "Account Period Closed",
    "6240": "Duplicate Name Exists Error",
    "10000": "An application error has occurred while processing your request",
}

INACTIVE_DETAIL = (
    "Object Not Found : Something you're trying to use has been made inactive. "
    "Check the fields with accounts, customers, items, vendors or employees."
)
DELETED_DETAIL = "Object Not Found : Another user has deleted this transaction."
DUPLICATE_NAME_DETAIL = (
    "The name supplied already exists. : Another customer, vendor or employee is already "
    "using this name. Please use a different name."
)


class QboFault(Exception):
    """A validation or system fault, rendered as QBO's upper-case ``Fault`` envelope."""

    def __init__(
        self,
        code: str,
        detail: str,
        *,
        element: str = "",
        status: int = 400,
        fault_type: str = "ValidationFault",
        message: str | None = None,
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.element = element
        self.status = status
        self.fault_type = fault_type
        self.message = message if message is not None else MESSAGES.get(code, "Error")

    def fault(self) -> dict[str, Any]:
        """The ``Fault`` object (used inside a response and inside batch items)."""
        error = {
            "Message": self.message,
            "Detail": self.detail,
            "code": self.code,
            "element": self.element,
        }
        return {"Error": [error], "type": self.fault_type}


def throttle_fault() -> QboFault:
    return QboFault(
        "3001",
        "The request limit was reached.  Try again later",
        status=429,
        fault_type="SERVICE",
        message="message=ThrottleExceeded; errorCode=003001; statusCode=429",
    )


def system_fault(status: int) -> QboFault:
    return QboFault(
        "10000",
        "An application error has occurred while processing your request. "
        "System Failure Error: An unexpected error occurred while accessing or saving your data.",
        status=status,
        fault_type="SystemFault",
    )


def auth_failure_body(detail: str, epoch_ms: int) -> dict[str, Any]:
    """The 401 body: lower-case keys and an epoch-millisecond ``time`` (research §6.3)."""
    return {
        "warnings": None,
        "intuitObject": None,
        "fault": {
            "error": [
                {
                    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "detail": detail,
                    "code": "3200",
                    "element": None,
                }
            ],
            "type": "AUTHENTICATION",
        },
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": epoch_ms,
        "status": None,
        "cdcresponse": [],
    }
