"""What every /v3 call goes through: faults, limits, bearer check, requestid replay, envelope.

Order matters and mirrors the real service as far as it is known: a throttled or failing
gateway (the fault switches, then the real limits when they are on) answers before
authentication; a replayed requestid answers with the original stored status and body (not
re-validated, whatever the new body says, research §6.1).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import Request, Response

from sandbox.qbo import jsonio
from sandbox.qbo.errors import QboFault, auth_failure_body, system_fault, throttle_fault
from sandbox.qbo.limits import Caller
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


@dataclass(frozen=True)
class _CallLog:
    """Appends this call's ``CallRecord`` once its answer is known."""

    state: QboState
    request: Request
    realm_id: str
    request_id: str | None
    batch_items: int | None

    def __call__(
        self, status: int, *, replayed: bool = False, throttled_by: str | None = None
    ) -> None:
        path = self.request.url.path
        # the segment after the realm names what was called: "bill", "query", "batch" ...
        entity = path.partition(f"/company/{self.realm_id}/")[2].split("/", 1)[0].lower()
        record = CallRecord(
            self.request.method,
            path,
            minor_version(self.request),
            self.request_id,
            status,
            replayed=replayed,
            realm_id=self.realm_id,
            entity=entity,
            batch=self.batch_items is not None,
            batch_items=self.batch_items,
            throttled_by=throttled_by,
        )
        self.state.calls.append(record)


async def delay(state: QboState) -> None:
    """The benchmark's network and server time (``latency_ms``); none by default."""
    if state.latency_ms > 0:
        await asyncio.sleep(state.latency_ms / 1000)


async def guarded(
    request: Request,
    realm_id: str,
    handler: Handler,
    *,
    write: bool,
    batch_items: int | None = None,
) -> Response:
    """Answer one /v3 call; ``batch_items`` (a batch's item count) marks a batch request."""
    state = state_of(request)
    request_id = request.query_params.get("requestid") if write else None
    log = _CallLog(state, request, realm_id, request_id, batch_items)
    gateway = _gateway_fault(state)
    if gateway is not None:
        await delay(state)
        log(gateway.status_code, throttled_by="forced" if gateway.status_code == 429 else None)
        return gateway
    # the limits count before authentication: the gateway refuses before it looks at tokens
    caller = Caller(realm_id, state.auth.app_of(request.headers.get("authorization")))
    admission = state.throttle.admit(caller, state.now(), batch=batch_items is not None)
    if admission.refused_by is not None:
        await delay(state)
        log(429, throttled_by=admission.refused_by)
        return respond(429, fault_body(state, throttle_fault()))
    try:
        await delay(state)  # inside the slot: a slow answer is a request in flight
        return _served(state, request, realm_id, handler, write=write, log=log)
    finally:
        state.throttle.release(admission)


def _served(
    state: QboState,
    request: Request,
    realm_id: str,
    handler: Handler,
    *,
    write: bool,
    log: _CallLog,
) -> Response:
    """Past the gateway: authentication, requestid replay, the handler itself."""
    request_id = log.request_id
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
