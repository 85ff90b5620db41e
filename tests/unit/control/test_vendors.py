"""Every vendor's control class as a data sheet: reboot and resync never stand in for each other, what
check mode reports, which transports each offers, what is not supported and why, unverified facts listed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.catalog import registry
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.base import (
    INFO,
    REBOOT,
    RESYNC,
    SCREENSHOT,
    PhoneControl,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.errors import NotSupported
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import Credentials, Target

PASSWORD = "Pa55-word-of-admin"
MODELS = {
    "yealink": "T54W",
    "cisco": "CP-8845",
    "cisco_mpp": "CP-8845-3PCC",
    "avaya": "J179",
    "unify": "CP400",
    "atcom": "A20W",
    "qtech": "QVP-95R",
    "poly": "VVX 450",
    "grandstream": "GXP2170",
    "snom": "D785",
    "fanvil": "X6U",
}
#: (vendor, command) -> the first mechanism, as check mode reports it
FIRST = {
    ("yealink", RESYNC): "SIP NOTIFY Event: check-sync to 10.0.0.9:5060",
    ("yealink", REBOOT): "SIP NOTIFY Event: check-sync;reboot=true to 10.0.0.9:5060",
    (
        "cisco",
        RESYNC,
    ): "SIP NOTIFY Event: service-control to 10.0.0.9:5060 with body 'action=restart; RegisterCallId={}; "
    "ConfigVersionStamp={}; DialplanVersionStamp={}; SoftkeyVersionStamp={}'",
    ("cisco", REBOOT): "SIP NOTIFY Event: service-control to 10.0.0.9:5060 with body 'action=reset; RegisterCallId={}; "
    "ConfigVersionStamp={}; DialplanVersionStamp={}; SoftkeyVersionStamp={}'",
    ("cisco_mpp", RESYNC): "HTTP GET http://10.0.0.9:80/admin/resync, basic login as 'admin'",
    ("cisco_mpp", REBOOT): "HTTP GET http://10.0.0.9:80/admin/reboot, basic login as 'admin'",
    ("avaya", RESYNC): "SIP NOTIFY Event: check-sync to 10.0.0.9:5060",
    ("avaya", REBOOT): "SIP NOTIFY Event: check-sync;reboot=true to 10.0.0.9:5060",
    ("unify", RESYNC): "HTTP POST http://10.0.0.9:8085/contact_dls.html/ContactDLS with ContactMe=true",
    ("atcom", RESYNC): "SIP NOTIFY Event: check-sync to 10.0.0.9:5060",
    ("atcom", REBOOT): "HTTP GET http://10.0.0.9:80/cgi-bin/server.cgi?key=REBOOT",
    ("qtech", RESYNC): "SIP NOTIFY Event: check-sync to 10.0.0.9:5060",
    ("qtech", REBOOT): "HTTP GET http://10.0.0.9:80/cgi-bin/ConfigManApp.com?key=Reboot, basic login as 'admin'",
    ("poly", RESYNC): "HTTP POST http://10.0.0.9:80/api/v1/mgmt/safeRestart, basic login as 'Polycom'",
    ("poly", REBOOT): "HTTP POST http://10.0.0.9:80/api/v1/mgmt/safeReboot, basic login as 'Polycom'",
    ("grandstream", RESYNC): "HTTP GET http://10.0.0.9:80/cgi-bin/api-sys_operation?passcode=********&request=PROV",
    ("grandstream", REBOOT): "HTTP GET http://10.0.0.9:80/cgi-bin/api-sys_operation?passcode=********&request=REBOOT",
    ("snom", RESYNC): "SIP NOTIFY Event: check-sync;reboot=false to 10.0.0.9:5060",
    ("snom", REBOOT): "HTTP GET http://10.0.0.9:80/advanced_update.htm?reboot=Reboot, basic login as 'admin'",
    ("fanvil", RESYNC): "SIP NOTIFY Event: check-sync to 10.0.0.9:5060",
    ("fanvil", REBOOT): "HTTP GET http://10.0.0.9:80/cgi-bin/ConfigManApp.com?key=Reboot, basic login as 'admin'",
}


def target(vendor: str, model: str | None = None, address: str | None = "10.0.0.9") -> Target:
    return Target(
        mac="805ec0112233",
        vendor=vendor,
        model=model or MODELS[vendor],
        address=address,
        credentials=Credentials("admin", PASSWORD),
    )


def control(vendor: str) -> PhoneControl:
    found = registry.control_for(vendor)
    assert found is not None
    return found


def test_every_vendor_has_a_control_class_registered_with_its_driver():
    assert set(MODELS) == set(registry.VENDORS)
    for vendor in registry.VENDORS:
        assert control(vendor).vendor == vendor
    assert registry.control_for("nokia") is None


@pytest.mark.parametrize("vendor", sorted(MODELS))
def test_reboot_ways_reboot_and_resync_ways_do_not(vendor):
    found = control(vendor)
    for command, reboots in ((REBOOT, True), (RESYNC, False)):
        ways = found.ways_for(command, target(vendor))
        assert all(way.reboots is reboots for way in ways), (vendor, command)
        if not ways:
            assert command in found.unsupported, f"{vendor} must say why it cannot {command}"


@pytest.mark.parametrize("vendor", sorted(MODELS))
def test_unverified_facts_are_listed_in_the_class_docstring(vendor):
    found = control(vendor)
    ways = [way for command in (REBOOT, RESYNC) for way in found.ways_for(command, target(vendor))]
    if any(not way.verified for way in ways) or (found.screenshot_path and not found.screenshot_verified):
        assert found.unverified, f"{vendor} has unverified ways but lists no unverified facts"
    for fact in found.unverified:
        assert fact in type(found).__doc__


@pytest.mark.parametrize(("vendor", "command"), sorted(FIRST))
def test_check_mode_says_what_would_be_sent_and_never_the_password(vendor, command):
    found = control(vendor)
    outcome = found.run(command, found.prepare(target(vendor)), check=True)
    assert outcome.sent is False
    assert outcome.mechanism == FIRST[(vendor, command)]
    assert outcome.reboots is (command == REBOOT)
    assert PASSWORD not in outcome.mechanism


class Service:
    """A provisioning service that queues nothing (the tests against a real one are test_provisioned_control)."""

    where = "https://prov.example"

    def queue_restart(self, mac: str) -> None:
        raise AssertionError(f"check mode queued a restart for {mac}")


def test_reboot_of_a_unify_phone_is_a_restart_queued_at_the_service_then_a_contact_me():
    planned = control("unify").run(REBOOT, dataclasses.replace(target("unify"), service=Service()), check=True)
    assert (planned.method, planned.reboots, planned.sent) == ("wpi", True, False)
    assert planned.mechanism.startswith("POST https://prov.example/api/v1/phones/805ec0112233/restart (WPI Restart")
    assert "/contact_dls.html/ContactDLS with ContactMe=true" in planned.mechanism


def test_without_the_service_a_unify_reboot_is_not_supported_with_the_reason():
    with pytest.raises(NotSupported) as caught:
        control("unify").run(REBOOT, target("unify"), check=True)
    assert "reboot is not supported on Unify" in str(caught.value)
    assert "only its deployment service can send" in str(caught.value) and "service_url" in str(caught.value)


def test_a_transport_the_vendor_lacks_is_not_supported_and_the_known_ones_are_named():
    with pytest.raises(
        NotSupported, match=r"no ssh way to resync Yealink \(T54W\) \(this collection knows: sip, http\)"
    ):
        control("yealink").run(RESYNC, target("yealink"), method="ssh", check=True)
    assert control("yealink").run(RESYNC, target("yealink"), method="http", check=True).mechanism == (
        "HTTP GET http://10.0.0.9:80/servlet?key=AutoP, basic login as 'admin'"
    )


def test_cisco_chooses_by_model():
    cisco = control("cisco")
    methods = {
        model: [w.method for w in cisco.ways_for(REBOOT, target("cisco", model))]
        for model in ("CP-8845", "CP-3905", "CP-6945")
    }
    assert methods == {"CP-8845": ["sip", "ssh"], "CP-3905": ["sip", "telnet"], "CP-6945": ["sip", "ssh"]}
    assert [w.method for w in cisco.ways_for(RESYNC, target("cisco", "CP-3905"))] == ["sip"]
    telnet = cisco.run(REBOOT, target("cisco", "CP-3905"), method="telnet", check=True)
    assert telnet.mechanism == "Telnet 10.0.0.9:23 as 'admin': reset" and telnet.verified is False
    ssh = cisco.run(REBOOT, target("cisco"), method="ssh", check=True)
    assert ssh.mechanism == "SSH 10.0.0.9:22 as 'admin', then the console login 'debug': reset"


@pytest.mark.parametrize(
    ("vendor", "model", "words"),
    [
        ("cisco", "CP-3905", "screenshot is not supported on this model (CP-3905)"),
        ("cisco", "CP-9999", "screenshot is not supported on an unknown model (CP-9999)"),
        ("avaya", None, "Avaya J phones have no screenshot URL"),
        ("cisco_mpp", None, "no screenshot URL is documented for MPP firmware"),
    ],
)
def test_screenshot_not_supported_says_why(vendor, model, words):
    with pytest.raises(NotSupported, match=words.replace("(", r"\(").replace(")", r"\)")):
        control(vendor).screenshot_way(target(vendor, model))


def test_screenshots_where_documented():
    assert control("yealink").screenshot_way(target("yealink")) == "HTTP GET http://10.0.0.9:80/screencapture"
    assert control("cisco").screenshot_way(target("cisco")).endswith("/CGI/Screenshot")
    assert control("poly").screenshot_way(target("poly")).endswith("/captureScreen")
    assert control("snom").screenshot_way(target("snom")).endswith("/screen.bmp")


@pytest.mark.parametrize("vendor", ["avaya", "unify", "atcom", "grandstream", "snom", "fanvil", "qtech"])
def test_info_not_supported_says_why(vendor):
    with pytest.raises(NotSupported, match=f"info is not supported on {registry.VENDORS[vendor].title}"):
        control(vendor).info_way(target(vendor))
    assert INFO in control(vendor).unsupported
    assert SCREENSHOT in control(vendor).unsupported or control(vendor).screenshot_path


def test_poly_always_logs_in_as_polycom_and_others_keep_the_fleet_login():
    assert control("poly").prepare(target("poly")).credentials == Credentials("Polycom", PASSWORD)
    assert control("yealink").prepare(target("yealink")).credentials == Credentials("admin", PASSWORD)


def test_a_phone_without_address_is_not_sent_anything():
    with pytest.raises(NotSupported, match="no address known"):
        control("yealink").run(RESYNC, target("yealink", address=None), check=True)


def test_docs_list_every_unverified_fact():
    page = (Path(__file__).resolve().parents[3] / "docs" / "control.md").read_text()
    for vendor, info in registry.VENDORS.items():
        assert f"#### {info.title} (`{vendor}`)" in page
        for fact in control(vendor).unverified:
            assert f"- {fact}\n" in page, (vendor, fact)
