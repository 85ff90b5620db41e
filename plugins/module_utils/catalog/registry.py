# Private to this collection: the one place vendors are registered.
"""Every vendor family the collection knows, by its name in the fleet files, and look-ups over them.

A vendor is one folder of ``vendors/``; its ``datasheet.py`` (``VENDOR``, a ``VendorInfo``) is found here
by looking into that folder, so adding a vendor touches no other vendor's code and not this file. Only
data sheets are read at import: a vendor's driver (``driver.py``, which stands on the renderer) and control
class (``control.py``) are imported by name when ``driver_for``/``control_for`` first ask for them.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re

from .models import VendorInfo

#: the package holding one sub-package per vendor
VENDORS_PACKAGE = f"{__package__.rpartition('.')[0]}.vendors"

#: The order vendors are tried in where a file name or User-Agent fits several (Cisco enterprise and MPP share
#: hardware; Atcom and Qtech borrow another vendor's platform), and in which they are listed in messages.
#: A vendor folder not named here comes after these, by name: a new vendor needs a line here only if it must
#: be tried before one of them.
PRECEDENCE = (
    "yealink",
    "cisco",
    "cisco_mpp",
    "avaya",
    "unify",
    "atcom",
    "qtech",
    "poly",
    "grandstream",
    "snom",
    "fanvil",
)


def _vendor_module(folder: str, part: str):
    """``vendors/<folder>/<part>.py`` imported, or None when the folder has no such file."""
    name = f"{VENDORS_PACKAGE}.{folder}.{part}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def _data_sheets() -> dict[str, VendorInfo]:
    """Every vendor folder's ``VENDOR``, in ``PRECEDENCE`` order; a data sheet naming another vendor than its
    folder is refused, as the folder name is how drivers and controls are found."""
    package = importlib.import_module(VENDORS_PACKAGE)
    folders = [found.name for found in pkgutil.iter_modules(package.__path__) if found.ispkg]
    rank = {name: position for position, name in enumerate(PRECEDENCE)}
    found: dict[str, VendorInfo] = {}
    for folder in sorted(folders, key=lambda name: (rank.get(name, len(rank)), name)):
        sheet = _vendor_module(folder, "datasheet")
        if sheet is None:
            continue
        vendor = sheet.VENDOR
        if vendor.name != folder:
            raise ImportError(
                f"vendors/{folder}/datasheet.py: VENDOR.name is '{vendor.name}', not its folder's name '{folder}'"
            )
        found[folder] = vendor
    return found


VENDORS: dict[str, VendorInfo] = _data_sheets()

_HEX = frozenset("0123456789abcdef")


def driver_for(name: str):
    """The rendering driver (``DRIVER`` in ``<vendor>/driver.py``) of a vendor, or None if it has none yet."""
    if name not in VENDORS:
        return None
    loaded = _vendor_module(name, "driver")
    return getattr(loaded, "DRIVER", None)


def control_for(name: str):
    """The control class (``CONTROL`` in ``<vendor>/control.py``: reboot, resync, info, screenshot) of a
    vendor, or None if it has none."""
    if name not in VENDORS:
        return None
    loaded = _vendor_module(name, "control")
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
