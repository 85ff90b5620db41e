"""playbooks/registrar_export.yml on a site: the accounts go to the site's own build folder, or where its inventory
says, never to the demo's (issue 13: a playbook must not force the demo on a real site)."""

from __future__ import annotations

from pathlib import Path

from tests.unit.csv_support import ANSIBLE_PLAYBOOK, REPO, run_playbook
from tests.unit.test_fleet_validation import write_fleet

DEMO_EXPORT = REPO / "build" / "demo" / "registrar"


def site(tmp_path: Path, group_vars: str | None = None) -> Path:
    """A site as new_site.yml lays it out: <site>/inventory/phonefleet.yml and the fleet in <site>/inventory/fleet."""
    inventory = tmp_path / "site" / "inventory"
    inventory.mkdir(parents=True)
    write_fleet(inventory)
    (inventory / "phonefleet.yml").write_text("plugin: phonefleet.provisioning.fleet\nfleet_dir: fleet\n")
    if group_vars is not None:
        (inventory / "group_vars").mkdir()
        (inventory / "group_vars" / "all.yml").write_text(group_vars)
    return inventory


def export(inventory: Path) -> str:
    command = [str(ANSIBLE_PLAYBOOK), "-i", str(inventory), str(REPO / "playbooks" / "registrar_export.yml")]
    completed = run_playbook(inventory, command)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    return output


def _demo_export_state() -> dict[str, int]:
    return {path.name: path.stat().st_mtime_ns for path in DEMO_EXPORT.glob("*")} if DEMO_EXPORT.is_dir() else {}


def test_a_site_exports_into_its_own_build_folder(tmp_path):
    inventory = site(tmp_path)
    demo_before = _demo_export_state()
    output = export(inventory)
    written = inventory.parent / "build" / "registrar"
    assert (written / "subscriber").is_file(), output
    assert f"files in {written}" in output, output
    assert _demo_export_state() == demo_before, "the site's run wrote the demo's export"


def test_the_site_inventory_says_where_its_registrar_reads(tmp_path):
    """A site sets phonefleet_registrar_dest once, in its inventory; the playbook takes it (a play variable would
    hide it)."""
    dest = tmp_path / "kamailio" / "dbtext"
    inventory = site(tmp_path, group_vars=f"phonefleet_registrar_dest: {dest}\n")
    output = export(inventory)
    assert (dest / "subscriber").is_file(), output
    assert not (inventory.parent / "build").exists(), output
