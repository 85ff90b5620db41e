"""Publishing the demo fleet onto a web root, as an engineer sees it on disk."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import files
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import VaultValue
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish import engine
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.bundle import make_bundle
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import PublishError, publish_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.lock import PublishLocked, publish_lock

from tests.support.published import checked_publish
from tests.unit.render_support import DEMO_FLEET, REPO, demo_fleet, reveal

FIRMWARE = REPO / "inventory" / "demo" / "firmware"
DEMO_MACS = [
    "805ec0112233",
    "0015654c4c26",
    "0cd0f8a1b2c3",
    "001b54c2d3e4",
    "2c3f38aa0001",
    "c4b9cd112201",
    "24d921aabb01",
    "001ae8556677",
    "000945102030",
    "000add102031",
    "64167f010203",
    "c074ad010203",
    "000413010203",
    "0c383e010203",
]


@pytest.fixture
def site(tmp_path):
    fleet = tmp_path / "fleet"
    shutil.copytree(DEMO_FLEET, fleet)
    return tmp_path


def publish(site: Path, **options):
    """Publish ``site``'s fleet into its web root, then check the disk against the manifest and a fresh render."""
    options.setdefault("firmware_dir", str(FIRMWARE))
    return checked_publish(site / "fleet", site / "www", reveal, **options)


def manifest(site: Path) -> dict:
    return json.loads((site / "www/.phonefleet/manifest.json").read_text())


