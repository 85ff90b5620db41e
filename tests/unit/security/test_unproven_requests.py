"""Issue 10, points 1 and 3, replayed as a stranger on the phones' network would: no secret of the fleet in
any answer to a request that proved nothing, over HTTP, TFTP and WPI, with the demo fleet as shipped; with a
fleet that turns protection off, shared and base files still hold no secret and the service says whose
secrets it serves to anyone.

A stranger knows every MAC (they are printed on the phones) and every vendor's User-Agent: each phone's
own files are asked for with that phone's exact User-Agent and headers (the simulator's boot plan), without
credentials, and with no User-Agent at all (``curl http://server/<mac>.cfg``).
"""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import httpx
import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import PublishError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.manifest import read_manifest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.render.renderer import FleetRenderer
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service import wpi

from tests.support.service import published_site, republish, running_service, serve_without_proof
from tests.unit.render_support import DEMO_FLEET, reveal
from tests.unit.service_tftp.conftest import serving

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator.boot import SimulatedPhone, plan  # noqa: E402


def fleet_secrets(fleet_dir: Path) -> dict[str, str]:
    """Every secret of the fleet, in clear, by where it is set."""
    fleet = load_fleet(str(fleet_dir))
    found = {}
    for vendor, auth in (fleet.settings.get("phone_auth") or {}).items():
        found[f"settings.phone_auth.{vendor}.password"] = reveal(auth["password"])
    found["settings.phone_control.password"] = reveal(fleet.settings["phone_control"]["password"])
    for name, profile in fleet.profiles.items():
        if profile.admin_password:
            found[f"profiles.{name}.admin_password"] = reveal(profile.admin_password)
    for phone in fleet.phones:
        if phone.admin_password:
            found[f"{phone.mac}.admin_password"] = reveal(phone.admin_password)
        for index, line in enumerate(phone.lines):
            if line.password:
                found[f"{phone.mac}.lines[{index}].password"] = reveal(line.password)
    assert len(found) > 15, found  # the demo fleet has lines on every phone: a scan of nothing proves nothing
    return found


def carried(data: bytes, secrets: dict[str, str]) -> list[str]:
    text = data.decode("utf-8", "replace")
    return [where for where, value in secrets.items() if value in text]


def files_by_owner(www: Path) -> tuple[list[str], dict[str, str]]:
    """(shared and base files, {a phone's own file: its MAC}) of a publish, firmware left out."""
    manifest = read_manifest(str(www))
    shared = sorted(name for name, entry in manifest.files.items() if not entry.get("phone"))
    own = {name: entry["phone"] for name, entry in manifest.files.items() if entry.get("phone")}
    return [name for name in shared if not name.startswith("firmware/")], own


EVERY_VENDOR = ("yealink", "cisco_mpp", "avaya", "unify", "atcom", "qtech", "poly", "grandstream", "snom", "fanvil")


def without_protection(fleet: Path) -> None:
    """The explicit, documented way to turn protection off: no phone auth, every vendor served anyway."""
    serve_without_proof(fleet, *EVERY_VENDOR)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    directory = tmp_path_factory.mktemp("shipped")
    published_site(directory)
    with running_service(directory) as service:
        yield directory, service


@pytest.fixture(scope="module")
def unprotected(tmp_path_factory):
    directory = tmp_path_factory.mktemp("unprotected")
    published_site(directory, without_protection)
    return directory


def phones_of(directory: Path) -> dict[str, SimulatedPhone]:
    fleet = load_fleet(str(directory / "fleet"))
    return {phone.mac: SimulatedPhone(phone.mac, phone.vendor, phone.model) for phone in fleet.phones}


# -- files served to anyone ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["shipped", "unprotected"])
def test_no_shared_or_base_file_of_any_vendor_holds_a_secret_of_the_fleet(request, fixture):
    value = request.getfixturevalue(fixture)
    directory = value[0] if isinstance(value, tuple) else value
    secrets = fleet_secrets(directory / "fleet")
    shared, _own = files_by_owner(directory / "www")
    vendors = {entry["vendor"] for entry in read_manifest(str(directory / "www")).files.values() if entry.get("vendor")}
    # every vendor whose phones fetch shared or base files (Fanvil and Qtech phones fetch their own only)
    assert vendors == {"atcom", "avaya", "cisco", "cisco_mpp", "grandstream", "poly", "snom", "unify", "yealink"}
    assert len(shared) > 15, shared
    for name in shared:
        assert carried((directory / "www" / name).read_bytes(), secrets) == [], name


