"""The provisioning service over real HTTP: each vendor's phones fetch their files as the devices do.

Request sequences (User-Agent, file names, order) are those of the research notes, the same facts the
recognition tests use: phone-vendors.md (Yealink, Cisco MPP, Avaya, Poly, Grandstream, Snom, Fanvil),
unify-cisco.md (Cisco enterprise boot files, Unify DMS with its ``macaddress`` header), atcom-qtech.md.
"""

from __future__ import annotations

import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.pool import pool_password
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.phone_auth import parse_digest

from tests.support.firmware_window import open_windows
from tests.support.service import digest_authorization, phone_auth, published_site, republish, running_service
from tests.unit.render_support import demo_fleet, reveal

# mac -> (User-Agent, [(path, expected status)], extra headers)
SEQUENCES = {
    "yealink": (
        "805ec0112233",
        "Yealink SIP-T54W 96.86.0.100 80:5e:c0:11:22:33",
        [("/y000000000096.cfg", 200), ("/805ec0112233.cfg", 200)],
        {},
    ),
    "cisco": (
        "0cd0f8a1b2c3",
        None,
        [
            ("/CTLSEP0CD0F8A1B2C3.tlv", 404),  # no security files without a CUCM: the phone goes on
            ("/ITLSEP0CD0F8A1B2C3.tlv", 404),
            ("/SEP0CD0F8A1B2C3.cnf.xml", 200),
            ("/SEP0CD0F8A1B2C3-dialplan.xml", 200),
        ],
        {},
    ),
    "cisco 3905": ("2c3f38aa0001", None, [("/SEP2C3F38AA0001.cnf.xml", 200)], {}),
    "cisco_mpp": (
        "c4b9cd112201",
        "Cisco-CP-6841-3PCC/11.3.7 (c4b9cd112201)",
        [("/6841-3PCC.xml", 200), ("/c4b9cd112201.xml", 200)],
        {},
    ),
    "avaya": (
        "24d921aabb01",
        "Mozilla/4.0 (compatible; MSIE 6.0) AVAYA/J179-4.1.3.0.6 (MAC:24d921aabb01)",
        [("/J100Supgrade.txt", 200), ("/46xxsettings.txt", 200), ("/24d921aabb01.cfg", 200)],
        {},
    ),
    "unify": ("001ae8556677", None, [("/001ae8556677_config.xml", 200)], {"macaddress": "00:1a:e8:55:66:77"}),
    "atcom": ("000945102030", "Atcom A20W 2.6.5.7 00:09:45:10:20:30", [("/000945102030.cfg", 200)], {}),
    "qtech": ("000add102031", None, [("/000add102031.cfg", 200)], {}),
    "poly": (
        "64167f010203",
        "FileTransport PolycomVVX-VVX_450-UA/6.4.3.5156 Type/Application",
        [("/000000000000.cfg", 200), ("/64167f010203.cfg", 200), ("/64167f010203-phone.cfg", 200)],
        {},
    ),
    "grandstream": (
        "c074ad010203",
        "Grandstream Model HW GXP2170 SW 1.0.11.3 DevId c074ad010203",
        [("/cfgc074ad010203.xml", 200)],
        {},
    ),
    "snom": (
        "000413010203",
        "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 1.1.5-IFX-05.01.12 000413010203)",
        [("/snomD785.htm", 200), ("/snomD785-000413010203.htm", 200), ("/000413010203.xml", 200)],
        {},
    ),
    "fanvil": ("0c383e010203", "Fanvil X6U 2.10.2.6887 0c383e010203", [("/0c383e010203.cfg", 200)], {}),
}


def database_url(request, database: str, directory: Path) -> str:
    """Where the service keeps its state for this test: an SQLite file, or a PostgreSQL schema."""
    if database == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{directory / 'state.db'}"


BOTH_DATABASES = pytest.mark.parametrize("database", ["sqlite", "postgresql"])


def as_phone(service, vendor: str, path: str, agent: str | None, headers: dict | None = None):
    """``path`` asked for as a phone of ``vendor`` asks: with the fleet's phone-auth credential, if it has one."""
    return service.get_with_auth(path, agent, phone_auth(vendor.split()[0]), headers)


