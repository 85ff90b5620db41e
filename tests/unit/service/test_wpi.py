"""Unify CP phones in DLS mode: the WPI responder, through the real service on a loopback port.

``CpPhone`` plays a phone as the WPI developer's guide shows one (research/unify-cisco.md part A): each
interaction on a fresh keep-alive connection, a nonce of its own, ``WorkpointMessage`` XML POSTed to
``/DeploymentService/LoginService``, the session cookie sent back on ``reply-to``. The service is the same
ASGI app production runs (uvicorn in a thread, tests/support/service.py), on the published demo fleet,
whose one Unify phone is "Legal" (CP400, 00:1a:e8:55:66:77). Statuses are read through the API, which
computes them with ``status.phone_rows``.
"""

from __future__ import annotations

import http.client
import http.server
import re
import secrets
import threading
import typing
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service import wpi
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.journal import Journal
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.published import PublishedRoot
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.store import Store
from ansible_collections.phonefleet.provisioning.plugins.module_utils.vendors.unify.driver import DRIVER

from tests.support.service import published_site, republish, running_service, serve_without_proof

LEGAL = "001ae8556677"
NS = {"dls": wpi.NAMESPACE}
PHONE_XMLNS = (
    'xsi:schemaLocation="http://www.siemens.com/DLS" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns="http://www.siemens.com/DLS"'
)


# -- a phone -----------------------------------------------------------------------------------------------


