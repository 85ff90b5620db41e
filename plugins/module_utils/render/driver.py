# Private to this collection: what every vendor driver is built on.
"""A vendor driver = its data sheet (VendorInfo) + templates next to it + this small class.

Subclasses say which files a phone gets (``phone_files``), which files every phone of the vendor shares
(``shared_files``), what an unknown phone gets (``base_files``), and map vendor-neutral names (key
functions, codecs) onto the vendor's own. Templates are Jinja2 with StrictUndefined: a value a template
needs and the context lacks fails loudly, in tests, instead of rendering an empty parameter.
"""

from __future__ import annotations

import os
import re
import typing
from dataclasses import dataclass

from ..catalog.models import VendorInfo
from ..fleet.code_cache import cache_dir, digest_of
from ..fleet.errors import FleetError, MissingLibraryError

try:
    import jinja2
    import markupsafe
except ImportError:  # pragma: no cover - reported when used
    # an optional library (ansible-test's import sanity loads module_utils without it): None = missing
    jinja2 = None  # type: ignore[assignment]


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
    extended_vendors: tuple[str, ...] = ()
    #: regexes (full match) of the file names the phone requests; named groups ``mac`` / ``model`` when present
    requested_files: tuple[str, ...] = ()
    #: regexes (search) of the HTTP User-Agent; named groups ``model``, ``firmware``, ``mac`` when present
    user_agents: tuple = ()
    #: every request of this vendor's phones states the phone's own MAC (the User-Agent's ``mac`` is not
    #: optional): a phone's file asked for without it did not come from that phone (docs/security.md)
    requests_state_mac: bool = False

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
                # templates are files of the collection: they do not change while a process runs
                auto_reload=False,
                bytecode_cache=_bytecode_cache(),
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


_XML_SPECIAL = re.compile("[&<>\"']")


def _escape_output(value) -> str:
    """What autoescaping templates write for ``{{ value }}``: markupsafe's escaping, made cheap.

    markupsafe.escape wraps every value in a Markup object (a fifth of the rendering time of an XML
    fleet); the result of an output expression only goes into the output, so a plain str is enough, and
    most values hold nothing to escape.
    """
    if type(value) is not str:  # pylint: disable=unidiomatic-typecheck  # Markup and friends say what they are
        if hasattr(value, "__html__"):
            return value.__html__()
        value = str(value)
    return value if _XML_SPECIAL.search(value) is None else str(markupsafe.escape(value))


_BYTECODE_CACHE: list = []


def _bytecode_cache():
    """Compiled templates shared by every driver and kept between runs; None when there is no cache folder.

    The folder's name carries this file's digest: the environment's options (autoescape, trimming) shape
    the compiled code, and Jinja's own key knows only the template's name and source.
    """
    if not _BYTECODE_CACHE:
        with open(__file__, "rb") as handle:
            options = digest_of(handle.read(), jinja2.__version__)[:16]
        directory = cache_dir(f"templates-{options}")
        _BYTECODE_CACHE.append(jinja2.FileSystemBytecodeCache(directory) if directory else None)
    return _BYTECODE_CACHE[0]


if jinja2 is not None:

    class _Template(jinja2.Template):
        @classmethod
        def _from_namespace(cls, environment, namespace, globals):
            namespace["escape"] = _escape_output  # output expressions only: see _escape_output
            return super()._from_namespace(environment, namespace, globals)

    class _Environment(jinja2.Environment):
        """Templates read dicts (the context is plain data): look keys up first, attributes second.

        Jinja's default tries the attribute first and falls back to the key after an AttributeError, which
        costs an exception per lookup (a third of the rendering time of a large fleet). It also lets a
        template write ``module.keys`` for a module's key list rather than the dict method.
        """

        template_class = _Template

        def make_globals(self, d):
            """A template's globals as one plain dict, not Jinja's ChainMap over the environment's: every
            render copies them into its context, and copying a ChainMap costs ~10 us. Drivers set their
            globals before loading a template, so nothing added later needs to show through."""
            return {**self.globals, **(d or {})}

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
