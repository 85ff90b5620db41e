# Private to this collection: a number, credentials and a config for a phone nobody declared.
"""Auto-provisioning: an unknown phone of an enabled vendor gets a free number of the pool on first contact.

``settings.autoprovision`` of the fleet says whether it is on, the pool (``["3000-3099", "3150"]``), the
name and SIP user name patterns (``{number}`` is replaced), the password length and the secret each
number's password is derived from (``fleet/pool.py``: the registrar knows it before any phone asks), the
profile and the firmware kit. Numbers the fleet already gives to a line are never handed out.

A stranger on the network must not drain the pool: only phones asking from ``allowed_networks`` (CIDR;
required when enabled, none means nobody) get a number or an auto-provisioned config, and at most
``rate_per_source`` new numbers a minute go to one address, ``rate_per_pool`` to all (counted in the
database, in the allocation's transaction, so they hold across workers and servers). A refused phone is
journaled ``autoprovision-refused`` and still gets its vendor's base files. The allocation itself is
the store's (atomic across workers and servers); this module decides who gets a number of the pool and
renders the phone's files with the same drivers and renderer publish uses, so an auto-provisioned phone's
config is exactly what it would be had the engineer declared it. Exporting the assignments back into the
fleet files (playbook ``export_autoprovisioned.yml``) makes Git the truth again; once the phone is in a
published fleet its static files win and the assignment is released.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from ..catalog import registry
from ..fleet import window as windows
from ..fleet.model import Line, Origin, Phone
from ..fleet.pool import Pool
from ..render.driver import RenderError
from ..render.renderer import FleetRenderer
from .store import Assignment, AssignmentLimits, AssignmentRefused, Store

ORIGIN_FILE = "autoprovision"
#: new numbers per minute when the fleet does not say: enough for a site's phones arriving together
RATE_PER_SOURCE = 5
RATE_PER_POOL = 60


class AutoprovisionError(Exception):
    """The phone cannot be auto-provisioned (the message says why; it is journaled)."""


def parse_networks(texts: list) -> tuple:
    """The networks of ``allowed_networks``; one that does not parse allows nothing (validation names it)."""
    networks = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(str(text), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def warnings(fleet) -> list[str]:
    """What stops auto-provisioning as a whole, said when the service starts and with each publish."""
    pool = Pool(fleet)  # the bundle's fleet: its secrets are in clear
    unusable = pool.unusable() if pool.enabled else None
    if unusable is None:
        return []
    return [
        f"autoprovision is enabled but no phone can be auto-provisioned: {unusable}; set it (a vault value) and"
        " publish again (meanwhile unknown phones get their base files, journaled autoprovision-failed)"
    ]


class Autoprovisioner:
    """The fleet's auto-provisioning policy and the renderer for assigned phones."""

    def __init__(self, fleet) -> None:
        self.fleet = fleet
        self.settings = (fleet.settings.get("autoprovision") or {}) if fleet is not None else {}
        self.enabled = bool(self.settings.get("enabled"))
        vendors = fleet.settings.get("vendors") if fleet is not None else None
        self.vendors = set(vendors) if vendors else None
        self.pool = Pool(fleet)  # the bundle's fleet: its secrets are in clear
        self.numbers = self.pool.numbers
        self.networks = parse_networks(self.settings.get("allowed_networks") or [])
        self.limits = AssignmentLimits(
            per_source=int(self.settings.get("rate_per_source") or RATE_PER_SOURCE),
            per_pool=int(self.settings.get("rate_per_pool") or RATE_PER_POOL),
        )
        self._renderer = FleetRenderer(fleet, str) if fleet is not None else None
        self._rendered: dict = {}

    def accepts(self, vendor: str | None) -> bool:
        return self.enabled and vendor is not None and (self.vendors is None or vendor in self.vendors)

    def allows(self, source: str | None) -> bool:
        """Whether a request from the address ``source`` may get a number or an auto-provisioned config."""
        if source is None:
            return False
        try:
            address = ipaddress.ip_address(source)
        except ValueError:
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # a dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d
        return any(address in network for network in self.networks)

    def assign(self, store: Store, mac: str, source: str | None) -> Assignment | None:
        """A number for ``mac`` asking from ``source`` (None: the pool is full).

        Raises AssignmentRefused when ``source`` is outside the allowed networks or a rate is reached.
        """
        if not self.allows(source):
            raise AssignmentRefused("network")
        return store.assign(mac, self.numbers, self.credentials, source=source, limits=self.limits)

    def cannot_render(self, vendor: str | None, model: str | None) -> str | None:
        """Why a phone of ``vendor`` and ``model`` cannot get a config rendered, or None when it can."""
        unusable = self.pool.unusable()
        if unusable is not None:  # checked before a number is spent, as the rest
            return unusable
        if model is None:
            return "the phone did not report its model"
        driver = registry.driver_for(vendor) if vendor else None
        if driver is None:
            return f"no driver for vendor {vendor!r}"
        if driver.vendor.model(model) is None:
            return f"model {model!r} is not in the {vendor} catalog"
        return None

    def credentials(self, number: str) -> tuple[str, str]:
        """(name, SIP user name) a number of the pool comes with (fleet/pool.py); its password is derived
        again whenever the phone's file is rendered, never kept."""
        account = self.pool.account(number)
        return account.name, account.username

    def phone(self, assignment, vendor: str, model: str | None) -> Phone:
        """The fleet phone an assignment stands for; its line's password derived from the fleet's secret."""
        defaults = self.fleet.settings.get("defaults") or {}
        return Phone(
            mac=assignment.mac,
            origin=Origin(ORIGIN_FILE, ()),
            name=assignment.name,
            vendor=vendor,
            model=model,
            vendor_source="phone",
            profile=self.settings.get("profile") or defaults.get("profile"),
            firmware_kit=self.settings.get("firmware_kit") or defaults.get("firmware_kit"),
            site=defaults.get("site"),
            lines=[
                Line(
                    number=assignment.number,
                    display_name=assignment.name,
                    username=assignment.username,
                    password=self.pool.account(assignment.number).password,
                )
            ],
        )

    def render(
        self, assignment, vendor: str, model: str | None, when: float | None = None, opened: bool = False
    ) -> tuple[dict, str]:
        """The files of an assigned phone and their version (first 12 hex of the sha256 of all of them), as
        served at ``when`` (epoch seconds): inside the phone's firmware window (or with ``opened``: its window
        opened by hand, window_override.py) they name its kit's firmware; without ``when``, as outside it (what
        WPI, which deploys no firmware, writes)."""
        return self.config(assignment, vendor, model).served_at(when, opened)

    def entry(self, assignment, vendor: str, model: str | None) -> dict:
        """What a publish's manifest says of a fleet phone (versions, firmware, window), for an assigned one."""
        return self.config(assignment, vendor, model).entry

    def config(self, assignment, vendor: str, model: str | None) -> ServiceConfig:
        key = (assignment.mac, assignment.number, vendor, model)  # one fleet (and secret) per instance
        cached = self._rendered.get(key)
        if cached is not None:
            return cached
        if model is None:
            raise AutoprovisionError("the phone did not report its model (needed to render its config)")
        if self._renderer is None:  # a phone is auto-provisioned only by a published fleet
            raise AssertionError("self._renderer is None")
        try:
            result = service_config(self._renderer, self.phone(assignment, vendor, model))
        except (RenderError, KeyError, ValueError) as exc:
            raise AutoprovisionError(f"cannot render: {exc}") from None
        self._rendered[key] = result
        return result