class Reply:
    """The service's answer to one POST, read as a phone reads a ``DLSMessage``."""

    def __init__(self, status: int, headers: dict, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.nonce = self.action = None
        self.items: list[tuple[str, int | None, str]] = []
        if status == 200:
            root = ET.fromstring(body)
            assert root.tag == f"{{{wpi.NAMESPACE}}}DLSMessage"
            messages = root.findall("dls:Message", NS)
            assert len(messages) == 1
            self.nonce = messages[0].get("nonce")
            self.action = messages[0].findtext("dls:Action", namespaces=NS)
            self.items = [
                (item.get("name"), int(item.get("index")) if item.get("index") else None, item.text or "")
                for item in messages[0].findall("dls:ItemList/dls:Item", NS)
            ]

    @property
    def values(self) -> dict:
        found = {(name, index): value for name, index, value in self.items}
        assert len(found) == len(self.items), "an item is written twice"
        return found


def items_xml(items) -> str:
    lines = []
    for name, index, value, *status in items:
        where = f' index="{index}"' if index is not None else ""
        state = f' status="{status[0]}"' if status else ""
        lines.append(f'<Item name="{name}"{where}{state}>{value}</Item>')
    return "<ItemList>" + "\n".join(lines) + "</ItemList>" if lines else "<ItemList/>"


class CpPhone:
    """A Unify OpenScape Desk Phone CP in DLS default mode (the TLS of port 18443 is nginx's, not here)."""

    def __init__(self, port: int, mac: str = "00:1A:E8:55:66:77", device_type: str = "OpenScape Desk Phone CP400"):
        self.port = port
        self.mac = mac
        self.device_type = device_type
        self.software = "V1 R4.7.0"
        self.max_items = -1
        self.nonce = ""
        self.cookie: str | None = None
        self.connection: http.client.HTTPConnection | None = None

    def basic_items(self) -> list:
        """What a phone sends on start-up (DG 3.5.1.3)."""
        return [
            ("device-type", None, self.device_type),
            ("related-device-type", None, self.device_type),
            ("software-type", None, "Siemens SIP"),
            ("software-version", None, self.software),
            ("contact-me-uri", None, "\nhttp://192.0.2.33:8085/contact_dls.html/ContactDLS\n"),
            ("mac-addr", None, self.mac),
            ("configuration-changed-flag", None, "false"),
            ("e164", None, ""),
            ("user-pwd-unicode", None, "", "failed"),
        ]

    def start(self, reason: str = "start-up", fragment: str = "final", items=None) -> Reply:
        """A new interaction: a new connection, a new nonce, no cookie yet."""
        self.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        self.nonce = secrets.token_hex(16).upper()
        self.cookie = None
        items = self.basic_items() if items is None else items
        return self.send(f"<ReasonForContact>{reason}</ReasonForContact>\n{items_xml(items)}", fragment)

    def reply_to(self, status: str = "accepted", action: str = "WriteItems", items=(), fragment="final") -> Reply:
        reason = f'<ReasonForContact status="{status}" action="{action}">\nreply-to\n</ReasonForContact>'
        return self.send(f"{reason}\n{items_xml(items)}", fragment)

    def send(self, inner: str, fragment: str = "final") -> Reply:
        message = (
            f"<WorkpointMessage {PHONE_XMLNS}>\n"
            f'<Message nonce="{self.nonce}" maxItems="{self.max_items}" fragment="{fragment}">\n'
            f"{inner}\n</Message>\n</WorkpointMessage>\n"
        )
        reply = self.post(message.encode())
        if reply.status == 200:
            assert reply.nonce == self.nonce, "the reply must echo the phone's nonce"
        cookie = reply.headers.get("set-cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return reply

    def post(self, body: bytes, path: str = wpi.PATH) -> Reply:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Content-Type": "text/xml", "Connection": "keep-alive"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.connection.request("POST", path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        result = Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        if response.will_close:
            self.close()
        return result

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def accept_all(self, first: Reply) -> list[Reply]:
        """Accept WriteItems until the service closes with CleanUp; every reply, the CleanUp last."""
        replies = [first]
        while replies[-1].action == wpi.WRITE_ITEMS:
            replies.append(self.reply_to())
            assert len(replies) < 50
        assert replies[-1].action == wpi.CLEAN_UP
        return replies


# -- fixtures ----------------------------------------------------------------------------------------------


def wpi_site(fleet: Path) -> None:
    """WPI default mode proves nothing about the phone: a site that writes items over it must list unify."""
    serve_without_proof(fleet, "unify", drop_phone_auth=False)


@pytest.fixture(scope="module")
def demo_www(tmp_path_factory) -> Path:
    """The demo fleet as a WPI site, published once for the module (auto-provisioning on, access keys off)."""
    return published_site(tmp_path_factory.mktemp("wpi-demo"), wpi_site)


@pytest.fixture
def service(demo_www, tmp_path):
    """The service on the demo web root, with a database of its own."""
    with running_service(tmp_path, web_root=str(demo_www)) as handle:
        yield handle


@pytest.fixture(scope="module")
def shared_service(demo_www, tmp_path_factory):
    """One service for the tests that change no phone's status."""
    with running_service(tmp_path_factory.mktemp("wpi-shared"), web_root=str(demo_www)) as handle:
        yield handle


@pytest.fixture
def phone(service):
    phone = CpPhone(service.port)
    yield phone
    phone.close()


def fleet_items(web_root: str, mac: str) -> list:
    """The items the published fleet gives phone ``mac``, rendered here the way publish renders its DMS file."""
    fleet = PublishedRoot(web_root).snapshot().fleet
    phone = fleet.phone(mac)
    context, _warnings = FleetRenderer(fleet, str).contexts.phone_context(
        phone, DRIVER, DRIVER.vendor.model(phone.model)
    )
    return DRIVER.wpi_items(context)


def status_of(service, mac: str) -> dict:
    return service.phones()[mac]


# -- the main flow -----------------------------------------------------------------------------------------


def test_start_up_writes_the_fleet_items_and_accepted_makes_the_phone_up_to_date(tmp_path):
    www = published_site(tmp_path, wpi_site)
    with running_service(tmp_path) as service:
        phone = CpPhone(service.port)
        assert status_of(service, LEGAL)["status"] == 1

        written = phone.start()
        assert written.status == 200 and written.action == wpi.WRITE_ITEMS
        assert written.headers["content-type"].startswith("text/xml")
        assert re.match(r"JSESSIONID=[^;]+; Path=/DeploymentService", written.headers["set-cookie"])
        assert written.items == fleet_items(str(www), LEGAL)
        values = written.values
        assert values[("reg-addr", None)] == values[("registrar-addr", None)] == "pbx.demo.invalid"
        assert values[("reg-port", None)] == "5060"
        assert values[("sip-transport", None)] == "0"
        assert values[("e164", None)] == values[("sip-user-id", None)] == "2007"
        assert values[("sip-pwd", None)] == "demo-2007-d12423d6"  # decrypted from the vault, as publish does
        assert values[("display-id-unicode", None)] == "Legal"
        assert [(name, index, value) for name, index, value in written.items if name == "codec-type"] == [
            ("codec-type", 1, "1"),  # G.722 first, as the office profile lists it
            ("codec-type", 2, "0"),  # G.711 (A-law and u-law are one entry)
        ]
        assert values[("vlan-id", None)] == "20" and values[("l3qos-voice", None)] == "46"
        row = status_of(service, LEGAL)
        assert row["status"] == 2 and row["reported_model"] == "CP400" and row["firmware"] == "V1 R4.7.0"

        done = phone.reply_to("accepted")
        assert done.action == wpi.CLEAN_UP and done.items == []
        row = status_of(service, LEGAL)
        assert row["status"] == 3 and row["fetched_version"] == row["current_version"]
        journal = service.journal(mac=LEGAL)
        assert [(entry["protocol"], entry["file"], entry["result"]) for entry in journal] == [
            ("wpi", "reply-to:WriteItems:accepted", "accepted"),
            ("wpi", "start-up", "served"),
        ]
        assert journal[1]["vendor"] == "unify" and journal[1]["model"] == "CP400" and journal[1]["code"] == 200

        # the office profile changes: a new config version, not yet on the phone
        profiles = tmp_path / "fleet" / "profiles.yml"
        profiles.write_text(profiles.read_text().replace("registrar: pbx.demo.invalid", "registrar: pbx3.demo.invalid"))
        assert republish(tmp_path).changed
        service.reload()
        row = status_of(service, LEGAL)
        assert row["status"] == 2 and row["fetched_version"] != row["current_version"]

        written = phone.start(reason=wpi.LOCAL_CHANGES)
        assert written.values[("reg-addr", None)] == "pbx3.demo.invalid"
        assert status_of(service, LEGAL)["status"] == 2  # written, not yet accepted
        assert phone.reply_to("accepted").action == wpi.CLEAN_UP
        assert status_of(service, LEGAL)["status"] == 3
        phone.close()


def test_busy_phone_gets_clean_up_with_send_solicited_and_stays_at_status_2(service, phone):
    assert phone.start().action == wpi.WRITE_ITEMS
    busy = phone.reply_to("busy")
    assert busy.action == wpi.CLEAN_UP and busy.items == [("send-solicited", None, "true")]
    row = status_of(service, LEGAL)
    assert row["status"] == 2 and row["fetched_version"] is None

    # the call ends: the phone comes back by itself with "solicited"
    written = phone.start(reason=wpi.SOLICITED)
    assert written.action == wpi.WRITE_ITEMS
    done = phone.reply_to("accepted", items=[("vlan-id", None, "", "unknown item")])  # one item it does not know
    assert done.action == wpi.CLEAN_UP and done.items == []
    assert status_of(service, LEGAL)["status"] == 3
    latest = service.journal(mac=LEGAL)[0]
    assert latest["result"] == "accepted" and "wpi-item:vlan-id=unknown item" in latest["evidence"]


def test_a_queued_restart_answers_the_next_solicited_contact(service, phone):
    assert service.api(f"/api/v1/phones/{LEGAL}/restart", method="POST") == (200, {"mac": LEGAL, "queued": "Restart"})
    restart = phone.start(reason=wpi.SOLICITED)
    assert (restart.action, restart.items) == (wpi.RESTART, [])
    assert phone.reply_to("accepted", action=wpi.RESTART).action == wpi.CLEAN_UP
    assert [entry["result"] for entry in service.journal(mac=LEGAL)][:2] == ["closed", "restart"]
    # it restarted: its start-up (and any later contact) is written its items
    assert phone.start().action == wpi.WRITE_ITEMS


def test_a_busy_phone_gets_the_restart_when_it_calls_back(service, phone):
    service.api(f"/api/v1/phones/{LEGAL}/restart", method="POST")
    assert phone.start(reason=wpi.SOLICITED).action == wpi.RESTART
    busy = phone.reply_to("busy", action=wpi.RESTART)
    assert busy.action == wpi.CLEAN_UP and busy.items == [("send-solicited", None, "true")]
    assert phone.start(reason=wpi.SOLICITED).action == wpi.RESTART


def test_a_start_up_ends_a_queued_restart(service, phone):
    service.api(f"/api/v1/phones/{LEGAL}/restart", method="POST")
    phone.accept_all(phone.start())  # it has just started: its items, no second restart
    assert phone.start(reason=wpi.SOLICITED).action == wpi.WRITE_ITEMS


def test_failed_write_keeps_status_2(service, phone):
    phone.start(reason=wpi.INVENTORY_CHANGES)
    assert phone.reply_to("failed").action == wpi.CLEAN_UP
    assert status_of(service, LEGAL)["status"] == 2
    assert service.journal(mac=LEGAL)[0]["result"] == "error"


def test_items_are_split_to_the_phones_max_items_keeping_an_index_together(service, phone, demo_www):
    phone.max_items = 10
    replies = phone.accept_all(phone.start())
    messages = [reply.items for reply in replies[:-1]]
    assert len(messages) > 2 and all(len(items) <= 10 for items in messages)
    assert [item for items in messages for item in items] == fleet_items(str(demo_www), LEGAL)
    for items in messages:  # the three items of codec 1 (or 2) are never in two messages
        for index in {index for _name, index, _value in items if index is not None}:
            assert sum(1 for _name, other, _value in items if other == index) == 3
    row = status_of(service, LEGAL)
    assert row["status"] == 3  # only once the last part was accepted
    results = [entry["result"] for entry in service.journal(mac=LEGAL)]
    assert results[0] == "accepted" and results[1:] == ["served"] * len(messages)


def test_a_fragmented_phone_message_is_asked_for_piece_by_piece(service, phone):
    first = phone.start(fragment="next", items=phone.basic_items()[:6])  # mac-addr is in the first part
    assert first.action == wpi.GET_NEXT_FRAGMENT and first.items == []
    second = phone.send(f"<ReasonForContact>start-up</ReasonForContact>\n{items_xml(phone.basic_items()[6:])}")
    assert second.action == wpi.WRITE_ITEMS and second.values[("e164", None)] == "2007"
    assert phone.reply_to().action == wpi.CLEAN_UP
    assert status_of(service, LEGAL)["status"] == 3


# -- phones without a config -------------------------------------------------------------------------------


def test_unknown_cp_phone_is_auto_provisioned_and_becomes_up_to_date(service):
    phone = CpPhone(service.port, mac="00:01:E3:AA:BB:01", device_type="OpenScape Desk Phone CP210")
    written = phone.start()
    assert written.action == wpi.WRITE_ITEMS
    assert written.values[("e164", None)] == "3000"  # the first number of the demo pool
    assert written.values[("display-id-unicode", None)] == "Autoprovisioned 3000"
    assert len(written.values[("sip-pwd", None)]) == 16
    store = service.service.store
    assert store.assignment("0001e3aabb01").served_version is None  # written, not yet accepted
    assert phone.reply_to().action == wpi.CLEAN_UP
    row = status_of(service, "0001e3aabb01")
    assert row["source"] == "autoprovision" and row["status"] == 3 and row["number"] == "3000"
    # the accepted version is saved with the answer, not only in the journal (which a kill -9 may lose)
    assert store.assignment("0001e3aabb01").served_version == row["current_version"]
    assert row["reported_model"] == "CP210"
    assert service.journal(mac="0001e3aabb01")[-1]["result"] == "autoprovisioned"
    phone.close()


def test_unknown_phone_of_a_model_not_in_the_catalog_gets_clean_up_and_status_0(service):
    phone = CpPhone(service.port, mac="00:01:E3:00:A9:F3", device_type="OpenStage 60")
    reply = phone.start()
    assert reply.status == 200 and reply.action == wpi.CLEAN_UP and reply.items == []
    row = status_of(service, "0001e300a9f3")
    assert row["status"] == 0 and row["source"] is None and row["reported_vendor"] == "unify"
    entry = service.journal(mac="0001e300a9f3")[0]
    assert entry["result"] == "not-found" and entry["protocol"] == "wpi"
    assert "wpi-device-type:OpenStage 60" in entry["evidence"] and "autoprovision-failed" in entry["evidence"]
    status, data = service.api("/api/v1/autoprovisioned")
    assert status == 200 and data["phones"] == []  # no number spent
    phone.close()


def test_an_unknown_phone_outside_the_allowed_networks_gets_no_number(tmp_path):
    from tests.unit.service_http.test_autoprovision_abuse import with_networks

    def wpi_site_elsewhere(fleet: Path) -> None:
        wpi_site(fleet)  # so that it is the network, not the missing choice, that refuses
        with_networks("[10.255.0.0/16]")(fleet)

    published_site(tmp_path, edit=wpi_site_elsewhere)
    with running_service(tmp_path) as service:
        phone = CpPhone(service.port, mac="00:01:E3:AA:BB:02", device_type="OpenScape Desk Phone CP210")
        reply = phone.start()
        assert reply.action == wpi.CLEAN_UP and reply.items == []
        entry = service.journal(mac="0001e3aabb02")[0]
        assert entry["result"] == "autoprovision-refused" and "autoprovision-refused:network" in entry["evidence"]
        assert service.api("/api/v1/autoprovisioned")[1]["phones"] == []
        phone.close()


def test_without_the_explicit_choice_nothing_is_written_whatever_else_is_on(tmp_path):
    """WPI carries neither an access key nor phone auth: only ``serve_without_proof: [unify]`` lets it write
    items, also on a site with access keys on and phone auth for Unify (for DMS)."""

    def keys_on(fleet: Path) -> None:
        settings = fleet / "settings.yml"
        settings.write_text(settings.read_text().replace("access_keys: false", "access_keys: true"))

    published_site(tmp_path, edit=keys_on)
    with running_service(tmp_path) as service:
        phone = CpPhone(service.port)
        reply = phone.start()
        assert reply.action == wpi.CLEAN_UP and reply.items == []
        entry = service.journal(mac=LEGAL)[0]
        assert entry["result"] == "refused" and "wpi-refused:no-proof" in entry["evidence"]
        assert status_of(service, LEGAL)["status"] == 1
        phone.close()


# -- what is refused ---------------------------------------------------------------------------------------

NONCE = "58D4EE11C844865CAF0E9AA11ED2856F"
START = "<ReasonForContact>start-up</ReasonForContact>"


def message(inner: str = START, nonce: str = NONCE) -> str:
    head = f'<WorkpointMessage xmlns="{wpi.NAMESPACE}"><Message nonce="{nonce}" maxItems="-1">'
    return f"{head}{inner}</Message></WorkpointMessage>"


def start_up(items: str) -> bytes:
    return message(f"{START}<ItemList>{items}</ItemList>").encode()


def laughs(level: int) -> str:
    previous = f"&lol{level - 1};" if level > 1 else "&lol;"
    return f'<!ENTITY lol{level} "{previous * 10}">'


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(laughs(level) for level in range(1, 10))
    + "]>"
    + message("<ReasonForContact>&lol9;</ReasonForContact>")
)
EXTERNAL_ENTITY = '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + message(
    "<ReasonForContact>&x;</ReasonForContact>"
)
MAC_ITEM = '<ItemList><Item name="mac-addr">00:1A:E8:55:66:77</Item></ItemList>'
REPLY_TO = '<ReasonForContact action="WriteItems" status="accepted">reply-to</ReasonForContact>'

