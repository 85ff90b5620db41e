"""The CSV export with what a running provisioning service saw, as a user runs playbooks/export_csv.yml.

The demo fleet is published and served on loopback; phones ask with curl (a known Yealink fetches its config,
a known Cisco only asks for its security file, an unknown Yealink is auto-provisioned); then the export runs
with the service's URL and an auditor token in the environment, as the playbook's header tells.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import time

import pytest

from tests.support.service import AUDITOR_TOKEN, free_port, running_service
from tests.unit.render_support import demo_fleet, reveal

from .live_support import (
    KNOWN_CISCO,
    KNOWN_YEALINK,
    NEW_YEALINK_T46U,
    REPO,
    ansible_playbook,
    ask_for_config,
    curl,
    live_site,
    recap,
)

pytestmark = pytest.mark.usefixtures("curl_required")

EXPORT = REPO / "playbooks" / "export_csv.yml"
IMPORT = REPO / "playbooks" / "import_csv.yml"
LIVE_HEADER = ["Status", "Status text", "IP address", "Firmware version", "Last contact"]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    directory = tmp_path_factory.mktemp("export-live")
    inventory = live_site(directory)
    with running_service(directory) as service:
        assert ask_for_config(service.port, KNOWN_YEALINK).status == 200
        assert ask_for_config(service.port, NEW_YEALINK_T46U).status == 200  # auto-provisioned: not in the fleet
        assert curl(service.port, f"/CTLSEP{KNOWN_CISCO.upper()}.tlv").status == 404  # a contact, no config
        yield directory, inventory, service


def export(inventory, dest, *args, url=None, token=AUDITOR_TOKEN, variables=False):
    """Run the export playbook; the service in the environment (which the inventory plugin reads too), or with
    ``variables`` in the playbook's variables only (so the inventory does not ask a service that is down)."""
    command = [EXPORT, "-i", str(inventory / "phonefleet.yml"), "-e", f"phonefleet_csv={dest}", *args]
    if variables:
        extra = {"phonefleet_service_url": url, "phonefleet_service_token": token}
        return ansible_playbook(*command, "-e", json.dumps(extra))
    return ansible_playbook(*command, PHONEFLEET_SERVICE_URL=url, PHONEFLEET_SERVICE_TOKEN=token)


def rows_of(path) -> dict[str, list[str]]:
    """The CSV's rows by MAC, the header under "header"."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))
    return {"header": rows[0]} | {row[0]: row for row in rows[1:]}


def secrets_of_the_demo() -> list[str]:
    """The demo fleet's SIP passwords, phone auth and phone control passwords, in clear."""
    fleet = demo_fleet()
    secrets = [reveal(line.password) for phone in fleet.phones for line in phone.lines if line.password]
    secrets += [reveal(entry["password"]) for entry in fleet.settings["phone_auth"].values()]
    secrets.append(reveal(fleet.settings["phone_control"]["password"]))
    assert len(secrets) > 10 and all(secrets)
    return secrets