def without_autoprovision(fleet: Path) -> None:
    settings = fleet / "settings.yml"
    settings.write_text(settings.read_text().replace("enabled: true", "enabled: false"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    directory = tmp_path_factory.mktemp("site")
    published_site(directory)
    with running_service(directory) as service:
        yield directory, service


@pytest.mark.parametrize("vendor", sorted(SEQUENCES))
def test_each_vendor_sequence_gets_its_published_files(site, vendor):
    directory, service = site
    mac, agent, steps, headers = SEQUENCES[vendor]
    for path, expected in steps:
        reply = as_phone(service, vendor, path, agent, headers)
        assert reply.status == expected, (path, reply.status, reply.body[:200])
        if expected == 200:
            assert reply.body == (directory / "www" / path.lstrip("/")).read_bytes()
    phone = service.phones()[mac]
    assert phone["status"] == 3, phone
    assert phone["last_ip"] == "127.0.0.1"
    # only phone auth (the demo's Yealink digest) proves the requests came from the phone: its address to use
    # as shipped, every vendor but Cisco enterprise proves itself with phone auth (docs/security.md)
    assert (phone["ip"], phone["last_ip_proven"]) == (
        ("127.0.0.1", True) if vendor.split()[0] != "cisco" else (None, False)
    )
    # every request that named this phone (User-Agent, header or file name) is in its journal, in order
    # (a digest client's first try of each file is a 401 challenge: journaled too, left out here)
    journaled = [(entry["file"], entry["code"]) for entry in reversed(service.journal(mac=mac)) if entry["code"] != 401]
    in_request = bool(headers) or mac in (agent or "").lower().replace(":", "")
    named = [(path.lstrip("/"), code) for path, code in steps if in_request or mac in path.lower()]
    assert journaled[-len(named) :] == named


def test_the_reported_model_and_firmware_are_kept(site):
    _directory, service = site
    mac, agent, steps, _headers = SEQUENCES["snom"]
    as_phone(service, "snom", steps[0][0], agent)
    phone = service.phones()[mac]
    assert (phone["reported_vendor"], phone["reported_model"], phone["firmware"]) == ("snom", "D785", "10.1.33.33")
    assert phone["last_contact"] >= phone["first_contact"]


def test_a_phone_never_gets_another_phones_config(site):
    _directory, service = site
    # a Fanvil phone (its MAC in its User-Agent) asking for the Snom phone's file, and for another Fanvil's
    agent = "Fanvil X6U 2.10.2.6887 0c383e0a0b0c"
    assert as_phone(service, "fanvil", "/000413010203.xml", agent).status == 404
    assert as_phone(service, "fanvil", "/0c383e010203.cfg", agent).status == 404
    refused = [entry for entry in service.journal(mac="0c383e0a0b0c") if entry["result"] == "refused"]
    assert {entry["file"] for entry in refused} == {"000413010203.xml", "0c383e010203.cfg"}


def test_digest_authentication_is_required_for_yealink(site):
    _directory, service = site
    agent = SEQUENCES["yealink"][1]
    bare = service.get("/805ec0112233.cfg", agent)
    assert bare.status == 401
    assert bare.headers["www-authenticate"].startswith('Digest realm="phonefleet"')
    assert b"account.1" not in bare.body
    entry = demo_fleet().settings["phone_auth"]["yealink"]
    wrong = service.get_with_auth("/805ec0112233.cfg", agent, httpx.DigestAuth(entry["username"], "wrong"))
    assert wrong.status == 401
    basic = service.get_with_auth(
        "/805ec0112233.cfg", agent, httpx.BasicAuth(entry["username"], reveal(entry["password"]))
    )
    assert basic.status == 401  # digest is configured: basic credentials are not accepted
    assert service.get_with_auth("/805ec0112233.cfg", agent, phone_auth("yealink")).status == 200


def test_a_replayed_digest_authorization_is_refused_with_a_fresh_stale_challenge(site):
    directory, service = site
    mac, agent, _steps, _headers = SEQUENCES["yealink"]
    path = f"/{mac}.cfg"
    entry = demo_fleet().settings["phone_auth"]["yealink"]
    username, password = entry["username"], reveal(entry["password"])

    def nonce_of(reply) -> str:
        return parse_digest(reply.headers["www-authenticate"].partition(" ")[2])["nonce"]

    nonce = nonce_of(service.get(path, agent))
    header = digest_authorization(username, password, nonce, path)
    first = service.get(path, agent, headers={"Authorization": header})
    assert first.status == 200 and first.body == (directory / "www" / path[1:]).read_bytes()
    for _replay in range(3):  # the same nonce and nc again, as a listener on the wire would send it
        replay = service.get(path, agent, headers={"Authorization": header})
        assert replay.status == 401 and b"account.1" not in replay.body
        assert replay.headers["www-authenticate"].endswith(", stale=true")
        assert nonce_of(replay) != nonce
    counted = digest_authorization(username, password, nonce, path, count=2)  # the phone's next request
    assert service.get(path, agent, headers={"Authorization": counted}).status == 200
    # a nonce given to one address opens nothing from another, even with the password right
    fresh = digest_authorization(username, password, nonce_of(service.get(path, agent)), path)
    elsewhere = service.get(path, agent, headers={"Authorization": fresh}, source="127.0.0.7")
    assert elsewhere.status == 401 and elsewhere.headers["www-authenticate"].endswith(", stale=true")
    assert service.get(path, agent, headers={"Authorization": fresh}).status == 200


def test_basic_authentication(tmp_path):
    def basic_for_fanvil(fleet: Path) -> None:
        settings = fleet / "settings.yml"
        text = settings.read_text()
        assert "    fanvil: *phone_auth\n" in text
        text = text.replace(
            "    fanvil: *phone_auth\n", "    fanvil: {method: basic, username: fanvil-prov, password: Fv-s3cret}\n"
        )
        settings.write_text(text)

    published_site(tmp_path, basic_for_fanvil)
    mac, agent, steps, _headers = SEQUENCES["fanvil"]
    with running_service(tmp_path) as service:
        assert service.get(steps[0][0], agent).status == 401
        assert service.get(steps[0][0], agent).headers["www-authenticate"].startswith('Basic realm="phonefleet"')
        auth = httpx.BasicAuth("fanvil-prov", "Fv-s3cret")
        assert service.get_with_auth(steps[0][0], agent, auth).status == 200
        assert service.get_with_auth(steps[0][0], agent, httpx.BasicAuth("fanvil-prov", "nope")).status == 401
        # the method is the vendor's: Snom's phones still answer a digest challenge, Cisco enterprise none
        snom_path, snom_agent = SEQUENCES["snom"][2][2][0], SEQUENCES["snom"][1]
        assert service.get(snom_path, snom_agent).headers["www-authenticate"].startswith('Digest realm="phonefleet"')
        assert service.get_with_auth(snom_path, snom_agent, phone_auth("snom")).status == 200
        assert service.get("/SEP0CD0F8A1B2C3.cnf.xml").status == 200
    assert mac


def test_unknown_phones_get_base_configs_and_status_0(tmp_path):
    published_site(tmp_path, without_autoprovision)
    with running_service(tmp_path) as service:
        # a Cisco enterprise phone the fleet does not have: its own file is not there, the default is
        assert service.get("/SEP0CD0F8A10001.cnf.xml").status == 404
        base = service.get("/XMLDefault.cnf.xml")
        assert base.status == 200
        assert base.body == (tmp_path / "www" / "XMLDefault.cnf.xml").read_bytes()
        # an unknown Poly phone: the base 000000000000.cfg, then its own file is missing
        # (a new phone comes with its vendor's phone-auth credential, in its provisioning URL)
        agent = "FileTransport PolycomVVX-VVX_450-UA/6.4.3.5156 Type/Application"
        assert as_phone(service, "poly", "/000000000000.cfg", agent).status == 200
        assert as_phone(service, "poly", "/64167f0a0b0c.cfg", agent).status == 404
        # an unknown Snom phone tells its MAC in ?mac=
        snom = "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 1.1.5-IFX-05.01.12)"
        assert as_phone(service, "snom", "/snomD785.htm?mac=000413AABBCC", snom).status == 200
        phones = service.phones()
    cisco, poly, snom_phone = phones["0cd0f8a10001"], phones["64167f0a0b0c"], phones["000413aabbcc"]
    assert (cisco["status"], cisco["source"], cisco["reported_vendor"]) == (0, None, "cisco")
    assert (poly["status"], poly["reported_model"], poly["firmware"]) == (0, "VVX 450", "6.4.3.5156")
    assert (snom_phone["status"], snom_phone["reported_model"]) == (0, "D785")
    assert phones["805ec0112233"]["status"] == 1  # configured, never contacted


@BOTH_DATABASES
def test_a_profile_change_moves_contacted_phones_to_2_and_back_to_3(tmp_path, request, database):
    published_site(tmp_path)
    fanvil_mac, fanvil_agent, fanvil_steps, _h = SEQUENCES["fanvil"]
    snom_mac, snom_agent, snom_steps, _h = SEQUENCES["snom"]
    with running_service(tmp_path, database_url=database_url(request, database, tmp_path)) as service:
        for path, _code in fanvil_steps:
            as_phone(service, "fanvil", path, fanvil_agent)
        for path, _code in snom_steps:
            as_phone(service, "snom", path, snom_agent)
        before = service.phones()
        assert (before[fanvil_mac]["status"], before[snom_mac]["status"]) == (3, 3)
        # the warehouse profile (the Fanvil phone's, not the Snom phone's) gets a new registrar
        profiles = tmp_path / "fleet" / "profiles.yml"
        text = profiles.read_text()
        assert "registrar: sbc.demo.invalid" in text
        profiles.write_text(text.replace("registrar: sbc.demo.invalid", "registrar: sbc-new.demo.invalid"))
        result = republish(tmp_path)
        assert fanvil_mac in result.phones_changed and snom_mac not in result.phones_changed
        service.reload()
        after = service.phones()
        assert (after[fanvil_mac]["status"], after[snom_mac]["status"]) == (2, 3)
        assert after["805ec0112233"]["status"] == 1  # never contacted stays 1
        for path, _code in fanvil_steps:
            assert b"sbc-new.demo.invalid" in as_phone(service, "fanvil", path, fanvil_agent).body
        final = service.phones()
        assert (final[fanvil_mac]["status"], final[snom_mac]["status"]) == (3, 3)


@BOTH_DATABASES
def test_autoprovisioning_50_concurrent_first_contacts_get_50_distinct_numbers(tmp_path, request, database):
    def pool_of_50(fleet: Path) -> None:
        settings = fleet / "settings.yml"
        text = settings.read_text().replace('number_pool: ["3000-3099"]', 'number_pool: ["3000-3049"]')
        # 50 phones at once from one address: above the default rates (test_autoprovision_abuse tests those)
        settings.write_text(text.replace("rate_per_source: 5", "rate_per_source: 100"))

    published_site(tmp_path, pool_of_50)
    macs = [f"0c383e99{index:04x}" for index in range(50)]

    def first_contact(mac: str):
        return mac, httpx.get(
            f"http://127.0.0.1:{service.port}/{mac}.cfg",
            headers={"User-Agent": f"Fanvil X6U 2.10.2.6887 {mac}"},
            auth=phone_auth("fanvil"),  # a stranger proves itself with its vendor's phone auth
        )

    with running_service(tmp_path, database_url=database_url(request, database, tmp_path)) as service:
        with ThreadPoolExecutor(max_workers=50) as pool:
            replies = dict(pool.map(first_contact, macs))
        numbers = {}
        for mac, reply in replies.items():
            assert reply.status_code == 200, (mac, reply.status_code)
            found = re.search(rb"<RegisterUser>(30\d\d)</RegisterUser>", reply.content)  # Fanvil's SIP user
            assert found, reply.content[:400]
            numbers[mac] = found.group(1).decode()
        assert len(set(numbers.values())) == 50
        assert set(numbers.values()) == {str(number) for number in range(3000, 3050)}
        status, assigned = service.api("/api/v1/autoprovisioned")
        assert status == 200
        assert {item["mac"]: item["number"] for item in assigned["phones"]} == numbers
        # the same phone asking again keeps its number
        again = httpx.get(
            f"http://127.0.0.1:{service.port}/{macs[0]}.cfg",
            headers={"User-Agent": f"Fanvil X6U 2.10.2.6887 {macs[0]}"},
            auth=phone_auth("fanvil"),
        )
        assert again.content == replies[macs[0]].content
        # the pool is full: the 51st phone is journaled and still gets the base files
        late = "0c383e99ffff"
        agent = f"Fanvil X6U 2.10.2.6887 {late}"
        assert as_phone(service, "fanvil", f"/{late}.cfg", agent).status == 404
        assert service.journal(mac=late)[0]["result"] == "pool-full"
        phones = service.phones()
    assert all(phones[mac]["status"] == 3 and phones[mac]["source"] == "autoprovision" for mac in macs)
    assert phones[late]["status"] == 0


def test_autoprovisioned_passwords_never_reach_the_journal_nor_the_api(tmp_path):
    published_site(tmp_path)
    mac = "0c383e77aa01"
    with running_service(tmp_path) as service:
        reply = as_phone(service, "fanvil", f"/{mac}.cfg", f"Fanvil X6U 2.10.2.6887 {mac}")
        assert reply.status == 200
        _status, assigned = service.api("/api/v1/autoprovisioned")
        (item,) = (item for item in assigned["phones"] if item["mac"] == mac)
        # the password of the number, derived from the fleet's secret, is the one the phone's file carries
        secret = reveal(demo_fleet().settings["autoprovision"]["password_secret"])
        password = pool_password(secret, item["number"])
        assert f"<RegisterPswd>{password}</RegisterPswd>".encode() in reply.body  # Fanvil's SIP password
        text = repr(service.journal(limit=1000))
        api_text = repr(assigned) + repr(service.phones()) + repr(service.api(f"/api/v1/phones/{mac}"))
    assert "password" not in item
    assert password not in text
    assert password not in api_text


def test_a_phone_whose_model_is_unknown_spends_no_number(tmp_path):
    published_site(tmp_path)
    with running_service(tmp_path) as service:
        # a Cisco enterprise phone says nothing but its file name: no model, no config can be made for it
        assert service.get("/SEP0CD0F8A10099.cnf.xml").status == 404
        assert service.get("/XMLDefault.cnf.xml").status == 200
        _status, assigned = service.api("/api/v1/autoprovisioned")
        entry = service.journal(mac="0cd0f8a10099")[-1]
        phone = service.phones()["0cd0f8a10099"]
    assert assigned["phones"] == []
    assert "autoprovision-failed:the phone did not report its model" in entry["evidence"]
    assert phone["status"] == 0


def published_without_pool_secret(directory: Path) -> None:
    """The bundle of a fleet published before ``settings.autoprovision.password_secret`` existed (validation
    now requires it, so no publish of today writes such a bundle)."""
    bundle = directory / "www/.phonefleet/service.json"
    data = json.loads(bundle.read_text())
    for _name, document in data["documents"]:
        if isinstance(document, dict) and "autoprovision" in (document.get("settings") or {}):
            del document["settings"]["autoprovision"]["password_secret"]
    bundle.write_text(json.dumps(data))


def test_a_pool_without_its_secret_refuses_cleanly_and_says_so_at_start(tmp_path, caplog):
    published_site(tmp_path)
    published_without_pool_secret(tmp_path)
    mac = "0c383e77aa02"
    with caplog.at_level(logging.WARNING, logger="phonefleet.service"), running_service(tmp_path) as service:
        _status, health = service.api("/api/v1/health")
        reply = as_phone(service, "fanvil", f"/{mac}.cfg", f"Fanvil X6U 2.10.2.6887 {mac}")
        _status, assigned = service.api("/api/v1/autoprovisioned")
        entry = service.journal(mac=mac)[0]
        phone = service.phones()[mac]
    # the fleet still loads (it was valid when published): only auto-provisioning stops, the rest is served
    assert (health["fleet_loaded"], health["fleet_error"]) == (True, None)
    assert reply.status == 404  # not a server error: the phone keeps its base files and asks again later
    assert assigned["phones"] == []  # no number spent
    assert entry["result"] == "not-found"
    assert "autoprovision-failed:settings.autoprovision.password_secret is not set" in entry["evidence"]
    assert phone["status"] == 0
    started = [record.getMessage() for record in caplog.records if record.name == "phonefleet.service"]
    assert any(
        "autoprovision is enabled but no phone can be auto-provisioned: settings.autoprovision.password_secret"
        " is not set" in message
        for message in started
    ), started


def test_cisco_firmware_is_found_by_its_bare_name(tmp_path):
    published_site(tmp_path, open_windows)
    with running_service(tmp_path) as service:
        # inside its firmware window the config names <loadInformation>sip8845_65.14-3-1-0001-60</loadInformation>:
        # the phone asks the root
        name = "sip8845_65.14-3-1-0001-60.loads"
        assert b"<loadInformation>sip8845_65.14-3-1-0001-60</loadInformation>" in service.get(
            "/SEP0CD0F8A1B2C3.cnf.xml"
        ).body.replace(b" ", b"")
        reply = service.get("/" + name)
        assert reply.status == 200
        assert reply.body == (tmp_path / "www" / "firmware" / name).read_bytes()
        assert service.get("/firmware/" + name).status == 200