BAD_MESSAGES = {
    "empty": (b"", 400, "xml"),
    "garbage": (b"not xml at all", 400, "xml"),
    "truncated": (message()[:-10].encode(), 400, "xml"),
    "billion-laughs": (BILLION_LAUGHS.encode(), 400, "doctype"),
    "external-entity": (EXTERNAL_ENTITY.encode(), 400, "doctype"),
    "undefined-entity": (message("<ReasonForContact>&undefined;</ReasonForContact>").encode(), 400, "xml"),
    "utf-16": (b"\xff\xfe<\x00W\x00", 400, "encoding"),
    "wrong-root": (b"<DLSMessage/>", 400, "not-a-workpoint-message"),
    "no-message": (f'<WorkpointMessage xmlns="{wpi.NAMESPACE}"/>'.encode(), 400, "no-message"),
    "no-nonce": (message(nonce="").encode(), 400, "nonce"),
    "nonce-not-hex": (message(nonce="not-hex-at-all-not-hex").encode(), 400, "nonce"),
    "nonce-breaking-out": (message(nonce='5" injected="1').encode(), 400, "nonce"),
    "no-reason": (message("").encode(), 400, "reason"),
    "no-mac": (message().encode(), 400, "mac-addr"),
    "item-without-name": (start_up('<Item index="1">x</Item>'), 400, "item-name"),
    "index-not-a-number": (start_up('<Item name="a" index="x">1</Item>'), 400, "item-index"),
    "too-deep": (message(START + "<a>" * 20 + "</a>" * 20).encode(), 400, "too-deep"),
    "too-many-elements": (start_up("<x/>" * 5000), 400, "too-many-elements"),
    "oversized": (start_up(f'<Item name="e164">{"9" * 70000}</Item>'), 413, "too-large"),
    "nonce-of-no-interaction": (message(REPLY_TO).encode(), 409, "no-session"),
}


