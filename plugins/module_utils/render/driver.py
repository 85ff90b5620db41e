# Private to this collection: what every vendor driver is built on.
"""A vendor driver = its data sheet (VendorInfo) + templates next to it + this small class.

Subclasses say which files a phone gets (``phone_files``), which files every phone of the vendor shares
(``shared_files``), what an unknown phone gets (``base_files``), and map vendor-neutral names (key
functions, codecs) onto the vendor's own. Templates are Jinja2 with StrictUndefined: a value a template
needs and the context lacks fails loudly, in tests, instead of rendering an empty parameter.
"""

from __future__ import annotations

import os
import typing
from dataclasses import dataclass

from ..fleet.errors import FleetError, MissingLibraryError
from ..vendors.catalog import VendorInfo

try:
    import jinja2
except ImportError:  # pragma: no cover - reported when used
    jinja2 = None


class RenderError(FleetError):
    """A phone's files cannot be rendered (missing profile, template error, ...)."""


@dataclass(frozen=True)
class FileSpec:
    """One file to render: its name on the provisioning server and the template that makes it."""

    name: str
    template: str


def _yes_no(value) -> str:
    return "1" if value else "0"


def _on_off(value) -> str:
    return "on" if value else "off"


def _comment(value) -> str:
    """Text safe inside an XML comment ('--' may not appear there)."""
    text = str(value)
    while "--" in text:
        text = text.replace("--", "- -")
    return text[:-1] + "- " if text.endswith("-") else text


class VendorDriver:
    """Base class of vendor drivers. Class attributes are the driver's data sheet for rendering."""

    vendor: VendorInfo
    #: folder of this driver's templates (set by subclasses: ``os.path.join(os.path.dirname(__file__), "templates")``)
    template_dir: str = ""
    #: vendor-neutral key function -> the vendor's code; functions missing here are unsupported (warning)
    key_functions: typing.ClassVar[dict] = {}
    #: vendor-neutral codec name -> the vendor's name; codecs missing here are left out (warning)
    codec_names: typing.ClassVar[dict] = {}
    #: vendor defaults under the profile: {"sip": {...}, "features": {...}, "time": {...}, "network": {...}}
    defaults: typing.ClassVar[dict] = {}
    #: how the phone writes its MAC in file names: "lower" (805ec0112233) or "upper" (805EC0112233)
    mac_case: str = "lower"
    #: extended sets of these vendors apply to this driver's phones (a brand on another's platform)
    extended_vendors: tuple = ()
    #: regexes (full match) of the file names the phone requests; named groups ``mac`` / ``model`` when present
    requested_files: tuple = ()
    #: regexes (search) of the HTTP User-Agent; named groups ``model``, ``firmware``, ``mac`` when present
    user_agents: tuple = ()

    def __init__(self) -> None:
        self._environment = None

    # -- what to render ---------------------------------------------------------------------------

    def phone_files(self, context: dict) -> list[FileSpec]:
        """Files of one phone, named as the phone requests them."""
        raise NotImplementedError

    def shared_files(self, context: dict) -> list[FileSpec]:
        """Files every phone of this vendor fetches (model common files, ...); context: provisioning, models."""
        return []

    def base_files(self, context: dict) -> list[FileSpec]:
        """What an unknown phone gets: only what it needs to reach the provisioning service."""
        return []

    def warnings(self, context: dict) -> list[str]:
        """What this vendor cannot express of a phone's context (the core reports it with the phone)."""
        return []

    def extended_vendor_names(self) -> tuple:
        return (self.vendor.name, *self.extended_vendors)

    # -- rendering --------------------------------------------------------------------------------

    @property
    def environment(self):
        if self._environment is None:
            if jinja2 is None:
                raise MissingLibraryError("jinja2")
            environment = _Environment(
                loader=jinja2.FileSystemLoader(self.template_dir),
                undefined=jinja2.StrictUndefined,
                autoescape=jinja2.select_autoescape(enabled_extensions=("xml", "xml.j2")),
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
            )
            environment.filters.update(yes_no=_yes_no, on_off=_on_off, comment=_comment)
            environment.globals.update(key_code=self.key_functions, codec_name=self.codec_names)
            self._environment = environment
        return self._environment

    def render(self, spec: FileSpec, context: dict) -> bytes:
        try:
            template = self.environment.get_template(spec.template)
            return template.render(context).encode("utf-8")
        except jinja2.TemplateError as exc:
            raise RenderError(f"{self.vendor.name} template {spec.template} for {spec.name}: {exc}") from None

    def supported_key_functions(self) -> set:
        return set(self.key_functions)


if jinja2 is not None:

    class _Environment(jinja2.Environment):
        """Templates read dicts (the context is plain data): look keys up first, attributes second.

        Jinja's default tries the attribute first and falls back to the key after an AttributeError, which
        costs an exception per lookup (a third of the rendering time of a large fleet). It also lets a
        template write ``module.keys`` for a module's key list rather than the dict method.
        """

        def getattr(self, obj, attribute):
            if type(obj) is dict:  # pylint: disable=unidiomatic-typecheck  # exactly dict: subclasses keep jinja's rules
                try:
                    return obj[attribute]
                except KeyError:
                    pass
            return super().getattr(obj, attribute)


def template_folder(driver_file: str) -> str:
    """The ``templates`` folder beside a driver module."""
    return os.path.join(os.path.dirname(os.path.abspath(driver_file)), "templates")
