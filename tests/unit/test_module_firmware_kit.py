"""The firmware_file and firmware_kit modules, through ansible-playbook as a user runs them."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import yaml
from csv_support import DEMO_FLEET, REPO, snapshot
from edit_play_support import run_playbook, run_tasks

DEMO_FIRMWARE = REPO / "inventory" / "demo" / "firmware"
FILE = "phonefleet.provisioning.firmware_file"
KIT = "phonefleet.provisioning.firmware_kit"


def site(tmp_path: Path) -> Path:
    """A copy of the demo site: its fleet and its firmware store beside it."""
    root = tmp_path / "site"
    shutil.copytree(DEMO_FLEET, root / "fleet")
    shutil.copytree(DEMO_FIRMWARE, root / "firmware")
    return root


def image(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / "downloads" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    return path


def firmware(root: Path) -> dict:
    return yaml.safe_load((root / "fleet" / "firmware.yml").read_text())["firmware"]


def test_a_file_and_a_kit_are_created_changed_and_removed(tmp_path):
    root = site(tmp_path)
    fleet = str(root / "fleet")
    # three blocks and a bit: the image is read and copied a block at a time
    content = bytes(range(256)) * (3 * 4096 + 7)
    src = image(tmp_path, "T54W-96.86.0.70.rom", content)
    new_file = {"fleet_dir": fleet, "name": "yealink-96.86.0.70", "vendor": "yealink", "models": ["T54W", "T57W"]}
    new_file |= {"version": "96.86.0.70", "src": str(src)}
    results, output = run_tasks(
        tmp_path,
        [
            {FILE: new_file},
            {FILE: new_file},
            {KIT: {"fleet_dir": fleet, "name": "2026-q4", "description": "Q4", "files": ["yealink-96.86.0.70"]}},
            {KIT: {"fleet_dir": fleet, "name": "2026-q4", "files": ["yealink-96.86.0.70"]}},
            {KIT: {"fleet_dir": fleet, "name": "2026-q4", "description": "Approved in Q4"}},
            {FILE: {"fleet_dir": fleet, "name": "yealink-96.86.0.70", "version": "96.86.0.71"}},
        ],
        "--diff",
    )
    created, again, kit, kit_again, described, versioned = results
    digest = hashlib.sha256(content).hexdigest()
    assert created["changed"] is True, created
    assert created["sha256"] == digest
    assert (root / "firmware" / "T54W-96.86.0.70.rom").read_bytes() == content
    assert created["diff"][0]["after"].count(digest) == 1
    assert again["changed"] is False, again
    assert kit["changed"] is True and kit["changes"][0]["action"] == "created", kit
    assert kit_again["changed"] is False, kit_again
    assert described["changed"] is True
    assert "description: Approved in Q4" in described["diff"][0]["after"]
    assert versioned["changed"] is True, versioned
    data = firmware(root)
    added = next(item for item in data["files"] if item["name"] == "yealink-96.86.0.70")
    # the version changed; what the task did not name stayed
    assert added == {
        "name": "yealink-96.86.0.70",
        "vendor": "yealink",
        "models": ["T54W", "T57W"],
        "version": "96.86.0.71",
        "file": "T54W-96.86.0.70.rom",
        "sha256": digest,
    }
    assert data["kits"]["2026-q4"] == {"description": "Approved in Q4", "files": ["yealink-96.86.0.70"]}
    text = (root / "fleet" / "firmware.yml").read_text()
    assert "# Firmware files and kits. A kit names at most one file per model" in text
    assert "--- before" in output

    results, _output = run_tasks(
        tmp_path,
        [
            {FILE: {"fleet_dir": fleet, "name": "yealink-96.86.0.70", "state": "absent"}},
            {KIT: {"fleet_dir": fleet, "name": "2026-q3", "state": "absent"}},
            {KIT: {"fleet_dir": fleet, "name": "2026-q4", "state": "absent"}},
            {FILE: {"fleet_dir": fleet, "name": "yealink-96.86.0.70", "state": "absent"}},
            {FILE: {"fleet_dir": fleet, "name": "yealink-96.86.0.70", "state": "absent"}},
        ],
        name="remove",
    )
    file_in_a_kit, kit_of_phones, kit_removed, file_removed, removed_again = results
    assert file_in_a_kit["failed"] is True
    assert "firmware.yml" in file_in_a_kit["msg"] and "yealink-96.86.0.70" in file_in_a_kit["msg"]
    assert "nothing was written" in file_in_a_kit["msg"]
    assert kit_of_phones["failed"] is True
    assert "phones.yml" in kit_of_phones["msg"] and "firmware_kit" in kit_of_phones["msg"], kit_of_phones["msg"]
    assert kit_removed["changed"] is True and file_removed["changed"] is True
    assert removed_again["changed"] is False
    data = firmware(root)
    assert "2026-q4" not in data["kits"] and "2026-q3" in data["kits"]
    assert [item["name"] for item in data["files"]] == [item["name"] for item in firmware_of_demo()["files"]]
    # the image stays in the store: a published kit may still serve it
    assert (root / "firmware" / "T54W-96.86.0.70.rom").exists()


def firmware_of_demo() -> dict:
    return yaml.safe_load((DEMO_FLEET / "firmware.yml").read_text())["firmware"]


def test_check_mode_and_refused_changes_write_nothing(tmp_path):
    root = site(tmp_path)
    fleet = str(root / "fleet")
    before = snapshot(root)
    new_image = image(tmp_path, "new.rom", b"new image")
    # an image under the name of the Avaya image the store holds, with other content
    impostor = image(tmp_path, "FW_S_J169_J179_R4_1_6_0_6.bin", b"not the Avaya image")
    new_file = {"fleet_dir": fleet, "name": "yealink-new", "vendor": "yealink", "models": ["T54W"], "version": "1"}
    results, _output = run_tasks(
        tmp_path,
        [
            {FILE: {**new_file, "src": str(new_image)}, "check_mode": True, "diff": True},
            {KIT: {"fleet_dir": fleet, "name": "2026-q3", "description": "changed"}, "check_mode": True},
            {FILE: {**new_file, "src": str(impostor)}},
            {FILE: {**new_file, "models": ["T99X"], "src": str(new_image)}},
            {FILE: {**new_file, "src": str(new_image), "sha256": "0" * 64}},
            {KIT: {"fleet_dir": fleet, "name": "2026-q4", "files": ["no-such-file"]}},
            {KIT: {"fleet_dir": fleet, "name": "2026-q4", "files": ["yealink-t54w-96.86.0.45"], "description": "x\ny"}},
        ],
    )
    checked, kit_checked, impostor_refused, unknown_model, wrong_sha, unknown_file, two_lines = results
    assert checked["changed"] is True and checked["diff"][0]["before"] == ""
    assert kit_checked["changed"] is True
    assert impostor_refused["failed"] is True
    assert impostor_refused["msg"].startswith("file: ") and "already holds another image" in impostor_refused["msg"]
    assert unknown_model["failed"] is True
    assert "firmware.yml" in unknown_model["msg"] and "models" in unknown_model["msg"], unknown_model["msg"]
    assert "T99X" in unknown_model["msg"]
    assert wrong_sha["failed"] is True and wrong_sha["msg"].startswith("sha256: "), wrong_sha["msg"]
    assert unknown_file["failed"] is True and "no-such-file" in unknown_file["msg"]
    assert "firmware.yml" in unknown_file["msg"]
    assert two_lines["failed"] is True and "description" in two_lines["msg"], two_lines["msg"]
    # nothing written: not the fleet, not the store (the new image was not copied)
    assert snapshot(root) == before


def test_the_playbook_takes_survey_answers(tmp_path):
    root = site(tmp_path)
    src = image(tmp_path, "T57W-96.86.0.80.rom", b"T57W image")
    answers = {
        "phonefleet_fleet_dir": str(root / "fleet"),
        "phonefleet_kit": "2026-q4",
        "phonefleet_kit_state": "present",
        "phonefleet_kit_description": "",  # an optional question left empty
        "phonefleet_kit_files": "yealink-96.86.0.80\ncisco-8845-14-3",
        "phonefleet_firmware_name": "yealink-96.86.0.80",
        "phonefleet_firmware_src": str(src),
        "phonefleet_firmware_vendor": "yealink",
        "phonefleet_firmware_models": "T57W",
        "phonefleet_firmware_version": "96.86.0.80",
    }

    code, output = run_playbook(REPO / "playbooks" / "firmware_kit.yml", "-e", json.dumps(answers))
    assert code == 0, output
    data = firmware(root)
    assert data["kits"]["2026-q4"] == {"files": ["yealink-96.86.0.80", "cisco-8845-14-3"]}
    assert (root / "firmware" / "T57W-96.86.0.80.rom").read_bytes() == b"T57W image"