@pytest.mark.parametrize(("body", "code", "why"), BAD_MESSAGES.values(), ids=BAD_MESSAGES.keys())
def test_bad_messages_get_a_clean_4xx_and_are_journaled(shared_service, body, code, why):
    shared_service.service.flush()
    contacts = shared_service.service.store.contacts()
    phone = CpPhone(shared_service.port)
    reply = phone.post(body)
    assert reply.status == code, reply.body
    assert reply.headers["content-type"].startswith("text/plain")
    assert reply.body.endswith(f": {why}\n".encode())
    phone.close()
    entry = shared_service.journal()[0]
    assert (entry["protocol"], entry["result"], entry["code"]) == ("wpi", "rejected", code)
    assert entry["evidence"] == f"rejected:wpi-{why}"
    assert shared_service.service.store.contacts() == contacts  # no phone counted as having been in touch
    again = CpPhone(shared_service.port, mac="00:01:E3:00:00:99", device_type="OpenStage 40").start()
    assert again.status == 200 and again.action == wpi.CLEAN_UP  # the service is fine afterwards


def test_reply_to_with_another_phones_mac_or_a_nonce_of_no_interaction_is_409(service, phone):
    assert phone.start().action == wpi.WRITE_ITEMS
    reply = phone.reply_to(items=[("mac-addr", None, "00:1A:E8:00:00:01")])
    assert reply.status == 409 and reply.body == b"Conflict: mac-mismatch\n"
    phone.nonce = secrets.token_hex(16).upper()  # a nonce the service never saw: not this interaction
    assert phone.reply_to().status == 409
    assert status_of(service, LEGAL)["status"] == 2  # neither counts as accepted


