"""Yealink and Atcom phones with several lines, each its own password, over UDP, TCP and TLS: what the
simulated phone reads from the files it fetches (the common file of the simulator's own table, from Yealink's
documents, then its own file) must be, line by line, what the fleet says. A driver that gives every account
line 1's password, or writes one transport code for another, fails here (the demo has one line per phone)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer

from tests.unit.render_support import fleet_from, reveal

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator import configs  # noqa: E402
from phonefleet_simulator.boot import SimulatedPhone, plan  # noqa: E402

TRANSPORTS = {"udp": 5060, "tcp": 5070, "tls": 5061}
PHONES = {  # mac -> (vendor, model, lines)
    "805ec0aa0001": ("yealink", "T54W", 3),
    "0015650a0002": ("yealink", "T31G", 2),
    "805ec0aa0003": ("yealink", "T46U", 3),
    "8082870a0004": ("atcom", "A48", 3),
}
PROFILES = "profiles:\n" + "".join(
    f"  lab-{transport}:\n    sip: {{registrar: pbx.lab.invalid, port: {port}, transport: {transport}}}\n"
    for transport, port in TRANSPORTS.items()
)


def password(mac: str, transport: str, line: int) -> str:
    return f"pw-{mac[-4:]}-{transport}-{line}"


def phones_yml() -> str:
    entries = []
    for number, transport in enumerate(TRANSPORTS, 5):
        for mac, (vendor, model, count) in PHONES.items():
            lines = ", ".join(
                f'{{number: "{number}{mac[-2:]}{line}", password: {password(mac, transport, line)}}}'
                for line in range(1, count + 1)
            )
            mac_here = mac[:-4] + format(list(TRANSPORTS).index(transport), "x") + mac[-3:]
            entries.append(
                f"  - {{mac: {mac_here}, vendor: {vendor}, model: {model}, profile: lab-{transport}, lines: [{lines}]}}"
            )
    return "phones:\n" + "\n".join(entries) + "\n"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    return fleet_from(tmp_path_factory.mktemp("lines"), **{"phones.yml": phones_yml(), "lab.yml": PROFILES})


def fetched(fleet, phone) -> dict[str, bytes]:
    """The files the simulated phone fetches, in its order, as our renderer makes them (404s left out)."""
    renderer = FleetRenderer(fleet, reveal)
    shared, _owners = renderer.shared()
    available = {f"/{name}": body for name, body in shared.items()}
    available.update({f"/{name}": body for name, body in renderer.phone(phone).files.items()})
    _agent, _headers, steps = plan(SimulatedPhone(phone.mac, phone.vendor, phone.model))
    return {step.path: available[step.path] for step in steps if step.path in available}


def test_every_line_keeps_its_own_password_and_the_profile_transport(fleet):
    checked = 0
    for phone in fleet.phones:
        transport = fleet.profiles[phone.profile].sip["transport"]
        accounts = configs.accounts(phone.vendor, fetched(fleet, phone))
        assert [(a.line, a.user, a.password, a.transport, a.port) for a in accounts] == [
            (index, line.number, reveal(line.password), transport, TRANSPORTS[transport])
            for index, line in enumerate(phone.lines, 1)
        ], f"{phone.vendor} {phone.model} over {transport}"
        checked += len(accounts)
    assert checked == sum(count for _vendor, _model, count in PHONES.values()) * len(TRANSPORTS)
