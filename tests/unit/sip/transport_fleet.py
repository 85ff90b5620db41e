"""A fleet the demo does not have: one phone per transport (UDP, TCP, TLS), two lines, an outbound proxy
(and a backup registrar over TLS).

The demo fleet has one line per phone and no TCP, so a driver that swaps the TCP and TLS codes, gives every
line line 1's credentials or drops the outbound proxy's port renders a demo that its parser reads back
unchanged. These phones make each of those visible: ``rendered(tmp_path, vendor, model)`` renders one phone
of ``vendor``/``model`` per transport, ``{transport: {path: bytes}}`` as the phone fetches them.
"""

from __future__ import annotations

from pathlib import Path

from tests.unit.render_support import DEMO_FLEET, fleet_from, render_fleet_phone

TRANSPORTS = ("udp", "tcp", "tls")
#: the port of each transport's registrar and outbound proxy: never the default, so a dropped port shows
PORTS = {"udp": 5070, "tcp": 5072, "tls": 5071}
PROXY = "sbc.transport.invalid"
#: the TLS profile's backup registrar (the others have none)
BACKUP = "pbx-backup.transport.invalid"


def registrar(transport: str) -> str:
    return f"pbx-{transport}.transport.invalid"


def _profiles() -> str:
    added = ""
    for transport in TRANSPORTS:
        backup = f", backup_registrar: {BACKUP}" if transport == "tls" else ""
        added += f"""
  transport-{transport}:
    sip: {{registrar: {registrar(transport)}, port: {PORTS[transport]}, transport: {transport},
          outbound_proxy: {PROXY}, expires: 900{backup}}}
    codecs: [opus, g722, pcma]
    time: {{ntp: [ntp.demo.invalid], timezone: Europe/Moscow}}
"""
    return (DEMO_FLEET / "profiles.yml").read_text(encoding="utf-8") + added


def mac(vendor_prefix: str, position: int) -> str:
    """``vendor_prefix`` (6 hex digits: the vendor's OUI) and the transport's position as the phone's MAC."""
    return f"{vendor_prefix}7700{position:02x}"


def number(position: int, line: int) -> str:
    return f"39{position}{line}"


def password(position: int, line: int) -> str:
    return f"pw-{position}-{line}"


def _phones(vendor: str, model: str, prefix: str, lines: int) -> str:
    added = ""
    for position, transport in enumerate(TRANSPORTS, start=1):
        rows = "".join(
            f"""      - {{number: "{number(position, line)}", display_name: "L{line}",
         password: "{password(position, line)}", auth_username: "a{number(position, line)}"}}
"""
            for line in range(1, lines + 1)
        )
        added += f"""
  - mac: "{mac(prefix, position)}"
    name: {vendor} over {transport}
    vendor: {vendor}
    model: {model}
    profile: transport-{transport}
    lines:
{rows}"""
    return (DEMO_FLEET / "phones.yml").read_text(encoding="utf-8") + added


def rendered(tmp_path: Path, vendor: str, model: str, prefix: str, lines: int = 2) -> dict[str, dict[str, bytes]]:
    """{transport: {"/<file>": body}} of one ``vendor`` ``model`` phone per transport (MAC from ``prefix``)."""
    fleet = fleet_from(tmp_path, **{"profiles.yml": _profiles(), "phones.yml": _phones(vendor, model, prefix, lines)})
    result = {}
    for position, transport in enumerate(TRANSPORTS, start=1):
        files = render_fleet_phone(fleet, mac(prefix, position)).files
        result[transport] = {"/" + name: body for name, body in files.items()}
    return result


def assert_read_as_rendered(
    accounts: list, transport: str, lines: int = 2, through_proxy: bool = True, registrar_port: bool = True
) -> None:
    """``accounts`` (what the phone read) are the fleet's lines of the ``transport`` phone, over that transport,
    at the profile's port, each with its own credentials; REGISTERs go through the proxy at the profile's port.
    ``registrar_port`` False: the vendor names the registrar as a domain only (the port is the proxy's)."""
    position = TRANSPORTS.index(transport) + 1
    port = PORTS[transport]
    assert [
        (a.line, a.user, a.auth_user, a.password, a.registrar, a.port if registrar_port else port, a.transport)
        for a in accounts
    ] == [
        (
            line,
            number(position, line),
            "a" + number(position, line),
            password(position, line),
            registrar(transport),
            port,
            transport,
        )
        for line in range(1, lines + 1)
    ]
    if through_proxy:
        assert {account.destination for account in accounts} == {(PROXY, PORTS[transport])}
