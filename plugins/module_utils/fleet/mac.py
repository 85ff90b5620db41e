# Private to this collection: MAC address parsing.
"""A phone's identity is its MAC. Every usual notation is accepted and normalised with netaddr."""

from __future__ import annotations

import re

from .errors import MissingLibraryError


class InvalidMac(ValueError):
    pass


# The notations fleets use nearly always; they are read without netaddr's general parser
# (a third of the load time of a 20,000-phone fleet). Anything else goes to netaddr.
_COMMON = re.compile(
    r"(?:[0-9a-fA-F]{2}([:-]))(?:[0-9a-fA-F]{2}\1){4}[0-9a-fA-F]{2}|[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}"
    r"|[0-9a-fA-F]{12}"
)


def normalize_mac(value: object) -> str:
    """Return the MAC as 12 lower-case hex digits (the form phones use in file names).

    Accepts 00:15:65:AA:BB:CC, 00-15-65-aa-bb-cc, 0015.65aa.bbcc and 001565aabbcc.
    """
    if not isinstance(value, str):
        raise InvalidMac(f"{value!r} is not a MAC address; write it in quotes")
    text = value.strip()
    if _COMMON.fullmatch(text):
        return text.replace(":", "").replace("-", "").replace(".", "").lower()
    # netaddr also reads bare integers ("12") as addresses: insist on the 12 hex digits a phone has.
    if sum(ch in "0123456789abcdefABCDEF" for ch in text) != 12:
        raise InvalidMac(f"'{value}' is not a MAC address (need 12 hex digits)")
    # Imported only for the rare notations: its import is ~6 ms of every inventory read.
    try:
        import netaddr  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise MissingLibraryError("netaddr") from None
    try:
        eui = netaddr.EUI(text, version=48)
    except (netaddr.AddrFormatError, TypeError, ValueError):
        raise InvalidMac(f"'{value}' is not a MAC address") from None
    return format(int(eui), "012x")


def format_mac(mac12: str, style: str = "colon") -> str:
    """Write a normalised MAC in the notation a vendor or a person expects."""
    if style == "bare":
        return mac12
    if style == "upper":
        return mac12.upper()
    if style == "cisco":
        return f"{mac12[0:4]}.{mac12[4:8]}.{mac12[8:12]}"
    m = mac12
    return f"{m[0:2]}:{m[2:4]}:{m[4:6]}:{m[6:8]}:{m[8:10]}:{m[10:12]}"


def group_address_reason(mac12: str) -> str | None:
    """Why a normalised MAC cannot be one device's address (broadcast or multicast), or None."""
    if mac12 == "ffffffffffff":
        return "is the broadcast address, not a phone's"
    if int(mac12[0:2], 16) & 1:
        return "is a multicast address (the first octet is odd), not a phone's"
    return None
