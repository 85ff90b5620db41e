"""What the simulator knows of each vendor's real phones, one module per vendor.

Written from the vendors' own documents (each rule cites its source; unverified facts say so), never
from the collection's drivers: a simulator that takes its facts from the driver agrees with it by
construction and cannot catch a driver that forgets a setting.
"""

from __future__ import annotations

from collections.abc import Callable

from . import atcom, yealink

#: vendor -> what its phones read of their files about being driven from outside (the surfaces apply it)
CONTROL_SETTINGS: dict[str, Callable[[dict], object]] = {
    "yealink": yealink.control_settings,
    "atcom": atcom.control_settings,
}


def control_settings(vendor: str, files: dict) -> object | None:
    """The control settings a ``vendor`` phone reads from ``files`` (factory defaults for an empty dict)."""
    reader = CONTROL_SETTINGS.get(vendor)
    return reader(files) if reader is not None else None
