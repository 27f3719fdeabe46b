"""OAuth tokens kept in the database, encrypted, saved atomically before they are used."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from db.models import OAuthToken
from sync.clock import Clock
from sync.secret_box import SecretBox
from sync.targets.qbo import TokenSet


class DbTokenStore:
    """Implements the QuickBooks client's ``TokenStore`` on the ``oauth_tokens`` table."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        box: SecretBox,
        *,
        clock: Clock,
        provider: str,
        account: str,
        seed_token: str = "",
    ) -> None:
        self._sessions = sessions
        self._box = box
        self._clock = clock
        self._provider = provider
        self._account = account
        self._seed_hash = hashlib.sha256(seed_token.encode()).hexdigest() if seed_token else ""

    async def load(self) -> TokenSet | None:
        async with self._sessions() as session:
            row = await self._row(session)
        if row is None:
            return None
        if self._seed_hash and row.seed_hash != self._seed_hash:
            # A new initial refresh token was configured (reconnect): start from it.
            return None
        return TokenSet(
            access_token=self._box.open(row.access_token_enc),
            refresh_token=self._box.open(row.refresh_token_enc),
            access_expires_at=row.access_expires_at,
            refresh_expires_at=row.refresh_expires_at,
        )

    async def save(self, tokens: TokenSet) -> None:
        # Committed before returning: a rotated refresh token lost after use would
        # disconnect the company (the old one is already dead).
        async with self._sessions() as session, session.begin():
            row = await self._row(session, lock=True)
            if row is None:
                row = OAuthToken(
                    provider=self._provider,
                    account=self._account,
                    access_token_enc="",
                    refresh_token_enc="",
                    access_expires_at=tokens.access_expires_at,
                    refresh_expires_at=tokens.refresh_expires_at,
                    updated_at=self._clock.now(),
                )
            row.access_token_enc = self._box.seal(tokens.access_token)
            row.refresh_token_enc = self._box.seal(tokens.refresh_token)
            row.access_expires_at = tokens.access_expires_at
            row.refresh_expires_at = tokens.refresh_expires_at
            row.seed_hash = self._seed_hash or row.seed_hash
            row.updated_at = self._clock.now()
            session.add(row)

    async def _row(self, session: AsyncSession, *, lock: bool = False) -> OAuthToken | None:
        stmt = select(OAuthToken).where(
            col(OAuthToken.provider) == self._provider, col(OAuthToken.account) == self._account
        )
        if lock:
            stmt = stmt.with_for_update()
        return (await session.execute(stmt)).scalar_one_or_none()
