# Private to this collection: what every vendor's control class is built on.
"""A vendor's control class reads like a data sheet: for each command, the ways to carry it out in order
of preference, each saying its transport, what it sends, whether the phone reboots, and whether the fact
is verified; plus how to read the phone's state and screen. This module holds the ways and the logic.

Reboot and resync are two commands, never one standing in for the other: a way is listed under
``resync`` only if the phone re-reads its configuration *without* rebooting, and ``reboots`` says so on
every result. A vendor with no resync of its own (Atcom: a reboot re-provisions) has no resync way, and
says why, rather than rebooting when asked to resync.

The first way whose transport is allowed (``method``) is used. When it raises :class:`NotSupported` (the
phone answered 404, or "Bad Event") or :class:`UnprovenAddress` (it would hand the password to an address
nobody vouched for), the next one is tried (a SIP NOTIFY carries no password); any other error is the
phone's result.
"""

from __future__ import annotations

import time
import typing
import urllib.parse
from dataclasses import dataclass, field, replace

from ..catalog.registry import vendor_named
from . import http, sip
from .errors import NotSupported, ProtocolError, UnprovenAddress
from .image import image_format
from .target import Credentials, Target

REBOOT = "reboot"
RESYNC = "resync"
COMMANDS = (REBOOT, RESYNC)
INFO = "info"
SCREENSHOT = "screenshot"
METHODS = ("http", "sip", "ssh", "telnet", "wpi")
#: registration states of a line, as results give them
LINE_STATES = ("registered", "registering", "failed", "disabled", "unknown")
SECRET = "********"  # noqa: S105 - the mask shown in place of a password


@dataclass(frozen=True)
class Outcome:
    """What was (or, in check mode, would be) done to one phone."""

    command: str
    method: str
    mechanism: str
    reboots: bool
    verified: bool
    sent: bool
    detail: str = ""
    tried: tuple = ()
    elapsed: float = 0.0


@dataclass(frozen=True)
class LineState:
    line: int
    user: str | None
    status: str


@dataclass(frozen=True)
class PhoneInfo:
    """What the phone says about itself; ``None`` for what it does not say."""

    model: str | None = None
    firmware: str | None = None
    mac: str | None = None
    ip: str | None = None
    lines: tuple = ()
    source: str = ""
    verified: bool = True


@dataclass(frozen=True)
class Screenshot:
    data: bytes
    format: str
    source: str
    verified: bool = True


# -- ways ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Way:
    """One way to carry out a command. Subclasses say what is sent and send it."""

    reboots: bool
    verified: bool
    note: str = ""

    method: typing.ClassVar[str] = ""

    def describe(self, target: Target) -> str:
        raise NotImplementedError

    def send(self, target: Target) -> str:
        """Carry it out; a short account of the phone's answer. Typed errors otherwise."""
        raise NotImplementedError


@dataclass(frozen=True, kw_only=True)
class HttpWay(Way):
    """An HTTP request to the web interface. ``path`` may hold ``{password}`` (sent, never shown)."""

    path: str = "/"
    verb: str = "GET"
    form: dict = field(default_factory=dict)
    auth: str = http.BASIC
    method: typing.ClassVar[str] = "http"

    def _path(self, password: str | None) -> str:
        """The path with the password in it, or with the mask when ``password`` is None (for showing)."""
        return self.path.format(password=SECRET if password is None else urllib.parse.quote(password, safe=""))

    def describe(self, target: Target) -> str:
        login = "" if self.auth == http.NONE else f", {self.auth} login as '{target.username}'"
        form = f" with {urllib.parse.urlencode(self.form)}" if self.form else ""
        url = f"{target.scheme}://{target.host}:{target.web_port}{self._path(None)}"
        return f"HTTP {self.verb} {url}{form}{login}"

    def send(self, target: Target) -> str:
        in_url = "{password}" in self.path  # a password in the URL is read by whoever answers, as Basic is
        if in_url and target.password is not None and not target.web_receiver_trusted:
            raise UnprovenAddress(target.label, f"{self.verb} {self._path(None)}", target.address)
        answer = http.request(
            target,
            self.verb,
            self._path(target.password or ""),
            auth=self.auth,
            form=self.form or None,
            shown=self._path(None),
        )
        return f"HTTP {answer.status} {answer.reason}".rstrip()


