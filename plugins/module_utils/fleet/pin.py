# Private to this collection: mobility PINs, stored only as salted hashes.
"""PIN hashes of mobility users.

New hashes are argon2id at the OWASP Password Storage Cheat Sheet's minimum (m=19456 KiB, t=2, p=1), written as
the PHC string ``$argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<hash b64>`` (argon2-cffi). Hashes written before
(``pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>``, PBKDF2-HMAC-SHA256) still verify, so fleets keep working;
validation warns about them (``weakness``) until the PIN is set again. Why argon2id: docs/mobility.md.

A hash's own parameters set what checking it costs, and anyone who types a PIN for its user's number makes the
service pay it: parameters beyond the ceilings below are refused where a hash is read (the schema's pattern, built
here, and ``verify_pin``), so one hash cannot make a check last seconds, take a gigabyte or hold every check slot.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import logging
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
#: ceilings of what a hash may ask (the floor, OWASP's minimum, is a warning: ``weakness``). A check's cost is the
#: hash's to choose and the service's to pay, once per typed PIN: 256 MiB is 13 times the OWASP memory and 4 times
#: RFC 9106's second recommended option (64 MiB), 10 passes 5 times OWASP's; RFC 9106's options use 4 lanes
#: (libargon2 runs one thread per lane), and OWASP's equal-strength rows all use 1; 10,000,000 PBKDF2 iterations
#: are 16 times OWASP's 600,000. Beyond them a check costs seconds and memory that no PIN's safety needs.
MAX_MEMORY_KIB = 262_144
MAX_TIME_COST = 10
MAX_PARALLELISM = 4
MAX_PBKDF2_SHA256_ITERATIONS = 10_000_000
#: how long a check waits for one of the CONCURRENT_CHECKS slots before PinCheckBusy: a check at the defaults takes
#: 20 ms, so the service's 40 worker threads wait 0.4 s at most in a shift change; a wait of seconds means the slots
#: are held by slow checks, and the login is better answered "try again" than left to tie up a worker thread
CHECK_WAIT_SECONDS = 5.0

#: PIN checks (argon2id and pbkdf2_sha256) at once in this process: one per core it may run on. More buy no speed
#: (the check is all CPU) and each holds its memory (m KiB, 19 MiB for new hashes): a shift change's 500 logins in
#: the service's 40 worker threads held a gigabyte.
CONCURRENT_CHECKS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_checks = threading.BoundedSemaphore(CONCURRENT_CHECKS)
LOG = logging.getLogger("phonefleet.pin")
_refusals_logged: set[str] = set()


class PinCheckBusy(Exception):
    """Every check slot stayed taken for CHECK_WAIT_SECONDS: the PIN was not checked (neither right nor wrong)."""


def _at_most(limit: int) -> str:
    """A regular expression of the decimal numbers 1 to ``limit``, written without a leading zero."""
    digits = str(limit)

    def any_digits(count: int) -> str:
        return f"[0-9]{{{count}}}" if count else ""

    shorter = [f"[1-9]{any_digits(length - 1)}" for length in range(1, len(digits))]
    # as long as limit: its first i digits, then a smaller digit (no leading zero), then any digits
    same_length = [
        f"{digits[:index]}[{int(index == 0)}-{int(digit) - 1}]{any_digits(len(digits) - index - 1)}"
        for index, digit in enumerate(digits)
        if int(digit) - 1 >= int(index == 0)
    ]
    return "(?:" + "|".join([*shorter, *same_length, digits]) + ")"


_B64 = "[A-Za-z0-9+/]"
#: the formats ``verify_pin`` reads; the fleet schema's ``pin_hash`` pattern is built from these
_ARGON2ID_PHC = r"^\$argon2id\$v=19\$m=({m}),t=({t}),p=({p})\${b64}+\${b64}+$"
_PBKDF2_SHA256_STRING = r"^pbkdf2_sha256\$({iterations})\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$"
ARGON2ID_PATTERN = _ARGON2ID_PHC.format(
    m=_at_most(MAX_MEMORY_KIB), t=_at_most(MAX_TIME_COST), p=_at_most(MAX_PARALLELISM), b64=_B64
)
PBKDF2_SHA256_PATTERN = _PBKDF2_SHA256_STRING.format(iterations=_at_most(MAX_PBKDF2_SHA256_ITERATIONS))
#: the same formats with any parameters: what is one of our hashes, only beyond the ceilings
_ANY_ARGON2ID = _ARGON2ID_PHC.format(m="[0-9]+", t="[0-9]+", p="[0-9]+", b64=_B64)
_ANY_PBKDF2_SHA256 = _PBKDF2_SHA256_STRING.format(iterations="[0-9]+")
CEILINGS = (
    f"argon2id m at most {MAX_MEMORY_KIB} (KiB), t at most {MAX_TIME_COST}, p at most {MAX_PARALLELISM};"
    f" pbkdf2_sha256 at most {MAX_PBKDF2_SHA256_ITERATIONS} iterations"
)
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


@functools.cache
def decoy_hash() -> str:
    """A hash no typed PIN is checked for in earnest (made once, of a random PIN): what a login for an unknown number
    is checked against, at the cost of a real user's, so the time of the answer does not tell which numbers exist."""
    return hash_pin(str(int.from_bytes(os.urandom(4), "big") % 10**8).zfill(8))


