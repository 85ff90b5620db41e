"""What an attacker on the phones' network can get out of the service: nothing but what is theirs.

Path traversal (plain, percent-encoded, double-encoded, backslashes, NUL), the service's private state
(``.phonefleet/``: the manifest and the bundle with every secret), MAC enumeration with access keys on,
junk User-Agents and request lines: never a 5xx, never a byte from outside the web root, never another
phone's config.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.support.service import AUDITOR_TOKEN, phone_auth, published_site, read_until_closed, running_service

FANVIL_MAC = "0c383e010203"
FANVIL_AGENT = f"Fanvil X6U 2.10.2.6887 {FANVIL_MAC}"
SNOM_AGENT = "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 1.1.5-IFX-05.01.12 000413010203)"
OUTSIDE_MARKER = b"root:x:0:0"  # /etc/passwd


def raw_request(port: int, request: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (no client library normalising anything); (status, whole response)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        response = read_until_closed(connection)
    status = int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0
    return status, response


def as_phone(service, path: str, agent: str, vendor: str = "fanvil"):
    """``path`` asked for as the phone does: its User-Agent and its vendor's phone-auth credential."""
    return service.get_with_auth(path, agent, phone_auth(vendor))


def get_raw(port: int, target: bytes, agent: bytes = FANVIL_AGENT.encode()) -> tuple[int, bytes]:
    return raw_request(
        port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nUser-Agent: " + agent + b"\r\nConnection: close\r\n\r\n"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("security")
    published_site(directory)
    (directory / "secret-outside.cfg").write_text("outside the web root\n")
    with running_service(directory) as service:
        yield directory, service


TRAVERSALS = [
    b"/../../../../etc/passwd",
    b"/..%2f..%2f..%2f..%2fetc%2fpasswd",
    b"/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    b"/%252e%252e/%252e%252e/etc/passwd",
    b"/..%252f..%252fetc%252fpasswd",
    b"/%2e%2e%5c%2e%2e%5cetc%5cpasswd",
    b"/..\\..\\etc\\passwd",
    b"//etc/passwd",
    b"/%2fetc%2fpasswd",
    b"/0c383e010203.cfg%00.jpg",
    b"/0c383e010203.cfg/../../secret-outside.cfg",
    b"/../secret-outside.cfg",
    b"/%2e%2e%2fsecret-outside.cfg",
    b"/firmware/../../secret-outside.cfg",
    b"/.phonefleet/service.json",
    b"/.phonefleet/manifest.json",
    b"/%2ephonefleet/service.json",
    b"/.phonefleet%2fservice.json",
    b"/%C0%AE%C0%AE/%C0%AE%C0%AE/etc/passwd",  # overlong UTF-8 dots
    b"/" + b"a/" * 600 + b"passwd",
]


@pytest.mark.parametrize("target", TRAVERSALS, ids=lambda target: target[:40].decode("latin-1"))
def test_traversal_and_private_state_are_404(site, target):
    _directory, service = site
    status, response = get_raw(service.port, target)
    assert status in (400, 404), response[:300]
    assert OUTSIDE_MARKER not in response
    assert b"outside the web root" not in response
    assert b'"documents"' not in response and b'"phones"' not in response  # the bundle, the manifest
    assert b"RegisterUser" not in response  # no phone's config either


def test_rejected_paths_are_journaled(site):
    _directory, service = site
    get_raw(service.port, b"/..%252f..%252fetc%252fpasswd")
    entries = service.journal(limit=50)
    assert any(entry["result"] == "rejected" and entry["code"] == 404 for entry in entries)


@pytest.mark.parametrize(
    "agent",
    [b"x" * 8000, bytes(range(1, 9)) + b"\x7f\xff\xfe" * 50, b"Yealink SIP-" + b"T" * 4000, b"Fanvil \xc3\x28 1 2"],
    ids=["long", "binary", "long-model", "bad-utf8"],
)
def test_junk_user_agents_never_give_a_5xx(site, agent):
    _directory, service = site
    for target in (b"/0c383e010203.cfg", b"/y000000000096.cfg", b"/SEP0CD0F8A1B2C3.cnf.xml"):
        status, response = get_raw(service.port, target, agent)
        assert 0 < status < 500, response[:200]


def test_an_oversized_user_agent_is_ignored_not_parsed(site):
    _directory, service = site
    status, _response = get_raw(service.port, b"/0c383e010203.cfg", b"Fanvil X6U 1 " + b"x" * 200_000)
    assert 0 < status < 500
    assert as_phone(service, "/0c383e010203.cfg", FANVIL_AGENT).status == 200


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GARBAGE\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /" + b"%" * 3000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"\xff\xfe\xfd\r\n\r\n",
    ],
)
def test_malformed_requests_never_give_a_5xx_and_the_service_goes_on(site, request_bytes):
    _directory, service = site
    status, _response = raw_request(service.port, request_bytes)
    assert status == 0 or status < 500
    assert as_phone(service, "/0c383e010203.cfg", FANVIL_AGENT).status == 200