def snapshot(root: Path) -> dict:
    """The files phones can get (hidden names, the publish state and the spares of changed files, are not)."""
    return {
        str(path.relative_to(root)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    }


def spare(root: Path, name: str) -> Path:
    path = root / name
    return path.with_name(f".{path.name}.phonefleet-spare")


def test_cold_publish_writes_every_phone_and_a_manifest(site):
    result = publish(site)
    assert result.changed and not result.noop and result.rendered == 14
    recorded = manifest(site)
    assert sorted(recorded["phones"]) == sorted(DEMO_MACS)
    for mac, entry in recorded["phones"].items():
        assert entry["files"], mac
        for name in entry["files"]:
            data = (site / "www" / name).read_bytes()
            assert recorded["files"][name]["phone"] == mac
            assert len(entry["version"]) == 12
            assert data
    assert (site / "www/805ec0112233.cfg").exists()
    assert (site / "www/SEP0CD0F8A1B2C3.cnf.xml").exists()
    assert (site / "www/firmware/sip8845_65.14-3-1-0001-60.loads").read_bytes() == (
        FIRMWARE / "sip8845_65.14-3-1-0001-60.loads"
    ).read_bytes()


def test_second_publish_is_a_no_op(site):
    publish(site)
    before = snapshot(site / "www")
    result = publish(site)
    assert result.noop and not result.changed and result.written == [] and result.rendered == 0
    assert snapshot(site / "www") == before


def test_a_deleted_file_is_published_again(site):
    publish(site)
    (site / "www/805ec0112233.cfg").unlink()
    result = publish(site)
    assert result.written == ["805ec0112233.cfg"] and result.rendered == 1
    assert (site / "www/805ec0112233.cfg").exists()


def test_a_profile_change_touches_exactly_its_phones(site):
    publish(site)
    before = snapshot(site / "www")
    profiles = site / "fleet/profiles.yml"
    profiles.write_text(profiles.read_text().replace("codecs: [pcma, g729]", "codecs: [g722, pcma]"))
    result = publish(site)
    warehouse = {"000945102030", "000add102031", "0c383e010203"}
    assert set(result.phones_changed) == warehouse
    after = snapshot(site / "www")
    changed = {name for name in after if after[name][0] != before.get(name, (None,))[0]}
    assert changed and all(manifest(site)["files"][name]["phone"] in warehouse for name in changed)
    untouched = [name for name in before if manifest(site)["files"].get(name, {}).get("phone") not in warehouse]
    assert all(after[name][1] == before[name][1] for name in untouched if name in after)


def test_a_phone_that_leaves_the_fleet_loses_its_files(site):
    publish(site)
    phones = site / "fleet/phones.yml"
    text = phones.read_text()
    start = text.index("  - mac: 0c:38:3e:01:02:03")
    phones.write_text(text[:start])
    files = manifest(site)["phones"]["0c383e010203"]["files"]
    result = publish(site)
    assert sorted(result.removed) == sorted(files)
    assert not any((site / "www" / name).exists() for name in files)
    assert "0c383e010203" not in manifest(site)["phones"]


def test_check_mode_writes_nothing_and_diffs_mask_passwords(site):
    publish(site)
    before = snapshot(site / "www")
    profiles = site / "fleet/profiles.yml"
    profiles.write_text(profiles.read_text().replace("registrar: pbx.demo.invalid", "registrar: pbx-new.demo.invalid"))
    result = publish(site, check_mode=True, diff=True)
    assert result.changed and len(result.phones_changed) == 11
    assert snapshot(site / "www") == before
    text = json.dumps(result.diff)
    assert "pbx-new.demo.invalid" in text and "********" in text
    for secret in ("demo-2001", "demo-2002", "demo-admin"):
        assert secret not in text
    headers = {entry["after_header"] for entry in result.diff}
    assert any("80:5e:c0:11:22:33, Reception" in header for header in headers)


def test_firmware_with_a_wrong_checksum_publishes_nothing(site, tmp_path):
    firmware = tmp_path / "firmware"
    shutil.copytree(FIRMWARE, firmware)
    (firmware / "FW_S_J169_J179_R4_1_6_0_6.bin").write_bytes(b"tampered")
    with pytest.raises(PublishError) as caught:
        publish(site, firmware_dir=str(firmware))
    assert "avaya-j179-4.1.6" in str(caught.value) and "sha256" in str(caught.value)
    assert not (site / "www/805ec0112233.cfg").exists()


def test_no_firmware_dir_is_a_warning(site):
    result = publish(site, firmware_dir=None)
    assert any("firmware of kit(s) 2026-q3 not published" in warning for warning in result.warnings)


def test_a_firmware_window_the_config_checks_never_reach_is_a_warning(site):
    """The demo's warehouse checks its config on weeknights and takes firmware on Sunday nights: a file names
    the firmware only inside the window, so those phones flash only when rebooted there. Publish says so."""
    result = publish(site, check_mode=True)
    found = [warning for warning in result.warnings if "firmware_window" in warning]
    assert found == [
        f"{site / 'fleet/profiles.yml'}:39: profiles.warehouse.updates.firmware_window: updates.config_check"
        " (mon, tue, wed, thu, fri 01:00-04:00) never falls inside updates.firmware_window (sun 03:00-04:00), so"
        " its phones get new firmware only when rebooted inside the window (firmware_upgrade.yml reboots them"
        " there)"
    ]


def test_two_publishes_never_interleave(site):
    state = site / "www/.phonefleet"
    with publish_lock(str(state)), pytest.raises(PublishLocked):
        publish(site, lock_timeout=0.3)


def test_a_phone_that_cannot_be_rendered_stops_the_publish(site):
    profiles = site / "fleet/settings.yml"
    profiles.write_text(profiles.read_text().replace("    profile: office\n    site: moscow-hq", "    site: moscow-hq"))
    with pytest.raises(PublishError) as caught:
        publish(site)
    assert "has no profile" in str(caught.value) and "80:5e:c0:11:22:33 (Reception)" in str(caught.value)
    state = site / "www/.phonefleet"
    written = [path for path in (site / "www").rglob("*") if path.is_file() and state not in path.parents]
    assert written == []  # no config, no staged temporary file
    assert not (state / "manifest.json").exists()  # (the parse cache of valid fleet files may stay)


def test_rendering_is_deterministic(site, tmp_path):
    publish(site)
    other = tmp_path / "again"
    shutil.copytree(site / "fleet", other / "fleet")
    publish(other)
    assert snapshot(site / "www").keys() == snapshot(other / "www").keys()
    assert {k: v[0] for k, v in snapshot(site / "www").items()} == {k: v[0] for k, v in snapshot(other / "www").items()}
    assert os.path.getsize(site / "www/.phonefleet/manifest.json") > 0


def test_parallel_workers_publish_the_same_bytes_as_one_process(site, tmp_path):
    publish(site, workers=1)
    other = tmp_path / "parallel"
    shutil.copytree(site / "fleet", other / "fleet")
    result = publish(other, workers=2, min_parallel=1, diff=True)
    assert result.rendered == 14 and len(result.diff) == len(result.written) + 1  # and the service bundle
    assert {k: v[0] for k, v in snapshot(site / "www").items()} == {k: v[0] for k, v in snapshot(other / "www").items()}
    assert not list((other / "www").glob(".*.phonefleet-tmp"))
    bundles = [json.loads((root / "www/.phonefleet/service.json").read_text()) for root in (site, other)]
    assert [data for _name, data in bundles[0]["documents"]] == [data for _name, data in bundles[1]["documents"]]


def test_a_vault_value_that_cannot_be_decrypted_fails_the_publish_with_workers(site, tmp_path):
    def refuse(value):
        if isinstance(value, VaultValue):
            raise PublishError("vault: no secret to decrypt this value")
        return str(value)

    with pytest.raises(PublishError, match="no secret to decrypt"):
        publish_fleet(str(site / "fleet"), str(site / "www"), refuse, workers=2, min_parallel=1)
    assert not (site / "www/805ec0112233.cfg").exists()
    assert not list((site / "www").glob(".*.phonefleet-tmp"))


def test_files_already_right_in_a_new_web_root_are_left_alone(site):
    """A web root filled by another tool (no manifest yet): files with the right content are not rewritten."""
    publish(site)
    shutil.copytree(site / "www", site / "other", ignore=shutil.ignore_patterns(".phonefleet"))
    (site / "other/805ec0112233.cfg").write_text("# edited by hand\n")
    before = snapshot(site / "other")
    result = checked_publish(site / "fleet", site / "other", reveal, firmware_dir=str(FIRMWARE))
    # the firmware-window variants live under the state, which was not copied: those are written too
    assert [name for name in result.written if not name.startswith(".phonefleet/")] == ["805ec0112233.cfg"]
    after = snapshot(site / "other")
    assert after["805ec0112233.cfg"][0] == (site / "www/805ec0112233.cfg").read_bytes()
    assert all(after[name] == before[name] for name in before if name != "805ec0112233.cfg")


def test_a_changed_file_is_exchanged_with_its_spare_so_no_file_is_made_or_freed(site):
    publish(site)
    www, name = site / "www", "805ec0112233.cfg"
    profiles = site / "fleet/profiles.yml"
    original = profiles.read_text()
    before = (www / name).read_bytes()
    inodes = []
    for codecs in ("[pcma, pcmu]", "[pcmu]", "[g722, pcmu]"):
        profiles.write_text(original.replace("codecs: [g722, pcma, pcmu, opus]", f"codecs: {codecs}"))
        result = publish(site)
        assert name in result.written
        assert spare(www, name).read_bytes() == before  # the replaced version, never served
        before = (www / name).read_bytes()
        inodes.append({(www / name).stat().st_ino, spare(www, name).stat().st_ino})
    assert inodes[0] == inodes[1] == inodes[2]  # the two files take turns: none is made or freed


def test_without_an_exchange_the_file_is_renamed_into_place(site, monkeypatch):
    publish(site)
    monkeypatch.setattr(files, "exchange", lambda first, second: False)  # e.g. NFS, or not Linux
    profiles = site / "fleet/profiles.yml"
    profiles.write_text(profiles.read_text().replace("codecs: [g722, pcma, pcmu, opus]", "codecs: [pcmu]"))
    result = publish(site)
    assert "805ec0112233.cfg" in result.written
    assert b"PCMU" in (site / "www/805ec0112233.cfg").read_bytes().upper()
    assert not spare(site / "www", "805ec0112233.cfg").exists()
    assert not list((site / "www").glob(".*.phonefleet-tmp"))


def test_a_phone_that_leaves_takes_its_spare_with_it(site):
    publish(site)
    profiles = site / "fleet/profiles.yml"
    profiles.write_text(profiles.read_text().replace("codecs: [g722, pcma, pcmu, opus]", "codecs: [pcmu]"))
    publish(site)
    assert spare(site / "www", "805ec0112233.cfg").exists()
    phones = site / "fleet/phones.yml"
    text = phones.read_text()
    start = text.index("  - mac: 80:5e:c0:11:22:33")
    phones.write_text(text[:start] + text[text.index("  - mac:", start + 1) :])
    result = publish(site)
    assert "805ec0112233.cfg" in result.removed
    assert not (site / "www/805ec0112233.cfg").exists()
    assert not spare(site / "www", "805ec0112233.cfg").exists()


def mode(path: Path) -> str:
    return oct(path.stat().st_mode & 0o777)


def staged_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob(".*.phonefleet-*"))