@dataclass(frozen=True, kw_only=True)
class SipNotifyWay(Way):
    """An out-of-dialog SIP NOTIFY to the phone's SIP port."""

    event: str = "check-sync"
    body: str = ""
    content_type: str | None = None
    headers: tuple = ()
    method: typing.ClassVar[str] = "sip"

    def describe(self, target: Target) -> str:
        body = "; ".join(line for line in self.body.splitlines() if line.strip())
        body = f" with body {body!r}" if body else ""
        return f"SIP NOTIFY Event: {self.event} to {target.host}:{target.port('sip')}{body}"

    def send(self, target: Target) -> str:
        answer = sip.notify(target, self.event, self.body.encode(), self.content_type, self.headers)
        return str(answer)


@dataclass(frozen=True, kw_only=True)
class ShellWay(Way):
    """Commands over SSH or Telnet; ``inner_login`` = (user, password) asked inside an SSH shell."""

    transport: str = "ssh"
    commands: tuple = ()
    inner_login: tuple | None = None
    disconnects: bool = True

    @property
    def method(self) -> str:  # type: ignore[override]
        return self.transport

    def describe(self, target: Target) -> str:
        inner = f", then the console login '{self.inner_login[0]}'" if self.inner_login else ""
        commands = "; ".join(self.commands)
        name = "SSH" if self.transport == "ssh" else "Telnet"
        return f"{name} {target.host}:{target.port(self.transport)} as '{target.username}'{inner}: {commands}"

    def send(self, target: Target) -> str:
        if not target.address_proven:  # the login goes to whoever answers (host keys are not pinned)
            raise UnprovenAddress(target.label, f"{self.transport} login", target.address)
        if self.transport == "ssh":
            from . import ssh

            _outputs, fingerprint = ssh.run(target, list(self.commands), self.inner_login, self.disconnects)
            return f"commands sent (host key {fingerprint})"
        from . import telnet

        telnet.run(target, list(self.commands), self.disconnects)
        return "commands sent"


# -- the control class -------------------------------------------------------------------------------------


