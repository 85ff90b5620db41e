# Private to this collection: mobility PINs, stored only as salted hashes.
"""PBKDF2-SHA256 PIN hashes: ``pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 200_000


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """Hash a PIN (digits only, 4 to 12 of them) with a random salt unless one is given."""
    if not (isinstance(pin, str) and pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValueError("a PIN is 4 to 12 digits")
    salt = os.urandom(16) if salt is None else salt
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations)
    return f"{ALGORITHM}${iterations}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True when ``pin`` matches ``pin_hash``; compares in constant time."""
    try:
        algorithm, iterations, salt, expected = pin_hash.split("$")
        if algorithm != ALGORITHM:
            return False
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), base64.b64decode(salt), int(iterations))
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(_b64(digest), expected)
