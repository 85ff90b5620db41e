# Private to this collection: phone-to-server authentication (HTTP basic or digest), per vendor.
"""Checks the ``Authorization`` header of a phone's request against ``settings.phone_auth[<vendor>]``.

Digest (RFC 7616 with MD5, what desk phones implement; qop ``auth``). A captured ``Authorization`` must not
open the file again (a replay), and the service may run as several worker processes and servers that share
only the secret and a database. Two rules, each for what the other cannot do:

- **the nonce is bound to the client's address and lives ``NONCE_SECONDS``**: it is a timestamp signed with
  the secret together with the address it was given to, so every worker and server sharing the secret
  checks it without asking anyone, and a header replayed from any other address, or later, is refused;
- **each worker tracks the nonce counts it accepted** (``nc`` must grow per nonce, RFC 7616 3.4), so the
  same header replayed from the same address is refused too. Counts are per process, not shared: sharing
  them would cost every authenticated request a database write across workers and servers. So a replay
  from the phone's own address, within the nonce's lifetime, that reaches another worker than the original
  is not caught; one worker (the default, and the demo's) catches every replay.

A refused digest whose response is right (the client knows the password) but whose nonce expired, was given
to another address or is replayed gets a fresh challenge with ``stale=true``: the phone retries at once
with the new nonce instead of counting a failed login. TFTP has no authentication at all: over TFTP the
provisioner refuses the own files of a vendor that must authenticate (Cisco enterprise phones, the TFTP
users, have no HTTP authentication to configure anyway).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import TypeGuard

REALM = "phonefleet"
NONCE_SECONDS = 60.0
#: nonces whose counts one worker remembers; past it the oldest is forgotten (and its nonce refused as stale)
MAX_TRACKED_NONCES = 100_000


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _sign(secret: bytes, stamp: str, client: str | None) -> str:
    return hmac.new(secret, f"{stamp}|{client or ''}".encode(), hashlib.sha256).hexdigest()[:32]


def make_nonce(secret: bytes, client: str | None, now: float | None = None) -> str:
    """A nonce for the client at address ``client``: a timestamp, a random part, their signature with that address.

    The random part makes every challenge's nonce new: two challenges in the same second would otherwise
    share one, and the second phone's first count would look like a replay of the first's.
    """
    stamp = f"{int(now if now is not None else time.time())}.{secrets.token_hex(8)}"
    return f"{stamp}.{_sign(secret, stamp, client)}"


def _nonce_valid(secret: bytes, nonce: str, client: str | None, now: float) -> bool:
    seconds, _dot, rest = nonce.partition(".")
    salt, _dot, signature = rest.partition(".")
    if not seconds.isdigit() or not hmac.compare_digest(signature, _sign(secret, f"{seconds}.{salt}", client)):
        return False
    return 0 <= now - int(seconds) <= NONCE_SECONDS


@dataclass(frozen=True, slots=True)
class Verdict:
    """The check of one request: ``ok``, or not and whether the refusal is for a ``stale`` nonce only."""

    ok: bool
    stale: bool = False

    def __bool__(self) -> bool:
        return self.ok


ACCEPTED, DENIED, STALE = Verdict(True), Verdict(False), Verdict(False, stale=True)


class NonceCounts:
    """The highest nonce count this process accepted for each live nonce (RFC 7616: ``nc`` grows per nonce).

    At most ``limit`` nonces are tracked. Expired ones are forgotten (their nonce is refused anyway); past the
    limit the oldest live one is forgotten too, and every untracked nonce issued no later than it is refused
    from then on (stale: the phone asks again), so forgetting never lets a replay through.
    """

    def __init__(self, limit: int = MAX_TRACKED_NONCES) -> None:
        self.limit = limit
        self._highest: OrderedDict[str, int] = OrderedDict()  # in the order first seen: oldest first
        self._forgotten_up_to = -1  # the latest timestamp of a live nonce forgotten for room

    def advance(self, nonce: str, count: int, now: float) -> bool:
        """Record ``count`` for ``nonce`` (already checked as ours and live); False for a replay."""
        seen = self._highest.get(nonce)
        if seen is None:
            if _stamp(nonce) <= self._forgotten_up_to:
                return False
            self._make_room(now)
        elif count <= seen:
            return False
        self._highest[nonce] = count
        return True

    def _make_room(self, now: float) -> None:
        while self._highest:
            oldest = next(iter(self._highest))
            live = now - _stamp(oldest) <= NONCE_SECONDS
            if live and len(self._highest) < self.limit:
                return
            del self._highest[oldest]
            if live:
                self._forgotten_up_to = max(self._forgotten_up_to, _stamp(oldest))


def _stamp(nonce: str) -> int:
    return int(nonce.partition(".")[0])


def parse_digest(header: str) -> dict:
    """The fields of a ``Digest k=v, k="v"`` header value (quoted strings may hold commas)."""
    fields: dict[str, str] = {}
    text = header.strip()
    position = 0
    while position < len(text):
        while position < len(text) and text[position] in " ,":
            position += 1
        equals = text.find("=", position)
        if equals < 0:
            break
        key = text[position:equals].strip().lower()
        position = equals + 1
        if position < len(text) and text[position] == '"':
            end = position + 1
            value = []
            while end < len(text) and text[end] != '"':
                if text[end] == "\\" and end + 1 < len(text):
                    end += 1
                value.append(text[end])
                end += 1
            fields[key] = "".join(value)
            position = end + 1
        else:
            end = text.find(",", position)
            end = len(text) if end < 0 else end
            fields[key] = text[position:end].strip()
            position = end
    return fields


class PhoneAuth:
    """The phone_auth settings of a fleet, and the check of one request."""

    def __init__(self, settings: dict | None, secret: bytes, nonce_counts: NonceCounts | None = None) -> None:
        self.methods = {
            vendor: entry
            for vendor, entry in (settings or {}).items()
            if isinstance(entry, dict) and entry.get("method") in ("basic", "digest")
        }
        self.secret = secret
        # the process's counts, handed from one publish's PhoneAuth to the next: a publish must not reset them
        self.nonce_counts = nonce_counts if nonce_counts is not None else NonceCounts()

    def required(self, vendor: str | None) -> TypeGuard[str]:
        """Whether ``vendor``'s phones must authenticate (then ``vendor`` is a vendor's name)."""
        return vendor in self.methods

    def check(
        self, vendor: str, authorization: str | None, method: str, uri: str, client: str | None = None
    ) -> Verdict:
        """Whether the request of the client at address ``client`` may have ``vendor``'s files."""
        entry = self.methods.get(vendor)
        if entry is None:
            return ACCEPTED
        if not authorization:
            return DENIED
        scheme, _space, value = authorization.strip().partition(" ")
        if entry["method"] == "basic":
            return ACCEPTED if scheme.lower() == "basic" and self._basic(entry, value) else DENIED
        if scheme.lower() != "digest":
            return DENIED
        return self._digest(entry, parse_digest(value), method, uri, client)

    def challenge(self, vendor: str, client: str | None = None, stale: bool = False) -> str:
        entry = self.methods[vendor]
        if entry["method"] == "basic":
            return f'Basic realm="{REALM}", charset="UTF-8"'
        nonce = make_nonce(self.secret, client)
        return f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{nonce}"' + (", stale=true" if stale else "")

    @staticmethod
    def _basic(entry: dict, value: str) -> bool:
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        username, _colon, password = decoded.partition(":")
        return hmac.compare_digest(username.encode(), str(entry.get("username", "")).encode()) & hmac.compare_digest(
            password.encode(), str(entry.get("password", "")).encode()
        )

    def _digest(self, entry: dict, fields: dict, method: str, uri: str, client: str | None) -> Verdict:
        required = ("username", "realm", "nonce", "uri", "response")
        if any(name not in fields for name in required):
            return DENIED
        if fields["username"] != str(entry.get("username", "")) or fields["realm"] != REALM or fields["uri"] != uri:
            return DENIED
        if fields.get("algorithm", "MD5").upper() != "MD5":
            return DENIED
        nonce = fields["nonce"]
        ha1 = _md5(f"{entry['username']}:{REALM}:{entry.get('password', '')}")
        ha2 = _md5(f"{method}:{fields['uri']}")
        if fields.get("qop"):
            count = fields.get("nc", "")
            if fields["qop"] != "auth" or "cnonce" not in fields or len(count) != 8:
                return DENIED
            try:
                number = int(count, 16)
            except ValueError:
                return DENIED
            expected = _md5(f"{ha1}:{nonce}:{count}:{fields['cnonce']}:auth:{ha2}")
        else:
            number = 1  # RFC 2069 has no count: such a nonce opens one request only
            expected = _md5(f"{ha1}:{nonce}:{ha2}")
        if not hmac.compare_digest(expected, fields["response"].lower()):
            return DENIED
        # the password is right from here on: a nonce problem asks for a retry with a new one (stale), and
        # only a request proven this way moves the counts (else anyone could burn a phone's nonce)
        now = time.time()
        if not _nonce_valid(self.secret, nonce, client, now) or not self.nonce_counts.advance(nonce, number, now):
            return STALE
        return ACCEPTED
