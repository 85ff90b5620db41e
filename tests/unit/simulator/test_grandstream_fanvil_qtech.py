"""Grandstream, Fanvil and Qtech as their real phones would read our files: the simulator's vendor modules
(written from the vendors' templates, not from our drivers) read what the drivers render, over several
accounts and transports, and the simulated phones refuse remote control their files do not allow."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import Credentials
from phonefleet_simulator import configs
from phonefleet_simulator.vendors import Answer, Notify, Refusal, fanvil, grandstream, qtech

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
support = importlib.import_module("render_support")

GRANDSTREAM = "c074ad010203"
FANVIL = "0c383e010203"
QTECH = "000add102031"

#: a profile on TCP with an outbound proxy on 5070, and a phone of each vendor with two lines whose
#: passwords and numbers differ: a driver that mixes lines or transports up fails these tests
PROFILES_TCP = """
  two-line-tcp:
    sip: {registrar: pbx.demo.invalid, port: 5070, transport: tcp, outbound_proxy: sbc.demo.invalid}
    codecs: [opus, g722, pcma]
    time: {ntp: [ntp.demo.invalid], timezone: Europe/Berlin}
"""
TWO_LINE_PHONES = """
phones:
  - mac: c0:74:ad:01:02:03
    name: Two lines
    vendor: grandstream
    model: GRP2616
    profile: {profile}
    lines:
      - {{number: "2101", display_name: First, password: first-secret}}
      - {{number: "2102", display_name: Second, password: second-secret}}
      - {{number: "2103", display_name: Third, password: third-secret}}
      - {{number: "2104", display_name: Fourth, password: fourth-secret}}
      - {{number: "2105", display_name: Fifth, password: fifth-secret}}
      - {{number: "2106", display_name: Sixth, password: sixth-secret}}
  - mac: 0c:38:3e:01:02:03
    name: Two lines
    vendor: fanvil
    model: X6U
    profile: {profile}
    lines:
      - {{number: "2201", display_name: First, password: first-fv}}
      - {{number: "2202", display_name: Second, password: second-fv}}
