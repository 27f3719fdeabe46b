"""What every /v3 call goes through: faults, bearer check, requestid replay, envelope.

Order matters and mirrors the real service as far as it is known: a throttled or failing
gateway answers before authentication; a replayed requestid answers with the original stored
status and body (not re-validated, whatever the new body says, research §6.1).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi import Request, Response

from sandbox.qbo import jsonio
from sandbox.qbo.errors import QboFault, auth_failure_body, system_fault, throttle_fault
from sandbox.qbo.realm import JsonObject, ReplayEntry
from sandbox.qbo.state import CallRecord, QboState
from sandbox.transport import ConnectionDropped, SimulatedTimeout

MIN_MINOR_VERSION = 75
MAX_REQUEST_ID = 50

Handler = Callable[[], tuple[int, JsonObject]]


def state_of(request: Request) -> QboState:
    state: QboState = request.app.state.qbo
    return state


def minor_version(request: Request) -> int:
    """Missing, unparsable or below 75 all mean 75 (research §1)."""
    raw = request.query_params.get("minorversion", "")
    return max(int(raw), MIN_MINOR_VERSION) if raw.isdigit() else MIN_MINOR_VERSION


def respond(status: int, body: bytes) -> Response:
    headers = {"intuit_tid": f"1-{uuid.uuid4().hex[:24]}"}
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def envelope(state: QboState, body: JsonObject) -> bytes:
    return jsonio.dumps({**body, "time": state.now().isoformat(timespec="milliseconds")})


def fault_body(state: QboState, fault: QboFault) -> bytes:
    return envelope(state, {"Fault": fault.fault()})


def _gateway_fault(state: QboState) -> Response | None:
    faults = state.faults
    if faults.take_timeout():
        raise SimulatedTimeout("sandbox: timeout switch")
    if faults.take_throttle():
        response = respond(429, fault_body(state, throttle_fault()))
        if faults.retry_after is not None:
            response.headers["Retry-After"] = str(faults.retry_after)
        return response
    if faults.take_error():
        return respond(faults.error_status, fault_body(state, system_fault(faults.error_status)))
    return None


def _replayed(state: QboState, realm_id: str, request_id: str) -> ReplayEntry | None:
    if state.faults.ignore_requestid:
        return None
    entry = state.realm(realm_id).replay.get(request_id)
    ttl = state.faults.requestid_ttl_seconds
    expired = (
        entry is not None
        and ttl is not None
        and state.now() - entry.stored_at > timedelta(seconds=ttl)
    )
    return None if expired else entry


async def guarded(request: Request, realm_id: str, handler: Handler, *, write: bool) -> Response:
    state = state_of(request)
    request_id = request.query_params.get("requestid") if write else None
    minor = minor_version(request)

    def log(status: int, replayed: bool = False) -> None:
        record = CallRecord(
            request.method, request.url.path, minor, request_id, status, replayed=replayed
        )
        state.calls.append(record)

    gateway = _gateway_fault(state)
    if gateway is not None:
        log(gateway.status_code)
        return gateway
    problem = state.auth.check_bearer(request.headers.get("authorization"), realm_id, state.now())
    if problem is not None:
        log(401)
        epoch_ms = int(state.now().timestamp() * 1000)
        return respond(401, jsonio.dumps(auth_failure_body(problem, epoch_ms)))
    if request_id is not None and len(request_id) > MAX_REQUEST_ID:
        log(400)
        detail = "You cannot enter more than 50 characters in the request_id field"
        return respond(400, fault_body(state, QboFault("6000", detail, element="requestid")))
    if request_id:
        entry = _replayed(state, realm_id, request_id)
        if entry is not None:
            log(entry.status, replayed=True)
            return respond(entry.status, entry.body)
    try:
        status, body = handler()
        payload = envelope(state, body)
    except QboFault as fault:
        status, payload = fault.status, fault_body(state, fault)
    if request_id:
        state.realm(realm_id).replay[request_id] = ReplayEntry(status, payload, state.now())
    log(status)
    if write and state.faults.take_drop_after_commit():
        raise ConnectionDropped("sandbox: committed, then dropped the connection")
    return respond(status, payload)


def parse_json(raw: bytes) -> Any:
    try:
        return jsonio.loads(raw)
    except ValueError as exc:
        raise QboFault("2010", f"Request has invalid JSON: {exc}") from exc
