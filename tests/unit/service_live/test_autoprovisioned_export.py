"""playbooks/export_autoprovisioned.yml against a running provisioning service, as an engineer runs it.

Two unknown Yealink phones are auto-provisioned over HTTP (curl); the export then writes them into the
fleet: check mode writes nothing, the written file holds vault passwords, validates, publishes, and the
phones get the same config from the fleet; a second run changes nothing; release hands the numbers back.
"""

from __future__ import annotations

import re

import pytest
import yaml
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import VaultValue
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import ServiceApi, ServiceApiError

from tests.support.service import API_TOKEN, AUDITOR_TOKEN, running_service
from tests.unit.render_support import reveal

from .live_support import (
    NEW_CISCO,
    NEW_YEALINK_T46U,
    NEW_YEALINK_T54W,
    REPO,
    ansible_playbook,
    ask_for_config,
    curl,
    live_site,
    publish,
    recap,
)

pytestmark = pytest.mark.usefixtures("curl_required")
PLAYBOOK = REPO / "playbooks/export_autoprovisioned.yml"


@pytest.fixture
def site(tmp_path):
    inventory = live_site(tmp_path)
    with running_service(tmp_path) as service:
        first = {phone[0]: ask_for_config(service.port, phone) for phone in (NEW_YEALINK_T46U, NEW_YEALINK_T54W)}
        assert {mac: fetched.status for mac, fetched in first.items()} == dict.fromkeys(first, 200)
        assert curl(service.port, f"/SEP{NEW_CISCO.upper()}.cnf.xml").status == 404  # status 0, no number
        yield tmp_path, inventory, service, first


def export(inventory, service, *args, token=API_TOKEN, environment=False):
    """The playbook with the service given as extra vars, or in the environment (which the inventory reads too)."""
    url = f"http://127.0.0.1:{service.port}"
    service_vars = (
        [] if environment else ["-e", f"phonefleet_service_url={url}", "-e", f"phonefleet_service_token={token}"]
    )
    env = {"PHONEFLEET_SERVICE_URL": url, "PHONEFLEET_SERVICE_TOKEN": token} if environment else {}
    fleet = ["-e", f"phonefleet_fleet_dir={inventory / 'fleet'}"]
    return ansible_playbook(PLAYBOOK, "-i", str(inventory), *fleet, *service_vars, *args, **env)


def served_password(body: bytes) -> str:
    found = re.search(rb"^account\.1\.password = (.+)$", body, re.MULTILINE)
    assert found, body[:400]
    return found.group(1).decode()


def assignments(service) -> dict:
    status, data = service.api("/api/v1/autoprovisioned")
    assert status == 200, data
    return {item["mac"]: item for item in data["phones"]}


