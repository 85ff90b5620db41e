"""The simulated phones' XML browser walks an application's screens as the phone does, over real loopback HTTP.

The screens are written from the vendors' documents (Cisco IP Phone Services Application Development Notes
OL-20949-01; Yealink XML Browser Developer's Guide): menus, input forms (a PIN masked) and texts; the phone opens
the URL its OWN config names (so a config without it leaves the phone without the application), submits the form
by GET with the fields as the query string, and refuses what the vendor documents a phone does not show.
"""

from __future__ import annotations

import asyncio
import contextlib
import urllib.parse
from collections.abc import Callable

import pytest
from phonefleet_simulator.boot import SimulatedPhone
from phonefleet_simulator.device import SimulatedDevice
from phonefleet_simulator.vendors import ScreenRefused
from phonefleet_simulator.xml_browser import NoApplication, XmlBrowser

from tests.unit.render_support import fleet_from, render_demo_phone, render_fleet_phone

CISCO_MAC = "0cd0f8a1b2c3"
YEALINK_MAC = "805ec0112233"
XML = "text/xml; charset=utf-8"

CISCO_MENU = b"""<?xml version="1.0" encoding="utf-8"?>
<CiscoIPPhoneMenu>
  <Title>Hot desk</Title>
  <Prompt>Choose</Prompt>
  <MenuItem><Name>Log in</Name><URL>/cisco/mobility/form?name=SEP0CD0F8A1B2C3</URL></MenuItem>
  <MenuItem><Name>Who is here</Name><URL>/cisco/mobility/who</URL></MenuItem>
</CiscoIPPhoneMenu>"""
CISCO_INPUT = b"""<CiscoIPPhoneInput>
  <Title>Log in</Title>
  <Prompt>Number and PIN</Prompt>
  <URL>/cisco/mobility/login?name=SEP0CD0F8A1B2C3</URL>
  <InputItem><DisplayName>Number</DisplayName><QueryStringParam>number</QueryStringParam>
    <DefaultValue></DefaultValue><InputFlags>T</InputFlags></InputItem>
  <InputItem><DisplayName>PIN</DisplayName><QueryStringParam>pin</QueryStringParam>
    <DefaultValue></DefaultValue><InputFlags>NP</InputFlags></InputItem>
</CiscoIPPhoneInput>"""
CISCO_TEXT = (
    b"<CiscoIPPhoneText><Title>Hot desk</Title><Prompt>Done</Prompt><Text>Logged in: 5001</Text></CiscoIPPhoneText>"
)

YEALINK_INPUT = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<YealinkIPPhoneInputScreen type="string" Beep="no">
  <Title>Hot desk</Title>
  <URL>/yealink/mobility/login</URL>
  <InputField type="number"><Prompt>Number</Prompt><Parameter>number</Parameter><Default></Default></InputField>
  <InputField type="number" password="yes"><Prompt>PIN</Prompt><Parameter>pin</Parameter></InputField>
</YealinkIPPhoneInputScreen>"""
YEALINK_MENU = b"""<YealinkIPPhoneTextMenu style="numbered">
  <Title>Hot desk: 5001</Title>
  <MenuItem><Prompt>Log out</Prompt><URI>http://elsewhere.invalid/yealink/mobility/logout</URI></MenuItem>
