# Private to this collection: mobility PINs, stored only as salted hashes.
"""PIN hashes of mobility users.

New hashes are argon2id at the OWASP Password Storage Cheat Sheet's minimum (m=19456 KiB, t=2, p=1), written as
the PHC string ``$argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<hash b64>`` (argon2-cffi). Hashes written before
(``pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>``, PBKDF2-HMAC-SHA256) still verify, so fleets keep working;
validation warns about them (``weakness``) until the PIN is set again. Why argon2id: docs/mobility.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import threading

from .errors import MissingLibraryError

try:
    import argon2
except ImportError:  # pragma: no cover - requirements.txt installs it; said where a PIN is hashed or checked
    argon2 = None  # type: ignore[assignment]

ARGON2ID = "argon2id"
PBKDF2_SHA256 = "pbkdf2_sha256"
#: the parameters of new hashes: OWASP Password Storage Cheat Sheet, "Argon2id", its first (minimum) configuration
MEMORY_KIB = 19456
TIME_COST = 2
PARALLELISM = 1
#: the sheet's configurations of equal strength (memory in KiB, passes): a hash meets the minimum when its memory
#: and passes reach those of one of them (more memory buys fewer passes)
OWASP_ARGON2ID_MINIMUMS = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))
#: the sheet's iteration count for PBKDF2-HMAC-SHA256, for the warning about a hash written before argon2id
OWASP_PBKDF2_SHA256_ITERATIONS = 600_000

#: argon2id checks at once in this process: one per core it may run on. More buy no speed (the check is all CPU)
#: and each holds its memory (m KiB, 19 MiB for new hashes): a shift change's 500 logins in the service's 40
#: worker threads held a gigabyte.
CONCURRENT_CHECKS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_checks = threading.BoundedSemaphore(CONCURRENT_CHECKS)

_B64 = "[A-Za-z0-9+/]"
#: the formats ``verify_pin`` reads; the fleet schema's ``pin_hash`` pattern is built from these
ARGON2ID_PATTERN = rf"^\$argon2id\$v=19\$m=([0-9]{{1,8}}),t=([0-9]{{1,4}}),p=([0-9]{{1,3}})\${_B64}+\${_B64}+$"
PBKDF2_SHA256_PATTERN = r"^pbkdf2_sha256\$([0-9]+)\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$"
PIN_HASH_PATTERN = f"{ARGON2ID_PATTERN}|{PBKDF2_SHA256_PATTERN}"
HOW_TO_RESET = (
    "set the PIN again (module phonefleet.provisioning.mobility_user, option pin; or paste the hash of"
    " \"{{ '<PIN>' | phonefleet.provisioning.pin_hash }}\")"
)


def _argon2():
    if argon2 is None:
        raise MissingLibraryError("argon2-cffi")
    return argon2


def _hasher(memory_kib: int, time_cost: int, parallelism: int):
    library = _argon2()
    return library.PasswordHasher(
        time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=library.Type.ID
    )


def hash_pin(pin: str, memory_kib: int = MEMORY_KIB, time_cost: int = TIME_COST, parallelism: int = PARALLELISM) -> str:
    """The argon2id PHC string of a PIN (4 to 12 ASCII digits: what a keypad types), with a random salt."""
    if not (isinstance(pin, str) and pin.isascii() and pin.isdigit() and 4 <= len(pin) <= 12):
        raise ValueError("a PIN is 4 to 12 digits")
    return _hasher(memory_kib, time_cost, parallelism).hash(pin)


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True when ``pin`` matches ``pin_hash`` (argon2id, or the older pbkdf2_sha256); compares in constant time.

    Runs for tens of milliseconds by design: callers on an event loop run it in a thread (argon2-cffi and hashlib
    let go of the GIL while they hash); at most CONCURRENT_CHECKS argon2id checks run at once, the others wait."""
    if re.match(ARGON2ID_PATTERN, pin_hash):
        library = _argon2()
        try:
            with _checks:
                return bool(library.PasswordHasher().verify(pin_hash, pin))
        except (library.exceptions.VerificationError, library.exceptions.InvalidHashError):  # a wrong PIN, or no hash
            return False
    legacy = re.match(PBKDF2_SHA256_PATTERN, pin_hash)
    if legacy is None:
        return False
    _algorithm, iterations, salt, expected = pin_hash.split("$")
    try:
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), base64.b64decode(salt), int(iterations))
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(base64.b64encode(digest).decode("ascii"), expected)


def weakness(pin_hash: str) -> str | None:
    """Why ``pin_hash`` is below what new hashes get (a validation warning), or None. Reads only the string."""
    argon = re.match(ARGON2ID_PATTERN, pin_hash)
    if argon is not None:
        memory, passes, parallelism = (int(group) for group in argon.groups())
        if any(memory >= least and passes >= fewest for least, fewest in OWASP_ARGON2ID_MINIMUMS):
            return None
        return (
            f"argon2id with m={memory},t={passes},p={parallelism} is below the OWASP minimum"
            f" (m={MEMORY_KIB},t={TIME_COST},p={PARALLELISM}); {HOW_TO_RESET}"
        )
    legacy = re.match(PBKDF2_SHA256_PATTERN, pin_hash)
    if legacy is not None:
        return (
            f"a PBKDF2-SHA256 hash ({legacy.group(1)} iterations; OWASP asks {OWASP_PBKDF2_SHA256_ITERATIONS:,}) still"
            f" verifies, but new PIN hashes are argon2id; {HOW_TO_RESET}"
        )
    return None


def needs_rehash(pin_hash: str) -> bool:
    """True when a PIN that ``pin_hash`` verifies should be hashed anew (an older format or weaker parameters)."""
    return weakness(pin_hash) is not None