def change_codecs(site: Path, codecs: str = "[pcmu]") -> None:
    profiles = site / "fleet/profiles.yml"
    text = profiles.read_text()
    assert f"codecs: {codecs}" not in text
    profiles.write_text(re.sub(r"codecs: \[[^]]*\]", f"codecs: {codecs}", text, count=1))


def published_with_spares(site: Path) -> Path:
    """The web root after a publish and a change of every office phone: their files have spares."""
    publish(site)
    change_codecs(site)
    publish(site)
    assert spare(site / "www", "805ec0112233.cfg").exists()
    return site / "www"


def test_files_in_place_are_readable_by_all_and_staged_files_only_by_their_owner(site, monkeypatch):
    staged_modes = []

    def put_in_place(written, path, is_spare, *args):
        staged_modes.append(mode(Path(written)))
        files.put_in_place(written, path, is_spare, *args)

    monkeypatch.setattr(engine, "put_in_place", put_in_place)
    result = publish(site)  # new files: temporary files renamed into place
    assert len(staged_modes) == len(result.written) + len(result.firmware_copied) > 1
    assert set(staged_modes) == {"0o600"}
    www = site / "www"
    assert {mode(www / name) for name in manifest(site)["files"]} == {"0o644"}  # nginx serves as another user
    published_with_spares(site)
    spare(www, "805ec0112233.cfg").chmod(0o644)  # as versions before this one left it
    staged_modes.clear()
    change_codecs(site, "[g722, pcmu]")
    result = publish(site)  # changed files: written into their spares, exchanged with them
    assert len(staged_modes) == len(result.written) > 1 and set(staged_modes) == {"0o600"}
    assert {mode(www / name) for name in result.written} == {"0o644"}
    spares = [spare(www, name) for name in result.written]
    assert {mode(path) for path in spares} == {"0o600"}  # the replaced version, with its passwords


