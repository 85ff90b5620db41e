"""Each vendor's HTTP control surface over real sockets, driven by httpx (a client that is not ours).

A reboot request makes the phone reboot (boot count + 1, the files fetched again, a ``reboot`` event, not
a ``resync``), a resync request makes it fetch again without rebooting, wrong credentials get 401 and
change nothing; status answers carry their fields, screenshots are BMPs. Routes and what is verified:
simulator/phonefleet_simulator/surfaces/http.py.
"""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET

import httpx
import pytest
from phonefleet_simulator.surfaces import screenshot

YEALINK, CISCO, CISCO_3905, MPP, AVAYA = "805ec0112233", "0cd0f8a1b2c3", "2c3f38aa0001", "c4b9cd112201", "24d921aabb01"
UNIFY, ATCOM, QTECH, POLY, GRANDSTREAM = "001ae8556677", "000945102030", "000add102031", "64167f010203", "c074ad010203"
SNOM, FANVIL = "000413010203", "0c383e010203"

# mac -> (method, path, auth kind) of the reboot and of the resync requests (None: the vendor has none)
REBOOT = {
    YEALINK: ("GET", "/servlet?key=Reboot", "basic"),
    ATCOM: ("GET", "/cgi-bin/server.cgi?key=REBOOT", None),
    MPP: ("GET", "/admin/reboot", "basic"),
    POLY: ("POST", "/api/v1/mgmt/safeReboot", "polycom"),
    GRANDSTREAM: ("GET", "/cgi-bin/api-sys_operation?request=REBOOT", "passcode"),
    SNOM: ("GET", "/advanced_update.htm?reboot=Reboot", "basic"),
    FANVIL: ("GET", "/cgi-bin/ConfigManApp.com?key=Reboot", "basic"),
    QTECH: ("GET", "/cgi-bin/ConfigManApp.com?key=Reboot", "basic"),
}
RESYNC = {
    YEALINK: ("GET", "/servlet?key=AutoP", "basic"),
    MPP: ("GET", "/admin/resync", "basic"),
    POLY: ("POST", "/api/v1/mgmt/safeRestart", "polycom"),
    GRANDSTREAM: ("GET", "/cgi-bin/api-sys_operation?request=PROV", "passcode"),
    FANVIL: ("GET", "/cgi-bin/ConfigManApp.com?key=AutoP", "basic"),
    QTECH: ("GET", "/cgi-bin/ConfigManApp.com?key=AutoP", "basic"),
}


def send(handle, method: str, path: str, auth: str | None, control, wrong: bool = False) -> httpx.Response:
    user, password = control
    if wrong:
        password += "-wrong"
    kwargs: dict = {}
    if auth == "basic":
        kwargs["auth"] = (user, password)
    elif auth == "polycom":
        kwargs["auth"] = ("Polycom", password)
    elif auth == "passcode":
        path += f"&passcode={password}"
    return httpx.request(method, handle.url(path), timeout=5, **kwargs)


@pytest.mark.parametrize("mac", sorted(REBOOT))
def test_a_reboot_request_reboots_the_phone(make_fleet, control, mac):
    fleet = make_fleet(mac)
    handle = fleet.phone(mac)
    device = handle.device
    boots, resyncs, fetched = device.boot_count, device.resync_count, list(device.fetched)
    reply = send(handle, *REBOOT[mac], control)
    assert reply.status_code == 200, reply.text
    fleet.settle()
    assert device.boot_count == boots + 1
    assert device.reboot_count == 1
    assert device.resync_count == resyncs
    assert device.fetched == fetched  # the same files, fetched again
    kinds = device.kinds()
    assert kinds[-3:] == ["control", "reboot", "boot"]
    assert "resync" not in kinds
    assert device.up


@pytest.mark.parametrize("mac", sorted(RESYNC))
def test_a_resync_request_fetches_again_without_rebooting(make_fleet, control, mac):
    fleet = make_fleet(mac)
    handle = fleet.phone(mac)
    device = handle.device
    boots, uptime = device.boot_count, device.uptime
    reply = send(handle, *RESYNC[mac], control)
    assert reply.status_code == 200, reply.text
    fleet.settle()
    assert device.resync_count == 1
    assert device.boot_count == boots
    assert device.reboot_count == 0
    assert device.uptime >= uptime  # no restart
    assert device.kinds()[-2:] == ["control", "resync"]
    assert device.events[-1].detail["ok"] is True


