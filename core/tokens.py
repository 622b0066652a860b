"""Capability tokens (invitation links, later share links): random, shown once, stored only as a hash.

A database lookup on the SHA-256 of the token finds the row without comparing secrets character by character,
and a leaked database does not leak usable links."""

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits


def token_new() -> tuple[str, str]:
    """A fresh URL-safe token and the digest to store for it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_digest(token)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