def test_export_check_apply_publish_again_and_release(site):
    directory, inventory, service, first = site
    assigned = assignments(service)
    assert sorted(assigned) == sorted(first)
    assert not any("password" in item for item in assigned.values())  # the API gives out no secret
    # the password each phone was given, as its file carries it (Yealink account.1.password)
    served = {mac: served_password(fetched.body) for mac, fetched in first.items()}
    passwords = list(served.values())
    dest = inventory / "fleet/autoprovisioned.yml"

    checked = export(inventory, service, "--check", "--diff")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert recap(checked.stdout)["changed"] == 1
    assert "2 exported to" in checked.stdout
    assert "+- mac: 80:5e:c0:99:88:77" in checked.stdout and "password: '********'" in checked.stdout
    assert not any(password in checked.stdout + checked.stderr for password in passwords)
    assert "$ANSIBLE_VAULT" not in checked.stdout
    assert not dest.exists()
    assert sorted(assignments(service)) == sorted(first)

    applied = export(inventory, service)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert recap(applied.stdout)["changed"] == 1
    text = dest.read_text()
    assert text.startswith("# Phones the provisioning service auto-provisioned")
    assert text.count("password: !vault |") == 2
    assert not any(password in text + applied.stdout + applied.stderr for password in passwords)
    written = {phone["mac"]: phone for phone in yaml.safe_load(text.replace("!vault", ""))["phones"]}
    assert written["80:5e:c0:99:88:77"]["model"] == "T46U"
    assert written["80:5e:c0:44:55:66"]["profile"] == "office"
    assert written["80:5e:c0:44:55:66"]["firmware_kit"] == "2026-q3"

    fleet = load_fleet(str(inventory / "fleet"))
    for mac, item in assigned.items():
        line = fleet.phone(mac).lines[0]
        assert isinstance(line.password, VaultValue)
        # derived by the export from the fleet's secret: the very password the service gave the phone
        assert (line.number, line.username, reveal(line.password)) == (item["number"], item["username"], served[mac])

    validated = ansible_playbook(
        REPO / "playbooks/validate.yml", "-e", f"phonefleet_fleet_dir={inventory / 'fleet'}", "-i", str(inventory)
    )
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "16 phones" in validated.stdout

    published = publish(directory)
    assert not published.errors
    assert published.phones == 16
    for mac in first:
        assert (directory / "www" / f"{mac}.cfg").exists()
    service.reload()
    for phone in (NEW_YEALINK_T46U, NEW_YEALINK_T54W):
        again = ask_for_config(service.port, phone)
        assert again.status == 200
        # The same config, now from the fleet. Line by line: the service renders auto-provisioned phones from
        # the publish bundle (.phonefleet/service.json), whose JSON has its mapping keys sorted, so extended
        # set parameters may come in another order there than in the fleet file.
        assert sorted(again.body.splitlines()) == sorted(first[phone[0]].body.splitlines())
    rows = service.phones()
    assert {rows[mac]["source"] for mac in first} == {"fleet"}
    assert {rows[mac]["status"] for mac in first} == {3}

    second = export(inventory, service)
    assert second.returncode == 0, second.stdout + second.stderr
    assert recap(second.stdout)["changed"] == 0
    assert "0 exported to" in second.stdout and "2 already in the fleet" in second.stdout
    assert dest.read_text() == text

    released = export(inventory, service, "-e", "phonefleet_release=true")
    assert released.returncode == 0, released.stdout + released.stderr
    assert recap(released.stdout)["changed"] == 1
    assert "2 released on the service" in released.stdout
    assert "published fleet yet" not in released.stderr  # both phones are published: releasing them is safe
    assert assignments(service) == {}
    assert dest.read_text() == text

    third = export(inventory, service, "-e", "phonefleet_release=true")
    assert third.returncode == 0, third.stdout + third.stderr
    assert recap(third.stdout)["changed"] == 0


def test_releasing_phones_not_published_yet_warns(site):
    _directory, inventory, service, _first = site
    result = export(inventory, service, "-e", "phonefleet_release=true", environment=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 exported to" in result.stdout and "2 released on the service" in result.stdout
    warning = " ".join(result.stderr.split())
    assert "which the service does not serve from a published fleet yet: publish the fleet now" in warning
    assert assignments(service) == {}
    assert (inventory / "fleet/autoprovisioned.yml").exists()


def test_an_auditor_token_cannot_read_credentials(site):
    _directory, inventory, service, _first = site
    result = export(inventory, service, token=AUDITOR_TOKEN)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"http://127.0.0.1:{service.port}/api/v1/autoprovisioned refused the API token's role (HTTP 403" in output
    assert "the role auditor may not do this (allowed: administrator, api)" in output
    assert AUDITOR_TOKEN not in output
    assert not (inventory / "fleet/autoprovisioned.yml").exists()


def test_a_wrong_token_fails_without_showing_it(site):
    _directory, inventory, service, _first = site
    token = "wrong-token-never-shown-0123"
    result = export(inventory, service, token=token)
    assert result.returncode != 0
    assert "refused the API token (HTTP 401" in result.stdout
    assert token not in result.stdout + result.stderr


def test_a_service_refusing_the_controller_for_a_while_says_when_to_retry(site):
    """After five wrong tokens from the controller's address the service answers 429 to every token from it, the
    right one too: the task says so, with the Retry-After, and shows no token."""
    _directory, inventory, service, _first = site
    wrong = "wrong-token-never-shown-4567"
    for _attempt in range(5):
        with pytest.raises(ServiceApiError, match=r"HTTP 401"):
            ServiceApi(f"http://127.0.0.1:{service.port}", wrong).phones()
    result = export(inventory, service)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert re.search(
        rf"the provisioning service at http://127\.0\.0\.1:{service.port}/api/v1/autoprovisioned refuses requests for"
        r" a while \(HTTP 429: too many failed logins: try again later\); retry in \d+ s \(the service's Retry-After\)",
        output,
    ), output
    assert API_TOKEN not in output and wrong not in output
    assert not (inventory / "fleet/autoprovisioned.yml").exists()
