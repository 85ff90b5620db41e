"""Simulated phones against the real provisioning service: boot, resync and reboot as the devices do them,
firmware from the fleet's kits, Cisco over TFTP, Unify over WPI (contact-me, Restart, ReadAllItems,
SoftwareDeployment), phone-to-server Digest authentication.

The service is the ASGI app production runs (tests/support/service.py) on the published demo fleet;
firmware kits come from inventory/demo/fleet/firmware.yml, the files from inventory/demo/firmware.
"""

from __future__ import annotations

import http.server
import logging
import re
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.settings import ServiceSettings
from phonefleet_service.app import Service
from phonefleet_service.tftp import TftpServer, opener
from phonefleet_simulator.boot import SimulatedPhone

from tests.support.firmware_window import open_windows
from tests.support.service import published_site, republish, running_service
from tests.unit.render_support import DEMO_FLEET

from .conftest import SipClient

YEALINK, CISCO, AVAYA, UNIFY = "805ec0112233", "0cd0f8a1b2c3", "24d921aabb01", "001ae8556677"
KIT = "    firmware_kit: 2026-q3\n"


def without_kits(fleet: Path) -> None:
    phones = fleet / "phones.yml"
    text = phones.read_text()
    assert text.count(KIT) == 3
    phones.write_text(text.replace(KIT, ""))


# -- boot, resync, reboot ---------------------------------------------------------------------------------


def test_every_demo_phone_boots_and_is_up_to_date(make_wpi_fleet, wpi_service):
    fleet = make_wpi_fleet()  # the Unify phone over WPI
    rows = wpi_service.phones()
    for handle in fleet:
        device = handle.device
        assert device.up, device.mac
        assert device.config_version and re.fullmatch(r"[0-9a-f]{64}", device.config_version)
        assert [kind for kind in device.kinds() if kind != "firmware"].count("boot") == device.boot_count
        assert device.accounts[0]["user"] == device.number  # the phone read its line from its files
        row = rows[device.mac]
        assert row["status"] == 3, (device.mac, row)
        assert row["last_ip"] == handle.host  # each phone fetches from its own address (proven or not)
    assert fleet.phone(CISCO).device.fetched == [
        ("/CTLSEP0CD0F8A1B2C3.tlv", 404),
        ("/ITLSEP0CD0F8A1B2C3.tlv", 404),
        ("/SEP0CD0F8A1B2C3.cnf.xml", 200),
        ("/SEP0CD0F8A1B2C3-dialplan.xml", 200),  # named by the cnf.xml (no soft key file: none is produced)
    ]
    # Yealink, like every vendor but Cisco enterprise, authenticates with Digest (the demo's settings.phone_auth)
    assert fleet.phone(YEALINK).device.fetched == [("/y000000000096.cfg", 200), ("/805ec0112233.cfg", 200)]


def test_wrong_phone_credentials_get_nothing(make_fleet, service):
    phone = SimulatedPhone("805ec0112299", "yealink", "T54W", credentials=("digest", "yealink-prov", "wrong"))
    device = make_fleet([phone]).phone(phone.mac).device
    assert device.fetched == [("/y000000000096.cfg", 401), ("/805ec0112299.cfg", 401)]
    assert device.config_version is None
    assert device.up  # a phone without a config still comes up


def test_resync_sees_a_changed_config_and_reboot_does_not_resync(make_fleet, tmp_path, control):
    directory = tmp_path / "site"
    directory.mkdir()
    published_site(directory)
    with running_service(directory) as service:
        fleet = make_fleet("snom", site=directory, base_url=f"http://127.0.0.1:{service.port}")
        device = fleet.phone("000413010203").device
        first = device.config_version
        client = SipClient()
        try:
            assert client.notify((fleet.phone(device.mac).host, 5060), "check-sync;reboot=false").code == 200
            fleet.settle()
            assert device.events[-1].kind == "resync" and device.events[-1].detail["changed"] is False
            phones = directory / "fleet" / "phones.yml"
            phones.write_text(phones.read_text().replace("name: HR", "name: Human resources"))
            republish(directory)
            service.reload()
            assert client.notify((fleet.phone(device.mac).host, 5060), "check-sync;reboot=false").code == 200
            fleet.settle()
        finally:
            client.close()
        assert device.events[-1].detail["changed"] is True
        assert device.config_version != first
        assert (device.resync_count, device.reboot_count, device.boot_count) == (2, 0, 1)
        assert service.phones()[device.mac]["status"] == 3
        reply = httpx.get(fleet.phone(device.mac).url("/advanced_update.htm?reboot=Reboot"), auth=control, timeout=5)
        assert reply.status_code == 200
        fleet.settle()
        assert (device.resync_count, device.reboot_count, device.boot_count) == (2, 1, 2)
        assert device.kinds()[-3:] == ["control", "reboot", "boot"]


# -- firmware ---------------------------------------------------------------------------------------------