class PhoneControl:
    """Base of every vendor's control class (``CONTROL`` in ``vendors/<vendor>/control.py``)."""

    vendor: str = ""
    #: command -> ways in order of preference (verified ways first)
    ways: typing.ClassVar[dict] = {}
    #: command (reboot, resync, info, screenshot) -> why this vendor cannot do it
    unsupported: typing.ClassVar[dict] = {}
    #: the login when the fleet gives none (Poly: ``Polycom``)
    default_username: str | None = None
    #: the screenshot URL of the web interface, or None
    screenshot_path: str | None = None
    #: the catalog's ``PhoneModel.screenshot`` says which models have the screenshot (else: every model)
    screenshot_by_model: bool = False
    screenshot_verified: bool = False
    #: the control facts not checked on a real phone or in the vendor's own material, as sentences
    unverified: typing.ClassVar[tuple] = ()

    def __init_subclass__(cls, **kwargs) -> None:
        """A vendor's class docstring lists its unverified facts (the ``unverified`` sentences)."""
        super().__init_subclass__(**kwargs)
        doc = (cls.__doc__ or f"{cls.__name__}: phone control of one vendor.").rstrip()
        if "unverified" in cls.__dict__:
            facts = "\n".join(f"- {fact}" for fact in cls.unverified) or "- none"
            cls.__doc__ = f"{doc}\n\nUnverified control facts:\n\n{facts}\n"

    # -- reboot and resync ----------------------------------------------------------------------------

    def ways_for(self, command: str, target: Target) -> tuple:
        """The ways to carry out ``command`` on this phone (a subclass may choose by model)."""
        return tuple(self.ways.get(command, ()))

    def plan(self, command: str, target: Target, method: str | None = None) -> list:
        ways = self.ways_for(command, target)
        if not ways:
            why = self.unsupported.get(command, f"no way to {command} is known")
            raise NotSupported(target.label, f"{command} is not supported on {self._kind(target)}: {why}")
        chosen = [way for way in ways if method in (None, "auto", way.method)]
        if not chosen:
            offered = ", ".join(dict.fromkeys(way.method for way in ways))
            raise NotSupported(
                target.label, f"no {method} way to {command} {self._kind(target)} (this collection knows: {offered})"
            )
        return chosen

    def run(self, command: str, target: Target, method: str | None = None, check: bool = False) -> Outcome:
        """Carry out ``command`` (or, with ``check``, say what would be sent) on one phone."""
        ways = self.plan(command, target, method)
        if target.address is None:
            raise NotSupported(target.label, "no address known for this phone (give address, or ansible_host)")
        if check:
            way = ways[0]
            return Outcome(command, way.method, way.describe(target), way.reboots, way.verified, sent=False)
        tried = []
        for way in ways:
            started = time.monotonic()
            try:
                detail = way.send(target)
            except (NotSupported, UnprovenAddress) as exc:
                tried.append(f"{way.method}: {exc.reason}")
                if way is ways[-1]:
                    raise
                continue
            return Outcome(
                command,
                way.method,
                way.describe(target),
                way.reboots,
                way.verified,
                sent=True,
                detail=detail,
                tried=tuple(tried),
                elapsed=time.monotonic() - started,
            )
        raise AssertionError("unreachable")  # pragma: no cover

    # -- info and screenshot --------------------------------------------------------------------------

    #: transports ``info`` can use, in order of preference
    info_methods: typing.ClassVar[tuple] = ()

    def info_way(self, target: Target, method: str | None = None) -> str:
        """What ``info`` sends (check mode and results); NotSupported when the vendor has no way."""
        if not self.info_methods:
            why = self.unsupported.get(INFO, "no way to read the phone's state is known")
            raise NotSupported(target.label, f"info is not supported on {self._kind(target)}: {why}")
        chosen = self._info_method(target, method)
        return self.describe_info(target, chosen)

    def _info_method(self, target: Target, method: str | None) -> str:
        if method in (None, "auto"):
            return self.info_methods[0]
        if method not in self.info_methods:
            offered = ", ".join(self.info_methods)
            raise NotSupported(target.label, f"no {method} way to read {self._kind(target)} (known: {offered})")
        return method

    def describe_info(self, target: Target, method: str) -> str:
        raise NotImplementedError

    def info(self, target: Target, method: str | None = None) -> PhoneInfo:
        """Read the phone's model, firmware, MAC, IP and line registrations."""
        self.info_way(target, method)
        return self.read_info(target, self._info_method(target, method))

    def read_info(self, target: Target, method: str) -> PhoneInfo:
        raise NotImplementedError

    def prepare(self, target: Target) -> Target:
        """The target as this vendor logs in (a vendor with a fixed user name replaces it)."""
        if target.username is None and self.default_username is not None:
            return replace(target, credentials=Credentials(self.default_username, target.password))
        return target

    def screenshot_way(self, target: Target) -> str:
        if self.screenshot_path is None:
            why = self.unsupported.get(SCREENSHOT, "no screenshot URL is known")
            raise NotSupported(target.label, f"screenshot is not supported on {self._kind(target)}: {why}")
        if self.screenshot_by_model:
            model = self.model_of(target)
            if model is None or not model.screenshot:
                which = (
                    f"this model ({target.model})" if model else f"an unknown model ({target.model or 'none given'})"
                )
                raise NotSupported(target.label, f"screenshot is not supported on {which}")
        return f"HTTP GET {target.scheme}://{target.host}:{target.web_port}{self.screenshot_path}"

    def screenshot(self, target: Target) -> Screenshot:
        source = self.screenshot_way(target)
        data = self.fetch_screenshot(target)
        kind = image_format(data)
        if kind == "unknown":
            raise ProtocolError(target.label, f"{source}: the answer is not an image")
        return Screenshot(data, kind, source, self.screenshot_verified)

    def fetch_screenshot(self, target: Target) -> bytes:
        if self.screenshot_path is None:  # screenshot_way refused a control without one
            raise AssertionError("self.screenshot_path is None")
        return http.request(target, "GET", self.screenshot_path).body

    # -- helpers ----------------------------------------------------------------------------------------

    def model_of(self, target: Target):
        vendor = vendor_named(self.vendor)
        return vendor.model(target.model) if vendor is not None and target.model else None

    def _kind(self, target: Target) -> str:
        info = vendor_named(self.vendor)
        title = info.title if info else self.vendor
        return f"{title} ({target.model})" if target.model else f"{title} phones"
