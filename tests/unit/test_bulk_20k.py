"""Issue 12's bulk acceptance: a 20,000-phone fleet, the profile of every phone of one site changed in one run;
the fleet stays valid, comments survive, and the next publish changes exactly those phones' files.

About a minute (two publishes of thousands of phones); PHONEFLEET_BULK_PHONES=2000 makes it quick."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.bulk_edit import bulk_change
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import FleetEdit, write_all
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.selection import Selection, select
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import publish_fleet

from tests.bench.synthetic import write_fleet

PHONES = int(os.environ.get("PHONEFLEET_BULK_PHONES", "20000"))


def with_comments(path: Path) -> None:
    """Comments where people put them: above the list, after its key, above every 1000th phone, after a value."""
    text = path.read_text()
    count = 0

    def rack(found: re.Match) -> str:
        nonlocal count
        count += 1
        return (f"# rack {count // 1000}\n" if count % 1000 == 1 else "") + found.group(0)

    text = re.sub(r"^- mac: ", rack, text, flags=re.MULTILINE)
    text = text.replace("phones:\n", "# every phone of the site\nphones:  # generated\n", 1)
    text = text.replace("  key_template: desk\n", "  key_template: desk  # the desk layout\n", 50)
    path.write_text(text)


def comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if "#" in line]


def test_profile_of_one_site_changed_on_20000_phones_then_publish_changes_exactly_those(tmp_path):
    fleet = write_fleet(tmp_path / "fleet", PHONES)
    phones_file = fleet / "phones.yml"
    with_comments(phones_file)
    before = phones_file.read_text()
    web_root = tmp_path / "www"
    publish_fleet(str(fleet), str(web_root), str)  # synthetic passwords are clear text

    loaded = load_fleet(str(fleet))
    branch = {phone.mac for phone in select(loaded, Selection.from_options({"site": "branch"}))}
    assert len(branch) == (PHONES + 2) // 3
    edit = FleetEdit(str(fleet))
    result = bulk_change(edit, sorted(branch), {"profile": "office"})
    plan = edit.plan()
    write_all(plan.writes)

    assert result.round_trip_files == [] and set(result.changed) == branch
    after = phones_file.read_text()
    assert comments(after) == comments(before) and len(comments(before)) > PHONES // 1000
    gone = [line for line in before.splitlines() if line == "  profile: branch"]
    assert after.count("\n  profile: branch\n") == 0 and len(gone) == len(branch)
    assert len(after.splitlines()) == len(before.splitlines())  # each phone's line replaced in place
    changed = load_fleet(str(fleet))  # valid
    assert {phone.mac for phone in changed.phones if phone.profile == "office" and phone.site == "branch"} == branch

    published = publish_fleet(str(fleet), str(web_root), str)
    assert set(published.phones_changed) == branch
    manifest = json.loads((web_root / ".phonefleet/manifest.json").read_text())
    assert published.written and all(manifest["files"][name]["phone"] in branch for name in published.written)
