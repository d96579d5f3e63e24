"""Signed, expiring values for URLs the sandbox hands out (a provider authorization ``state``, the
signature of a pre-signed storage URL): HMAC-SHA256 under a key derived from the seed and the
purpose, so a URL from one sandbox (or for one purpose) is refused by another.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

__all__ = ["Signer", "b64url", "unb64url"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    """Decode unpadded base64url; ValueError when it is not."""
    if not text or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for ch in text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise ValueError("not base64url") from None


class Signer:
    """HMAC signatures for one purpose of one seed."""

    def __init__(self, seed: int, purpose: str) -> None:
        self._key = hashlib.sha256(f"mdh-sandbox-{purpose}/{seed}".encode()).digest()

    def sign(self, *parts: str) -> str:
        """A hex signature of ``parts`` (joined by newlines, as SigV4 joins its canonical request)."""
        return hmac.new(self._key, "\n".join(parts).encode(), hashlib.sha256).hexdigest()

    def verify(self, signature: str, *parts: str) -> bool:
        return hmac.compare_digest(signature.encode(), self.sign(*parts).encode())

    def seal(self, value: dict[str, Any]) -> str:
        """``value`` as an opaque token: base64url JSON, a dot, its signature."""
        body = b64url(json.dumps(value, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self.sign(body)}"

    def open(self, token: str) -> dict[str, Any] | None:
        """The value of a token this signer sealed, or None when it is not one."""
        body, _, signature = token.partition(".")
        if not body or not self.verify(signature, body):
            return None
        try:
            value = json.loads(unb64url(body))
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