def test_a_failed_publish_leaves_no_staged_file_not_even_a_spare(site):
    published_with_spares(site)  # the spares hold the first version
    before = snapshot(site / "www")
    change_codecs(site, "[g722, pcmu]")
    settings = site / "fleet/settings.yml"
    settings.write_text(settings.read_text().replace("    profile: office\n    site: moscow-hq", "    site: moscow-hq"))
    with pytest.raises(PublishError, match="has no profile"):
        publish(site, workers=2, min_parallel=1)  # phones rendered and staged by workers, then refused
    assert staged_files(site / "www") == []
    assert snapshot(site / "www") == before  # what phones get is unchanged


def test_a_failure_while_putting_files_in_place_leaves_no_staged_file(site, monkeypatch):
    publish(site)
    change_codecs(site)
    calls = []

    def fail_on_the_third(written, path, is_spare, *args):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device", path)
        files.put_in_place(written, path, is_spare, *args)

    monkeypatch.setattr(engine, "put_in_place", fail_on_the_third)
    with pytest.raises(OSError, match="No space left"):
        publish(site)
    assert len(calls) == 3 and staged_files(site / "www") == []


def test_a_publish_removes_what_failed_or_killed_publishes_left(site):
    www = published_with_spares(site)
    kept = spare(www, "805ec0112233.cfg")
    orphan = spare(www, "0015654c4c99.cfg")  # its phone left while a publish was killed
    orphan.write_text("sip password of a phone that left")
    leftover = www / ".c4b9cd112201.cfg.phonefleet-tmp"  # a publish killed before it renamed this
    leftover.write_text("half a file")
    change_codecs(site, "[g722, pcmu]")
    publish(site)
    assert not orphan.exists() and not leftover.exists()
    assert kept.exists()  # a spare beside its file is reused by the next change


def test_after_an_upgrade_spares_older_versions_left_readable_are_made_private(site):
    www = published_with_spares(site)
    old_spare = spare(www, "805ec0112233.cfg")
    old_spare.chmod(0o644)  # as versions before this one left it
    state = www / ".phonefleet/manifest.json"
    recorded = json.loads(state.read_text())
    recorded["code"] = "an older version of the collection"
    state.write_text(json.dumps(recorded))
    publish(site)
    assert mode(old_spare) == "0o600"


def service_diff(result) -> dict:
    [entry] = [entry for entry in result.diff if entry["before_header"].startswith(".phonefleet/service.json")]
    return entry


def test_a_settings_change_only_the_service_sees_is_a_change_with_its_diff(site):
    publish(site)
    settings = site / "fleet/settings.yml"
    settings.write_text(settings.read_text().replace("access_keys: false", "access_keys: true"))
    checked = publish(site, check_mode=True, diff=True)
    assert checked.changed and checked.service_changed and checked.written == []
    entry = service_diff(checked)
    assert entry["before"] == "settings.yml: settings.provisioning.access_keys: false\n"
    assert entry["after"] == "settings.yml: settings.provisioning.access_keys: true\n"
    applied = publish(site)
    assert applied.changed and applied.bundle_written and applied.written == []
    again = publish(site)
    assert again.noop and not again.changed


