"""Encryption at rest for the secrets costbridge must keep (OAuth tokens).

The key comes from ``COSTBRIDGE_SECRET_KEY`` (a Fernet key). When unset, one is generated once
into ``<data_dir>/secret.key`` with owner-only permissions, which is fine on one machine and keeps
``make demo`` to one command; production sets the key explicitly (see docs/runbook.md).
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from sync.errors import FatalError
from sync.settings import Settings


class SecretBox:
    """Encrypts and decrypts short secrets with one key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise FatalError(
                "a stored secret cannot be decrypted: COSTBRIDGE_SECRET_KEY changed?"
            ) from exc


def secret_box_from(settings: Settings) -> SecretBox:
    if settings.secret_key is not None:
        return SecretBox(settings.secret_key.get_secret_value().encode())
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
    return SecretBox(path.read_bytes().strip())
