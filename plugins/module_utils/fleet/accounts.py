# Private to this collection: one SIP account, one set of credentials.
"""The rule that a SIP account carried by several lines has the same credentials on each.

An account is what a registrar authenticates: the auth user (``auth_username``, else the user name, else the
number). Several phones may carry it (a shared line, several devices on one line) when each registers with
the same registrar and the same password: that is allowed and reported. With a different password or
registrar at most one of them registers, and which one depends on the registrar: that is refused, naming
both lines. The fleet rules (``fleet/rules.py``) and the registrar export (``fleet/registrar_export.py``)
apply this one comparison and say it in the same words.

Passwords are compared without decrypting where that decides it: two clear passwords by their text; two
vault values with the same ciphertext hold the same password. Different ciphertexts may hold the same
password (Ansible Vault salts every encryption; the CSV import encrypts each row's password anew), so
those, and a vault value beside a clear one, are compared by the ``reveal`` function a controller-side
plugin passes (it holds the vault secret; the core never does). Without one such an account is reported
as shared with its passwords not compared, never refused on a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .model import Origin
from .yamlio import VaultValue

Reveal = Callable[[object], str]


@dataclass(frozen=True)
class AccountUse:
    """One line that registers with an account."""

    user: str  # the AOR user: the line's user name, else its number
    auth_user: str
    registrar: str
    password: object = field(repr=False)  # the clear text, or a VaultValue as the fleet holds it
    source: str  # where, for messages: "phones.yml: 805ec0112233 line 1", "pool 3000"
    origin: Origin | None = None  # a phone's line: the phone, to locate a problem at the line
    line_index: int = 0


@dataclass
class SharedAccount:
    """An account several lines carry with the same credentials."""

    auth_user: str
    registrar: str
    sources: list[str]
    passwords_compared: bool = True  # False: vault values no reveal function could compare

    def as_dict(self) -> dict:
        return {
            "account": self.auth_user,
            "registrar": self.registrar,
            "lines": list(self.sources),
            "passwords_compared": self.passwords_compared,
        }


@dataclass(frozen=True)
class AccountConflict:
    """A line carrying an account with other credentials than the line that carried it first."""

    first: AccountUse
    second: AccountUse
    differs_in: str  # "registrar" or "password"

    @property
    def message(self) -> str:
        account = f"SIP account {self.second.auth_user!r}"
        if self.differs_in == "registrar":
            return (
                f"{account} registers with {self.first.registrar or 'no registrar'!r} on {self.first.source}"
                f" but with {self.second.registrar or 'no registrar'!r} on {self.second.source}:"
                " one account has one registrar"
            )
        return (
            f"{account} has a different password on {self.first.source} and on {self.second.source}:"
            " a registrar holds one password per account (a shared line has the same credentials on every phone)"
        )


def line_source(phone, number: int) -> str:
    """A phone's line as messages name it: its file, the phone's MAC and the line's number (from 1)."""
    return f"{phone.origin.file}: {phone.mac} line {number}"


def registrar_of(fleet, profile_name: str | None) -> str:
    """The registrar a profile's phones register with (the digest realm they answer); "" without one."""
    profile = fleet.profiles.get(profile_name) if profile_name else None
    return str((profile.sip or {}).get("registrar") or "") if profile else ""


def line_uses(fleet) -> list[AccountUse]:
    """Every phone line of ``fleet`` that registers with a password, as a use of its account."""
    uses = []
    for phone in fleet.phones:
        registrar = registrar_of(fleet, phone.profile)
        for index, line in enumerate(phone.lines):
            if line.password is None or not line.register:
                continue
            user = line.sip_username
            source = line_source(phone, index + 1)
            uses.append(
                AccountUse(user, line.auth_username or user, registrar, line.password, source, phone.origin, index)
            )
    return uses


def mobility_line_uses(fleet) -> list[AccountUse]:
    """Every line of a mobility user that registers with a password: it registers from whichever phone he logs
    in on, in the domain of his profile's registrar, else of the first profile (by name) allowing mobility."""
    hosts = sorted(name for name, profile in fleet.profiles.items() if getattr(profile, "mobility", False))
    uses = []
    for user in fleet.mobility_users:
        registrar = registrar_of(fleet, user.profile or (hosts[0] if hosts else None))
        for index, line in enumerate(user.lines):
            if line.password is None or not line.register:
                continue
            name = line.sip_username
            source = f"{user.origin.file if user.origin else 'mobility_users'}: {user.number} line {index + 1}"
            uses.append(AccountUse(name, line.auth_username or name, registrar, line.password, source, None, index))
    return uses


def same_password(first: object, second: object, reveal: Reveal | None) -> bool | None:
    """Whether two passwords are the same; None when only a reveal function could tell and none is given."""
    if not isinstance(first, VaultValue) and not isinstance(second, VaultValue):
        return str(first) == str(second)
    if isinstance(first, VaultValue) and isinstance(second, VaultValue):
        if first.ciphertext.strip() == second.ciphertext.strip():
            return True
    if reveal is None:
        return None
    return reveal(first) == reveal(second)


def compare_accounts(
    uses: Iterable[AccountUse], reveal: Reveal | None = None
) -> tuple[list[SharedAccount], list[AccountConflict]]:
    """The accounts several lines share alike, and every line whose credentials differ from the first
    line's of its account (in the order of ``uses``)."""
    first: dict[str, AccountUse] = {}
    shared: dict[str, SharedAccount] = {}
    conflicts: list[AccountConflict] = []
    for use in uses:
        seen = first.setdefault(use.auth_user, use)
        if seen is use:
            continue
        if seen.registrar != use.registrar:
            conflicts.append(AccountConflict(seen, use, "registrar"))
            continue
        same = same_password(seen.password, use.password, reveal)
        if same is False:
            conflicts.append(AccountConflict(seen, use, "password"))
            continue
        account = shared.setdefault(use.auth_user, SharedAccount(use.auth_user, use.registrar, [seen.source]))
        account.sources.append(use.source)
        account.passwords_compared = account.passwords_compared and same is not None
    return list(shared.values()), conflicts
