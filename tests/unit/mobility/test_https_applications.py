"""The HTTPS applications port as the phones use it: nginx with the provisioning_server role's site in front of the
service's applications listener, a certificate from a CA of the test, and simulated Cisco and Yealink phones whose
own files name the HTTPS URL (Cisco's ``secureServicesURL``, Yealink's XML-browser key) and that trust that CA.

The phones open the URL as written (no simulation shortcut): TLS to nginx, the certificate checked against the
CA the phone trusts and the URL's host name. nginx tells the service the scheme (X-Forwarded-Proto) and the phone's
address (X-Forwarded-For, X-Real-IP); the service believes them only from nginx's address (``forwarded_allow_ips``),
so the forms it builds come back https with nginx's host, and the requester check sees the phone's own address.
A phone that sends those headers itself is believed in nothing.
"""

from __future__ import annotations

import http.client
import xml.etree.ElementTree as ET

import pytest
from phonefleet_simulator.vendors import ScreenRefused
from phonefleet_simulator.xml_browser import XmlBrowser

from tests.support.nginx import running_applications_nginx
from tests.support.service import free_port, published_site
from tests.support.tls import authority, server_certificate
from tests.support.tools import require_tools

from .conftest import CISCO_8845, PIN, WRONG_PIN, YEALINK_T54W, journal, kept_by_the_service, mobility_fleet

pytestmark = pytest.mark.usefixtures("nobody_logged_in")
#: the name the phones' files give the server, and the one the server's certificate is for
HOST = "localhost"


@pytest.fixture(scope="module")
def ports() -> tuple[int, int]:
    """nginx's applications ports (HTTP, HTTPS): the fleet's settings name them, so the phones' files do."""
    return free_port(), free_port()


@pytest.fixture(scope="module")
def site(tmp_path_factory, ports):
    """The mobility fleet of conftest, its server named ``localhost`` and its applications ports nginx's."""
    http_port, https_port = ports

    def edit(fleet):
        mobility_fleet(fleet)
        settings = fleet / "settings.yml"
        text = settings.read_text().replace("servers: [prov.demo.invalid]", f"servers: [{HOST}]")
        text = text.replace(
            "    scheme: https\n",
            f"    scheme: https\n    applications_http_port: {http_port}\n    applications_https_port: {https_port}\n",
        )
        settings.write_text(text)

    folder = tmp_path_factory.mktemp("mobility-https")
    published_site(folder, edit)
    return folder


@pytest.fixture(scope="module")
def authorities(tmp_path_factory):
    """(the CA that signs nginx's certificate, another CA), and nginx's certificate for HOST."""
    folder = tmp_path_factory.mktemp("tls")
    ours, other = authority(folder, "phonefleet-test-ca"), authority(folder, "someone-else-ca")
    return ours, other, server_certificate(folder, ours, HOST)


@pytest.fixture(scope="module")
def nginx(tmp_path_factory, service, ports, authorities):
    require_tools("nginx")
    folder = tmp_path_factory.mktemp("nginx")
    with running_applications_nginx(folder, service.service.settings.applications_port, ports, authorities[2]) as run:
        yield run


@pytest.fixture(scope="module")
def trusting(phones, authorities):
    """The phones trust the test's CA (as an administrator installs a site's CA on its phones)."""
    for mac in (CISCO_8845, YEALINK_T54W):
        phones.phone(mac).device.trusted_ca = str(authorities[0].certificate)
    return phones


def walk(phones, mac: str, *steps):
    """Press the phone's services button or XML-browser key (the URL of its own files, as written), then ``steps``;
    (the browser, what it shows at the end)."""
    browser = XmlBrowser(phones.phone(mac).device)

    async def go():
        screen = await browser.open_services()
        for step in steps:
            screen = await (browser.enter(step) if isinstance(step, dict) else browser.select(step))
        return screen

    return browser, phones.call(go(), 30)


