"""A generated fleet for the parser and registration tests: every vendor x UDP/TCP/TLS x several lines.

The demo fleet has one line on 13 of its 14 phones and no TCP, so a driver that writes every account with
line 1's password, or swaps the TCP and TLS codes, passes every test that reads it. This fleet has, for
each vendor and each transport, one phone with as many lines as :data:`LINES` asks (fewer when the model
has fewer accounts), and lines that differ in every field a phone reads: number, user name, auth user,
password, display name.

What a phone must read is stated here, from the fleet, never from a driver: :func:`expected_accounts`.
``write_fleet(directory, ports)`` writes the fleet (a copy of the demo fleet's settings, sites and
firmware, with these phones and one profile per transport pointing at 127.0.0.1 on ``ports``).

Transport is a profile's field in the fleet format (docs/fleet-format.md), not a line's: the lines of one
phone share it, and the transports differ from phone to phone.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.unit.render_support import DEMO_FLEET

TRANSPORTS = ("udp", "tcp", "tls")
#: lines a generated phone gets (fewer when its model has fewer SIP accounts)
LINES = 3

#: per vendor: (model, its SIP accounts, the MAC prefix its phones carry). The models are the demo's
#: where it has one with several accounts; the account counts and prefixes are the vendors' (data sheets,
#: IEEE OUI register), written here so the tests do not read them from the drivers.
VENDOR_PHONES: dict[str, tuple[str, int, str]] = {
    "yealink": ("T54W", 16, "805ec0"),
    "cisco": ("CP-8845", 5, "0cd0f8"),
    "cisco_mpp": ("CP-6841-3PCC", 4, "c4b9cd"),
    # one SIP identity in open SIP (3PCC) mode: the J179's eight are call appearances of it
    "avaya": ("J179", 1, "24d921"),
    "unify": ("CP400", 16, "001ae8"),
    "atcom": ("A20W", 2, "000945"),
    "qtech": ("QVP-95R", 1, "000add"),
    "poly": ("VVX 450", 12, "64167f"),
    "grandstream": ("GXP2170", 6, "c074ad"),
    "snom": ("D785", 12, "000413"),
    "fanvil": ("X6U", 20, "0c383e"),
}


@dataclass(frozen=True)
class ExpectedAccount:
    """One line as the phone must read it: the AOR user, the auth user, the password, transport and port."""

    line: int
    user: str
    auth_user: str
    password: str
    display_name: str
    transport: str
    port: int


@dataclass(frozen=True)
class GeneratedPhone:
    name: str  # vendor-transport, the test id
    mac: str
    vendor: str
    model: str
    transport: str
    accounts: tuple[ExpectedAccount, ...]


def _line(vendor_index: int, transport: str, line: int, port: int, vendor: str) -> ExpectedAccount:
    number = f"4{vendor_index:02d}{TRANSPORTS.index(transport)}{line}"
    # line 2 registers with an auth user of its own: a driver writing the number as auth user is seen
    auth_user = f"auth{number}" if line == 2 else number
    return ExpectedAccount(
        line=line,
        user=number,
        auth_user=auth_user,
        password=f"pw{number}-{vendor[:3]}-{transport}-{line}x",
        display_name=f"{vendor.title()} {transport.upper()} {line}",
        transport=transport,
        port=port,
    )


def generated_phones(ports: dict[str, int]) -> list[GeneratedPhone]:
    """The fleet's phones; ``ports`` maps each transport to the registrar's port for it."""
    phones = []
    for vendor_index, (vendor, (model, accounts, prefix)) in enumerate(VENDOR_PHONES.items()):
        for transport_index, transport in enumerate(TRANSPORTS):
            lines = tuple(
                _line(vendor_index, transport, line, ports[transport], vendor)
                for line in range(1, min(LINES, accounts) + 1)
            )
            mac = f"{prefix}{0x70 + transport_index:02x}{vendor_index:02x}42"
            phones.append(GeneratedPhone(f"{vendor}-{transport}", mac, vendor, model, transport, lines))
    return phones


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_fleet(directory: Path, ports: dict[str, int]) -> list[GeneratedPhone]:
    """Write the generated fleet into ``directory`` (created); its phones."""
    shutil.copytree(DEMO_FLEET, directory)
    phones = generated_phones(ports)
    profiles = (directory / "profiles.yml").read_text()
    for transport in TRANSPORTS:
        profiles += (
            f"  generated-{transport}:\n"
            f"    description: generated fleet, {transport.upper()} to the test registrar\n"
            f"    sip: {{registrar: 127.0.0.1, port: {ports[transport]}, transport: {transport}, expires: 600}}\n"
            "    codecs: [pcmu, pcma]\n"
            "    time: {ntp: [127.0.0.1], timezone: Europe/Berlin}\n"
        )
    (directory / "profiles.yml").write_text(profiles)
    entries = ["---", "phones:"]
    for phone in phones:
        entries += [
            f"  - mac: {_quoted(phone.mac)}",
            f"    name: {_quoted(phone.name)}",
            f"    vendor: {phone.vendor}",
            f"    model: {_quoted(phone.model)}",
            f"    profile: generated-{phone.transport}",
        ]
        if phone.vendor == "cisco":  # served without proof (the demo's settings): an admin password of its own
            entries.append(f"    admin_password: own-admin-{phone.mac}")
        entries.append("    lines:")
        for account in phone.accounts:
            entries.append(
                f"      - {{number: {_quoted(account.user)}, display_name: {_quoted(account.display_name)}, "
                f"username: {_quoted(account.user)}, auth_username: {_quoted(account.auth_user)}, "
                f"password: {_quoted(account.password)}}}"
            )
    (directory / "phones.yml").write_text("\n".join(entries) + "\n")
    return phones
