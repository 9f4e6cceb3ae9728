"""App ids, secrets and access tokens: how they are made and how they are checked.

Shapes follow WeChat's so that clients which validate them keep working: an appid is
``wx`` and 16 hex digits, a secret 32 hex digits, a token 136 characters of
``[A-Za-z0-9_-]``. Secrets are kept only as a salted scrypt hash (parameters stored
with the hash, so they can be raised later) and compared in constant time. Tokens are
random and opaque; the store keys them by SHA-256, which is enough for a 816-bit
random value and cheap on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1


def new_appid() -> str:
    return "wx" + secrets.token_hex(8)


def new_secret() -> str:
    return secrets.token_hex(16)


def new_token() -> str:
    return secrets.token_urlsafe(102)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _scrypt(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 << 20)


def hash_secret(secret: str) -> str:
    """``scrypt$n$r$p$salt-hex$hash-hex``."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(secret, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    """Constant-time check of ``secret`` against a :func:`hash_secret` value."""
    scheme, n, r, p, salt, digest = stored.split("$")
    if scheme != "scrypt":
        return False
    candidate = _scrypt(secret, bytes.fromhex(salt), int(n), int(r), int(p))
    return hmac.compare_digest(candidate, bytes.fromhex(digest))