def test_other_methods_are_405(site):
    _directory, service = site
    assert service.get("/0c383e010203.cfg", FANVIL_AGENT, method="POST").status == 405
    assert service.get("/0c383e010203.cfg", FANVIL_AGENT, method="PUT").status == 405


def test_the_api_needs_a_token_and_the_right_role(site):
    _directory, service = site
    assert service.get("/api/v1/phones").status == 401
    assert service.api("/api/v1/phones", token="not-a-token-at-all-000")[0] == 401
    assert service.api("/api/v1/phones", token=AUDITOR_TOKEN)[0] == 200
    assert service.api("/api/v1/autoprovisioned", token=AUDITOR_TOKEN)[0] == 403
    assert service.api("/api/v1/access-keys", token=AUDITOR_TOKEN)[0] == 403
    assert service.api("/api/v1/nothing-here")[0] == 404
    assert service.api("/api/v1/phones/not-a-mac")[0] == 400


# -- access keys -----------------------------------------------------------------------------------


def with_access_keys(fleet: Path) -> None:
    settings = fleet / "settings.yml"
    settings.write_text(settings.read_text().replace("access_keys: false", "access_keys: true"))


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    directory = tmp_path_factory.mktemp("keys")
    published_site(directory, with_access_keys)
    with running_service(directory) as service:
        status, data = service.api("/api/v1/access-keys")
        assert status == 200
        yield service, {item["mac"]: item["key"] for item in data["access_keys"]}


def test_with_access_keys_a_config_is_served_only_under_its_key(keyed):
    service, keys = keyed
    assert len(keys) == 14 and len(set(keys.values())) == 14
    # the fleet has phone auth too: both are needed, the key and the vendor's credential
    assert as_phone(service, f"/{keys[FANVIL_MAC]}/0c383e010203.cfg", FANVIL_AGENT).status == 200
    assert service.get(f"/{keys[FANVIL_MAC]}/0c383e010203.cfg", FANVIL_AGENT).status == 401  # the key alone
    assert as_phone(service, "/0c383e010203.cfg", FANVIL_AGENT).status == 404  # the MAC-named URL
    assert as_phone(service, f"/{keys['000413010203']}/0c383e010203.cfg", FANVIL_AGENT).status == 404  # another's
    assert as_phone(service, "/" + "A" * 32 + "/0c383e010203.cfg", FANVIL_AGENT).status == 404  # a made-up key
    # shared files hold nothing secret: no key needed, with or without one (phone auth as for any file)
    assert as_phone(service, "/snomD785.htm", SNOM_AGENT, "snom").status == 200
    assert as_phone(service, f"/{keys['000413010203']}/snomD785.htm", SNOM_AGENT, "snom").status == 200


@pytest.mark.parametrize("credential", ["none", "vendor's phone auth"])
def test_mac_enumeration_with_access_keys_learns_nothing(keyed, credential):
    service, _keys = keyed
    # a stranger with nothing, or with the credential every Fanvil phone is given (DHCP option 66): no key
    auth = phone_auth("fanvil") if credential != "none" else None
    answers: dict[str, set] = {}
    for index in range(256):
        mac = f"0c383e0102{index:02x}"  # the real phone (…0203) among 255 that do not exist
        for form in ("/{mac}.cfg", "/{MAC}.cfg", "/SEP{MAC}.cnf.xml"):
            reply = service.get_with_auth(form.format(mac=mac, MAC=mac.upper()), None, auth)
            answers.setdefault(form, set()).add((reply.status, reply.body))
    # one answer per URL form, the same for the real phone as for the others
    not_found = (404, b"Not Found\n")
    # without credentials, Fanvil's files ask for its phone auth; Cisco enterprise has none to ask for
    fanvil = (401, b"Unauthorized\n") if auth is None else not_found
    assert answers == {"/{mac}.cfg": {fanvil}, "/{MAC}.cfg": {fanvil}, "/SEP{MAC}.cnf.xml": {not_found}}


def test_a_new_key_replaces_the_old_one_at_once(keyed):
    service, keys = keyed
    mac = "000413010203"
    old = keys[mac]
    assert as_phone(service, f"/{old}/000413010203.xml", SNOM_AGENT, "snom").status == 200
    status, issued = service.api(f"/api/v1/phones/{mac}/access-key", method="POST")
    assert status == 200 and issued["key"] != old
    assert as_phone(service, f"/{old}/000413010203.xml", SNOM_AGENT, "snom").status == 404
    assert as_phone(service, f"/{issued['key']}/000413010203.xml", SNOM_AGENT, "snom").status == 200
    keys[mac] = issued["key"]