def yealink_only(fleet: Path) -> None:
    """Phone auth for Yealink alone (the demo before issue 10), every other vendor served anyway, and no
    profile admin password (the other vendors' files, served to anyone, would give the Yealinks' away)."""
    serve_without_proof(fleet, *(vendor for vendor in EVERY_VENDOR if vendor != "yealink"))
    profiles = fleet / "profiles.yml"
    lines = profiles.read_text().splitlines(keepends=True)
    profiles.write_text("".join(line for line in lines if "admin_password: !vault" not in line))


def test_the_yealink_common_file_is_protected_by_what_it_is_not_by_the_claimed_vendor(tmp_path):
    """The attack of issue 10: Yealink phones authenticate, Atcom and Fanvil phones do not; the Yealink
    common file asked for with an Atcom, a Fanvil or no User-Agent was served (with the credentials)."""
    published_site(tmp_path, yealink_only)
    secrets = fleet_secrets(tmp_path / "fleet")
    common = "y000000000123.cfg"
    assert (tmp_path / "www" / common).exists()
    with running_service(tmp_path) as service:
        for agent in (None, "Fanvil X6U 2.10.2.6887 0c383e010203", "Atcom A20W 2.6.5.7 00:09:45:10:20:30", "curl/8"):
            reply = service.get("/" + common, agent)
            assert reply.status == 401, (agent, reply.status)  # Yealink's phone auth, whoever the request claims
            assert carried(reply.body, secrets) == []


def test_the_phone_auth_credentials_are_in_the_phones_own_file_only(shipped):
    directory, _service = shipped
    password = fleet_secrets(directory / "fleet")["settings.phone_auth.yealink.password"]
    own = (directory / "www" / "805ec0112233.cfg").read_text()
    assert f"static.auto_provision.server.password = {password}" in own
    assert password not in (directory / "www" / "y000000000123.cfg").read_text()


def test_publish_refuses_a_shared_file_that_would_carry_a_secret(tmp_path, monkeypatch):
    """A driver bug that puts a secret into a shared file (here: the control password into the Yealink
    common file) stops the publish, naming vendor, file, template and which secret; nothing is written."""
    published_site(tmp_path)
    before = {path.name: path.read_bytes() for path in (tmp_path / "www").glob("[!.]*") if path.is_file()}
    original = FleetRenderer.shared

    def leaking(renderer):
        files, owners = original(renderer)
        control = renderer.contexts.secret(renderer.fleet.settings["phone_control"]["password"])
        files["y000000000123.cfg"] += f"static.security.user_password = admin:{control}\n".encode()
        return files, owners

    monkeypatch.setattr(FleetRenderer, "shared", leaking)
    settings = tmp_path / "fleet" / "settings.yml"
    settings.write_text(settings.read_text().replace("http_port: 80", "http_port: 8080"))  # something to publish
    with pytest.raises(PublishError) as raised:
        republish(tmp_path)
    message = str(raised.value)
    assert "yealink: shared file y000000000123.cfg (template common.cfg.j2)" in message
    assert "settings.phone_control.password" in message
    assert fleet_secrets(tmp_path / "fleet")["settings.phone_control.password"] not in message
    after = {path.name: path.read_bytes() for path in (tmp_path / "www").glob("[!.]*") if path.is_file()}
    assert after == before


# -- a phone's own files, asked for by a stranger --------------------------------------------------------------


def test_no_phones_file_goes_to_a_request_that_proved_nothing_over_http(shipped):
    """Every phone's own files, asked for with its exact User-Agent and headers and with none: no secret,
    except Cisco enterprise phones', which the shipped fleet serves without proof explicitly."""
    directory, service = shipped
    secrets = fleet_secrets(directory / "fleet")
    phones = phones_of(directory)
    _shared, own = files_by_owner(directory / "www")
    served_anyway = 0
    for name, mac in sorted(own.items()):
        agent, headers, _steps = plan(phones[mac])
        for sent_agent, sent_headers in ((agent, headers), (None, {})):
            reply = service.get("/" + name, sent_agent, sent_headers)
            if phones[mac].vendor == "cisco":
                served_anyway += reply.status == 200
                continue
            assert reply.status in (401, 404), (name, sent_agent, reply.status)
            assert carried(reply.body, secrets) == [], name
    assert served_anyway > 0  # the explicit exception is one, not a hole in the test


def test_no_phones_file_goes_to_a_request_that_proved_nothing_over_tftp(shipped):
    directory, _service = shipped
    secrets = fleet_secrets(directory / "fleet")
    phones = phones_of(directory)
    shared, own = files_by_owner(directory / "www")
    with serving(directory) as tftp:
        for name in [*shared, *sorted(own)]:
            client = tftp.raw()  # a transfer of its own, from a port of its own, as a phone does
            try:
                first, data, _blocks = client.fetch(name)
            finally:
                client.close()
            if own.get(name) and phones[own[name]].vendor == "cisco":
                continue  # served without proof: the shipped fleet's explicit choice
            assert carried(data, secrets) == [], (name, first)