def test_a_firmware_kit_added_to_the_fleet_is_installed_at_the_next_reboot(make_fleet, tmp_path, control):
    directory = tmp_path / "site"
    directory.mkdir()
    # inside the phones' firmware windows (open all week): outside them their files name no firmware
    published_site(directory, lambda fleet: (without_kits(fleet), open_windows(fleet)))
    with running_service(directory) as service:
        fleet = make_fleet(("yealink", "cisco", "avaya"), site=directory, base_url=f"http://127.0.0.1:{service.port}")
        phones = {mac: fleet.phone(mac) for mac in (YEALINK, CISCO, AVAYA)}
        before = {mac: handle.device.firmware for mac, handle in phones.items()}
        assert before == {YEALINK: "96.86.0.100", CISCO: "sip8845_65.14-2-1-0101-26", AVAYA: "4.1.3.0.6"}
        assert all(handle.device.boot_count == 1 for handle in phones.values())

        (directory / "fleet" / "phones.yml").write_text((DEMO_FLEET / "phones.yml").read_text())
        republish(directory)
        service.reload()
        client = SipClient()
        try:  # a resync fetches the new config but installs nothing
            assert client.notify((phones[YEALINK].host, 5060), "check-sync").code == 200
            body = "action=restart\r\nRegisterCallId={}\r\n"
            assert client.notify((phones[CISCO].host, 5060), "service-control", body, "text/plain").code == 200
            assert client.notify((phones[AVAYA].host, 5060), "check-sync").code == 200
            fleet.settle()
            assert {mac: handle.device.firmware for mac, handle in phones.items()} == before
            assert all(handle.device.events[-1].detail["changed"] for handle in phones.values())

            # reboots, each through the vendor's own surface
            assert httpx.get(phones[YEALINK].url("/servlet?key=Reboot"), auth=control, timeout=5).status_code == 200
            body = "action=reset\r\nRegisterCallId={}\r\n"
            assert client.notify((phones[CISCO].host, 5060), "service-control", body, "text/plain").code == 200
            assert client.notify((phones[AVAYA].host, 5060), "check-sync;reboot=true").code == 200
            fleet.settle()
        finally:
            client.close()
        after = {mac: handle.device.firmware for mac, handle in phones.items()}
        assert after == {YEALINK: "96.86.0.45", CISCO: "sip8845_65.14-3-1-0001-60", AVAYA: "4.1.6.0.6"}
        for handle in phones.values():
            device = handle.device
            assert device.boot_count == 3  # power-on, the reboot, the restart into the new firmware
            assert device.firmware_installs == 1
            assert device.kinds()[-4:] == ["reboot", "boot", "firmware", "boot"]
            installed = device.events[-2]
            assert installed.detail["previous"] == before[device.mac]
            assert installed.detail["firmware"] == device.firmware
        assert (
            phones[YEALINK]
            .device.events[-2]
            .detail["file"]
            .endswith("/firmware/T54W(T57W,T53W,T53,T53C,T54,T57)-96.86.0.45.rom")
        )
        assert phones[CISCO].device.events[-2].detail["file"] == "sip8845_65.14-3-1-0001-60.loads"
        assert phones[AVAYA].device.events[-2].detail["file"] == "firmware/FW_S_J169_J179_R4_1_6_0_6.bin"
        rows = service.phones()
        # the service reads the firmware from the User-Agent (Yealink, Avaya; Cisco sends none)
        assert rows[YEALINK]["firmware"] == "96.86.0.45"
        assert rows[AVAYA]["firmware"] == "4.1.6.0.6"
        assert all(rows[mac]["status"] == 3 for mac in phones)


# -- Cisco over TFTP ----------------------------------------------------------------------------------------


