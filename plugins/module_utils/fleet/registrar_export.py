# Private to this collection: what a SIP registrar must know of a fleet, in the registrar's own formats.
"""The registrar export: every SIP account of the fleet's lines and of the auto-provisioning pool, written
for the registrar (action ``phonefleet.provisioning.registrar_export``).

A phone registers with the credentials its file carries; a registrar accepts them only when it was given
the same. The fleet is where both come from: each line's user name (else its number), auth user name
(``auth_username``, else the user name) and password, and the domain phones register in (the registrar of
the phone's profile); the lines of the mobility users (``mobility_users``: in the domain of the user's
profile, else of the first profile allowing mobility); for the pool (``fleet/pool.py``), every free number
with the password derived for it, in the domain of the auto-provisioning profile. The pool's numbers are
exported before any phone has them, so an auto-provisioned phone registers the moment it has its file, with no
export in between.

Formats, each the registrar's own:

- ``kamailio``: a ``db_text`` database directory (Kamailio's ``db_text`` module, ``db_url "text:///dir"``)
  with the tables ``subscriber`` (``auth_db``: username = the auth user, domain, password, ha1, ha1b) and
  ``uri`` (``uri_db``: which AOR user an auth user may use, for lines whose auth user differs), and
  ``version`` (the table versions Kamailio 5.x checks: subscriber 7, uri 1). The column lines are those of
  Kamailio's own db_text schema (``/usr/share/kamailio/dbtext/kamailio``).
- ``pjsip``: an Asterisk ``pjsip.conf`` include: per account an ``aor``, an ``auth`` (userpass) and an
  ``endpoint`` named by the AOR user (``identify_by=username,auth_username`` so a line whose auth user
  differs is found too) in the dialplan ``context`` given.

Both hold the passwords in clear (as the registrar needs them): written with mode 0600, and every diff or
message shows them masked.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .accounts import AccountUse, compare_accounts, line_uses, mobility_line_uses, registrar_of
from .errors import FleetError
from .masking import MASK
from .pool import Pool

FORMATS = ("kamailio", "pjsip")
#: table versions of Kamailio 5.x's schema (kamailio/utils/kamctl/dbtext/kamailio/version)
_KAMAILIO_VERSIONS = {"version": 1, "subscriber": 7, "uri": 1}
_KAMAILIO_COLUMNS = {
    "version": "id(int,auto) table_name(string) table_version(int)",
    "subscriber": "id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string)",
    "uri": "id(int,auto) username(string) domain(string) uri_user(string) last_modified(int)",
}


class RegistrarExportError(FleetError):
    """The fleet cannot be given to a registrar as it is (the message says which accounts and why)."""


@dataclass(frozen=True)
class SipAccount:
    user: str  # the AOR user
    auth_user: str
    password: str = field(repr=False)
    domain: str  # the registrar the phone names: the digest realm phones answer
    source: str  # where it comes from, for messages: "phones.yml: 805ec0112233 line 1", "pool 3000"


def registrar_accounts(fleet, reveal: Callable[[object], str], *, pool: bool = True) -> list[SipAccount]:
    """Every account of ``fleet`` (a loaded fleet) a registrar must know: the lines that register and
    have a password, the mobility users' (who register from any phone they log in on), then (``pool``) every
    free number of the auto-provisioning pool."""
    lines = line_uses(fleet) + mobility_line_uses(fleet)
    uses = [dataclasses.replace(use, password=reveal(use.password)) for use in lines]
    numbers = Pool(fleet, reveal)
    if pool and numbers.enabled:
        domain = registrar_of(fleet, numbers.settings.get("profile"))
        for account in numbers.accounts():
            uses.append(
                AccountUse(account.username, account.username, domain, account.password, f"pool {account.number}")
            )
    _check_unique(uses)
    return [SipAccount(use.user, use.auth_user, str(use.password), use.registrar, use.source) for use in uses]


def _check_unique(uses: list[AccountUse]) -> None:
    """A registrar holds one password per account: the rule the fleet itself keeps (fleet/accounts.py),
    applied again to the clear passwords and to the pool's accounts."""
    _shared, conflicts = compare_accounts(uses)
    if conflicts:
        raise RegistrarExportError(conflicts[0].message)