def test_only_post_on_the_wpi_path_reaches_the_responder(shared_service):
    assert shared_service.get(wpi.PATH).status == 404  # a GET is a file request like any other
    assert shared_service.get(wpi.PATH, method="PUT").status == 405
    assert CpPhone(shared_service.port).post(message(inner="").encode(), path="/other").status == 405


# -- the core without HTTP ---------------------------------------------------------------------------------


START_UP = message("<ReasonForContact>start-up</ReasonForContact>" + MAC_ITEM).encode()
ACCEPTED = message('<ReasonForContact action="WriteItems" status="accepted">reply-to</ReasonForContact>').encode()


def test_the_session_cookie_carries_an_interaction_to_another_worker(demo_www, tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'state.db'}")
    journal = Journal(store)
    published = PublishedRoot(str(demo_www))
    first = wpi.WpiResponder(published, journal, store, b"shared secret")
    second = wpi.WpiResponder(published, journal, store, b"shared secret")
    other = wpi.WpiResponder(published, journal, store, b"another secret")
    try:
        written = first.answer(START_UP, "192.0.2.33")
        cookie = dict(written.headers)["set-cookie"].split(";", 1)[0]
        assert other.answer(ACCEPTED, "192.0.2.33", cookie).code == 409  # a cookie signed by someone else
        assert second.answer(ACCEPTED, "192.0.2.33").code == 409  # no cookie: this worker knows nothing
        tampered = re.sub(r"\.0\.", ".1.", cookie, count=1)
        assert second.answer(ACCEPTED, "192.0.2.33", tampered).code == 409
        done = second.answer(ACCEPTED, "192.0.2.33", f"theme=dark; {cookie}")
        assert done.code == 200 and b"<Action>CleanUp</Action>" in done.body
        journal.flush()
        assert store.contact(LEGAL)["fetched_version"] == published.snapshot().phone_version(LEGAL)
    finally:
        store.close()


