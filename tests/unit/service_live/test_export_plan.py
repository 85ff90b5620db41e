"""Planning an export of auto-provisioned phones, without a service: what is written, kept, refused."""

from __future__ import annotations

import shutil

import pytest
import yaml
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.autoprovisioned_export import (
    ERROR,
    EXPORTED,
    PENDING,
    PRESENT,
    ExportOptionError,
    plan_export,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetValidationError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.pool import pool_password

from tests.unit.render_support import DEMO_FLEET, demo_fleet, demo_vault, reveal


def encrypt(text: str) -> str:
    return demo_vault().encrypt(text.encode()).decode()


def pool_password_of(number: str) -> str:
    """The SIP password of a demo pool number, derived from the demo fleet's secret (fleet/pool.py)."""
    return pool_password(reveal(demo_fleet().settings["autoprovision"]["password_secret"]), number)


def assignment(mac: str, number: str, vendor="yealink", model="T46U") -> dict:
    """An assignment as GET /api/v1/autoprovisioned gives it: no password."""
    return {
        "mac": mac,
        "number": number,
        "name": f"Autoprovisioned {number}",
        "username": number,
        "vendor": vendor,
        "model": model,
        "assigned_at": 1.0,
    }


@pytest.fixture
def fleet(tmp_path):
    shutil.copytree(DEMO_FLEET, tmp_path / "fleet")
    return tmp_path / "fleet"


def test_each_assignment_is_exported_kept_pending_or_refused(fleet):
    assignments = [
        assignment("80:5e:c0:99:88:77", "3000"),
        assignment("805ec0112233", "3001"),  # the fleet's Reception phone: the fleet wins
        assignment("0cd0f8998877", "3002", vendor="cisco", model=None),  # not rendered yet
        assignment("805ec0445566", "3003", model="T99X"),  # no such model: refused, the others go on
        assignment("not-a-mac", "3004"),
        assignment("805ec0998877", "3005"),  # the same MAC twice
        assignment("10:20:30:40:50:59", "3006", model="T54W"),
    ]
    plan = plan_export(assignments, str(fleet), str(fleet / "autoprovisioned.yml"), encrypt=encrypt, reveal=reveal)
    results = {phone.mac: (phone.result, phone.reason) for phone in plan.phones[:5]}
    assert results["80:5e:c0:99:88:77"] == (EXPORTED, None)
    assert (plan.phones[5].result, plan.phones[5].reason) == (ERROR, "the service lists this MAC twice")
    assert results["80:5e:c0:11:22:33"] == (PRESENT, None)
    assert results["0c:d0:f8:99:88:77"][0] == PENDING
    assert "has not reported its model yet" in results["0c:d0:f8:99:88:77"][1]
    assert results["80:5e:c0:44:55:66"][0] == ERROR
    assert "model: unknown Yealink model 'T99X'" in results["80:5e:c0:44:55:66"][1]
    assert results["not-a-mac"] == (ERROR, "mac: 'not-a-mac' is not a MAC address (need 12 hex digits)")
    assert (plan.count(EXPORTED), plan.count(ERROR)) == (2, 3)
    password = pool_password_of("3000")
    assert password not in repr(plan.phones) and password not in str([phone.as_dict() for phone in plan.phones])

    exported = yaml.safe_load(plan.text.replace("!vault", ""))["phones"]
    assert [phone["mac"] for phone in exported] == ["80:5e:c0:99:88:77", "10:20:30:40:50:59"]
    assert '- mac: "10:20:30:40:50:59"' in plan.text  # YAML 1.1 would read it as a number unquoted
    assert 'number: "3000"' in plan.text
    (fleet / "autoprovisioned.yml").write_text(plan.text)
    loaded = load_fleet(str(fleet))
    line = loaded.phone("805ec0998877").lines[0]
    assert reveal(line.password) == password  # what the service rendered into the phone's file
    assert (line.number, line.username, line.display_name) == ("3000", "3000", "Autoprovisioned 3000")
    assert loaded.phone("102030405059").model == "T54W"

    diffs = plan.diffs()
    assert [diff["after_header"].rsplit(": ", 1)[1] for diff in diffs] == ["80:5e:c0:99:88:77", "10:20:30:40:50:59"]
    assert all("password: '********'" in diff["after"] and password not in diff["after"] for diff in diffs)

    again = plan_export(assignments, str(fleet), str(fleet / "autoprovisioned.yml"), encrypt=encrypt, reveal=reveal)
    assert again.text is None and again.count(EXPORTED) == 0 and again.count(PRESENT) == 4  # the MAC listed twice too


def test_an_existing_file_keeps_its_comments_and_phones(fleet):
    dest = fleet / "lab" / "phones-auto.yaml"
    dest.parent.mkdir()
    original = (
        "# Lab phones: keep this comment\n---\nphones:\n\n"
        "  - mac: 80:5e:c0:00:00:01  # the first\n    model: T54W\n    name: Lab 1\n"
    )
    dest.write_text(original)
    plan = plan_export([assignment("805ec0998877", "3000")], str(fleet), str(dest), passwords="plain", reveal=reveal)
    assert plan.text.startswith(original)
    assert plan.text.endswith(
        "\n  - mac: 80:5e:c0:99:88:77\n    name: Autoprovisioned 3000\n    vendor: yealink\n    model: T46U\n"
        '    profile: office\n    firmware_kit: 2026-q3\n    lines:\n      - number: "3000"\n'
        '        display_name: Autoprovisioned 3000\n        username: "3000"\n'
        f"        password: {pool_password_of('3000')}\n"
    )


def test_options_that_cannot_work(fleet, tmp_path):
    phones = [assignment("805ec0998877", "3000")]
    with pytest.raises(ExportOptionError, match="no vault secret is loaded"):
        plan_export(phones, str(fleet), str(fleet / "autoprovisioned.yml"), reveal=reveal)
    with pytest.raises(ExportOptionError, match="must be inside the fleet directory"):
        plan_export(phones, str(fleet), str(tmp_path / "elsewhere.yml"), encrypt=encrypt, reveal=reveal)
    with pytest.raises(ExportOptionError, match="is hidden"):
        plan_export(phones, str(fleet), str(fleet / ".auto.yml"), encrypt=encrypt, reveal=reveal)
    # Nothing to export needs no vault secret.
    assert plan_export([], str(fleet), str(fleet / "autoprovisioned.yml"), reveal=reveal).text is None


def test_a_fleet_with_problems_is_not_touched(fleet):
    phones_file = fleet / "phones.yml"
    phones_file.write_text(phones_file.read_text().replace("model: CP-8845", "model: CP-9999"))
    with pytest.raises(FleetValidationError, match="unknown Cisco"):
        plan_export(
            [assignment("805ec0998877", "3000")], str(fleet), str(fleet / "a.yml"), encrypt=encrypt, reveal=reveal
        )


def test_without_the_pool_secret_nothing_is_exported(fleet):
    """The passwords are derived from settings.autoprovision.password_secret: a fleet without it (published
    before the setting existed) must get it before its auto-provisioned phones can be exported."""
    settings = fleet / "settings.yml"
    text = settings.read_text()
    start = text.index("    password_secret: ")
    settings.write_text(text[:start] + text[text.index("\n", start) + 1 :])
    with pytest.raises(FleetValidationError, match="password_secret: is required when autoprovision is enabled"):
        plan_export([assignment("805ec0998877", "3000")], str(fleet), str(fleet / "a.yml"), reveal=reveal)
    assert not (fleet / "a.yml").exists()
