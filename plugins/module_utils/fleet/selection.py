# Private to this collection: which phones of a fleet a bulk change or an export applies to.
"""A selection of phones, as ``phones_bulk`` and ``phones_export`` take it in their ``select`` option.

Each filter is a string or a list of strings: the values of one filter are alternatives (OR), the filters
given must all hold (AND). A filter left out (or given empty) does not restrict. A selection with no filter
at all is refused unless it says ``all: true``: a change to every phone of the fleet must be asked for.

- ``vendor``, ``model``: the phone's vendor and model, case-insensitively (``yealink``, ``t54w``);
- ``profile``, ``site``, ``tenant`` (the tenant of the phone's site): names are labels people type
  (``Офис``, ``Склад 1``), compared exactly after Unicode NFC normalisation, so a name typed with a
  combining accent and the same name typed precomposed are one name; the phone's effective value counts
  (a phone without a profile has the fleet's default profile);
- ``name``: shell-style patterns (``*``, ``?``, ``[...]``) on the phone's name, case-insensitively for every
  script (``приёмная*`` finds ``Приёмная 2``); a phone without a name matches no name pattern;
- ``number``: patterns on the numbers of the phone's lines (any line);
- ``macs``: MAC addresses in any notation (``80:5E:C0:11:22:33``, ``0cd0.f8a1.b2c3``, ``805ec0112233``);
- ``status`` (0-3) and ``not_seen_for`` (a duration such as ``30d``; a phone the service never heard from
  counts as not seen) are what the provisioning service saw: they need its phone rows (``live``), and a
  phone the service does not know (not published yet) matches neither.
"""

from __future__ import annotations

import fnmatch
import re
import time
import unicodedata
from dataclasses import dataclass

from .errors import FleetError
from .mac import InvalidMac, normalize_mac
from .model import Fleet, Phone

#: The ``select`` option's suboptions, for a module's argument_spec: ``{"select": {"type": "dict",
#: "options": SELECTION_OPTIONS}}``. Filters are ``raw`` so a single string stays one value even when it
#: holds a comma (a ``list`` option would split ``Склад 1, этаж 2`` in two); from_options checks the types.
SELECTION_OPTIONS: dict = {
    "vendor": {"type": "raw"},
    "model": {"type": "raw"},
    "profile": {"type": "raw"},
    "site": {"type": "raw"},
    "tenant": {"type": "raw"},
    "status": {"type": "raw"},
    "not_seen_for": {"type": "str"},
    "name": {"type": "raw"},
    "number": {"type": "raw"},
    "macs": {"type": "list", "elements": "str"},
    "all": {"type": "bool", "default": False},
}

STATUSES = (0, 1, 2, 3)
_DURATION = re.compile(r"\s*(\d+)\s*([smhdw])\s*")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class SelectionError(FleetError):
    """The selection cannot be used as given; the message names the option (``select.status: ...``)."""