def _dbtext(value: str) -> str:
    """A db_text string value: the separator, the escape and line ends escaped (db_text's own escapes)."""
    return (
        value.replace("\\", "\\\\").replace(":", "\\:").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def kamailio_tables(accounts: list[SipAccount]) -> dict[str, str]:
    """The db_text tables (file name -> text) for ``accounts``."""
    subscribers: dict[tuple[str, str], SipAccount] = {}
    uris: list[SipAccount] = []
    for account in accounts:
        subscribers.setdefault((account.auth_user, account.domain), account)
        if account.user != account.auth_user:
            uris.append(account)
    rows = {
        "version": [f"{index}:{name}:{version}" for index, (name, version) in enumerate(_KAMAILIO_VERSIONS.items(), 1)],
        "subscriber": [],
        "uri": [],
    }
    for index, account in enumerate(subscribers.values(), 1):
        secret = (
            account.password,
            # digest HA1 of RFC 2617 (realm = the domain), and ha1b with user@domain as the user name
            _md5(f"{account.auth_user}:{account.domain}:{account.password}"),
            _md5(f"{account.auth_user}@{account.domain}:{account.domain}:{account.password}"),
        )
        values: tuple[str, ...] = (account.auth_user, account.domain, *secret)
        rows["subscriber"].append(f"{index}:" + ":".join(_dbtext(value) for value in values))
    for index, account in enumerate(uris, 1):
        values = (account.auth_user, account.domain, account.user)
        rows["uri"].append(f"{index}:" + ":".join(_dbtext(value) for value in values) + ":0")
    return {name: "".join(line + "\n" for line in [_KAMAILIO_COLUMNS[name], *lines]) for name, lines in rows.items()}


def _pjsip(value: str) -> str:
    if any(char in value for char in "\n\r;[]") or value != value.strip():
        raise RegistrarExportError(f"{value!r} cannot be written in pjsip.conf (line end, ';', brackets, spaces)")
    return value


def pjsip_conf(accounts: list[SipAccount], context: str) -> str:
    """An Asterisk pjsip.conf include with an aor, an auth and an endpoint per AOR user of ``accounts``."""
    sections = ["; Written by phonefleet.provisioning.registrar_export: the fleet's lines and its number pool.\n"]
    seen: set[str] = set()
    for account in accounts:
        if account.user in seen:  # the same AOR twice (a shared line): one endpoint
            continue
        seen.add(account.user)
        name = _pjsip(account.user)
        realm = f"realm={_pjsip(account.domain)}\n" if account.domain else ""
        sections.append(
            f"\n; {account.source}\n"
            f"[{name}]\ntype=aor\nmax_contacts=1\nremove_existing=yes\n\n"
            f"[{name}-auth]\ntype=auth\nauth_type=userpass\nusername={_pjsip(account.auth_user)}\n"
            f"password={_pjsip(account.password)}\n{realm}\n"
            f"[{name}]\ntype=endpoint\naors={name}\nauth={name}-auth\ncontext={_pjsip(context)}\n"
            "identify_by=username,auth_username\ndisallow=all\nallow=g722,ulaw,alaw\n"
        )
    return "".join(sections)


def registrar_files(accounts: list[SipAccount], fmt: str, context: str = "phones") -> dict[str, str]:
    """The files of the export in format ``fmt`` (name -> text): the db_text tables, or ``pjsip.conf``."""
    if fmt == "kamailio":
        return kamailio_tables(accounts)
    if fmt == "pjsip":
        return {"pjsip.conf": pjsip_conf(accounts, context)}
    raise RegistrarExportError(f"format: must be one of {', '.join(FORMATS)}")


def masked_export(name: str, text: str) -> str:
    """A file of the export as a diff shows it: a subscriber row's password, ha1 and ha1b, and pjsip.conf's
    ``password=`` lines masked (an export on disk may hold passwords no account has any more)."""
    shown = []
    for line in text.splitlines(keepends=True):
        if name == "subscriber" and not line.startswith("id("):
            fields = re.split(r"(?<!\\):", line.rstrip("\n"))
            line = ":".join([*fields[:3], MASK, MASK, MASK]) + "\n"
        elif line.startswith("password="):
            line = f"password={MASK}\n"
        shown.append(line)
    return "".join(shown)
