# Private to this collection: the Qtech QVP data sheet.
"""Qtech QVP desk phones (QVP-95R, QVP-95PR, QVP-400PR, QVP-500PR).

Nothing public describes these phones: no manual, template, User-Agent or OEM mention. QTECH is a
Russian rebrander; the phones are almost certainly built by another company, whose platform decides
the files fetched, their format and the protocol. Identify it from the first unit (research/atcom-qtech.md §2):
the MAC block, the first file requested and its User-Agent, the PnP SUBSCRIBE ``vendor=`` token,
which HTTP probe answers (``/servlet?m=``, ``/cgi-bin/ConfigManApp.com``, ``/cgi-bin/server.cgi``) and
the first line of a web-UI config export. Then set ``PLATFORM`` below.

Unverified (``verified=False``): everything except the model names: lines and keys are placeholders
(one line, no keys). OUI: 001fce is QTECH's own block (seen on its switches); the phones may carry
the OEM's block instead.

Rendering (``QtechDriver`` below): until a unit is fingerprinted (``PLATFORM`` stays None), Qtech phones
are served by the driver of ``ASSUMED_PLATFORM``, **Fanvil**: a guess, not a finding. Why Fanvil: of the
platforms we have, Fanvil is the one that builds desk phones for other brands at scale (ODM/white label);
Yealink rarely does, and Atcom itself is probably on a Yealink-style platform. Nothing links QVP to any
OEM (research/atcom-qtech.md §2), so every parameter, file name, request pattern and User-Agent the Qtech
driver uses is the platform's, unverified for QVP phones.

What is Qtech's own: the vendor name and title in warnings, the model list above (a file's header names
the phone's QVP model; the platform model it borrows for key layout, ``PLATFORM_MODEL``, is a note there
marked unverified), and the extended sets
(``vendor: qtech``) that apply to these phones (platform sets do not: a set written for Fanvil phones is
not meant for QVP phones). File names are the platform's phone files (the firmware asks for them);
shared and base files are not served: the platform's would be named for its own models and collide
with the platform driver's. Change the one-line ``ASSUMED_PLATFORM`` (or set ``PLATFORM`` when a unit is
fingerprinted) to route QVP phones to another driver.
"""

from __future__ import annotations

import importlib

from ...render.driver import FileSpec, RenderError, VendorDriver
from .datasheet import VENDOR

# The renderer family these phones are served by: unknown until a unit is fingerprinted; change here
# if a real unit shows otherwise.
PLATFORM: str | None = None


#: the platform Qtech phones are served by until PLATFORM is known: a guess (see the module docstring)
ASSUMED_PLATFORM = "fanvil"
#: the platform model whose layout a QVP phone borrows when the platform driver needs one of its own models
#: (Fanvil X1S: no DSS keys, like the QVP placeholders above); replace with the real OEM model when known
PLATFORM_MODEL = "X1S"


def platform_driver(name: str | None = None) -> VendorDriver:
    """The ``DRIVER`` of the platform Qtech phones run (``PLATFORM``, else ``ASSUMED_PLATFORM``)."""
    name = name or PLATFORM or ASSUMED_PLATFORM
    module = importlib.import_module(f"{__package__.rpartition('.')[0]}.{name}.driver")
    driver = getattr(module, "DRIVER", None)
    if driver is None:
        raise RenderError(f"qtech: the {name} platform has no rendering driver yet")
    return driver


class QtechDriver(VendorDriver):
    """Qtech QVP phones rendered by their platform's driver, under Qtech's name, models and extended sets."""

    vendor = VENDOR
    #: extended sets of ``vendor: qtech`` apply (the vendor's own name); platform sets do not
    extended_vendors = ()

    def __init__(self, platform: VendorDriver | None = None) -> None:
        super().__init__()
        self._platform = platform

    @property
    def platform(self) -> VendorDriver:
        if self._platform is None:
            self._platform = platform_driver()
        return self._platform

    # the platform's data sheet for rendering, read when first needed (the platform module loads lazily)
    key_functions = property(lambda self: self.platform.key_functions)  # type: ignore[assignment]
    codec_names = property(lambda self: self.platform.codec_names)  # type: ignore[assignment]
    defaults = property(lambda self: self.platform.defaults)  # type: ignore[assignment]
    mac_case = property(lambda self: self.platform.mac_case)  # type: ignore[assignment]
    requested_files = property(lambda self: self.platform.requested_files)  # type: ignore[assignment]
    user_agents = property(lambda self: self.platform.user_agents)  # type: ignore[assignment]
    template_dir = property(lambda self: self.platform.template_dir)  # type: ignore[assignment]

    def phone_files(self, context: dict) -> list[FileSpec]:
        return self.platform.phone_files(context)

    def shared_files(self, context: dict) -> list[FileSpec]:
        return []

    def base_files(self, context: dict) -> list[FileSpec]:
        return []

    def render(self, spec: FileSpec, context: dict) -> bytes:
        """Render with the platform's templates. The file names the phone's own model; where the platform
        needs one of its models (key layout), a QVP model it does not know borrows PLATFORM_MODEL, and the
        header says so, with the platform marked unverified."""
        phone = context.get("phone")
        if phone and self.platform.vendor.model(phone["model"]) is None:
            platform = self.platform.vendor
            note = f"Rendered as {platform.title} {PLATFORM_MODEL} (platform assumed, unverified)."
            context = {**context, "layout_model": PLATFORM_MODEL, "platform_note": note}
        return self.platform.render(spec, context)

    def supported_key_functions(self) -> set:
        return self.platform.supported_key_functions()


DRIVER = QtechDriver()