def test_a_phones_file_with_the_vendors_credential_but_another_identity_is_refused(shipped):
    """The vendor's phone-auth credential proves "one of our Yealink phones", not which: a Yealink phone
    states its MAC in every request, so a request that does not, or states another, gets nothing."""
    _directory, service = shipped
    password = fleet_secrets(shipped[0] / "fleet")["settings.phone_auth.yealink.password"]
    auth = httpx.DigestAuth("provisioning", password)
    own_agent = "Yealink SIP-T54W 96.86.0.45 80:5e:c0:11:22:33"
    other_agent = "Yealink SIP-T31G 96.86.0.100 00:15:65:4c:4c:26"
    assert service.get_with_auth("/805ec0112233.cfg", own_agent, auth).status == 200
    assert service.get_with_auth("/805ec0112233.cfg", other_agent, auth).status == 404
    reply = httpx.get(f"http://127.0.0.1:{service.port}/805ec0112233.cfg", auth=auth, headers={"User-Agent": ""})
    assert reply.status_code == 404
    service.app.service.flush()
    evidence = [entry["evidence"] for entry in service.journal(mac="805ec0112233") if entry["code"] == 404]
    assert any("mac-unstated" in (text or "") for text in evidence), evidence


def test_a_stranger_without_its_vendors_credential_gets_no_number(shipped):
    _directory, service = shipped
    reply = service.get("/0c383e5a7777.cfg", "Fanvil X4U 2.10.2.6887 0c383e5a7777")
    assert reply.status == 401  # asked for Fanvil's phone-auth credential
    assert "0c383e5a7777" not in {mac for mac, row in service.phones().items() if row["source"] == "autoprovision"}


def test_a_wpi_start_up_naming_a_fleet_phone_gets_no_items(shipped):
    directory, service = shipped
    secrets = fleet_secrets(directory / "fleet")
    head = f'<WorkpointMessage xmlns="{wpi.NAMESPACE}"><Message nonce="58D4EE11C844865CAF0E9AA11ED2856F" maxItems="-1">'
    body = (
        f"{head}<ReasonForContact>start-up</ReasonForContact><ItemList>"
        '<Item name="mac-addr">00:1A:E8:55:66:77</Item><Item name="device-type">OpenScape Desk Phone CP400</Item>'
        "</ItemList></Message></WorkpointMessage>"
    )
    reply = httpx.post(f"http://127.0.0.1:{service.port}{wpi.PATH}", content=body.encode(), timeout=10)
    assert reply.status_code == 200
    assert b"CleanUp" in reply.content and b"sip-pwd" not in reply.content
    assert carried(reply.content, secrets) == []


# -- protection turned off: explicit, and said ------------------------------------------------------------------


def test_a_fleet_without_protection_is_served_and_the_service_says_so(unprotected, caplog):
    secrets = fleet_secrets(unprotected / "fleet")
    with caplog.at_level(logging.WARNING, logger="phonefleet.service"), running_service(unprotected) as service:
        reply = service.get("/805ec0112233.cfg")
        assert reply.status == 200 and carried(reply.body, secrets)  # what the fleet chose, and was told
    warned = [record.getMessage() for record in caplog.records if "served without proof" in record.getMessage()]
    assert len(warned) == 11, warned


def test_a_vendor_with_no_way_to_prove_itself_gets_nothing_and_publish_says_why(tmp_path):
    def snom_unprotected(fleet: Path) -> None:
        settings = fleet / "settings.yml"
        settings.write_text(settings.read_text().replace("    snom: *phone_auth\n", ""))

    shutil.copytree(DEMO_FLEET, tmp_path / "fleet")
    snom_unprotected(tmp_path / "fleet")
    result = republish(tmp_path)
    assert any(warning.startswith("snom: phones get no config") for warning in result.warnings), result.warnings
    with running_service(tmp_path) as service:
        agent = "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 1.1.5-IFX-05.01.12 000413010203)"
        assert service.get("/000413010203.xml", agent).status == 404
        stranger = "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 1.1.5-IFX-05.01.12 000413aaaaaa)"
        assert service.get("/000413AAAAAA.xml", stranger).status == 404
        assert service.phones().get("000413aaaaaa", {}).get("source") != "autoprovision"