"""


def two_line_fleet(tmp_path, profile: str):
    profiles = (support.DEMO_FLEET / "profiles.yml").read_text()
    if profile == "two-line-tcp":
        profiles = profiles.rstrip("\n") + "\n" + PROFILES_TCP
    return support.fleet_from(
        tmp_path, **{"phones.yml": TWO_LINE_PHONES.format(profile=profile), "profiles.yml": profiles}
    )


@pytest.mark.parametrize(
    ("profile", "transport", "port", "proxy"),
    [("two-line-tcp", "tcp", 5070, ("sbc.demo.invalid", 5070)), ("warehouse", "tls", 5061, None)],
)
def test_grandstream_six_accounts_each_with_its_own_credentials_and_the_transport(
    tmp_path, profile, transport, port, proxy
):
    files = support.render_fleet_phone(two_line_fleet(tmp_path, profile), GRANDSTREAM).files
    accounts = configs.accounts("grandstream", {"/" + name: body for name, body in files.items()})
    assert [(a.line, a.user, a.auth_user, a.password) for a in accounts] == [
        (1, "2101", "2101", "first-secret"),
        (2, "2102", "2102", "second-secret"),
        (3, "2103", "2103", "third-secret"),
        (4, "2104", "2104", "fourth-secret"),
        (5, "2105", "2105", "fifth-secret"),
        (6, "2106", "2106", "sixth-secret"),
    ]
    # every account on the profile's transport (P130, then P448/P548/... in Grandstream's template)
    assert {(a.transport, a.port) for a in accounts} == {(transport, port)}
    # the outbound proxy keeps its port (P48 host:port), on every account (P403...)
    assert {(a.outbound_proxy, a.outbound_port) for a in accounts} == {proxy or (None, None)}
    assert grandstream.refused_values(files) == []


def test_grandstream_values_the_phone_takes(tmp_path):
    files = support.render_fleet_phone(two_line_fleet(tmp_path, "two-line-tcp"), GRANDSTREAM).files
    values = grandstream.p_values(files)
    assert values["P57"] == "125"  # Opus, first in the profile: a vocoder code of Grandstream's list
    assert (values["P64"], values["P246"]) == ("customize", "CET-1CEST,M3.5.0,M10.5.0/3")
    assert grandstream.refused_values(support.render_demo_phone(GRANDSTREAM).files) == []


def test_fanvil_two_lines_and_the_provisioning_protocol(tmp_path):
    files = support.render_fleet_phone(two_line_fleet(tmp_path, "two-line-tcp"), FANVIL).files
    accounts = configs.accounts("fanvil", files)
    assert [(a.line, a.user, a.password, a.transport, a.port) for a in accounts] == [
        (1, "2201", "first-fv", "tcp", 5070),
        (2, "2202", "second-fv", "tcp", 5070),
    ]
    assert fanvil.refused_values(files) == []  # https FlashServerIP with FlashProtocol 5
    assert fanvil.setting(files, "ap/FlashProtocol") == "5"


def test_qtech_files_name_the_phone_s_own_model_and_the_platform_as_an_assumption():
    files = support.render_demo_phone(QTECH).files
    header = next(iter(files.values())).decode().splitlines()[1]
    assert "qtech QVP-95R" in header and "qtech X1S" not in header
    assert "unverified" in header
    assert qtech.refused_values(files) == [] and configs.accounts("qtech", files)


# -- control paths the phone's file must allow ----------------------------------------------------------------


def test_grandstream_rules_read_the_file():
    values = grandstream.control_settings(support.render_demo_phone(GRANDSTREAM).files)
    assert grandstream.notify_refusal(values, "2012") is None
    assert grandstream.http_refusal(values, "127.0.0.1") is None
    assert "not in the Action URI allowed IP list" in grandstream.http_refusal(values, "192.0.2.7")
    assert "P26015" in grandstream.notify_refusal({}, "")
    assert "P32050" in grandstream.http_refusal({}, "127.0.0.1")


def without(files: dict, *tags: str) -> dict:
    """``files`` with every element named in ``tags`` dropped: a driver that forgot those settings."""
    stripped = {}
    for name, body in files.items():
        text = body.decode()
        for tag in tags:
            start = text.find(f"<{tag}>")
            if start != -1:
                end = text.index(f"</{tag}>", start) + len(f"</{tag}>")
                text = text[:start] + text[end:]
        stripped[name] = text.encode()
    return stripped


def phone(handle, credentials) -> request.Phone:
    entry = {
        "mac": handle.device.mac,
        "vendor": handle.device.vendor,
        "model": handle.device.model,
        "address": handle.host,
        "ports": handle.ports,
    }
    defaults = request.Defaults(credentials=Credentials(*credentials), timeout=3.0)
    return request.target_from_entry(entry, 0, defaults)


@pytest.mark.parametrize(
    ("mac", "command", "method", "settings"),
    [
        (GRANDSTREAM, "resync", "sip", ("P26015",)),
        (GRANDSTREAM, "reboot", "http", ("P32050",)),
        (GRANDSTREAM, "reboot", "http", ("P32052",)),
        (GRANDSTREAM, "reboot", "http", ("P32051",)),
        (FANVIL, "reboot", "http", ("RemoteControl",)),
        (QTECH, "reboot", "http", ("RemoteControl",)),
    ],
)
def test_the_phone_obeys_its_file_and_refuses_without_the_setting(make_fleet, control, mac, command, method, settings):
    fleet = make_fleet(mac)
    handle = fleet.phone(mac)
    device = handle.device
    assert device.config_files, "the phone booted from the provisioning service"
    provisioned = dict(device.config_files)
    result = request.execute_command(phone(handle, control), command, method)
    fleet.settle()
    assert result["status"] == "sent", result
    assert any(event.kind == command for event in device.events)

    device.config_files = without(provisioned, *settings)
    before = len(device.events)
    result = request.execute_command(phone(handle, control), command, method)
    fleet.settle()
    assert result["status"] == "failed" and result["error"] == "authentication", result
    assert [event.kind for event in list(device.events)[before:]] == ["refused"]


OK = Answer(200, "OK", "resync")


def test_grandstream_check_sync_obeys_the_account_its_request_uri_names():
    # "Allow SIP Reset" is per account [GRP26xx P26015, P26115]: a NOTIFY to account 2's user needs account 2's
    values = {"P35": "2011", "P26015": "0", "P404": "2012", "P26115": "1"}
    to_line_2 = grandstream.notify(values, Notify("check-sync", user="2012"), OK)
    assert to_line_2 == OK
    to_line_1 = grandstream.notify(values, Notify("check-sync", user="2011"), OK)
    assert isinstance(to_line_1, Refusal) and "P26015" in to_line_1.why


def test_grandstream_names_its_firmware_from_server_path_and_prefix():
    # P192 "Firmware Server Path" + P232 "Firmware File Prefix" [GRP26xx]; the image <prefix><model>fw.bin
    files = {
        "/cfg000b82000001.xml": b"<gs_provision><config><P192>https://fw.example/gs/</P192>"
        b"<P232>1.0.11.3-</P232></config></gs_provision>"
    }
    named = grandstream.firmware("GXP2170", files)
    assert named is not None and (named.location, named.version) == (
        "http://fw.example/gs/1.0.11.3-gxp2170fw.bin",
        "1.0.11.3",
    )