</YealinkIPPhoneTextMenu>"""
YEALINK_TEXT = b"<YealinkIPPhoneTextScreen><Title>Hot desk</Title><Text>Logged out</Text></YealinkIPPhoneTextScreen>"

Route = Callable[[dict], tuple[int, str, bytes]]


class Application:
    """An XML application on a loopback port: answers by path, records every request as the phone sent it."""

    def __init__(self, routes: dict[str, tuple[str, bytes] | Route]) -> None:
        self.routes = routes
        self.requests: list[dict] = []
        self.url = ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *lines = head.split("\r\n")
                method, target, _version = request_line.split(" ")
                fields = (line.partition(":") for line in lines)
                headers = {name.lower(): value.strip() for name, _colon, value in fields}
                path, _mark, query = target.partition("?")
                self.requests.append(
                    {
                        "method": method,
                        "path": path,
                        "query": urllib.parse.parse_qs(query),
                        "target": target,
                        "headers": headers,
                        "peer": writer.get_extra_info("peername")[0],
                    }
                )
                route = self.routes.get(path)
                if route is None:
                    status, content_type, body = 404, "text/plain", b"not found"
                elif callable(route):
                    status, content_type, body = route(urllib.parse.parse_qs(query))
                else:
                    status, (content_type, body) = 200, route
                head = f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
                writer.write(head.encode() + body)
                await writer.drain()
        writer.close()

    @contextlib.asynccontextmanager
    async def running(self):
        server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        async with server:
            yield self


def phone(vendor: str, mac: str, model: str, files: dict[str, bytes]) -> SimulatedDevice:
    device = SimulatedDevice(SimulatedPhone(mac, vendor, model), "http://127.0.0.1:9", address="127.0.0.1")
    device.config_files = files
    return device


def cisco(config: bytes) -> SimulatedDevice:
    return phone("cisco", CISCO_MAC, "CP-8845", {f"/SEP{CISCO_MAC.upper()}.cnf.xml": config})


def cisco_config(services_url: str) -> bytes:
    return f"<device><deviceProtocol>SIP</deviceProtocol><servicesURL>{services_url}</servicesURL></device>".encode()


def yealink(config: str) -> SimulatedDevice:
    return phone("yealink", YEALINK_MAC, "T54W", {f"/{YEALINK_MAC}.cfg": ("#!version:1.0.0.1\n" + config).encode()})


def run(test) -> None:
    asyncio.run(asyncio.wait_for(test(), 30))


# -- Cisco: services button, CiscoIPPhoneMenu / Input / Text ------------------------------------------------------


def test_cisco_walks_menu_form_and_text_as_the_phone_does() -> None:
    def login(query: dict) -> tuple[int, str, bytes]:
        assert query == {"name": ["SEP0CD0F8A1B2C3"], "number": ["5001"], "pin": ["4711"]}
        return 200, XML, CISCO_TEXT

    app = Application(
        {
            "/cisco/mobility": (XML, CISCO_MENU),
            "/cisco/mobility/form": (XML, CISCO_INPUT),
            "/cisco/mobility/login": login,
        }
    )

    async def walk() -> None:
        async with app.running():
            # #DEVICENAME# in the services URL reaches the application as the phone's device name
            device = cisco(cisco_config(app.url + "/cisco/mobility?name=#DEVICENAME#"))
            browser = XmlBrowser(device)
            menu = await browser.open_services()
            assert (menu.kind, menu.title, menu.prompt) == ("menu", "Hot desk", "Choose")
            assert [item.name for item in menu.items] == ["Log in", "Who is here"]
            form = await browser.select(1)
            assert form.kind == "input"
            assert [(field.parameter, field.label, field.password) for field in form.fields] == [
                ("number", "Number", False),
                ("pin", "PIN", True),
            ]
            done = await browser.enter({"number": "5001", "pin": "4711"})
            assert (done.kind, done.text) == ("text", "Logged in: 5001")

    run(walk)
    first, _form, submit = app.requests
    assert first["query"] == {"name": ["SEP0CD0F8A1B2C3"]}
    assert first["headers"]["accept"] == "x-CiscoIPPhone/*"
    # CiscoIPPhoneInput objects do not use POST: a GET, the items appended to the form's URL
    assert submit["method"] == "GET"
    assert submit["target"] == "/cisco/mobility/login?name=SEP0CD0F8A1B2C3&number=5001&pin=4711"
    assert {request["peer"] for request in app.requests} == {"127.0.0.1"}


def test_the_keypad_types_only_what_the_field_takes() -> None:
    app = Application({"/form": (XML, CISCO_INPUT)})

    async def type_wrong() -> None:
        async with app.running():
            browser = XmlBrowser(cisco(cisco_config(app.url + "/form")))
            await browser.open_services()
            with pytest.raises(ValueError, match="pin takes only digits"):
                await browser.enter({"number": "5001", "pin": "47a1"})  # N: numbers only
            with pytest.raises(ValueError, match="no field user"):
                await browser.enter({"user": "x"})
            with pytest.raises(ValueError, match="not a menu"):
                await browser.select(1)

    run(type_wrong)
    assert len(app.requests) == 1  # nothing was submitted


def many(count: int, item: str) -> str:
    return "".join(item.format(index=index) for index in range(count))


CISCO_REFUSED = {
    "malformed XML": (XML, b"<CiscoIPPhoneMenu><Title>x</Title>", "not well-formed"),
    "unknown object": (XML, b"<CiscoIPPhoneLogin><Title>x</Title></CiscoIPPhoneLogin>", "not a CiscoIPPhone object"),
    "object not shown": (XML, b"<CiscoIPPhoneDirectory/>", "does not show"),
    "plain text": ("text/plain", CISCO_TEXT, "only text/xml"),
    "html": ("text/html", CISCO_TEXT, "only text/xml"),
    "entities": (XML, b'<!DOCTYPE x [<!ENTITY a "b">]><CiscoIPPhoneText/>', "DOCTYPE"),
    "six input items": (
        XML,
        (
            "<CiscoIPPhoneInput><URL>/x</URL>"
            + many(6, "<InputItem><QueryStringParam>p{index}</QueryStringParam><InputFlags>A</InputFlags></InputItem>")
            + "</CiscoIPPhoneInput>"
        ).encode(),
        "6 InputItems",
    ),
    "101 menu items": (
        XML,
        ("<CiscoIPPhoneMenu>" + many(101, "<MenuItem><Name>{index}</Name><URL>/x</URL></MenuItem>")).encode()
        + b"</CiscoIPPhoneMenu>",
        "101 MenuItems",
    ),
    "menu name of 65 characters": (
        XML,
        b"<CiscoIPPhoneMenu><MenuItem><Name>" + b"n" * 65 + b"</Name><URL>/x</URL></MenuItem></CiscoIPPhoneMenu>",
        "longer than 64",
    ),
    "unknown input flag": (
        XML,
        b"<CiscoIPPhoneInput><URL>/x</URL><InputItem><QueryStringParam>pin</QueryStringParam>"
        b"<InputFlags>X</InputFlags></InputItem></CiscoIPPhoneInput>",
        "InputFlags 'X'",
    ),
    "form without a URL": (
        XML,
        b"<CiscoIPPhoneInput><InputItem><QueryStringParam>a</QueryStringParam></InputItem></CiscoIPPhoneInput>",
        "without a URL",
    ),
}


@pytest.mark.parametrize("case", sorted(CISCO_REFUSED))
def test_cisco_refuses_what_the_phone_does_not_show(case: str) -> None:
    content_type, body, why = CISCO_REFUSED[case]
    app = Application({"/services": (content_type, body)})

    async def refused() -> None:
        async with app.running():
            browser = XmlBrowser(cisco(cisco_config(app.url + "/services")))
            with pytest.raises(ScreenRefused, match=why):
                await browser.open_services()
            assert browser.screen is None

    run(refused)


def test_an_error_status_is_no_screen() -> None:
    async def missing() -> None:
        app = Application({})
        async with app.running():
            with pytest.raises(ScreenRefused, match="HTTP 404"):
                await XmlBrowser(cisco(cisco_config(app.url + "/nowhere"))).open_services()

    run(missing)


# -- Yealink: XML-browser key, YealinkIPPhoneInputScreen / TextMenu / TextScreen -----------------------------------


def test_yealink_walks_its_key_form_menu_and_text() -> None:
    app = Application(
        {
            "/yealink/mobility": (XML, YEALINK_INPUT),
            "/yealink/mobility/login": (XML, YEALINK_MENU),
            "/yealink/mobility/logout": (XML, YEALINK_TEXT),
        }
    )

    async def walk() -> None:
        async with app.running():
            device = yealink(f"programablekey.3.type = 27\nprogramablekey.3.value = {app.url}/yealink/mobility\n")
            browser = XmlBrowser(device)
            form = await browser.open_services()
            assert (form.kind, form.title) == ("input", "Hot desk")
            assert [(field.parameter, field.password, field.keypad) for field in form.fields] == [
                ("number", False, "digits"),
                ("pin", True, "digits"),
            ]
            menu = await browser.enter({"number": "5001", "pin": "4711"})
            assert (menu.title, [item.name for item in menu.items]) == ("Hot desk: 5001", ["Log out"])
            # applications_url stands for the host of every URL (simulation shortcut), here an absolute one
            browser.applications_url = app.url
            text = await browser.select(1)
            assert (text.kind, text.text) == ("text", "Logged out")

    run(walk)
    opened, submitted, logout = app.requests
    # the phone is known by the MAC its User-Agent ends with
    assert opened["headers"]["user-agent"].endswith(" 80:5e:c0:11:22:33")
    assert opened["headers"]["user-agent"].startswith("Yealink SIP-T54W ")
    assert submitted["method"] == "GET"
    assert submitted["target"] == "/yealink/mobility/login?number=5001&pin=4711"
    assert logout["path"] == "/yealink/mobility/logout"


def test_yealink_single_field_form_at_the_root() -> None:
    form = (
        b'<YealinkIPPhoneInputScreen type="number" password="yes"><Title>PIN</Title><URL>/login?number=5001</URL>'
        b"<Prompt>PIN</Prompt><Parameter>pin</Parameter><Default></Default></YealinkIPPhoneInputScreen>"
    )
    app = Application({"/form": (XML, form), "/login": (XML, YEALINK_TEXT)})

    async def walk() -> None:
        async with app.running():
            browser = XmlBrowser(yealink(f"linekey.5.type = 27\nlinekey.5.value = {app.url}/form\n"))
            screen = await browser.open_services()
            assert [(field.parameter, field.password) for field in screen.fields] == [("pin", True)]
            await browser.enter({"pin": "4711"})

    run(walk)
    assert app.requests[-1]["target"] == "/login?number=5001&pin=4711"


YEALINK_REFUSED = {
    "malformed XML": (b"<YealinkIPPhoneTextScreen><Text>x</YealinkIPPhoneTextScreen>", "not well-formed"),
    "unknown object": (b"<YealinkIPPhoneLogin/>", "not a YealinkIPPhone object"),
    "a Cisco object": (CISCO_TEXT, "not a YealinkIPPhone object"),
    "more than 10000 bytes": (
        b"<YealinkIPPhoneTextScreen><Text>" + b"x" * 10000 + b"</Text></YealinkIPPhoneTextScreen>",
        "more than the 10000",
    ),
    "unknown input type": (
        b'<YealinkIPPhoneInputScreen type="colour"><URL>/x</URL><Parameter>p</Parameter></YealinkIPPhoneInputScreen>',
        "type 'colour'",
    ),
}


@pytest.mark.parametrize("case", sorted(YEALINK_REFUSED))
def test_yealink_refuses_what_the_phone_does_not_show(case: str) -> None:
    body, why = YEALINK_REFUSED[case]
    app = Application({"/app": (XML, body)})

    async def refused() -> None:
        async with app.running():
            browser = XmlBrowser(yealink(f"programablekey.3.type = 27\nprogramablekey.3.value = {app.url}/app\n"))
            with pytest.raises(ScreenRefused, match=why):
                await browser.open_services()

    run(refused)


def test_a_config_without_the_application_opens_nothing() -> None:
    async def nothing() -> None:
        with pytest.raises(NoApplication):
            await XmlBrowser(cisco(b"<device><deviceProtocol>SIP</deviceProtocol></device>")).open_services()
        # a key of another type (16: BLF) is no XML browser key
        with pytest.raises(NoApplication):
            await XmlBrowser(yealink("programablekey.3.type = 16\nprogramablekey.3.value = 2001\n")).open_services()

    run(nothing)


# -- the collection's rendered configs, as the phone reads them ----------------------------------------------------


def test_rendered_configs_of_mobility_phones_open_the_hot_desk_login(tmp_path) -> None:
    app = Application({"/cisco/mobility": (XML, CISCO_MENU), "/yealink/mobility": (XML, YEALINK_INPUT)})
    director = render_demo_phone(CISCO_MAC).files
    reception = render_demo_phone(YEALINK_MAC).files
    warehouse_phones = """
