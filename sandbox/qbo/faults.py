"""Fault switches: make the next calls fail the ways a real QBO connection fails."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field


class FaultSettings(BaseModel):
    """What the admin API accepts (every field optional: only those given change)."""

    throttle_next: int | None = Field(None, ge=0, description="429/3001 on the next N calls")
    retry_after: int | None = Field(None, ge=0, description="Retry-After seconds on those 429s")
    error_next: int | None = Field(None, ge=0, description="5xx/10000 on the next N calls")
    error_status: Literal[500, 503] | None = None
    timeout_next: int | None = Field(None, ge=0, description="no answer on the next N calls")
    drop_after_commit_next: int | None = Field(
        None, ge=0, description="apply the next N writes, then drop the connection"
    )
    ignore_requestid: bool | None = None
    requestid_ttl_seconds: int | None = Field(None, ge=0)
    hang_seconds: float | None = Field(None, ge=0)


@dataclass
class FaultSwitches:
    throttle_next: int = 0
    retry_after: int | None = None
    error_next: int = 0
    error_status: int = 503
    timeout_next: int = 0
    drop_after_commit_next: int = 0
    # simulate the reported real-world failure where a repeated requestid is not deduplicated
    ignore_requestid: bool = False
    requestid_ttl_seconds: int | None = None
    # under uvicorn a timeout is a hang this long, then a dropped connection; in process the
    # transport turns it into httpx.ReadTimeout at once
    hang_seconds: float = 0.0

    def apply(self, settings: FaultSettings) -> None:
        for name, value in settings.model_dump(exclude_unset=True).items():
            setattr(self, name, value)

    @staticmethod
    def _take(count: int) -> tuple[bool, int]:
        return (True, count - 1) if count > 0 else (False, 0)

    def take_throttle(self) -> bool:
        hit, self.throttle_next = self._take(self.throttle_next)
        return hit

    def take_error(self) -> bool:
        hit, self.error_next = self._take(self.error_next)
        return hit

    def take_timeout(self) -> bool:
        hit, self.timeout_next = self._take(self.timeout_next)
        return hit

    def take_drop_after_commit(self) -> bool:
        hit, self.drop_after_commit_next = self._take(self.drop_after_commit_next)
        return hit
