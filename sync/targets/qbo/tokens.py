"""OAuth tokens for one QBO connection and where they are kept between runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class TokenSet:
    """The newest token pair; all datetimes timezone-aware UTC."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime
    refresh_expires_at: datetime

    def __repr__(self) -> str:  # never let a token reach a log line through repr()
        return (
            f"TokenSet(access_expires_at={self.access_expires_at.isoformat()}, "
            f"refresh_expires_at={self.refresh_expires_at.isoformat()})"
        )


class TokenStore(Protocol):
    """Durable storage for the rotating pair. ``save`` must be durable when it returns:
    the previous refresh token is already dead on Intuit's side by then."""

    async def load(self) -> TokenSet | None: ...

    async def save(self, tokens: TokenSet) -> None: ...


class MemoryTokenStore:
    """For tests and the demo; keeps every saved set so tests can check the order of events."""

    def __init__(self, tokens: TokenSet | None = None) -> None:
        self.tokens = tokens
        self.saved: list[TokenSet] = []

    async def load(self) -> TokenSet | None:
        return self.tokens

    async def save(self, tokens: TokenSet) -> None:
        self.tokens = tokens
        self.saved.append(tokens)
