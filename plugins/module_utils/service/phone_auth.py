# Private to this collection: phone-to-server authentication (HTTP basic or digest), per vendor.
"""Checks the ``Authorization`` header of a phone's request against ``settings.phone_auth[<vendor>]``.

Digest (RFC 7616 with MD5, what desk phones implement; qop ``auth``) needs no server-side session: the
nonce is a timestamp signed with the service's secret, valid ``NONCE_SECONDS``, so every worker and every
server sharing the secret accepts it. TFTP has no authentication at all: over TFTP the provisioner refuses
the own files of a vendor that must authenticate (Cisco enterprise phones, the TFTP users, have no HTTP
authentication to configure anyway).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

REALM = "phonefleet"
NONCE_SECONDS = 300.0


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _sign(secret: bytes, stamp: str) -> str:
    return hmac.new(secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]


def make_nonce(secret: bytes, now: float | None = None) -> str:
    stamp = str(int(now if now is not None else time.time()))
    return f"{stamp}.{_sign(secret, stamp)}"


def _nonce_valid(secret: bytes, nonce: str, now: float) -> bool:
    stamp, _dot, signature = nonce.partition(".")
    if not stamp.isdigit() or not hmac.compare_digest(signature, _sign(secret, stamp)):
        return False
    return 0 <= now - int(stamp) <= NONCE_SECONDS


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

    def __init__(self, settings: dict | None, secret: bytes) -> None:
        self.methods = {
            vendor: entry
            for vendor, entry in (settings or {}).items()
            if isinstance(entry, dict) and entry.get("method") in ("basic", "digest")
        }
        self.secret = secret

    def required(self, vendor: str | None) -> bool:
        return vendor in self.methods

    def check(self, vendor: str, authorization: str | None, method: str, uri: str) -> bool:
        entry = self.methods.get(vendor)
        if entry is None:
            return True
        if not authorization:
            return False
        scheme, _space, value = authorization.strip().partition(" ")
        if entry["method"] == "basic":
            return scheme.lower() == "basic" and self._basic(entry, value)
        return scheme.lower() == "digest" and self._digest(entry, parse_digest(value), method, uri)

    def challenge(self, vendor: str) -> str:
        entry = self.methods[vendor]
        if entry["method"] == "basic":
            return f'Basic realm="{REALM}", charset="UTF-8"'
        return f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{make_nonce(self.secret)}"'

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

    def _digest(self, entry: dict, fields: dict, method: str, uri: str) -> bool:
        required = ("username", "realm", "nonce", "uri", "response")
        if any(name not in fields for name in required):
            return False
        if fields["username"] != str(entry.get("username", "")) or fields["realm"] != REALM:
            return False
        if fields["uri"] != uri or not _nonce_valid(self.secret, fields["nonce"], time.time()):
            return False
        if fields.get("algorithm", "MD5").upper() != "MD5":
            return False
        ha1 = _md5(f"{entry['username']}:{REALM}:{entry.get('password', '')}")
        ha2 = _md5(f"{method}:{fields['uri']}")
        if fields.get("qop"):
            if fields["qop"] != "auth" or "nc" not in fields or "cnonce" not in fields:
                return False
            expected = _md5(f"{ha1}:{fields['nonce']}:{fields['nc']}:{fields['cnonce']}:auth:{ha2}")
        else:
            expected = _md5(f"{ha1}:{fields['nonce']}:{ha2}")
        return hmac.compare_digest(expected, fields["response"].lower())
