"""Issue 10, point 2, replayed: a request that only *claims* to be a phone must not give Ansible its address.

The demo site is served as shipped (no access keys; phone authentication for Yealink only). From 127.0.0.5,
a machine that is not the phone, requests name the Snom and the Poly phone of the fleet (the Snom in its
User-Agent, the Poly in its file name) and the Yealink (its User-Agent, without the phone-auth login); one
with Yealink's phone-auth login names the Snom. The service journals them, shows their address as the
phones' last one, and the inventory gives none of it to Ansible as ``ansible_host``; the control modules send
no password there even when an inventory's ``compose`` puts it in ``ansible_host``. A request that proves
who it is (phone authentication, an access key) moves the address. A listener on 127.0.0.5 records what
Ansible sends it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.support.service import AUDITOR_TOKEN, running_service, serve_without_proof
from tests.unit.control.loopback import Route, SipEndpoint, WebPhone

from .live_support import KNOWN_YEALINK, ansible_inventory, ansible_playbook, curl, listing, live_site, publish

pytestmark = pytest.mark.usefixtures("curl_required")

ATTACKER = "127.0.0.5"
SNOM = ("000413010203", "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 1.1.5-IFX-05.01.12 000413010203)")
POLY = ("64167f010203", "FileTransport PolycomVVX-VVX_450-UA/6.4.3.5156 Type/Application")
#: what an engineer might write to reach phones the service saw: it must not make the password go there
COMPOSE_LAST_IP = "compose:\n  ansible_host: phone_last_ip\n"


def without_protection_for_snom_and_poly(inventory: Path) -> None:
    """Snom and Poly phones served without proof (the fleet's explicit choice): the attacker gets their files."""
    serve_without_proof(inventory / "fleet", "snom", "poly")
    publish(inventory.parent)


@pytest.fixture(scope="module", params=["shipped", "unprotected"])
def attacked(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp("claimed")
    inventory = live_site(directory)
    if request.param == "unprotected":
        without_protection_for_snom_and_poly(inventory)
    with running_service(directory) as service:
        port = service.port
        assert curl(port, f"/{KNOWN_YEALINK[0]}.cfg", KNOWN_YEALINK[1], digest="yealink").status == 200  # the phone
        # the attack: the phones' own files, asked for from another machine with the phones' identities (as
        # shipped, Snom and Poly phones authenticate: the attacker gets a challenge, never the file)
        expected = 200 if request.param == "unprotected" else 401
        assert curl(port, f"/{SNOM[0]}.xml", SNOM[1], source=ATTACKER).status == expected
        assert curl(port, f"/{POLY[0]}.cfg", POLY[1], source=ATTACKER).status == expected
        assert curl(port, f"/{KNOWN_YEALINK[0]}.cfg", KNOWN_YEALINK[1], source=ATTACKER).status == 401
        # Yealink's phone-auth login (shared by every Yealink phone) proves a Yealink, not the Snom it names
        snom_as_yealink = "Yealink SIP-T54W 96.86.0.45 00:04:13:01:02:03"
        assert curl(port, "/y000000000124.cfg", snom_as_yealink, digest="yealink", source=ATTACKER).status == 200
        yield inventory, service, request.param


def hostvars(inventory, service, config: str = "") -> dict:
    path = inventory / "phonefleet.yml"
    text = path.read_text()
    try:
        path.write_text(text + config)
        result = ansible_inventory(
            inventory,
            "--list",
            PHONEFLEET_SERVICE_URL=f"http://127.0.0.1:{service.port}",
            PHONEFLEET_SERVICE_TOKEN=AUDITOR_TOKEN,
        )
    finally:
        path.write_text(text)
    return listing(result)["_meta"]["hostvars"]


def test_the_inventory_never_gives_a_claimed_address_as_ansible_host(attacked):
    inventory, service, mode = attacked
    found = hostvars(inventory, service)
    for mac, _agent in (SNOM, POLY):
        phone = found[mac]
        assert "ansible_host" not in phone, phone
        if mode == "unprotected" or mac == SNOM[0]:  # seen at the attacker's address (the Snom also named by
            # the Yealink login below), unproven
            assert (phone["phone_last_ip"], phone["phone_last_ip_proven"]) == (ATTACKER, False)
        else:  # challenged, never served: the service did not even see the phone
            assert "phone_last_ip" not in phone, phone
    yealink = found[KNOWN_YEALINK[0]]  # proven by its digest login; the unauthenticated claim moved nothing
    assert (yealink["ansible_host"], yealink["phone_address_proven"]) == ("127.0.0.1", True)
    assert (yealink["phone_last_ip"], yealink["phone_last_ip_proven"]) == ("127.0.0.1", True)
    if mode == "unprotected":
        rows = service.phones()
        snom = rows[SNOM[0]]
        assert (snom["ip"], snom["last_ip"], snom["last_ip_proven"]) == (None, ATTACKER, False)


def test_a_claim_from_another_address_is_journaled_as_suspicious(attacked):
    _inventory, service, _mode = attacked
    newest = service.journal(mac=KNOWN_YEALINK[0])[0]
    assert (newest["ip"], newest["result"]) == (ATTACKER, "unauthorized")
    assert "address-unproven" in newest["evidence"].split(",")
    proven = [row for row in service.journal(mac=KNOWN_YEALINK[0]) if row["ip"] == "127.0.0.1"]
    assert proven and all("address-unproven" not in (row["evidence"] or "") for row in proven)


@pytest.fixture
def listener():
    """A web server and a SIP endpoint on the attacker's address: what Ansible sends there is recorded."""
    web = WebPhone(host=ATTACKER, routes={("GET", "/advanced_update.htm?reboot=Reboot"): Route()}).start()
    for path in ("/api/v1/mgmt/safeReboot", "/api/v1/mgmt/device/info"):
        web.routes[("POST" if path.endswith("Reboot") else "GET", path)] = Route(body=b'{"Status": "2000"}')
    sip = SipEndpoint(host=ATTACKER)
    yield web, sip
    web.close()
    sip.close()


def play(inventory, tmp_path, web: WebPhone, sip: SipEndpoint) -> dict:
    """Reboot and read the Snom and the Poly as reboot.yml and status.yml do, on the listener's ports."""
    ports = json.dumps({"http": web.port, "sip": sip.port})
    results = tmp_path / "results.json"
    (tmp_path / "play.yml").write_text(
        "- hosts: vendor_snom:vendor_poly\n  gather_facts: false\n  tasks:\n"
        "    - phonefleet.provisioning.phone_command:\n        command: reboot\n"
        f"        phones: '{{{{ ansible_play_hosts }}}}'\n        ports: {ports}\n"
        f"        fleet_dir: {inventory / 'fleet'}\n        max_fail_percentage: 100\n"
        "      register: rebooted\n      run_once: true\n"
        "    - phonefleet.provisioning.phone_info:\n"
        f"        phones: '{{{{ ansible_play_hosts }}}}'\n        ports: {ports}\n"
        f"        fleet_dir: {inventory / 'fleet'}\n        max_fail_percentage: 100\n"
        "      register: read\n      run_once: true\n"
        '    - ansible.builtin.copy:\n        content: \'{{ {"reboot": rebooted, "info": read} | to_json }}\'\n'
        f"        dest: {results}\n        mode: '0600'\n      run_once: true\n"
    )
    return results


def run_play(inventory, service, tmp_path, web, sip) -> dict:
    results = play(inventory, tmp_path, web, sip)
    done = ansible_playbook(
        tmp_path / "play.yml",
        "-i",
        str(inventory / "phonefleet.yml"),
        "-e",
        f"ansible_python_interpreter={sys.executable}",
        PHONEFLEET_SERVICE_URL=f"http://127.0.0.1:{service.port}",
        PHONEFLEET_SERVICE_TOKEN=AUDITOR_TOKEN,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(results.read_text())
    return {kind: {phone["mac"]: phone for phone in data[kind]["phones"]} for kind in ("reboot", "info")}


def test_ansible_sends_nothing_to_a_claimed_address(attacked, listener, tmp_path):
    inventory, service, _mode = attacked
    web, sip = listener
    results = run_play(inventory, service, tmp_path, web, sip)
    assert {mac: phone["status"] for mac, phone in results["reboot"].items()} == {
        SNOM[0]: "no_address",
        POLY[0]: "no_address",
    }
    assert web.requests == [] and sip.received == []


def test_when_compose_puts_a_claimed_address_in_ansible_host_no_password_goes_there(attacked, listener, tmp_path):
    inventory, service, mode = attacked
    web, sip = listener
    path = inventory / "phonefleet.yml"
    text = path.read_text()
    try:
        path.write_text(text + COMPOSE_LAST_IP)
        results = run_play(inventory, service, tmp_path, web, sip)
    finally:
        path.write_text(text)
    assert all(request[2].get("Authorization") is None for request in web.requests), web.requests
    if mode == "shipped":  # the Poly's own file was never served to the attacker: no address to compose
        assert results["reboot"][POLY[0]]["status"] == "no_address"
        return
    snom, poly = results["reboot"][SNOM[0]], results["reboot"][POLY[0]]
    # the Snom is rebooted by SIP NOTIFY, which carries no password; HTTP Basic was not sent
    assert (snom["status"], snom["method"]) == ("sent", "sip") and "not sent" in snom["tried"][0]
    assert (poly["status"], poly["error"]) == ("failed", "unproven_address")
    assert poly["msg"].startswith(
        f"POST /api/v1/mgmt/safeReboot: not sent: it would hand the control password to {ATTACKER}"
    )
    info = results["info"][POLY[0]]
    assert (info["status"], info["info_error"]) == ("failed", "unproven_address")
    assert "ansible_host in host_vars" in info["info_msg"]


def test_a_proven_request_moves_the_address(attacked):
    inventory, service, _mode = attacked
    # the Yealink's phone-auth login, from its new address
    assert (
        curl(service.port, f"/{KNOWN_YEALINK[0]}.cfg", KNOWN_YEALINK[1], digest="yealink", source="127.0.0.7").status
        == 200
    )
    assert hostvars(inventory, service)[KNOWN_YEALINK[0]]["ansible_host"] == "127.0.0.7"


def test_with_access_keys_the_key_proves_the_phone_and_a_claim_moves_nothing(tmp_path):
    inventory = live_site(tmp_path)
    settings = inventory / "fleet" / "settings.yml"
    settings.write_text(settings.read_text().replace("access_keys: false", "access_keys: true"))
    publish(tmp_path)
    with running_service(tmp_path) as service:
        keys = {item["mac"]: item["key"] for item in service.api("/api/v1/access-keys")[1]["access_keys"]}
        mac, agent = SNOM
        # the phone: its key and its vendor's phone auth (both, when both are set)
        assert curl(service.port, f"/{keys[mac]}/{mac}.xml", agent, digest="snom", source="127.0.0.8").status == 200
        # a claim, without the key, even with the vendor's credential
        assert curl(service.port, f"/{mac}.xml", agent, digest="snom", source=ATTACKER).status == 404
        assert curl(service.port, "/snomD785.htm", agent, source=ATTACKER).status == 401  # Snom's shared file
        # with Snom's credential (every Snom phone has it) the shared file is served, and proves no address
        assert curl(service.port, "/snomD785.htm", agent, digest="snom", source=ATTACKER).status == 200
        phone = hostvars(inventory, service)[mac]
        assert (phone["ansible_host"], phone["phone_address_proven"]) == ("127.0.0.8", True)
        assert (phone["phone_last_ip"], phone["phone_last_ip_proven"]) == (ATTACKER, False)
        assert "address-unproven" in service.journal(mac=mac)[0]["evidence"]
