# Private to this collection: what phone control reads from the fleet.
"""The control login (``settings.phone_control``) and, per phone, what a firmware upgrade needs: the
profile's firmware window in the profile's time zone and the firmware version the phone's kit names
for its model (the same choice publish makes: ``render.context.ContextBuilder.firmware``)."""

from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass

from ..fleet import window as windows
from ..fleet.files import atomic_write, read_bytes
from ..fleet.inventory_view import fleet_fingerprint
from ..fleet.loader import fleet_files, load_fleet
from ..fleet.model import Fleet
from ..fleet.parse_cache import ParseCache
from ..fleet.yamlio import VaultValue, from_json_object, to_json_data
from ..render.context import ContextBuilder
from .target import Credentials

#: parsed fleet files between runs (vault values stay encrypted in it, see parse_cache)
CACHE_DIR = os.path.join("~", ".cache", "phonefleet", "control", "parsed")
#: the control login of each fleet directory, by the state of its files (the password as vault text only)
LOGIN_DIR = os.path.join("~", ".cache", "phonefleet", "control", "login")


def load(fleet_dir: str, decrypt_file=None) -> Fleet:
    """The fleet at ``fleet_dir``; unchanged files come from the parse cache."""
    cache = ParseCache(os.path.expanduser(CACHE_DIR), generation="control-1")
    return load_fleet(fleet_dir, decrypt=decrypt_file, parse_cache=cache)


def control_login(fleet_dir: str, reveal, decrypt_file=None) -> Credentials:
    """``settings.phone_control`` of the fleet at ``fleet_dir``, without loading the whole fleet again while
    its files are unchanged: one task per phone of a 20,000-phone fleet must not load it 20,000 times.

    The login is kept in a small file under ``~/.cache`` keyed by the fleet files' paths, sizes and mtimes,
    and only when its password is a vault value (kept encrypted): a clear-text password (a fleet file
    encrypted whole) is never written to the cache, so such a fleet is loaded each time.
    """
    source = os.path.abspath(fleet_dir)
    fingerprint = fleet_fingerprint(fleet_files(source))
    path = os.path.join(os.path.expanduser(LOGIN_DIR), hashlib.sha256(source.encode()).hexdigest()[:32] + ".json")
    found = _cached_login(path, fingerprint, reveal)
    if found is not None:
        return found
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    # one loader at a time: fifty forks starting together must not load a big fleet fifty times
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            found = _cached_login(path, fingerprint, reveal)
            if found is not None:
                return found
            control = load(source, decrypt_file).settings.get("phone_control") or {}
            if control.get("password") is None or isinstance(control["password"], VaultValue):
                data = json.dumps(to_json_data({"fingerprint": fingerprint, "phone_control": control}))
                atomic_write(path, data.encode(), new_file_mode=0o600, sync=False)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return _credentials(control, reveal)


def _cached_login(path: str, fingerprint: list, reveal) -> Credentials | None:
    cached = read_bytes(path)
    if cached is None:
        return None
    try:
        entry = json.loads(cached, object_hook=from_json_object)
    except ValueError:
        return None
    if not isinstance(entry, dict) or entry.get("fingerprint") != fingerprint:
        return None
    return _credentials(entry.get("phone_control") or {}, reveal)


def _credentials(control: dict, reveal) -> Credentials:
    password = control.get("password")
    return Credentials(control.get("username"), reveal(password) if password is not None else None)


def control_credentials(fleet: Fleet, reveal) -> Credentials:
    """``settings.phone_control`` with its password revealed (decrypted); empty when the fleet has none."""
    control = fleet.settings.get("phone_control") or {}
    password = control.get("password")
    return Credentials(control.get("username"), reveal(password) if password is not None else None)


@dataclass(frozen=True)
class PhonePlan:
    """What the fleet says of one phone's firmware."""

    profile: str | None
    timezone: str | None
    firmware_window: dict | None
    expected_firmware: str | None

    def window_text(self) -> str | None:
        return windows.describe(self.firmware_window, self.timezone) if self.firmware_window else None

    def in_window(self, now: datetime.datetime | None = None) -> bool | None:
        """Inside the profile's firmware window now; None when the profile has no window."""
        if not self.firmware_window:
            return None
        return windows.in_window(self.firmware_window, windows.local_time(self.timezone, now))


class FleetView:
    """Control's view of one loaded fleet."""

    def __init__(self, fleet: Fleet, reveal) -> None:
        self.fleet = fleet
        self.reveal = reveal
        self._builder = ContextBuilder(fleet, reveal)

    def credentials(self) -> Credentials:
        return control_credentials(self.fleet, self.reveal)

    def plan(self, mac: str) -> PhonePlan | None:
        """The plan of the phone with MAC ``mac`` (12 lower-case hex digits), None when not in the fleet."""
        fleet = self.fleet
        phone = fleet.phone(mac)
        if phone is None:
            return None
        profile = fleet.profiles.get(phone.profile) if phone.profile else None
        updates = (profile.updates if profile else None) or {}
        timezone = ((profile.time if profile else None) or {}).get("timezone")
        if timezone is None and phone.site in fleet.sites:
            timezone = fleet.sites[phone.site].timezone
        firmware = self._builder.firmware(phone)
        return PhonePlan(
            profile=phone.profile,
            timezone=timezone,
            firmware_window=updates.get("firmware_window"),
            expected_firmware=firmware["version"] if firmware else None,
        )
