# Private to this collection: rendering a fleet's files.
"""Phones' files and the files every phone of a vendor shares, as bytes, in one process.

The renderer is pure: the same fleet gives the same bytes, so publishing again is a no-op and a diff
means a real change. Problems of one phone (no profile, unknown time zone, template error) are
collected, never hidden, and do not stop the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..catalog import registry
from ..fleet.mac import format_mac
from ..fleet.model import Fleet, Phone
from .context import ContextBuilder, Reveal, firmware_window
from .driver import RenderError


class AwaitingModel(RenderError):
    """A phone of a known vendor whose model nobody wrote down (the reference product's CSV has no model
    column), or with neither vendor nor model and a MAC prefix several vendors share (Cisco enterprise and
    Cisco MPP run on the same hardware): not an error of the fleet. Publish leaves it unrendered, and the
    provisioning service renders it with the model (and vendor) a request that proved the phone reports when
    it first asks (service/learned_model.py)."""


def candidate_vendors(phone: Phone) -> tuple[str, ...]:
    """The vendors phone ``phone`` may be of: the fleet's vendor, or else every vendor with a rendering driver
    whose MAC blocks hold its MAC (several only where vendors share a prefix; none for an unknown prefix)."""
    if phone.vendor is not None:
        return (phone.vendor,)
    found = (vendor.name for vendor in registry.vendors_for_mac(phone.mac))
    return tuple(sorted(name for name in found if registry.driver_for(name) is not None))


@dataclass
class RenderedPhone:
    """One phone's files. With a firmware window (``window``), ``files`` name no firmware and
    ``window_files`` are the files that differ inside the window, naming the kit's firmware (``firmware``):
    the provisioning service serves those only while the window is open (docs/publishing.md)."""

    mac: str
    vendor: str | None
    files: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    window: dict | None = None  # {"days", "hours", "timezone"} of the phone's profile
    window_files: dict = field(default_factory=dict)
    firmware: str | None = None  # the version the kit names for the phone's model

    def files_in_window(self) -> dict:
        """Every file the phone gets while its firmware window is open."""
        return {**self.files, **self.window_files} if self.window_files else self.files


class FleetRenderer:
    def __init__(self, fleet: Fleet, reveal: Reveal) -> None:
        self.fleet = fleet
        self.contexts = ContextBuilder(fleet, reveal)
        self.shared_templates: dict[str, str] = {}  # shared or base file name -> the template that made it

    def phone(self, phone: Phone) -> RenderedPhone:
        """Render one phone's files; raises RenderError when it cannot be rendered at all."""
        result = RenderedPhone(phone.mac, phone.vendor)
        who = f"phone {format_mac(phone.mac)}" + (f" ({phone.name})" if phone.name else "")
        if phone.vendor is None:
            candidates = candidate_vendors(phone)
            if len(candidates) > 1 and phone.model is None:
                # a request only claims a vendor: the service learns one only from a request proved under that
                # vendor's rules, and only among these (docs/security.md, "a phone of a shared MAC prefix")
                raise AwaitingModel(
                    f"{who}: waits for its first request to learn its vendor and model ({' or '.join(candidates)})"
                )
            raise RenderError(f"{who}: vendor unknown (no MAC prefix of a known vendor); set vendor or model")
        driver = registry.driver_for(phone.vendor)
        if driver is None:
            raise RenderError(f"{who}: no rendering driver for vendor '{phone.vendor}' yet")
        if phone.model is None:
            raise AwaitingModel(f"{who}: waits for its first request to learn its model ({phone.vendor})")
        model = driver.vendor.model(phone.model)
        context, warnings = self.contexts.phone_context(phone, driver, model)
        result.warnings.extend(warnings)
        result.warnings.extend(f"{who}: {warning}" for warning in driver.warnings(context))
        firmware = context["firmware"]
        result.firmware = firmware["version"] if firmware else None
        window = firmware_window(context) if firmware else None
        if window is None:  # no firmware, or any time will do: the file names it always
            result.files = self._files(driver, context)
            return result
        # The file names the new firmware only inside the window: a phone flashes whatever its file names
        # when it fetches it, and phones re-check their config at any hour. The service chooses per request.
        result.window = window
        result.files = self._files(driver, {**context, "firmware": None})
        named = self._files(driver, context)
        result.window_files = {name: data for name, data in named.items() if result.files.get(name) != data}
        return result

    @staticmethod
    def _files(driver, context: dict) -> dict:
        return {spec.name: driver.render(spec, context) for spec in driver.phone_files(context)}

    def shared(self) -> tuple[dict, list]:
        """Files shared by the phones of each vendor in the fleet or enabled in settings, and base files."""
        vendors = set(self.fleet.settings.get("vendors") or []) | {p.vendor for p in self.fleet.phones if p.vendor}
        files: dict[str, bytes] = {}
        owners: list = []
        for name in sorted(vendors):
            driver = registry.driver_for(name)
            if driver is None:
                continue
            models = sorted({p.model for p in self.fleet.phones if p.vendor == name and p.model})
            # no secret and nothing of a phone: these files are served to whoever asks (publish checks it)
            context = {
                "provisioning": self.contexts.provisioning,
                "control": self.contexts.control,
                "models": models,
                "defaults": self.contexts.shared_defaults(driver),
            }
            for spec in [*driver.shared_files(context), *driver.base_files(context)]:
                if spec.name in files:
                    raise RenderError(f"{name}: file {spec.name} is also made by another vendor's driver")
                files[spec.name] = driver.render(spec, context)
                owners.append((spec.name, name))
                self.shared_templates[spec.name] = spec.template
        return files, owners