def verify_pin(pin: str, pin_hash: str) -> bool:
    """True when ``pin`` matches ``pin_hash`` (argon2id, or the older pbkdf2_sha256); compares in constant time.

    Runs for tens of milliseconds by design: callers on an event loop run it in a thread (argon2-cffi and hashlib
    let go of the GIL while they hash); at most CONCURRENT_CHECKS checks run at once, the others wait, each for
    CHECK_WAIT_SECONDS at most, then PinCheckBusy. A hash beyond the ceilings (CEILINGS) matches no PIN."""
    argon = re.match(ARGON2ID_PATTERN, pin_hash)
    legacy = None if argon else re.match(PBKDF2_SHA256_PATTERN, pin_hash)
    if argon is None and legacy is None:
        _log_beyond_ceilings(pin_hash)
        return False
    if not _checks.acquire(timeout=CHECK_WAIT_SECONDS):
        raise PinCheckBusy(f"no PIN check slot within {CHECK_WAIT_SECONDS:g} s")
    try:
        return _argon2id_matches(pin, pin_hash) if argon else _pbkdf2_sha256_matches(pin, pin_hash)
    finally:
        _checks.release()


def _argon2id_matches(pin: str, pin_hash: str) -> bool:
    library = _argon2()
    try:
        return bool(library.PasswordHasher().verify(pin_hash, pin))
    except (library.exceptions.VerificationError, library.exceptions.InvalidHashError):  # a wrong PIN, or no hash
        return False


def _pbkdf2_sha256_matches(pin: str, pin_hash: str) -> bool:
    _algorithm, iterations, salt, expected = pin_hash.split("$")
    try:
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode("ascii"), base64.b64decode(salt), int(iterations))
    except (ValueError, OverflowError, UnicodeEncodeError):  # not base64, no PIN of digits
        return False
    return hmac.compare_digest(base64.b64encode(digest).decode("ascii"), expected)


def _log_beyond_ceilings(pin_hash: str) -> None:
    """Say once per parameters (never the salt or digest) that a hash of ours is refused for its parameters."""
    if re.match(_ANY_ARGON2ID, pin_hash):
        asked = "argon2id " + pin_hash.split("$")[3]
    elif re.match(_ANY_PBKDF2_SHA256, pin_hash):
        asked = f"pbkdf2_sha256 with {pin_hash.split('$')[1]} iterations"
    else:
        return
    if asked not in _refusals_logged:
        _refusals_logged.add(asked)
        LOG.warning("a PIN hash (%s) beyond the ceilings (%s) matches no PIN: set the PIN again", asked, CEILINGS)


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
