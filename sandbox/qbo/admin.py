"""/_sandbox/: seed companies, look inside, flip fault switches, hand out refresh tokens.

Limits, latency and the call log are in ``admin_load``.

Unauthenticated on purpose: the emulator only ever runs on a developer's machine or in tests.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from sandbox.qbo.faults import FaultSettings
from sandbox.qbo.pipeline import state_of
from sandbox.qbo.realm import JsonObject
from sandbox.qbo.schema import BY_URL_NAME
from sandbox.qbo.seed import CompanySeed, SeededCompany, seed_company, seed_demo_company

router = APIRouter(prefix="/_sandbox")


class AppIn(BaseModel):
    client_id: str
    client_secret: str


class TokenRequest(BaseModel):
    client_id: str
    realm_id: str


@router.post("/seed")
async def seed(request: Request, body: CompanySeed) -> SeededCompany:
    return seed_company(state_of(request), body)


@router.post("/seed/demo")
async def seed_demo(request: Request, realm_id: str = "9130350000000000") -> SeededCompany:
    return seed_demo_company(state_of(request), realm_id)


@router.post("/apps")
async def register_app(request: Request, body: AppIn) -> dict[str, str]:
    state_of(request).register_app(body.client_id, body.client_secret)
    return {"client_id": body.client_id}


@router.post("/tokens")
async def issue_token(request: Request, body: TokenRequest) -> dict[str, str]:
    try:
        token = state_of(request).issue_refresh_token(body.client_id, body.realm_id)
    except KeyError as exc:
        raise HTTPException(404, f"unknown client_id {body.client_id!r}") from exc
    return {"refresh_token": token}


@router.get("/{realm_id}/entities/{entity}")
async def list_entities(request: Request, realm_id: str, entity: str) -> list[JsonObject]:
    """Everything stored, active or not (unlike a query)."""
    state = state_of(request)
    name = BY_URL_NAME.get(entity.lower())
    if realm_id not in state.realms or name is None:
        raise HTTPException(404, "unknown realm or entity")
    return state.realm(realm_id).rows(name)


@router.get("/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    return asdict(state_of(request).faults)


@router.post("/faults")
async def set_faults(request: Request, body: FaultSettings) -> dict[str, Any]:
    faults = state_of(request).faults
    faults.apply(body)
    return asdict(faults)
