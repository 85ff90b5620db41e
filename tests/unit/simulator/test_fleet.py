"""The fleet: one address per phone (never 127.0.0.x), real ports or shared high ports, lookup by MAC,
the file limit, and ``python -m phonefleet_simulator run`` printing where each phone listens."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys

import httpx
import pytest
from phonefleet_simulator.__main__ import synthetic_phones
from phonefleet_simulator.fleet import PER_OCTET, phone_address, raise_file_limit, surfaces_of

from .conftest import REPO, SipClient

YEALINK = "805ec0112233"


def test_phone_addresses_are_distinct_loopback_addresses_off_127_0_0():
    addresses = [phone_address(index, 1) for index in range(2 * PER_OCTET + 10)]
    assert len(set(addresses)) == len(addresses)
    assert addresses[0] == "127.1.0.1"
    assert addresses[253] == "127.1.0.254"
    assert addresses[254] == "127.1.1.1"
    assert addresses[PER_OCTET] == "127.2.0.1"
    for address in addresses:
        parts = [int(part) for part in address.split(".")]
        assert parts[0] == 127 and parts[1] >= 1 and 1 <= parts[3] <= 254
    with pytest.raises(ValueError):
        phone_address(PER_OCTET, 255)
    with pytest.raises(ValueError):
        phone_address(0, 0)


def test_surfaces_per_vendor():
    assert surfaces_of("yealink", "T54W") == ("http", "sip")
    assert surfaces_of("cisco", "CP-8845") == ("http", "sip", "ssh")
    assert surfaces_of("cisco", "CP-3905") == ("http", "sip", "telnet")
    assert surfaces_of("unify", "CP400") == ("sip", "contact_me")


def test_lookup_by_mac_in_any_notation(make_fleet):
    fleet = make_fleet("yealink")
    for notation in ("80:5e:c0:11:22:33", "805E.C011.2233", "80-5E-C0-11-22-33", YEALINK):
        assert fleet.phone(notation).mac == YEALINK
    assert fleet[YEALINK] is fleet.phone(YEALINK)
    with pytest.raises(KeyError):
        fleet.phone("000000000001")
    listing = {row["mac"]: row for row in fleet.listing()}
    assert listing[YEALINK]["ports"] == {"http": 80, "sip": 5060}
    assert listing[YEALINK]["state"] == "up"


def test_shared_addressing_uses_high_ports_on_127_0_0_1(make_fleet, control):
    fleet = make_fleet(("yealink", "cisco"), per_phone_addresses=False)
    ports = set()
    for handle in fleet:
        assert handle.host == "127.0.0.1"
        assert all(port > 1024 for port in handle.ports.values())
        ports.update((kind == "sip", port) for kind, port in handle.ports.items())
    assert len(ports) == sum(len(handle.ports) for handle in fleet)
    handle = fleet.phone(YEALINK)
    assert httpx.get(handle.url("/servlet?key=Reboot"), auth=control, timeout=5).status_code == 200
    client = SipClient()
    try:
        assert client.notify(("127.0.0.1", fleet.phone("0cd0f8a1b2c3").ports["sip"]), "x").code == 489
    finally:
        client.close()
    fleet.settle()
    assert handle.device.reboot_count == 1


def test_synthetic_phones():
    phones = synthetic_phones(25, ["yealink", "fanvil"])
    assert len({phone.mac for phone in phones}) == 25
    assert [phone.vendor for phone in phones[:3]] == ["yealink", "fanvil", "yealink"]
    assert phones[0].mac == "001565000000" and phones[1].mac.endswith("000001")


def test_the_file_limit_is_raised():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    now = raise_file_limit(soft)
    assert now >= soft
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] >= min(hard, soft)


def run_cli(*arguments: str) -> list[dict]:
    environment = dict(
        os.environ, PYTHONPATH=os.pathsep.join(str(REPO / part) for part in ("collections", "service", "simulator"))
    )
    done = subprocess.run(
        [sys.executable, "-m", "phonefleet_simulator", "run", *arguments, "--once"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env=environment,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_the_command_line_runs_the_fleet_of_a_bundle(service, demo_site, octets):
    rows = run_cli(
        "--service",
        f"http://127.0.0.1:{service.port}",
        "--fleet-bundle",
        str(demo_site / "www" / ".phonefleet" / "service.json"),
        "--octet",
        str(octets()),
    )
    ready = rows.pop()
    assert ready["ready"] is True and ready["phones"] == ready["up"] == 14
    assert ready["resident_mb"] > 0
    phones = {row["mac"]: row for row in rows}
    assert len(phones) == 14
    assert phones[YEALINK]["ports"] == {"http": 80, "sip": 5060}
    assert phones[YEALINK]["firmware"] == "96.86.0.45"
    assert phones["0cd0f8a1b2c3"]["ports"]["ssh"] == 22
    assert all(row["state"] == "up" and row["host"].startswith("127.") for row in rows)
    assert {row["host"] for row in rows} & {"127.0.0.1"} == set()


def test_the_command_line_runs_synthetic_phones_on_shared_ports(service):
    rows = run_cli(
        "--service", f"http://127.0.0.1:{service.port}", "--count", "12", "--vendors", "poly,snom", "--shared"
    )
    ready = rows.pop()
    assert ready["phones"] == 12
    assert {row["vendor"] for row in rows} == {"poly", "snom"}
    assert all(row["host"] == "127.0.0.1" for row in rows)
