"""PIN hashes in the format fleet/pin.py wrote before argon2id, made here independently of it: fleets written then
must keep working (tests), and the benchmark measures a shift change with them for the figure before."""

from __future__ import annotations

import base64
import hashlib
import os

#: what fleet/pin.py wrote before argon2id
PBKDF2_ITERATIONS = 200_000


def pbkdf2_pin_hash(pin: str, iterations: int = PBKDF2_ITERATIONS) -> str:
    """``pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>`` of ``pin``, with a random salt."""
    salt = os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), salt, iterations)
    return f"pbkdf2_sha256${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
