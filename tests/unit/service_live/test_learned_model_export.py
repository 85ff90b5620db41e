"""The model the service learned for a phone without one, written back into the fleet by
playbooks/export_autoprovisioned.yml (module autoprovisioned_export), as an engineer runs it.

Three phones without a model are published (publish names them); the Yealink asks the running service (curl,
its User-Agent naming a T46U, its vendor's phone auth) and is rendered for its model. The export then writes
``model: T46U`` into the phone in phones.yml, comments and order kept; check mode writes nothing; a second run
changes nothing; the next publish renders the phone itself, the same config the service made.
"""

from __future__ import annotations

import pytest
import yaml

from tests.support.modelless import AGENTS, GRANDSTREAM, MODELLESS, OWN_FILES, SNOM, YEALINK, add_modelless_phones
from tests.support.service import running_service

from .live_support import REPO, ansible_playbook, curl, live_site, publish, recap

pytestmark = pytest.mark.usefixtures("curl_required")
PLAYBOOK = REPO / "playbooks/export_autoprovisioned.yml"


def export(inventory, service, *args):
    service_vars = ["-e", f"phonefleet_service_url=http://127.0.0.1:{service.port}"]
    service_vars += ["-e", "phonefleet_service_token=admin-token-0123456789abcdef"]
    fleet = ["-e", f"phonefleet_fleet_dir={inventory / 'fleet'}"]
    return ansible_playbook(PLAYBOOK, "-i", str(inventory), *fleet, *service_vars, *args)


def test_the_learned_model_is_written_back_and_published_statically(tmp_path):
    inventory = live_site(tmp_path)
    add_modelless_phones(inventory / "fleet")
    published = publish(tmp_path)
    assert sorted(published.awaiting_model) == sorted(MODELLESS)
    phones = inventory / "fleet/phones.yml"
    original = phones.read_text()
    with running_service(tmp_path) as service:
        learned = curl(service.port, OWN_FILES[YEALINK], AGENTS[YEALINK], digest="yealink")
        assert learned.status == 200 and b"pw-2201-x" in learned.body
        # the Snom fetches a shared file only: its model is reported (a claim), never rendered with, never written
        assert curl(service.port, "/snomD785.htm", AGENTS[SNOM], digest="snom").status == 200
        assert service.phones()[SNOM]["reported_model"] == "D785"

        checked = export(inventory, service, "--check", "--diff")
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert recap(checked.stdout)["changed"] == 1
        assert "+model: T46U" in checked.stdout and "pw-2201" not in checked.stdout  # the line, no secret
        assert phones.read_text() == original

        applied = export(inventory, service)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert recap(applied.stdout)["changed"] == 1 and "model written for 1 phones" in applied.stdout
        text = phones.read_text()
        # one line added, after the phone's name; every other line as it was (comments, order, vault values)
        added = [line for line in text.splitlines() if line not in original.splitlines()]
        assert added == ["    model: T46U"]
        assert "    name: No model yealink\n    model: T46U\n" in text
        written = {phone["mac"]: phone for phone in yaml.safe_load(text.replace("!vault", ""))["phones"]}
        assert written["80:5e:c0:99:88:01"]["model"] == "T46U"
        assert "model" not in written["00:04:13:99:88:02"] and "model" not in written["c0:74:ad:99:88:03"]

        second = export(inventory, service)
        assert second.returncode == 0, second.stdout + second.stderr
        assert recap(second.stdout)["changed"] == 0 and phones.read_text() == text

        again = publish(tmp_path)  # the phone is rendered from the fleet now; the others still await theirs
        assert sorted(again.awaiting_model) == sorted([SNOM, GRANDSTREAM])
        assert (tmp_path / "www" / f"{YEALINK}.cfg").is_file()
        service.reload()
        # the files the phone fetched from the service's render are, byte for byte, the published ones: up to date
        assert service.phones()[YEALINK]["status"] == 3
        static = curl(service.port, OWN_FILES[YEALINK], AGENTS[YEALINK], digest="yealink")
        assert static.status == 200
        # the same config as the service made (line by line: the service's fleet comes from the bundle's JSON)
        assert sorted(static.body.splitlines()) == sorted(learned.body.splitlines())
        row = service.phones()[YEALINK]
        assert (row["status"], row["model"], row["learned_model"]) == (3, "T46U", None)
        served = [item for item in service.journal(mac=YEALINK) if item["result"] == "served"]
        assert "model-learned" not in served[0]["evidence"]  # the published file, not the service's render