def _label(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _folded(text: str) -> str:
    """Case-insensitive form for every script: NFC then casefold (``ß`` -> ``ss``, ``Ё`` -> ``ё``)."""
    return unicodedata.normalize("NFC", text).casefold()


def _as_list(value: object) -> list:
    """A filter's values: a single value is a list of one."""
    return value if isinstance(value, list) else [value]


def _texts(where: str, value: object) -> tuple[str, ...]:
    """A filter's values: a string or a list of strings (numbers are read as text), empty ones refused."""
    texts = []
    for item in _as_list(value):
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise SelectionError(f"{where}: must be a string or a list of strings, not {item!r}")
        text = str(item).strip()
        if not text:
            raise SelectionError(f"{where}: an empty value selects nothing; leave the option out instead")
        texts.append(text)
    return tuple(texts)


def _statuses(where: str, value: object) -> tuple[int, ...]:
    codes = []
    for item in _as_list(value):
        code = item if isinstance(item, int) and not isinstance(item, bool) else None
        if isinstance(item, str) and item.strip().isdigit():
            code = int(item)
        if code not in STATUSES:
            raise SelectionError(f"{where}: must be a status 0, 1, 2 or 3 (or a list of them), not {item!r}")
        codes.append(code)
    return tuple(codes)


def _macs(where: str, value: object) -> tuple[str, ...]:
    try:
        return tuple(normalize_mac(item) for item in _as_list(value))
    except InvalidMac as exc:
        raise SelectionError(f"{where}: {exc}") from None


def _duration(where: str, value: object) -> int:
    found = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if not found:
        raise SelectionError(f"{where}: must be a duration such as 90m, 12h, 30d or 2w, not {value!r}")
    return int(found.group(1)) * _SECONDS[found.group(2)]


def _empty(value: object) -> bool:
    return value is None or value == "" or value == []


@dataclass(frozen=True)
class Selection:
    """Which phones a change or an export applies to; build it with :meth:`from_options`."""

    vendors: tuple[str, ...] = ()
    models: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()
    statuses: tuple[int, ...] = ()
    not_seen_for: int | None = None  # seconds
    names: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    macs: tuple[str, ...] = ()
    every_phone: bool = False
    where: str = "select"

    @classmethod
    def from_options(cls, options: dict | None, where: str = "select") -> Selection:
        """The selection of a module's ``select`` option (``where`` prefixes the messages); SelectionError when
        a value is not valid, an option is unknown, or nothing is selected without ``all: true``."""
        options = dict(options or {})
        unknown = sorted(set(options) - set(SELECTION_OPTIONS))
        if unknown:
            known = ", ".join(SELECTION_OPTIONS)
            raise SelectionError(f"{where}: unknown option {unknown[0]!r}; the options are {known}")
        given = {name: value for name, value in options.items() if name != "all" and not _empty(value)}
        every_phone = options.get("all")
        if every_phone is not None and not isinstance(every_phone, bool):
            raise SelectionError(f"{where}.all: must be true or false, not {every_phone!r}")
        if every_phone and given:
            raise SelectionError(
                f"{where}.all: true selects every phone; leave out {', '.join(sorted(given))} or set all: false"
            )
        if not every_phone and not given:
            raise SelectionError(
                f"{where}: selects no phone; give a filter (vendor, model, profile, site, tenant, status,"
                " not_seen_for, name, number or macs), or all: true to select every phone of the fleet"
            )

        def texts(name: str, fold=_label) -> tuple[str, ...]:
            value = given.get(name)
            return () if value is None else tuple(fold(text) for text in _texts(f"{where}.{name}", value))

        return cls(
            vendors=texts("vendor", _folded),
            models=texts("model", _folded),
            profiles=texts("profile"),
            sites=texts("site"),
            tenants=texts("tenant"),
            statuses=_statuses(f"{where}.status", given["status"]) if "status" in given else (),
            not_seen_for=_duration(f"{where}.not_seen_for", given["not_seen_for"]) if "not_seen_for" in given else None,
            names=texts("name", _folded),
            numbers=texts("number"),
            macs=_macs(f"{where}.macs", given["macs"]) if "macs" in given else (),
            every_phone=bool(every_phone),
            where=where,
        )

    @property
    def needs_live(self) -> bool:
        """Whether the selection filters on what the provisioning service saw (status, last contact)."""
        return bool(self.statuses) or self.not_seen_for is not None

    def require_live(self, live: dict | None) -> None:
        """SelectionError naming the filter when the selection needs the service's rows and ``live`` is None."""
        if self.needs_live and live is None:
            name = "status" if self.statuses else "not_seen_for"
            raise SelectionError(
                f"{self.where}.{name}: needs the provisioning service's view of the phones;"
                " configure the service (service_url and an API token) or leave the filter out"
            )

    def matches(self, fleet: Fleet, phone: Phone, live: dict | None = None, now: float | None = None) -> bool:
        """Whether ``phone`` is selected. ``live``: the service's phone rows by normalised MAC
        (``service/live_facts.check_rows``); needed when :attr:`needs_live`, else SelectionError."""
        self.require_live(live)
        if self.macs and phone.mac not in self.macs:
            return False
        if self.vendors and _folded(phone.vendor or "") not in self.vendors:
            return False
        if self.models and _folded(phone.model or "") not in self.models:
            return False
        if self.profiles and _label(phone.profile or "") not in self.profiles:
            return False
        if self.sites and _label(phone.site or "") not in self.sites:
            return False
        if self.tenants and _label(fleet.tenant_of(phone) or "") not in self.tenants:
            return False
        if self.names and not (
            phone.name and any(fnmatch.fnmatchcase(_folded(phone.name), pattern) for pattern in self.names)
        ):
            return False
        if self.numbers and not any(
            fnmatch.fnmatchcase(str(line.number), pattern) for line in phone.lines for pattern in self.numbers
        ):
            return False
        if self.needs_live:
            return self._live_matches((live or {}).get(phone.mac), time.time() if now is None else now)
        return True

    def _live_matches(self, row: dict | None, now: float) -> bool:
        if row is None:  # the service does not know the phone (not published): it has no status to match
            return False
        if self.statuses and row.get("status") not in self.statuses:
            return False
        if self.not_seen_for is not None:
            last = row.get("last_contact")
            return last is None or now - float(last) >= self.not_seen_for
        return True

    def missing_macs(self, fleet: Fleet) -> list[str]:
        """The MACs of ``macs`` that are no phone of the fleet (normalised), for a warning."""
        return [mac for mac in self.macs if mac not in fleet.phones_by_mac]


def select(fleet: Fleet, selection: Selection, live: dict | None = None, now: float | None = None) -> list[Phone]:
    """The phones of ``fleet`` the selection matches, in fleet order."""
    selection.require_live(live)
    moment = time.time() if now is None else now
    return [phone for phone in fleet.phones if selection.matches(fleet, phone, live, moment)]