@pytest.fixture
def tftp(demo_site, tmp_path):
    logging.getLogger("tftpy").setLevel(logging.CRITICAL)
    settings = ServiceSettings(
        web_root=str(demo_site / "www"), database_url=f"sqlite:///{tmp_path / 'tftp.db'}", secret="tftp-secret"
    )
    service = Service(settings)
    server = TftpServer(opener(service), timeout=0.3, retries=5)
    port = server.bind("127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield service, port
    server.stop()
    thread.join(10)
    service.stop()


def test_cisco_phones_can_fetch_over_tftp(make_fleet, tftp):
    service, port = tftp
    fleet = make_fleet("cisco", tftp=("127.0.0.1", port))
    device = fleet.phone(CISCO).device
    assert device.fetched == [
        ("/CTLSEP0CD0F8A1B2C3.tlv", 404),
        ("/ITLSEP0CD0F8A1B2C3.tlv", 404),
        ("/SEP0CD0F8A1B2C3.cnf.xml", 200),
        ("/SEP0CD0F8A1B2C3-dialplan.xml", 200),
    ]
    assert device.firmware == "sip8845_65.14-3-1-0001-60"  # the .loads file came over TFTP too
    service.journal.flush()
    rows = service.journal.store.journal()
    mine = [row for row in rows if row["mac"] == CISCO]
    assert {row["protocol"] for row in mine} == {"tftp"}
    assert {row["ip"] for row in mine} == {fleet.phone(CISCO).host}


# -- Unify over WPI ------------------------------------------------------------------------------------------


def test_unify_boots_over_wpi_and_contact_me_resyncs(make_wpi_fleet, wpi_service):
    fleet = make_wpi_fleet("unify")
    handle = fleet.phone(UNIFY)
    device = handle.device
    assert handle.ports == {"sip": 5060, "contact_me": 8085}
    assert device.wpi_items[("e164", None)] == "2007"
    assert device.primary_number == "2007"
    reply = httpx.post(handle.url("/contact_dls.html/ContactDLS", "contact_me"), data={"ContactMe": "true"}, timeout=5)
    assert reply.status_code == 204
    assert reply.headers["server"] == "DlsClient"
    fleet.settle()
    assert (device.resync_count, device.reboot_count) == (1, 0)
    assert device.events[-1].kind == "resync" and device.events[-1].detail["ok"] is True
    assert wpi_service.phones()[UNIFY]["status"] == 3
    assert httpx.post(handle.url("/contact_dls.html/ContactDLS", "contact_me"), data={}, timeout=5).status_code == 400


def test_unify_in_dms_mode_fetches_its_file(make_fleet):
    device = make_fleet("unify", unify_mode="dms").phone(UNIFY).device
    assert device.fetched == [("/001ae8556677_config.xml", 200)]
    assert device.primary_number == "2007"


class FakeDls:
    """A DLS that answers a phone's WPI messages with scripted actions, keeping what the phone sent."""

    def __init__(self, actions: list[str]) -> None:
        self.actions = list(actions)  # the reply to each message the phone sends, in turn (then CleanUp)
        self.received: list[bytes] = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.received.append(body)
                nonce = re.search(rb'nonce="([0-9A-F]+)"', body).group(1).decode()
                action = fake.actions.pop(0) if fake.actions else "<Action>CleanUp</Action>"
                message = f'<Message nonce="{nonce}">{action}</Message>'
                data = f'<DLSMessage xmlns="http://www.siemens.com/DLS">{message}</DLSMessage>'.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def contact(handle, dls: FakeDls) -> int:
    form = {"ContactMe": "true", "dls_ip_addr": "127.0.0.1", "dls_ip_port": str(dls.port)}
    return httpx.post(handle.url("/contact_dls.html/ContactDLS", "contact_me"), data=form, timeout=5).status_code


def test_unify_restart_over_wpi_reboots(make_wpi_fleet):
    fleet = make_wpi_fleet("unify")
    handle = fleet.phone(UNIFY)
    dls = FakeDls(["<Action>Restart</Action>"])
    try:
        assert contact(handle, dls) == 204
        fleet.settle()
    finally:
        dls.close()
    device = handle.device
    assert b"<ReasonForContact>solicited</ReasonForContact>" in dls.received[0]
    assert b'action="Restart" status="accepted"' in dls.received[1]
    assert (device.reboot_count, device.boot_count) == (1, 2)
    assert device.kinds()[-3:] == ["control", "reboot", "boot"]  # a contact-me answered Restart: no resync


def test_unify_read_all_items_leaves_passwords_out(make_wpi_fleet):
    fleet = make_wpi_fleet("unify")
    handle = fleet.phone(UNIFY)
    dls = FakeDls(["<Action>ReadAllItems</Action>"])
    try:
        assert contact(handle, dls) == 204
        fleet.settle()
    finally:
        dls.close()
    root = ET.fromstring(dls.received[1])
    ns = {"d": "http://www.siemens.com/DLS"}
    reason = root.find("d:Message/d:ReasonForContact", ns)
    assert (reason.text, reason.get("action"), reason.get("status")) == ("reply-to", "ReadAllItems", "accepted")
    items = {item.get("name"): item.text for item in root.iterfind("d:Message/d:ItemList/d:Item", ns)}
    assert items["mac-addr"] == "00:1A:E8:55:66:77"
    assert items["e164"] == "2007"
    assert items["device-type"] == "OpenScape Desk Phone CP400"
    assert items["contact-me-uri"] == f"http://{handle.host}:8085/contact_dls.html/ContactDLS"
    assert "sip-pwd" not in items and "admin-pwd" not in items
    assert handle.device.reboot_count == 0


def test_unify_software_deployment_installs_and_reboots(make_wpi_fleet):
    fleet = make_wpi_fleet("unify")
    handle = fleet.phone(UNIFY)
    deployment = (
        "<Action>SoftwareDeployment</Action><ItemList>"
        '<Item name="file-https-base-url">https://prov.demo.invalid/firmware/FW_S_J169_J179_R4_1_6_0_6.bin</Item>'
        '<Item name="file-type">APP</Item><Item name="file-sw-version">V1 R9.1.0</Item></ItemList>'
    )
    dls = FakeDls([deployment])
    try:
        assert contact(handle, dls) == 204
        fleet.settle()
    finally:
        dls.close()
    device = handle.device
    assert device.firmware == "V1 R9.1.0"
    assert device.firmware_installs == 1
    assert device.kinds()[-2:] == ["firmware", "boot"]
    assert device.boot_count == 2