def test_reply_xml_escapes_values_and_echoes_the_nonce():
    data = wpi.dls_message(NONCE, wpi.WRITE_ITEMS, [("sip-pwd", None, 'a&b<c>"d'), ("key-label-unicode", 5, "Ünïcode")])
    root = ET.fromstring(data)
    item = root.findall("dls:Message/dls:ItemList/dls:Item", NS)
    assert root.find("dls:Message", NS).get("nonce") == NONCE
    assert [(node.get("name"), node.get("index"), node.text) for node in item] == [
        ("sip-pwd", None, 'a&b<c>"d'),
        ("key-label-unicode", "5", "Ünïcode"),
    ]
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<DLSMessage xmlns="http://www.siemens.com/DLS">')
    with pytest.raises(ValueError):
        wpi.dls_message('x" evil="1', wpi.CLEAN_UP)


def test_split_items_respects_the_byte_budget():
    items = [("e164", None, "1" * 100)] * 30
    messages = wpi.split_items(items, -1, budget=1000)
    assert len(messages) == 4 and sum(len(part) for part in messages) == 30
    assert wpi.split_items([], -1) == [[]]


# -- contact-me ----------------------------------------------------------------------------------------------


class PhoneWebServer(http.server.BaseHTTPRequestHandler):
    """The phone's side of contact-me: answers 204 with ``Server: DlsClient`` (DG, DLSir) and records the request."""

    seen: typing.ClassVar[list] = []
    answer = 204

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.path, self.headers["Content-Type"], body))
        self.send_response_only(self.answer)
        self.send_header("Server", "DlsClient")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args):
        pass


