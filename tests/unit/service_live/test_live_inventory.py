"""The fleet inventory with live facts from a running provisioning service, as ansible-inventory shows it.

The demo fleet is published and served; phones ask over HTTP with curl (a known Yealink fetches its config,
a known Cisco only asks for its security file, an unknown Yealink is auto-provisioned, an unknown Cisco gets
nothing); then ``ansible-inventory --list`` runs with ``service_url`` and a token.
"""

from __future__ import annotations

import json

import pytest

from tests.support.service import ADMIN_TOKEN, API_TOKEN, AUDITOR_TOKEN, free_port, running_service
from tests.unit.render_support import demo_vault

from .live_support import (
    KNOWN_CISCO,
    KNOWN_YEALINK,
    NEW_CISCO,
    NEW_YEALINK_T46U,
    ansible_inventory,
    ask_for_config,
    curl,
    listing,
    live_site,
)

pytestmark = pytest.mark.usefixtures("curl_required")

CONFIG = """
compose:
  phone_label: phone_name | default('?') ~ ' (' ~ phone_status_text | default('unknown') ~ ')'
groups:
  stale_config: phone_status | default(-1) == 2
keyed_groups:
  - key: phone_firmware | default('unknown')
    prefix: firmware
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    directory = tmp_path_factory.mktemp("live")
    inventory = live_site(directory, CONFIG)
    with running_service(directory) as service:
        assert ask_for_config(service.port, KNOWN_YEALINK).status == 200
        assert ask_for_config(service.port, NEW_YEALINK_T46U).status == 200  # auto-provisioned: number 3000
        # The Cisco phones ask for their security file first (404 without a CUCM): a contact, no config fetched.
        assert curl(service.port, f"/CTLSEP{KNOWN_CISCO.upper()}.tlv").status == 404
        assert curl(service.port, f"/SEP{NEW_CISCO.upper()}.cnf.xml").status == 404
        yield inventory, service


def run_live(inventory, service, *args, token=AUDITOR_TOKEN):
    return ansible_inventory(
        inventory,
        "--list",
        *args,
        PHONEFLEET_SERVICE_URL=f"http://127.0.0.1:{service.port}",
        PHONEFLEET_SERVICE_TOKEN=token,
    )


def test_fleet_phones_get_the_service_facts(live):
    inventory, service = live
    found = listing(run_live(inventory, service, token=API_TOKEN))  # the api role reads the phones
    hostvars = found["_meta"]["hostvars"]
    reception = hostvars[KNOWN_YEALINK[0]]
    assert reception["ansible_host"] == "127.0.0.1"
    assert reception["phone_status"] == 3
    assert reception["phone_status_text"] == "up to date"
    assert reception["phone_firmware"] == "96.86.0.45"
    assert reception["phone_reported_model"] == "T54W"
    assert isinstance(reception["phone_last_contact"], float)
    assert reception["phone_name"] == "Reception"  # the fleet's facts stay
    assert reception["phone_label"] == "Reception (up to date)"  # compose sees the live facts

    director = hostvars[KNOWN_CISCO]
    assert director["phone_status"] == 2  # contacted, its config not fetched
    # a Cisco request proves nothing (no access key, no phone auth): its address is shown, never used
    assert "ansible_host" not in director and "phone_address_proven" not in director
    assert (director["phone_last_ip"], director["phone_last_ip_proven"]) == ("127.0.0.1", False)
    assert (reception["phone_address_proven"], reception["phone_last_ip_proven"]) == (True, True)
    assert "phone_reported_model" not in director  # the security file request does not say

    lobby = hostvars["2c3f38aa0001"]
    assert lobby["phone_status"] == 1
    assert "ansible_host" not in lobby and "phone_last_contact" not in lobby

    assert len(found["phones"]["hosts"]) == 14
    assert KNOWN_YEALINK[0] in found["status_3"]["hosts"]
    assert found["status_2"]["hosts"] == [KNOWN_CISCO]
    assert found["stale_config"]["hosts"] == [KNOWN_CISCO]
    assert len(found["status_1"]["hosts"]) == 12
    assert KNOWN_YEALINK[0] in found["firmware_96_86_0_45"]["hosts"]


def test_phones_the_fleet_does_not_have_are_discovered(live):
    inventory, service = live
    found = listing(run_live(inventory, service))
    hostvars = found["_meta"]["hostvars"]
    assert sorted(found["discovered"]["hosts"]) == sorted([NEW_CISCO, NEW_YEALINK_T46U[0]])
    assert not set(found["discovered"]["hosts"]) & set(found["phones"]["hosts"])

    auto = hostvars[NEW_YEALINK_T46U[0]]
    assert auto["phone_source"] == "autoprovision"
    assert auto["phone_status"] == 3  # it fetched the config the service rendered for it
    assert auto["phone_number"] == "3000"
    assert auto["phone_name"] == "Autoprovisioned 3000"
    assert auto["phone_mac"] == "80:5e:c0:99:88:77"
    assert (auto["phone_vendor"], auto["phone_model"], auto["phone_reported_model"]) == ("yealink", "T46U", "T46U")
    assert auto["phone_firmware"] == "66.86.0.100"
    assert auto["ansible_host"] == "127.0.0.1"
    assert auto["ansible_connection"] == "local"
    assert "phone_lines" not in auto  # the credentials stay on the service
    assert NEW_YEALINK_T46U[0] in found["vendor_yealink"]["hosts"]
    assert found["model_t46u"]["hosts"] == [NEW_YEALINK_T46U[0]]
    assert NEW_YEALINK_T46U[0] in found["status_3"]["hosts"]

    unknown = hostvars[NEW_CISCO]
    assert unknown["phone_source"] == "unconfigured"
    assert unknown["phone_status"] == 0
    assert unknown["phone_status_text"] == "contacted, no config"
    assert unknown["phone_vendor"] == "cisco"
    assert "phone_model" not in unknown and "phone_number" not in unknown
    assert found["status_0"]["hosts"] == [NEW_CISCO]
    assert NEW_CISCO in found["vendor_cisco"]["hosts"]


def test_discovered_phones_can_be_left_out(live):
    inventory, service = live
    config = inventory / "phonefleet.yml"
    text = config.read_text()
    try:
        config.write_text(text + "discovered_phones: false\n")
        found = listing(run_live(inventory, service))
    finally:
        config.write_text(text)
    hostvars = found["_meta"]["hostvars"]
    assert NEW_CISCO not in hostvars and NEW_YEALINK_T46U[0] not in hostvars
    assert "discovered" not in found
    assert not found.get("status_0", {}).get("hosts")  # --list leaves out empty groups
    assert hostvars[KNOWN_YEALINK[0]]["phone_status"] == 3


def test_options_in_the_file_a_template_or_vault_token_and_an_admin_token(live):
    inventory, service = live
    config = inventory / "phonefleet.yml"
    text = config.read_text()
    vaulted = demo_vault().encrypt(ADMIN_TOKEN.encode()).decode()
    tokens = {
        "template": f"\"{{{{ '{ADMIN_TOKEN}' }}}}\"",
        "vault": "!vault |\n" + "".join(f"  {line}\n" for line in vaulted.splitlines()),
    }
    for kind, token in tokens.items():
        try:
            config.write_text(
                text + f"service_url: http://127.0.0.1:{service.port}/\nservice_token: {token}\n"
                "service_timeout: 5\nservice_validate_certs: false\n"
            )
            result = ansible_inventory(inventory, "--list")
        finally:
            config.write_text(text)
        assert listing(result)["_meta"]["hostvars"][KNOWN_YEALINK[0]]["phone_status"] == 3, kind


def test_live_facts_are_read_again_when_the_inventory_is_cached(live, tmp_path):
    inventory, service = live
    config = inventory / "phonefleet.yml"
    text = config.read_text()
    mac, agent = "805ec0aabbcc", "Yealink SIP-T54W 96.86.0.45 80:5e:c0:aa:bb:cc"
    try:
        config.write_text(
            text + f"cache: true\ncache_plugin: ansible.builtin.jsonfile\ncache_connection: {tmp_path / 'cache'}\n"
        )
        first = listing(run_live(inventory, service))
        assert mac not in first["_meta"]["hostvars"]
        assert ask_for_config(service.port, (mac, agent)).status == 200
        second = listing(run_live(inventory, service))
    finally:
        config.write_text(text)
    assert second["_meta"]["hostvars"][mac]["phone_source"] == "autoprovision"
    cached = "".join(path.read_text() for path in (tmp_path / "cache").iterdir())
    assert "phone_status" not in cached and "discovered" not in cached  # the cache holds the fleet's facts only


def test_a_wrong_token_fails_naming_the_url_never_the_token(live):
    inventory, service = live
    token = "not-a-token-of-this-service-42"
    result = run_live(inventory, service, token=token)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"the provisioning service at http://127.0.0.1:{service.port}/api/v1/phones refused the API token" in output
    assert "HTTP 401" in output
    assert token not in output


def test_an_unreachable_service_fails_naming_the_url(live):
    inventory, _service = live
    port = free_port()
    token = AUDITOR_TOKEN
    result = ansible_inventory(
        inventory,
        "--list",
        PHONEFLEET_SERVICE_URL=f"http://phonefleet:secret-in-url@127.0.0.1:{port}",
        PHONEFLEET_SERVICE_TOKEN=token,
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"cannot reach the provisioning service at http://127.0.0.1:{port}/api/v1/phones" in output
    assert token not in output and "secret-in-url" not in output


def test_no_token_is_a_clear_error(live):
    inventory, service = live
    result = ansible_inventory(inventory, "--list", PHONEFLEET_SERVICE_URL=f"http://127.0.0.1:{service.port}")
    assert result.returncode != 0
    assert "no API token for the provisioning service" in result.stderr
    assert "set service_token or PHONEFLEET_SERVICE_TOKEN" in result.stderr


def test_without_service_url_the_inventory_is_the_fleet_alone(live):
    inventory, _service = live
    found = listing(ansible_inventory(inventory, "--list"))
    assert "discovered" not in found and "status_3" not in found
    assert "phone_status" not in json.dumps(found)
