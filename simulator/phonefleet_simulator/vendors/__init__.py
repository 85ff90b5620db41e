"""What the simulator knows of each vendor's real phones, one module per vendor.

Written from the vendors' own documents (each rule cites its source; unverified facts say so), never
from the collection's drivers: a simulator that takes its facts from the driver agrees with it by
construction and cannot catch a driver that forgets a setting.

A vendor module may define (the device and its surfaces call them when it does):

- ``accounts(files) -> list[configs.SipAccount]``: the SIP accounts the phone reads from the files it fetched;
- ``control_settings(files) -> dict``: the settings its control paths depend on, read when it fetched its
  files (``{}`` for a phone that fetched nothing: the vendor's factory defaults then apply);
- ``notify(settings, event, params, answer) -> answer``: what the phone does with a SIP NOTIFY ``event``
  given those settings; ``answer`` is the surface's ``(code, reason, operation, headers)`` for the event;
- ``http(settings, method, path) -> (code, reason) | None``: a refusal of a control request the phone's
  settings do not allow (before its login is checked), None to let the route answer;
- ``web_login(settings) -> (user, password) | None``: the web interface's login its files set (None: the
  phone keeps the login it has, the simulator's configured one).
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def rules_of(vendor: str) -> ModuleType | None:
    """The vendor's module of this package, or None when it has none."""
    if not _NAME.match(vendor):
        return None
    try:
        return importlib.import_module(f"{__name__}.{vendor}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{vendor}":
            raise
        return None


def control_settings(vendor: str, files: dict) -> object:
    """What the phone's control paths depend on, as its vendor module reads ``files`` ({} without one; a
    module's own type otherwise, e.g. yealink.ControlSettings)."""
    read = getattr(rules_of(vendor), "control_settings", None)
    return read(files) if read is not None else {}


def notify_answer(vendor: str, settings: dict, event: str, params: dict, answer: tuple) -> tuple:
    """The answer to a NOTIFY ``event`` once the vendor's rules have seen the phone's ``settings``."""
    rule = getattr(rules_of(vendor), "notify", None)
    return rule(settings, event, params, answer) if rule is not None else answer


def http_refusal(vendor: str, settings: dict, method: str, path: str) -> tuple[int, str] | None:
    """A refusal of an HTTP control request by the vendor's rules, or None."""
    rule = getattr(rules_of(vendor), "http", None)
    return rule(settings, method, path) if rule is not None else None


def web_login(vendor: str, settings: dict) -> tuple[str, str] | None:
    """The login of the phone's web interface as its files set it, or None (it keeps the one it has)."""
    rule = getattr(rules_of(vendor), "web_login", None)
    return rule(settings) if rule is not None else None