phones:
  - {mac: 0c:d0:f8:00:00:13, vendor: cisco, model: CP-7841, profile: warehouse, lines: [{number: "2213", password: x}]}
  - {mac: 80:5e:c0:00:00:22, model: T46S, profile: warehouse, lines: [{number: "2122", password: x}]}
"""
    fleet = fleet_from(tmp_path, **{"phones.yml": warehouse_phones})

    async def walk() -> None:
        async with app.running():
            cisco_phone = phone("cisco", CISCO_MAC, "CP-8845", {f"/{name}": data for name, data in director.items()})
            assert (await XmlBrowser(cisco_phone, app.url).open_services()).kind == "menu"
            yealink_phone = phone(
                "yealink", YEALINK_MAC, "T54W", {f"/{YEALINK_MAC}.cfg": reception[f"{YEALINK_MAC}.cfg"]}
            )
            assert (await XmlBrowser(yealink_phone, app.url).open_services()).kind == "input"
            # warehouse: no mobility; the Cisco services button opens the plain services URL, Yealink has no key
            files = render_fleet_phone(fleet, "0cd0f8000013").files
            plain = phone("cisco", "0cd0f8000013", "CP-7841", {f"/{name}": data for name, data in files.items()})
            with pytest.raises(ScreenRefused, match="HTTP 404"):
                await XmlBrowser(plain, app.url).open_services()
            files = render_fleet_phone(fleet, "805ec0000022").files
            with pytest.raises(NoApplication):
                await XmlBrowser(
                    phone("yealink", "805ec0000022", "T46S", {"/805ec0000022.cfg": files["805ec0000022.cfg"]})
                ).open_services()

    run(walk)
    assert [request["target"] for request in app.requests] == [
        "/cisco/mobility?name=SEP0CD0F8A1B2C3",
        "/yealink/mobility",
        "/cisco/services",
    ]
