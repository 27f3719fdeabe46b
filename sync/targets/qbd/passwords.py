"""Web Connector passwords, stored only as salted scrypt hashes (stdlib ``hashlib.scrypt``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

N, R, P = 2**14, 8, 1  # 16 MiB, ~50 ms: cheap for one poll every few minutes, dear to guess
SCHEME = "scrypt"


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _derive(password, salt, N, R, P)
    b64 = base64.b64encode
    return f"{SCHEME}${N}${R}${P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time compare; a malformed hash verifies nothing."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = base64.b64decode(digest)
        actual = _derive(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


_DUMMY = hash_password(secrets.token_hex(8))


def burn_time(password: str) -> None:
    """Spend what a real check costs, so an unknown user name answers as slowly as a wrong
    password (the answer must not tell which of the two was wrong)."""
    verify_password(password, _DUMMY)
