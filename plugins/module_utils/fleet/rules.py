# Private to this collection: the rules that span items and files.
"""Cross-reference rules the JSON Schema cannot express.

Each rule adds problems (the fleet is refused) or warnings (the fleet loads; the user is told).
Items that already failed the schema are in ``broken`` so references to them raise no second error.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from ..catalog import registry
from . import window
from .accounts import Reveal, compare_accounts, line_uses
from .errors import Problem
from .model import Fleet, MobilityUser, Origin, Phone
from .names import group_name, slug
from .pin import weakness
from .timezone import UnknownTimeZone, zone_facts

Locate = Callable[[Origin, tuple, str], Problem]
CISCO_ONLY = ("dial_rules", "softkey_template", "certificates")
#: how many other users a warning about weak PIN hashes names
_LISTED = 10


def _known(names) -> str:
    names = sorted(names)
    return ", ".join(names) if names else "none defined"


class _Rules:
    def __init__(
        self,
        fleet: Fleet,
        broken: dict[str, set],
        locate: Locate,
        published: bool = False,
        reveal: Reveal | None = None,
    ) -> None:
        self.fleet = fleet
        self.published = published
        self.reveal = reveal
        self.broken = broken
        self.locate = locate
        self.problems: list[Problem] = []

    def problem(self, origin: Origin, subpath: tuple, message: str) -> None:
        self.problems.append(self.locate(origin, subpath, message))

    def warn(self, origin: Origin, subpath: tuple, message: str) -> None:
        self.fleet.warnings.append(self.locate(origin, subpath, message))

    def unknown_vendor(self, origin: Origin, subpath: tuple, name: str) -> None:
        self.problem(origin, subpath, f"unknown vendor '{name}'; known: {_known(registry.VENDORS)}")

    def reference(self, origin: Origin, subpath: tuple, kind: str, name: str | None, defined: dict) -> bool:
        """Check that ``name`` names a defined item of ``kind``; True when it does."""
        if name is None or name in defined:
            return name is not None
        if name not in self.broken.get(kind, ()):
            noun = kind[:-1].replace("_", " ")
            # names compare exactly: point at the one that differs only in case, spaces or punctuation
            alike = [other for other in sorted(defined) if slug(other) and slug(other) == slug(name)]
            hint = f" (names compare exactly, case included: did you mean '{alike[0]}'?)" if alike else ""
            self.problem(origin, subpath, f"unknown {noun} '{name}'{hint}; defined: {_known(defined)}")
        return False

    def group_names(self) -> None:
        """Each profile, site and tenant makes its own inventory group: names may not share one (fleet/names.py)."""
        for kind, prefix in (("tenants", "tenant"), ("sites", "site"), ("profiles", "profile")):
            holder: dict[str, str] = {}
            for name, item in getattr(self.fleet, kind).items():
                identifier = slug(name)
                if not identifier:
                    message = f"{prefix} '{name}' gives no inventory group name: a name needs a letter or digit"
                    self.problem(item.origin, (), message)
                elif identifier in holder:
                    other = getattr(self.fleet, kind)[holder[identifier]]
                    self.problem(
                        item.origin,
                        (),
                        f"{prefix} '{name}' and {prefix} '{other.name}' ({other.origin.file}) would both be the"
                        f" inventory group {group_name(prefix, name)}; rename one (names that differ only in case,"
                        " spaces or punctuation share a group)",
                    )
                else:
                    holder[identifier] = name

    # -- rules --------------------------------------------------------------------------------

    def settings(self) -> None:
        fleet = self.fleet
        origin = fleet.settings_origin or Origin("settings", ("settings",))
        enabled = fleet.settings.get("vendors") or []
        for index, vendor in enumerate(enabled):
            if registry.vendor_named(vendor) is None:
                self.unknown_vendor(origin, ("vendors", index), vendor)
        defaults = fleet.settings.get("defaults") or {}
        self.reference(origin, ("defaults", "profile"), "profiles", defaults.get("profile"), fleet.profiles)
        self.reference(
            origin, ("defaults", "firmware_kit"), "firmware_kits", defaults.get("firmware_kit"), fleet.firmware_kits
        )
        self.reference(origin, ("defaults", "site"), "sites", defaults.get("site"), fleet.sites)
        for vendor in fleet.settings.get("phone_auth") or {}:
            if registry.vendor_named(vendor) is None:
                self.unknown_vendor(origin, ("phone_auth", vendor), vendor)
        unproven = (fleet.settings.get("provisioning") or {}).get("serve_without_proof") or []
        for index, vendor in enumerate(unproven):
            if registry.vendor_named(vendor) is None:
                self.unknown_vendor(origin, ("provisioning", "serve_without_proof", index), vendor)
        auto = fleet.settings.get("autoprovision") or {}
        if auto.get("enabled"):
            required = ("number_pool", "profile", "allowed_networks", "password_secret")
            # a fleet published before password_secret existed must still load in the service, which then
            # refuses auto-provisioning (journaled, and said at start) instead of losing the whole fleet
            for field in required[:-1] if self.published else required:
                if field not in auto:
                    self.problem(origin, ("autoprovision", field), "is required when autoprovision is enabled")
        for index, network in enumerate(auto.get("allowed_networks") or []):
            try:
                ipaddress.ip_network(network)
            except ValueError as exc:
                self.problem(origin, ("autoprovision", "allowed_networks", index), f"not a network (CIDR): {exc}")
        for index, network in enumerate((fleet.settings.get("phone_control") or {}).get("networks") or []):
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError as exc:
                self.problem(origin, ("phone_control", "networks", index), f"not a network (CIDR) or address: {exc}")
        self.reference(origin, ("autoprovision", "profile"), "profiles", auto.get("profile"), fleet.profiles)
        self.reference(
            origin, ("autoprovision", "firmware_kit"), "firmware_kits", auto.get("firmware_kit"), fleet.firmware_kits
        )
        for index, item in enumerate(auto.get("number_pool") or []):
            low, _dash, high = item.partition("-")
            if high and int(high) < int(low):
                self.problem(origin, ("autoprovision", "number_pool", index), f"range '{item}' ends before it starts")

    def sites(self) -> None:
        for site in self.fleet.sites.values():
            self.reference(site.origin, ("tenant",), "tenants", site.tenant, self.fleet.tenants)

    def profiles(self) -> None:
        for profile in self.fleet.profiles.values():
            timezone = (profile.time or {}).get("timezone")
            if timezone:
                try:
                    zone_facts(timezone)
                except UnknownTimeZone as exc:
                    self.problem(profile.origin, ("time", "timezone"), f"{exc} (an Olson name such as Europe/Moscow)")
            for index, name in enumerate(profile.extended):
                self.reference(profile.origin, ("extended", index), "extended_sets", name, self.fleet.extended_sets)
            self._firmware_window_reached(profile)

    def _firmware_window_reached(self, profile) -> None:
        """Warn when the phones' config checks may never fall inside the firmware window: a phone's file names
        the new firmware only inside it (docs/firmware.md), so such phones flash only when rebooted there."""
        updates = profile.updates or {}
        check, firmware = updates.get("config_check") or {}, updates.get("firmware_window")
        if not firmware:
            return
        firmware_spans = window.week_spans(firmware["days"], firmware["hours"])
        shown = f"updates.firmware_window ({', '.join(firmware['days'])} {firmware['hours']})"
        if check.get("every"):
            every = window.every_minutes(check["every"])
            shortest = min(end - start for start, end in firmware_spans)
            if every <= shortest:
                return
            why = f"updates.config_check (every {check['every']}) is longer than {shown}: a check may miss it"
        elif check.get("hours"):
            if window.overlap(window.week_spans(check.get("days"), check["hours"]), firmware_spans):
                return
            days = ", ".join(check.get("days") or window.WEEKDAYS)
            why = f"updates.config_check ({days} {check['hours']}) never falls inside {shown}"
        else:
            return
        self.warn(
            profile.origin,
            ("updates", "firmware_window"),
            f"{why}, so its phones get new firmware only when rebooted inside the window"
            " (firmware_upgrade.yml reboots them there)",
        )

    def extended_sets(self) -> None:
        for item in self.fleet.extended_sets.values():
            if registry.vendor_named(item.vendor) is None:
                self.unknown_vendor(item.origin, ("vendor",), item.vendor)
            if item.vendor != "cisco":
                for field in CISCO_ONLY:
                    if getattr(item, field):
                        self.problem(item.origin, (field,), "is a Cisco-only field; this set is for " + item.vendor)

    def key_templates(self) -> None:
        for template in self.fleet.key_templates.values():
            self._unique_key_indexes(template.origin, template.keys)

    def _unique_key_indexes(self, origin: Origin, keys: list) -> None:
        seen: dict[int, int] = {}
        for position, key in enumerate(keys):
            if key.index in seen:
                self.problem(
                    origin,
                    ("keys", position, "index"),
                    f"key {key.index} is already defined at keys[{seen[key.index]}]",
                )
            else:
                seen[key.index] = position

    def firmware(self) -> None:
        fleet = self.fleet
        for item in fleet.firmware_files.values():
            vendor = registry.vendor_named(item.vendor)
            if vendor is None:
                self.unknown_vendor(item.origin, ("vendor",), item.vendor)
                continue
            for index, model in enumerate(item.models):
                if vendor.model(model) is None:
                    self.problem(item.origin, ("models", index), f"unknown {vendor.title} model '{model}'")
        for kit in fleet.firmware_kits.values():
            covered: dict[str, str] = {}
            for index, name in enumerate(kit.files):
                if not self.reference(kit.origin, ("files", index), "firmware_files", name, fleet.firmware_files):
                    continue
                item = fleet.firmware_files[name]
                vendor = registry.vendor_named(item.vendor)
                for model in item.models:
                    known = vendor.model(model) if vendor else None
                    key = f"{item.vendor}/{known.name if known else model}"
                    if key in covered:
                        self.problem(
                            kit.origin,
                            ("files", index),
                            f"'{name}' and '{covered[key]}' are both for {model}: a kit holds one file per model",
                        )
                    covered[key] = name

    def phones(self) -> None:
        fleet = self.fleet
        defaults = fleet.settings.get("defaults") or {}
        enabled = set(fleet.settings.get("vendors") or [])
        for phone in fleet.phones:
            origin = phone.origin
            self._vendor_and_model(phone)
            if enabled and phone.vendor and phone.vendor not in enabled:
                self.problem(origin, ("vendor",), f"vendor '{phone.vendor}' is not enabled in settings.vendors")
            if phone.profile is None:
                phone.profile = defaults.get("profile")
            else:
                self.reference(origin, ("profile",), "profiles", phone.profile, fleet.profiles)
            if phone.firmware_kit is None:
                phone.firmware_kit = defaults.get("firmware_kit")
            else:
                self.reference(origin, ("firmware_kit",), "firmware_kits", phone.firmware_kit, fleet.firmware_kits)
            if phone.site is None:
                phone.site = defaults.get("site")
            else:
                self.reference(origin, ("site",), "sites", phone.site, fleet.sites)
            self.reference(origin, ("key_template",), "key_templates", phone.key_template, fleet.key_templates)
            self._lines(origin, phone.lines)
            self._line_count(phone)
            self._keys(phone)
            self._modules(phone)
            self._firmware_for_model(phone)

    def _vendor_and_model(self, phone: Phone) -> None:
        origin = phone.origin
        vendor = None
        if phone.vendor is not None:
            vendor = registry.vendor_named(phone.vendor)
            if vendor is None:
                self.unknown_vendor(origin, ("vendor",), phone.vendor)
                phone.vendor = None
                return
            phone.vendor_source = "declared"
        if phone.model is not None:
            if vendor is not None:
                model = vendor.model(phone.model)
                if model is None:
                    self.problem(
                        origin,
                        ("model",),
                        f"unknown {vendor.title} model '{phone.model}'; known: "
                        + ", ".join(m.name for m in vendor.models),
                    )
                    return
                phone.model = model.name
                return
            makers = registry.vendors_with_model(phone.model)
            if len(makers) != 1:
                reason = "no vendor makes a model" if not makers else "several vendors make a model"
                self.problem(origin, ("model",), f"{reason} called '{phone.model}'; set vendor: as well")
                return
            vendor = makers[0]
            made = vendor.model(phone.model)
            if made is None:  # vendors_with_model names the vendors that make it
                raise AssertionError("made is None")
            phone.vendor, phone.model, phone.vendor_source = vendor.name, made.name, "model"
            return
        if vendor is None:
            by_mac = registry.vendor_for_mac(phone.mac)
            if by_mac is not None:
                phone.vendor, phone.vendor_source = by_mac.name, "mac"

    def _lines(self, origin: Origin, lines: list) -> None:
        for index, line in enumerate(lines):
            if line.register and not line.password:
                self.problem(
                    origin,
                    ("lines", index, "password"),
                    "is required for a line that registers (or set register: false)",
                )

    def _line_count(self, phone: Phone) -> None:
        vendor = registry.vendor_named(phone.vendor) if phone.vendor else None
        model = vendor.model(phone.model) if vendor and phone.model else None
        if model is not None and len(phone.lines) > model.lines:
            # the first line the phone's file cannot carry: drivers write no more accounts than the model has
            accounts = "1 SIP account" if model.lines == 1 else f"{model.lines} SIP accounts"
            self.problem(
                phone.origin,
                ("lines", model.lines),
                f"{model.name} has {accounts}; line {model.lines + 1} cannot be written",
            )

    def _keys(self, owner: Phone | MobilityUser) -> None:
        origin = owner.origin
        if origin is None:  # the loader gives every item the place it was written
            raise AssertionError("origin is None")
        self._unique_key_indexes(origin, owner.keys)
        line_count = len(owner.lines)
        for index, key in enumerate(owner.keys):
            if key.line is not None and key.line > line_count:
                self.problem(
                    origin,
                    ("keys", index, "line"),
                    f"key {key.index} uses line {key.line} but there {_lines_text(line_count)}",
                )
        template = self.fleet.key_templates.get(owner.key_template) if owner.key_template else None
        if template is None:
            return
        own = {key.index for key in owner.keys}
        for key in template.keys:
            if key.index not in own and key.line is not None and key.line > line_count:
                self.problem(
                    origin,
                    ("key_template",),
                    f"key template '{template.name}' key {key.index} uses line {key.line} but there "
                    f"{_lines_text(line_count)}",
                )

    def _modules(self, phone: Phone) -> None:
        if not phone.modules:
            return
        vendor = registry.vendor_named(phone.vendor) if phone.vendor else None
        if vendor is None:
            self.problem(phone.origin, ("modules",), "expansion modules need the phone's vendor or model")
            return
        model = vendor.model(phone.model) if phone.model else None
        for index, name in enumerate(phone.modules):
            module = vendor.expansion_module(name)
            if module is None:
                self.problem(
                    phone.origin,
                    ("modules", index),
                    f"unknown {vendor.title} expansion module '{name}'; known: "
                    + _known(m.name for m in vendor.expansion_modules),
                )
            elif model is not None and module.name not in model.expansion_modules:
                takes = f" (it takes: {', '.join(model.expansion_modules)})" if model.expansion_modules else ""
                self.problem(phone.origin, ("modules", index), f"{model.name} does not take a {module.name}{takes}")
        if model is None:
            self.warn(
                phone.origin, ("modules",), "expansion modules cannot be checked until the phone's model is known"
            )
        elif len(phone.modules) > model.max_expansion_modules:
            self.problem(
                phone.origin,
                ("modules",),
                f"{model.name} takes at most {model.max_expansion_modules} expansion modules",
            )

    def _firmware_for_model(self, phone: Phone) -> None:
        kit = self.fleet.firmware_kits.get(phone.firmware_kit) if phone.firmware_kit else None
        if kit is None or phone.model is None:
            return
        for name in kit.files:
            item = self.fleet.firmware_files.get(name)
            vendor = registry.vendor_named(item.vendor) if item else None
            if item and item.vendor == phone.vendor and vendor is not None:
                if any((made := vendor.model(model)) and made.name == phone.model for model in item.models):
                    return
        self.warn(
            phone.origin,
            ("firmware_kit",),
            f"kit '{kit.name}' has no firmware for {phone.model}; the phone keeps the firmware it runs",
        )

    def mobility(self) -> None:
        fleet = self.fleet
        first: dict[str, Origin] = {}
        for user in fleet.mobility_users:
            if user.number in first:
                self.problem(
                    user.origin,
                    ("number",),
                    f"number {user.number} is already used by the mobility user at {first[user.number]}",
                )
            else:
                first[user.number] = user.origin
            self.reference(user.origin, ("profile",), "profiles", user.profile, fleet.profiles)
            self.reference(user.origin, ("key_template",), "key_templates", user.key_template, fleet.key_templates)
            self._lines(user.origin, user.lines)
            self._keys(user)
        self._weak_pin_hashes()
        if not first:
            return
        for phone in fleet.phones:
            for index, line in enumerate(phone.lines):
                if line.number in first:
                    self.problem(
                        phone.origin,
                        ("lines", index, "number"),
                        f"number {line.number} belongs to the mobility user at {first[line.number]}",
                    )

    def _weak_pin_hashes(self) -> None:
        """One warning for the PIN hashes below what new ones get, at the first of them: a fleet written before
        argon2id has one per user, and a warning per user would bury every other one (and locating each costs a
        read of its file)."""
        weak = [(user, why) for user in self.fleet.mobility_users if (why := weakness(user.pin_hash)) is not None]
        if not weak:
            return
        first, why = weak[0]
        others = [user.number for user, _why in weak[1:]]
        if others:
            listed = ", ".join(others[:_LISTED]) + (", ..." if len(others) > _LISTED else "")
            why += f"; {len(others)} more mobility users have such a hash: {listed}"
        self.warn(first.origin, ("pin_hash",), why)

    def accounts(self) -> None:
        """One SIP account, one registrar and one password (fleet/accounts.py); shared alike, it is summarised."""
        shared, conflicts = compare_accounts(line_uses(self.fleet), self.reveal)
        self.fleet.shared_accounts = shared
        for conflict in conflicts:
            second = conflict.second
            if second.origin is None:  # line_uses gives every line its phone's origin
                raise AssertionError("origin is None")
            field = ("profile",) if conflict.differs_in == "registrar" else ("lines", second.line_index, "password")
            self.problem(second.origin, field, conflict.message)


def _lines_text(count: int) -> str:
    return "are no lines" if count == 0 else ("is 1 line" if count == 1 else f"are {count} lines")


def check_fleet(
    fleet: Fleet, broken: dict[str, set], locate: Locate, published: bool = False, reveal: Reveal | None = None
) -> list[Problem]:
    """Run every cross-reference rule; warnings go to ``fleet.warnings``, problems are returned.

    ``published``: the fleet of a publish bundle, checked by the release that published it; a setting
    required since (``autoprovision.password_secret``) does not refuse it. ``reveal``: the clear text of a
    vault value, from a controller-side plugin holding the vault secret; without it, passwords are compared
    only where that needs no decryption (fleet/accounts.py).
    """
    rules = _Rules(fleet, broken, locate, published, reveal)
    rules.settings()
    rules.group_names()
    rules.sites()
    rules.profiles()
    rules.extended_sets()
    rules.key_templates()
    rules.firmware()
    rules.phones()
    rules.mobility()
    rules.accounts()
    return rules.problems