def test_no_number_for_a_mac_no_phone_can_have(shipped):
    """Multicast and broadcast MACs (and those a shared file's name holds) are refused by validation in the
    fleet; a request claiming one, even with the vendor's credential, gets no number either."""
    directory, service = shipped
    password = fleet_secrets(directory / "fleet")["settings.phone_auth.fanvil.password"]
    auth = httpx.DigestAuth("provisioning", password)
    for mac in ("0d383e5a0001", "ffffffffffff"):
        reply = service.get_with_auth(f"/{mac}.cfg", f"Fanvil X4U 2.10.2.6887 {mac}", auth)
        assert reply.status == 404, (mac, reply.status)
    service.app.service.flush()
    assigned = {mac for mac, row in service.phones().items() if row["source"] == "autoprovision"}
    assert not assigned & {"0d383e5a0001", "ffffffffffff"}
    evidence = [entry["evidence"] or "" for entry in service.journal(mac="0d383e5a0001")]
    assert any("mac-reserved" in text for text in evidence), evidence


def test_with_access_keys_on_a_vendor_served_without_proof_needs_no_key(tmp_path):
    """Access keys for every phone that can carry one; Cisco enterprise phones cannot (the TFTP root's
    SEP<MAC>.cnf.xml), and the fleet lists them in serve_without_proof: they are served, the others not."""

    def keys_on(fleet: Path) -> None:
        settings = fleet / "settings.yml"
        settings.write_text(settings.read_text().replace("access_keys: false", "access_keys: true"))

    published_site(tmp_path, keys_on)
    with running_service(tmp_path) as service:
        assert service.get("/SEP0CD0F8A1B2C3.cnf.xml").status == 200
        fanvil = "Fanvil X6U 2.10.2.6887 0c383e010203"
        credential = httpx.DigestAuth(
            "provisioning", fleet_secrets(tmp_path / "fleet")["settings.phone_auth.fanvil.password"]
        )
        assert service.get_with_auth("/0c383e010203.cfg", fanvil, credential).status == 404  # no key


def test_a_phone_served_without_proof_may_carry_only_its_own_secrets(tmp_path):
    """Cisco enterprise files go to anyone (the fleet's explicit choice): with the profile's admin password,
    shared with every other vendor's phones and the control login, they would give those away too."""
    shutil.copytree(DEMO_FLEET, tmp_path / "fleet")
    phones = tmp_path / "fleet" / "phones.yml"
    text = phones.read_text()
    phones.write_text("".join(line for line in text.splitlines(keepends=True) if "admin_password: !vault" not in line))
    with pytest.raises(PublishError) as raised:
        republish(tmp_path)
    message = str(raised.value)
    assert "cisco: phone 0c:d0:f8:a1:b2:c3 (Director): SEP0CD0F8A1B2C3.cnf.xml is served without proof" in message
    assert "profiles.office.admin_password" in message and "settings.phone_control.password" in message
    assert not (tmp_path / "www" / "SEP0CD0F8A1B2C3.cnf.xml").exists()


def test_the_shipped_cisco_files_hold_no_secret_of_another_phone_or_of_the_fleet(shipped):
    directory, _service = shipped
    secrets = fleet_secrets(directory / "fleet")
    mine = {where for where in secrets if where.startswith("0cd0f8a1b2c3.")}
    others = {where: value for where, value in secrets.items() if where not in mine}
    assert carried((directory / "www" / "SEP0CD0F8A1B2C3.cnf.xml").read_bytes(), others) == []


@pytest.mark.parametrize("trusted", ["", "127.0.0.1"])
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(tmp_path, trusted):
    """Without a proxy in front (the demo), nobody's X-Forwarded-For moves a phone's address; behind nginx on
    the same host (forwarded_allow_ips: 127.0.0.1, as the role sets it up) nginx's is."""
    published_site(tmp_path)
    password = fleet_secrets(tmp_path / "fleet")["settings.phone_auth.avaya.password"]
    agent = "Mozilla/4.0 (compatible; MSIE 6.0) AVAYA/J179-4.1.6.0.6 (MAC:24d921aabb01)"
    with running_service(tmp_path, forwarded_allow_ips=trusted) as service:
        client = httpx.Client(auth=httpx.DigestAuth("provisioning", password), timeout=10)
        reply = client.get(
            f"http://127.0.0.1:{service.port}/24d921aabb01.cfg",
            headers={"User-Agent": agent, "X-Forwarded-For": "10.66.66.66"},
        )
        assert reply.status_code == 200
        service.app.service.flush()
        address = service.phones()["24d921aabb01"]["ip"]
    assert address == ("10.66.66.66" if trusted else "127.0.0.1")