def test_a_changed_password_shows_in_the_service_diff_masked(site):
    settings = site / "fleet/settings.yml"
    text = re.sub(
        r"(phone_control:\n    username: admin\n    password: )!vault \"[^\"]*\"",
        r"\1first-secret",
        settings.read_text(),
    )
    settings.write_text(text)
    publish(site)
    settings.write_text(text.replace("first-secret", "second-secret"))
    result = publish(site, diff=True)
    entry = service_diff(result)
    assert entry["before"] == entry["after"] == "settings.yml: settings.phone_control.password: ********\n"
    assert not any("-secret" in str(item) for item in result.diff)


def test_the_service_bundle_holds_every_vault_value_decrypted(site):
    publish(site)
    bundle = json.loads((site / "www/.phonefleet/service.json").read_text())
    text = json.dumps(bundle)
    assert "$ANSIBLE_VAULT" not in text
    phones = next(data for name, data in bundle["documents"] if name.endswith("phones.yml"))
    reception = next(phone for phone in phones["phones"] if phone["mac"] == "80:5e:c0:11:22:33")
    assert reception["lines"][0]["password"] == reveal(demo_fleet().phone("805ec0112233").lines[0].password)


def test_a_bundle_of_plain_documents_is_written_as_they_are():
    plain = {"profiles": {"office": {"description": "says VaultValue(<encrypted>) in plain text"}}}
    secret = {"phones": [{"mac": "805ec0112233", "lines": [{"password": VaultValue("$ANSIBLE_VAULT;1.1;x")}]}]}
    bundle = json.loads(make_bundle([("a.yml", plain), ("b.yml", secret)], lambda value: "clear"))
    assert bundle["documents"] == [
        ["a.yml", plain],
        ["b.yml", {"phones": [{"mac": "805ec0112233", "lines": [{"password": "clear"}]}]}],
    ]


def test_a_file_that_is_a_symbolic_link_is_replaced_never_written_through(site, tmp_path):
    publish(site)
    outside = tmp_path / "outside.cfg"
    outside.write_text("not the publish's to change\n")
    target = site / "www/805ec0112233.cfg"
    target.unlink()
    target.symlink_to(outside)
    profiles = site / "fleet/profiles.yml"
    original = profiles.read_text()
    for codecs in ("[pcmu]", "[pcma]", "[g722]"):
        profiles.write_text(original.replace("codecs: [g722, pcma, pcmu, opus]", f"codecs: {codecs}"))
        publish(site)
        assert not target.is_symlink() and codecs[1:-1].upper() in target.read_text().upper()
    assert outside.read_text() == "not the publish's to change\n"


@pytest.mark.parametrize("workers", [1, 2])
def test_a_publish_keeps_every_parsed_fleet_file_for_the_next_load(site, workers):
    publish(site, workers=workers, min_parallel=1)
    kept = list((site / "www/.phonefleet/parsed").glob("*.json"))
    assert len(kept) == len(list((site / "fleet").glob("*.yml")))
    profiles = site / "fleet/profiles.yml"
    profiles.write_text(profiles.read_text().replace("codecs: [g722, pcma, pcmu, opus]", "codecs: [pcmu]"))
    publish(site, workers=workers, min_parallel=1)
    after = list((site / "www/.phonefleet/parsed").glob("*.json"))
    assert len(after) == len(kept) and set(after) != set(kept)  # the old profiles.yml entry pruned, the new kept


def test_a_change_to_two_files_of_one_phone_puts_both_on_disk(site):
    """The Snom phone's two files both name the provisioning server: a publish must write both (checked against
    the disk and a fresh render by ``publish``), and the next publish then has nothing to do."""
    publish(site)
    settings = site / "fleet/settings.yml"
    settings.write_text(settings.read_text().replace("servers: [prov.demo.invalid]", "servers: [prov2.demo.invalid]"))
    result = publish(site)
    assert {"000413010203.xml", "snomD785-000413010203.htm"} <= set(result.written)
    assert b"prov2.demo.invalid" in (site / "www/snomD785-000413010203.htm").read_bytes()
    assert publish(site).noop