@pytest.mark.parametrize(("mac", "number", "who"), [(CISCO_8845, "5001", "Ivan Petrov"), (YEALINK_T54W, "5002", None)])
def test_phones_log_in_and_out_over_https_through_nginx(nginx, trusting, service, site, logs, ports, mac, number, who):
    phones, https = trusting, f"https://{HOST}:{ports[1]}"
    browser, form = walk(phones, mac)
    # the phone's own files name the HTTPS URL (Cisco: secureServicesURL, preferred over servicesURL)
    assert browser.requests[0][1].startswith(f"{https}/{'cisco' if mac == CISCO_8845 else 'yealink'}/mobility")
    # the form the service built submits to https and nginx's host: X-Forwarded-Proto believed from nginx
    assert form.kind == "input" and form.action.startswith(f"{https}/")
    browser, wrong = walk(phones, mac, {"number": number, "pin": WRONG_PIN})
    assert wrong.text == "Wrong number or PIN."
    browser, shown = walk(phones, mac, {"number": number, "pin": PIN})
    assert shown.text.startswith("Logged in: ") and f"({number})" in shown.text
    assert who is None or who in shown.text
    assert all(url.startswith(f"{https}/") for _method, url in browser.requests)
    # the requester check saw the phone's own address (nginx's X-Forwarded-For), and the journal keeps it
    login = next(row for row in journal(service, mac) if row["result"] == "mobility-login")
    assert login["ip"] == phones.phone(mac).host
    browser, menu = walk(phones, mac)
    assert menu.kind == "menu" and all(item.url.startswith(f"{https}/") for item in menu.items)
    _browser, out = walk(phones, mac, 1)
    assert out.text == "Logged out."
    # nginx logged the HTTPS requests by path, from the phone's address; no PIN in any log of nginx or the service
    access = nginx.access_log.read_text()
    assert f"{phones.phone(mac).host} [" in access and '/mobility/login HTTP/1.1" 200' in access
    text, raw = kept_by_the_service(site, service, logs, (mac,))
    raw += b"".join(path.read_bytes() for path in nginx.logs.iterdir())
    for pin in (PIN, WRONG_PIN):
        assert pin not in text and pin.encode() not in raw


def test_a_phone_refuses_a_certificate_of_a_ca_it_does_not_trust(nginx, trusting, authorities):
    device = trusting.phone(YEALINK_T54W).device
    device.trusted_ca = str(authorities[1].certificate)
    try:
        with pytest.raises(ScreenRefused, match="CERTIFICATE_VERIFY_FAILED"):
            walk(trusting, YEALINK_T54W)
    finally:
        device.trusted_ca = str(authorities[0].certificate)
    assert walk(trusting, YEALINK_T54W)[1].kind == "input"  # the CA it trusts: the same URL opens


def test_a_phone_refuses_a_certificate_for_another_name(nginx, trusting, ports):
    """The certificate is for ``localhost``; a URL naming the server by its address does not match it."""
    browser = XmlBrowser(trusting.phone(CISCO_8845).device)
    url = f"https://127.0.0.1:{ports[1]}/cisco/mobility?name=SEP{CISCO_8845.upper()}"
    mismatch = r"CERTIFICATE_VERIFY_FAILED.* mismatch, certificate is not valid for .127\.0\.0\.1."
    with pytest.raises(ScreenRefused, match=mismatch):
        trusting.call(browser.open_url(url), 30)


def direct(phones, source_mac: str, port: int, path: str, headers: dict) -> tuple[int, bytes]:
    """A GET sent straight to the applications listener from phone ``source_mac``'s address (no nginx)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(phones.phone(source_mac).host, 0)
    )
    try:
        connection.request("GET", path, headers=headers)
        reply = connection.getresponse()
        return reply.status, reply.read()
    finally:
        connection.close()


def test_forwarded_headers_from_a_phone_are_not_believed(trusting, service):
    phones, port = trusting, service.service.settings.applications_port
    agent = phones.phone(YEALINK_T54W).device.user_agent
    forged = {"User-Agent": agent, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example:443"}
    # from the Yealink's own address: its form, whose URL keeps the scheme the request really came with
    status, body = direct(phones, YEALINK_T54W, port, "/yealink/mobility", forged)
    assert status == 200
    action = ET.fromstring(body).findtext("URL")
    assert action.startswith("http://127.0.0.1:") and "evil" not in action
    # from another phone's address, claiming the Yealink's in X-Forwarded-For and X-Real-IP: not believed either
    yealink_address = phones.phone(YEALINK_T54W).host
    claims = {**forged, "X-Forwarded-For": yealink_address, "X-Real-IP": yealink_address}
    status, body = direct(phones, CISCO_8845, port, "/yealink/mobility", claims)
    assert ET.fromstring(body).findtext("Text") == "This phone cannot be identified."