def test_the_export_carries_what_the_service_saw(live):
    directory, inventory, service = live
    url = f"http://127.0.0.1:{service.port}"
    dest = directory / "phones-live.csv"
    before = time.time()
    done = export(inventory, dest, url=url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert recap(done.stdout)["failed"] == 0
    rows = rows_of(dest)
    assert rows["header"] == ["MAC", "Name", "Number", "Username", "Profile", "Firmware kit", *LIVE_HEADER]

    reception = rows["80:5e:c0:11:22:33"]
    assert reception[1] == "Reception"
    assert reception[-5:-1] == ["3", "up to date", "127.0.0.1", "96.86.0.45"]
    contact = calendar.timegm(time.strptime(reception[-1], "%Y-%m-%dT%H:%M:%SZ"))
    assert before - 600 < contact <= time.time()  # the time it asked, in UTC

    director = rows["0c:d0:f8:a1:b2:c3"]
    assert director[-5:-3] == ["2", "change not yet fetched, firmware pending"]
    assert director[-3] == "127.0.0.1"  # it proved nothing: the address it asked from
    meeting_room = rows["00:15:65:4c:4c:26"]
    assert meeting_room[-5:] == ["1", "configured, never contacted", "", "", ""]
    assert "80:5e:c0:99:88:77" not in rows  # the auto-provisioned phone is no phone of the fleet

    written = dest.read_bytes().decode("utf-8-sig")
    for secret in [AUDITOR_TOKEN, *secrets_of_the_demo()]:
        assert secret not in written
        assert secret not in done.stdout + done.stderr

    # The file goes back in as it is: the import reads past the live columns and changes nothing.
    imported = ansible_playbook(IMPORT, "-i", str(inventory / "phonefleet.yml"), "-e", f"phonefleet_csv={dest}")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert recap(imported.stdout)["changed"] == 0


def test_a_selection_by_status_asks_the_service(live):
    directory, inventory, service = live
    dest = directory / "stale.csv"
    url = f"http://127.0.0.1:{service.port}"
    done = export(inventory, dest, "-e", '{"phonefleet_select": {"status": [2, 3]}}', url=url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 phones written" in done.stdout
    assert sorted(rows_of(dest)) == ["0c:d0:f8:a1:b2:c3", "80:5e:c0:11:22:33", "header"]


def test_a_service_that_cannot_be_reached(live):
    directory, inventory, _service = live
    down = f"http://127.0.0.1:{free_port()}"
    dest = directory / "without-live.csv"

    # auto (the default): the export is written without the live columns, and says why
    done = export(inventory, dest, url=down, variables=True)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "live facts left out of the export (live: auto): cannot reach the provisioning service" in output
    assert rows_of(dest)["header"] == ["MAC", "Name", "Number", "Username", "Profile", "Firmware kit"]

    # always: the task fails, naming the service (never the token)
    done = export(inventory, directory / "always.csv", "-e", "phonefleet_live=always", url=down, variables=True)
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert f"live facts: cannot reach the provisioning service at {down}/api/v1/phones" in output
    assert AUDITOR_TOKEN not in output
    assert not (directory / "always.csv").exists()

    # a selection on what the service saw cannot be made without it, whatever live says
    select = '{"phonefleet_select": {"status": 1}}'
    done = export(inventory, directory / "status.csv", "-e", select, url=down, variables=True)
    assert done.returncode != 0
    assert "live facts: cannot reach the provisioning service" in done.stdout + done.stderr


def test_a_refused_token_fails_always_and_is_never_shown(live):
    directory, inventory, service = live
    url = f"http://127.0.0.1:{service.port}"
    wrong = "not-a-token-of-this-service-0123"
    done = export(
        inventory, directory / "refused.csv", "-e", "phonefleet_live=always", url=url, token=wrong, variables=True
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert "refused the API token (HTTP 401" in output
    assert wrong not in output


def test_a_bulk_change_by_status_with_a_refused_token_changes_nothing_and_never_shows_it(live):
    """phones_bulk asks the service through the same client and options as the exports: the refusal names the
    service, the token stays out of everything shown, and the fleet is left as it was."""
    _directory, inventory, service = live
    fleet = {path.name: path.read_bytes() for path in (inventory / "fleet").iterdir() if path.is_file()}
    wrong = "not-a-token-of-this-service-4567"
    answers = {
        "phonefleet_select_status": [1, 2],
        "phonefleet_profile": "office",
        "phonefleet_service_url": f"http://127.0.0.1:{service.port}",
        "phonefleet_service_token": wrong,
    }
    done = ansible_playbook(
        REPO / "playbooks" / "phones_bulk.yml", "-i", str(inventory / "phonefleet.yml"), "-e", json.dumps(answers)
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert f"http://127.0.0.1:{service.port}/api/v1/phones refused the API token (HTTP 401" in output
    assert wrong not in output
    assert {path.name: path.read_bytes() for path in (inventory / "fleet").iterdir() if path.is_file()} == fleet
