# Private to this collection: the one place vendor drivers are registered.
"""Every vendor family the collection knows, by its name in the fleet files, and look-ups over them."""

from __future__ import annotations

import functools
import importlib
import re

from .atcom.driver import VENDOR as ATCOM
from .avaya.driver import VENDOR as AVAYA
from .catalog import VendorInfo
from .cisco.driver import VENDOR as CISCO
from .cisco_mpp.driver import VENDOR as CISCO_MPP
from .fanvil.driver import VENDOR as FANVIL
from .grandstream.driver import VENDOR as GRANDSTREAM
from .poly.driver import VENDOR as POLY
from .qtech.driver import VENDOR as QTECH
from .snom.driver import VENDOR as SNOM
from .unify.driver import VENDOR as UNIFY
from .yealink.driver import VENDOR as YEALINK

VENDORS: dict[str, VendorInfo] = {
    vendor.name: vendor
    for vendor in (YEALINK, CISCO, CISCO_MPP, AVAYA, UNIFY, ATCOM, QTECH, POLY, GRANDSTREAM, SNOM, FANVIL)
}

_HEX = frozenset("0123456789abcdef")
_DRIVER_MODULES = {
    "yealink": "yealink",
    "cisco": "cisco",
    "cisco_mpp": "cisco_mpp",
    "avaya": "avaya",
    "unify": "unify",
    "atcom": "atcom",
    "qtech": "qtech",
    "poly": "poly",
    "grandstream": "grandstream",
    "snom": "snom",
    "fanvil": "fanvil",
}


def driver_for(name: str):
    """The rendering driver (``DRIVER`` in ``<vendor>/driver.py``) of a vendor, or None if it has none yet."""
    module = _DRIVER_MODULES.get(name)
    if module is None:
        return None
    loaded = importlib.import_module(f"{__package__}.{module}.driver")
    return getattr(loaded, "DRIVER", None)


def control_for(name: str):
    """The control class (``CONTROL`` in ``<vendor>/control.py``: reboot, resync, info, screenshot) of a
    vendor, or None if it has none."""
    module = _DRIVER_MODULES.get(name)
    if module is None:
        return None
    try:
        loaded = importlib.import_module(f"{__package__}.{module}.control")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.{module}.control":
            return None
        raise
    return getattr(loaded, "CONTROL", None)


def vendor_named(name: str) -> VendorInfo | None:
    """The vendor called ``name`` in the fleet files (case ignored), or None."""
    return VENDORS.get(name.strip().lower())


def vendors_with_model(model: str) -> list[VendorInfo]:
    """Vendors with a model or alias ``model`` (case, spaces and dashes ignored); at most one by design."""
    return [vendor for vendor in VENDORS.values() if vendor.model(model) is not None]


def vendors_for_mac(mac: str) -> list[VendorInfo]:
    """Vendors whose MAC blocks hold ``mac`` (12 hex digits; separators and case are tolerated)."""
    digits = "".join(ch for ch in mac.lower() if ch not in ":-.")
    if len(digits) != 12 or not set(digits) <= _HEX:
        return []
    return [vendor for vendor in VENDORS.values() if digits[:6] in vendor.ouis]


def vendor_for_mac(mac: str) -> VendorInfo | None:
    """The one vendor whose MAC blocks hold ``mac``, or None if none or several do.

    Cisco enterprise and Cisco MPP firmware run on the same hardware, so a Cisco MAC alone names no
    vendor: the files requested or the User-Agent must decide.
    """
    found = vendors_for_mac(mac)
    return found[0] if len(found) == 1 else None


def shared_file_names() -> dict[str, str]:
    """Every file name any vendor's driver may publish for all its phones (shared and base files, for any
    mix of models) -> that vendor."""
    names: dict[str, str] = {}
    for name in VENDORS:
        driver = driver_for(name)
        if driver is None:
            continue
        every_model = {"models": [model.name for model in driver.vendor.models]}
        for spec in [*driver.shared_files(every_model), *driver.base_files({"models": []})]:
            names.setdefault(spec.name, name)
    return names


# Where a MAC could sit in a file name: every run of 12 hex digits (overlapping: "a000000000000.cfg").
_TWELVE_HEX = re.compile(r"(?=([0-9a-fA-F]{12}))")
_PROBE = "0123456789ab"


@functools.cache
def reserved_macs() -> dict[str, tuple[str, str]]:
    """MACs no phone may have: a file of a phone with that MAC would bear the name of a shared or base file
    (``000000000000.cfg`` is Poly's base file and a Yealink, Fanvil or Avaya phone's file name) -> that
    (that file's name, its vendor).

    A 12-hex-digit run of a shared file's name is a MAC's place if, with another MAC written there, some
    driver's ``requested_files`` reads the name as a phone's own file (its ``mac`` group is that MAC).
    """
    per_phone = [
        re.compile(regex)
        for vendor in VENDORS
        if (driver := driver_for(vendor)) is not None
        for regex in driver.requested_files
        if "(?P<mac>" in regex
    ]
    reserved: dict[str, tuple[str, str]] = {}
    for file_name, vendor in shared_file_names().items():
        for run in _TWELVE_HEX.finditer(file_name):
            start, end = run.span(1)
            for probe in (_PROBE, _PROBE.upper()):
                probed = file_name[:start] + probe + file_name[end:]
                if any(
                    (found := pattern.fullmatch(probed)) and found.group("mac").lower() == _PROBE
                    for pattern in per_phone
                ):
                    reserved.setdefault(run.group(1).lower(), (file_name, vendor))
    return reserved