@pytest.mark.parametrize("mac", sorted(mac for mac, (_method, _path, auth) in REBOOT.items() if auth))
def test_wrong_credentials_get_401_and_change_nothing(make_fleet, control, mac):
    method, path, auth = REBOOT[mac]
    fleet = make_fleet(mac)
    handle = fleet.phone(mac)
    device = handle.device
    boots = device.boot_count
    without = httpx.request(method, handle.url(path), timeout=5)
    wrong = send(handle, method, path, auth, control, wrong=True)
    assert without.status_code == 401
    assert wrong.status_code == 401
    if auth in ("basic", "polycom"):
        assert wrong.headers["www-authenticate"].startswith("Basic realm=")
    fleet.settle()
    assert device.boot_count == boots
    assert device.resync_count == 0
    assert device.kinds().count("auth-failed") == 2
    assert "control" not in device.kinds()


def test_poly_takes_only_the_fixed_user_polycom(make_fleet, control):
    handle = make_fleet("poly").phone(POLY)
    reply = httpx.post(handle.url("/api/v1/mgmt/safeReboot"), auth=control, timeout=5)  # admin, not Polycom
    assert reply.status_code == 401
    assert handle.device.reboot_count == 0


def test_atcom_reboot_needs_no_credentials_and_has_no_resync_key(make_fleet):
    fleet = make_fleet("atcom")
    handle = fleet.phone(ATCOM)
    assert httpx.get(handle.url("/cgi-bin/server.cgi?key=AutoP"), timeout=5).status_code == 200  # just a key
    fleet.settle()
    assert handle.device.resync_count == 0
    assert handle.device.reboot_count == 0
    assert handle.device.kinds()[-1] == "key"


def test_the_request_is_answered_before_the_reboot_runs(make_fleet, control):
    fleet = make_fleet(FANVIL, reboot_seconds=1.5)
    handle = fleet.phone(FANVIL)
    reply = httpx.get(handle.url("/cgi-bin/ConfigManApp.com?key=Reboot"), auth=control, timeout=5)
    assert reply.status_code == 200  # replied first, then went down
    fleet.wait_for(lambda: handle.device.state == "rebooting", 2)
    with pytest.raises(httpx.TransportError):  # a phone that is down answers nothing
        httpx.get(handle.url("/cgi-bin/ConfigManApp.com?key=AutoP"), auth=control, timeout=5)
    fleet.settle()
    assert handle.device.up
    assert handle.device.resync_count == 0
    assert httpx.get(handle.url("/cgi-bin/ConfigManApp.com?key=AutoP"), auth=control, timeout=5).status_code == 200


def test_yealink_status_json(make_fleet, control):
    handle = make_fleet("yealink").phone(YEALINK)
    reply = httpx.get(handle.url("/servlet?phonecfg=get&accounts=1&fw=1"), auth=control, timeout=5)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    status = reply.json()
    assert status["model"] == "T54W"
    assert status["firmware"] == "96.86.0.45"  # the demo's firmware kit, installed at boot
    assert status["mac"] == "80:5e:c0:11:22:33"
    assert status["ip"] == handle.host
    assert status["accounts"][0]["line"] == 1
    assert status["accounts"][0]["user"] == "2001"
    assert status["accounts"][0]["status"] == "failed"  # nothing registered it
    handle.device.registrations[1] = "registered"  # what registration.register() answers
    again = httpx.get(handle.url("/servlet?phonecfg=get&accounts=1"), auth=control, timeout=5).json()
    assert again["accounts"] == [{"line": 1, "user": "2001", "status": "registered"}]
    assert "firmware" not in again
    handle.device.registrations[1] = "failed: 403 Forbidden"
    again = httpx.get(handle.url("/servlet?phonecfg=get&accounts=1"), auth=control, timeout=5).json()
    assert again["accounts"][0]["status"] == "failed"


def test_cisco_device_information(make_fleet):
    handle = make_fleet("cisco").phone(CISCO)
    reply = httpx.get(handle.url("/DeviceInformationX"), timeout=5)
    assert reply.status_code == 200
    root = ET.fromstring(reply.content)
    assert root.tag == "DeviceInformation"
    assert root.findtext("MACAddress") == "0CD0F8A1B2C3"
    assert root.findtext("HostName") == "SEP0CD0F8A1B2C3"
    assert root.findtext("phoneDN") == "2002"
    assert root.findtext("appLoadID") == root.findtext("versionID") == "sip8845_65.14-3-1-0001-60"
    assert root.findtext("modelNumber") == "CP-8845"
    assert root.findtext("serialNumber").startswith("FCH")