@dataclass(frozen=True)
class ServiceConfig:
    """A phone's files as the service renders them itself (auto-provisioned, or its model learned)."""

    files: dict  # name -> bytes, as served outside the firmware window (always, without one)
    window_files: dict  # every file as served inside it
    window: dict | None
    entry: dict  # {"version", "firmware"} and, with a window, "window" and "window_version"

    def served_at(self, when: float | None, opened: bool = False) -> tuple[dict, str]:
        """The files and their version as served at ``when`` (see Autoprovisioner.render)."""
        if when is not None and self.window is not None and (opened or windows.open_at(self.window, when)):
            return self.window_files, self.entry["window_version"]
        return self.files, self.entry["version"]


def service_config(
    renderer: FleetRenderer, phone: Phone, version: Callable[[dict], str] | None = None
) -> ServiceConfig:
    """``phone``'s files made by publish's renderer, with what a manifest would say of them (versions, firmware,
    window; ``version`` of a set of files, this module's by default). Raises RenderError (or KeyError/ValueError
    of a template) when it cannot be rendered."""
    version = version or _version
    rendered = renderer.phone(phone)
    entry: dict = {"version": version(rendered.files), "firmware": rendered.firmware}
    in_window = rendered.files_in_window()
    if rendered.window is not None:
        entry.update(window=rendered.window, window_version=version(in_window))
    return ServiceConfig(rendered.files, in_window, rendered.window, entry)


def own_file(files: dict, requested: str) -> str | None:
    """The name among a phone's ``files`` that the request's file name stands for (phones differ in case, and
    some ask with a folder), or None."""
    folded = {name.lower(): name for name in files}
    return folded.get(requested.lower()) or folded.get(requested.rpartition("/")[2].lower())


def _version(files: dict) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()[:12]
