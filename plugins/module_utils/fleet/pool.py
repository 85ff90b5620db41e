# Private to this collection: the auto-provisioning pool, its numbers and their SIP credentials.
"""The numbers of ``settings.autoprovision.number_pool`` and the credentials each one comes with.

A number of the pool must register the moment a phone gets it, so the registrar has to know its
credentials before any phone asks: they cannot be made up at assignment. Each number's password is
derived from one secret of the fleet (``password_secret``, a vault value)::

    password = base62(HMAC-SHA512(password_secret, "phonefleet pool SIP password v1\\0" + number))[:password_length]

so the provisioning service (which renders the phone's file) and the registrar export (which gives the
registrar its subscribers) compute the same password independently, with nothing to keep in step and
no round trip. One vault value covers a pool of any size; knowing one number's password tells nothing
of the others or of the secret (HMAC). Rotating ``password_secret`` changes every pool password at once
(export the registrar again, and the phones get their new files on their next check). docs/service.md
says why this and not a vault value per number.
"""

from __future__ import annotations

import hashlib
import hmac
import string
from collections.abc import Callable
from dataclasses import dataclass, field

#: what the HMAC binds a password to, so the secret used for anything else gives other values
_CONTEXT = b"phonefleet pool SIP password v1\0"
_BASE62 = string.digits + string.ascii_letters
DEFAULT_PASSWORD_LENGTH = 16


def expand_pool(ranges: list) -> list[str]:
    """``["3000-3002", "3010"]`` -> ``["3000", "3001", "3002", "3010"]``; leading zeros kept."""
    numbers: list[str] = []
    for item in ranges:
        first, _sep, last = str(item).partition("-")
        if not last:
            numbers.append(first)
            continue
        width = len(first)
        numbers.extend(str(value).zfill(width) for value in range(int(first), int(last) + 1))
    return list(dict.fromkeys(numbers))


def pool_password(secret: str, number: str, length: int = DEFAULT_PASSWORD_LENGTH) -> str:
    """The SIP password of ``number``: ``length`` (at most 64) base62 characters of the HMAC above."""
    if not secret:
        raise ValueError("settings.autoprovision.password_secret is empty")
    value = int.from_bytes(hmac.new(secret.encode(), _CONTEXT + number.encode(), hashlib.sha512).digest(), "big")
    characters = []
    for _index in range(length):
        value, digit = divmod(value, 62)
        characters.append(_BASE62[digit])
    return "".join(characters)


@dataclass(frozen=True)
class PoolAccount:
    number: str
    name: str
    username: str
    password: str = field(repr=False)


class Pool:
    """The pool of a fleet's ``settings.autoprovision``: its free numbers and their credentials.

    ``reveal`` gives the clear text of a fleet value (a vault value decrypted); the service, whose fleet
    comes from the bundle with its secrets in clear, passes ``str``.
    """

    def __init__(self, fleet, reveal: Callable[[object], str] = str) -> None:
        self.settings = (fleet.settings.get("autoprovision") or {}) if fleet is not None else {}
        self.enabled = bool(self.settings.get("enabled"))
        self._reveal = reveal
        if self.enabled:
            used = {line.number for phone in fleet.phones for line in phone.lines}
            used |= {user.number for user in fleet.mobility_users}
            self.numbers = [
                number for number in expand_pool(self.settings.get("number_pool") or []) if number not in used
            ]
        else:
            self.numbers = []

    def unusable(self) -> str | None:
        """Why the pool's numbers come with no credentials, or None when they do.

        Validation requires ``password_secret`` with auto-provisioning on, but a fleet published before the
        setting existed still reaches the service: its numbers have no password anyone could derive.
        """
        secret = self.settings.get("password_secret")
        if secret is None or not self._reveal(secret):
            return "settings.autoprovision.password_secret is not set: the pool's SIP passwords are derived from it"
        return None

    def account(self, number: str) -> PoolAccount:
        """The name, SIP user name and password ``number`` comes with; ValueError when :meth:`unusable`."""
        why = self.unusable()
        if why is not None:
            raise ValueError(why)
        secret = self.settings["password_secret"]
        length = int(self.settings.get("password_length") or DEFAULT_PASSWORD_LENGTH)
        return PoolAccount(
            number=number,
            name=str(self.settings.get("name_pattern") or "Phone {number}").replace("{number}", number),
            username=str(self.settings.get("username_pattern") or "{number}").replace("{number}", number),
            password=pool_password(self._reveal(secret), number, length),
        )

    def accounts(self) -> list[PoolAccount]:
        """Every free number of the pool with its credentials (what a registrar must know in advance)."""
        return [self.account(number) for number in self.numbers]