@pytest.fixture
def phone_web():
    PhoneWebServer.seen = []
    PhoneWebServer.answer = 204
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PhoneWebServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_contact_me_posts_the_form_the_phone_expects(phone_web):
    port = phone_web.server_address[1]
    result = wpi.send_contact_me("127.0.0.1", port, ("192.0.2.1", 18443), timeout=2)
    assert result == wpi.ContactResult(True, 204)
    [(path, content_type, body)] = PhoneWebServer.seen
    assert path == "/contact_dls.html/ContactDLS" and content_type == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qs(body.decode()) == {
        "ContactMe": ["true"],
        "dls_ip_addr": ["192.0.2.1"],
        "dls_ip_port": ["18443"],
    }
    assert wpi.send_contact_me("127.0.0.1", port, timeout=2).ok
    assert PhoneWebServer.seen[1][2] == b"ContactMe=true"

    PhoneWebServer.answer = 404
    assert wpi.send_contact_me("127.0.0.1", port, timeout=2) == wpi.ContactResult(False, 404, "HTTP 404")


def test_contact_me_to_a_phone_that_does_not_answer():
    with http.server.HTTPServer(("127.0.0.1", 0), PhoneWebServer) as listening:
        port = listening.server_address[1]  # bound, then closed: nothing listens there
    result = wpi.send_contact_me("127.0.0.1", port, timeout=1)
    assert not result.ok and result.code is None and result.error


def test_contact_me_request_shape():
    request = wpi.contact_me_request("2001:db8::5")
    assert request.full_url == "http://[2001:db8::5]:8085/contact_dls.html/ContactDLS"
    assert request.get_method() == "POST" and request.data == b"ContactMe=true"
    for bad in ("phone.example", "192.0.2.300", ""):
        with pytest.raises(ValueError):
            wpi.contact_me_request(bad)
    with pytest.raises(ValueError):
        wpi.contact_me_request("192.0.2.5", 0)
