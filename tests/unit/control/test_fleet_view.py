"""What control reads from the fleet: the control login (cached while the fleet files do not change,
never in clear text), each phone's firmware window and the firmware its kit names."""

from __future__ import annotations

import datetime
import shutil

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import fleet_view
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.fleet_view import (
    FleetView,
    control_login,
)

from tests.unit.render_support import DEMO_FLEET, demo_fleet, reveal

UTC = datetime.UTC


@pytest.fixture
def caches(tmp_path, monkeypatch):
    monkeypatch.setattr(fleet_view, "LOGIN_DIR", str(tmp_path / "login"))
    monkeypatch.setattr(fleet_view, "CACHE_DIR", str(tmp_path / "parsed"))
    return tmp_path


@pytest.fixture
def fleet_dir(tmp_path):
    shutil.copytree(DEMO_FLEET, tmp_path / "fleet")
    return tmp_path / "fleet"


def test_the_fleet_gives_each_phone_its_window_and_expected_firmware():
    view = FleetView(demo_fleet(), reveal)
    plan = view.plan("805ec0112233")  # the demo's T54W, profile office, kit 2026-q3
    assert plan.profile == "office"
    assert plan.expected_firmware == "96.86.0.45"
    assert plan.window_text() == "sat, sun 02:00-05:00 Europe/Moscow"
    saturday_night = datetime.datetime(2026, 7, 3, 23, 30, tzinfo=UTC)  # 02:30 Saturday in Moscow
    assert plan.in_window(saturday_night) is True
    assert plan.in_window(datetime.datetime(2026, 7, 6, 0, 0, tzinfo=UTC)) is False
    assert view.plan("0015654c4c26").expected_firmware is None  # a T31G: the kit has no file for it
    assert view.plan("000000000001") is None
    assert view.credentials().username == "admin"
    assert view.credentials().password.startswith("demo-")


def test_the_login_is_read_once_and_kept_encrypted_while_the_fleet_is_unchanged(caches, fleet_dir, monkeypatch):
    first = control_login(str(fleet_dir), reveal)
    assert first.username == "admin" and first.password.startswith("demo-")
    cached = list((caches / "login").glob("*.json"))
    assert len(cached) == 1
    text = cached[0].read_text()
    assert "$ANSIBLE_VAULT" in text and first.password not in text

    def no_load(*_args, **_kwargs):
        raise AssertionError("the fleet was loaded again")

    monkeypatch.setattr(fleet_view, "load", no_load)
    assert control_login(str(fleet_dir), reveal) == first


def test_a_changed_fleet_is_read_again(caches, fleet_dir):
    control_login(str(fleet_dir), reveal)
    settings = fleet_dir / "settings.yml"
    settings.write_text(settings.read_text().replace("    username: admin\n", "    username: operator\n"))
    assert control_login(str(fleet_dir), reveal).username == "operator"


def test_a_clear_text_password_is_never_cached(caches, tmp_path):
    fleet = tmp_path / "plain"
    fleet.mkdir()
    (fleet / "settings.yml").write_text("settings:\n  phone_control: {username: admin, password: Clear-Text-1}\n")
    assert control_login(str(fleet), reveal).password == "Clear-Text-1"
    assert not list((caches / "login").glob("*.json"))