def test_cisco_execute(make_fleet, control):
    fleet = make_fleet("cisco")
    handle = fleet.phone(CISCO)
    xml = '<CiscoIPPhoneExecute><ExecuteItem URL="Init:Services"/><ExecuteItem URL="Bogus:x"/></CiscoIPPhoneExecute>'
    reply = httpx.post(handle.url("/CGI/Execute"), data={"XML": xml}, auth=control, timeout=5)
    assert reply.status_code == 200
    items = ET.fromstring(reply.content).findall("ResponseItem")
    assert [(item.get("Status"), item.get("Data"), item.get("URL")) for item in items] == [
        ("0", "Success", "Init:Services"),
        ("6", "URI not found", "Bogus:x"),
    ]
    assert handle.device.kinds()[-1] == "execute"
    denied = httpx.post(handle.url("/CGI/Execute"), data={"XML": xml}, auth=("admin", "nope"), timeout=5)
    assert denied.status_code == 401
    assert ET.fromstring(denied.content).get("Number") == "4"
    junk = httpx.post(handle.url("/CGI/Execute"), data={"XML": "<not xml"}, auth=control, timeout=5)
    assert ET.fromstring(junk.content).tag == "CiscoIPPhoneError"
    doctype = '<!DOCTYPE x [<!ENTITY a "b">]><CiscoIPPhoneExecute><ExecuteItem URL="&a;"/></CiscoIPPhoneExecute>'
    refused = httpx.post(handle.url("/CGI/Execute"), data={"XML": doctype}, auth=control, timeout=5)
    assert ET.fromstring(refused.content).get("Number") == "1"
    assert httpx.get(handle.url("/CGI/Execute"), auth=control, timeout=5).status_code == 405
    fleet.settle()
    assert handle.device.reboot_count == 0


def test_mpp_status_and_poly_device_info(make_fleet, control):
    fleet = make_fleet(("cisco_mpp", "poly"))
    mpp = fleet.phone(MPP)
    root = ET.fromstring(httpx.get(mpp.url("/admin/status.xml"), auth=control, timeout=5).content)
    assert root.findtext("Product_Name") == "CP-6841-3PCC"
    assert root.findtext("Software_Version") == mpp.device.firmware
    assert root.findtext("MAC_Address") == "C4B9CD112201"
    assert root.findtext("Line_1_User_ID") == "2005"
    poly = fleet.phone(POLY)
    reply = httpx.get(poly.url("/api/v1/mgmt/device/info"), auth=("Polycom", control[1]), timeout=5)
    info = reply.json()
    assert info["Status"] == "2000"
    assert info["data"]["ModelNumber"] == "VVX 450"
    assert info["data"]["FirmwareRelease"] == poly.device.firmware
    assert info["data"]["MACAddress"] == POLY
    assert info["data"]["IPV4Address"] == poly.host


@pytest.mark.parametrize(
    ("mac", "path", "auth"),
    [
        (YEALINK, "/screencapture", "basic"),
        (CISCO, "/CGI/Screenshot", "basic"),
        (SNOM, "/screen.bmp", "basic"),
        (POLY, "/captureScreen", "polycom"),
    ],
)
def test_screenshots_are_bmp_images_of_the_phone(make_fleet, control, mac, path, auth):
    handle = make_fleet(mac).phone(mac)
    credentials = ("Polycom", control[1]) if auth == "polycom" else control
    reply = httpx.get(handle.url(path), auth=credentials, timeout=5)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "image/bmp"
    image = screenshot.read_bmp(reply.content)
    assert image.width >= 132 and image.height >= 64
    assert httpx.get(handle.url(path), auth=(control[0], "wrong"), timeout=5).status_code == 401


def test_no_screenshot_where_the_model_has_none(make_fleet, control):
    handle = make_fleet("cisco").phone(CISCO_3905)
    assert httpx.get(handle.url("/CGI/Screenshot"), auth=control, timeout=5).status_code == 404
    assert "ssh" not in handle.ports and handle.ports["telnet"] == 23


def test_avaya_has_no_http_control(make_fleet, control):
    handle = make_fleet("avaya").phone(AVAYA)
    for path in ("/servlet?key=Reboot", "/admin/reboot", "/"):
        assert httpx.get(handle.url(path), auth=control, timeout=5).status_code == 404


def test_junk_requests(make_fleet, control):
    handle = make_fleet("yealink").phone(YEALINK)
    for raw in (b"GARBAGE\r\n\r\n", b"GET /servlet HTTP/1.1\r\nno colon\r\n\r\n", b"\x00\xff\r\n\r\n"):
        with socket.create_connection((handle.host, handle.ports["http"]), timeout=5) as sock:
            sock.sendall(raw)
            assert sock.recv(100).startswith(b"HTTP/1.1 400")
    assert httpx.get(handle.url("/nowhere"), timeout=5).status_code == 404
    assert httpx.get(handle.url("/servlet?nothing=1"), auth=control, timeout=5).status_code == 400
    assert json.loads(httpx.get(handle.url("/servlet?phonecfg=get"), auth=control, timeout=5).text)["model"]
    assert handle.device.reboot_count == 0
