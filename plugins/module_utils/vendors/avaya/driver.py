# Private to this collection: the Avaya J100 data sheet.
"""Avaya J1x9 desk phones in third-party (3PCC, "Open SIP") mode, provisioned over HTTP(S).

Files the phone fetches: ``J100Supgrade.txt``, whose settings script ends in ``GET 46xxsettings.txt``;
per-phone settings come from a ``GET $MACADDR.cfg`` there (MAC lower case, no separators). Format:
script lines ``SET NAME value``, ``GET file``, ``IF $MODEL4 SEQ J179 GOTO label``. Server from DHCP
option 242 (``HTTPSRVR=…``). User-Agent ``… AVAYA/J179-4.1.3.0.6 (MAC:c81fea83e85a)``. Control: SIP
NOTIFY ``check-sync`` (``ENABLE_OOD_RESET_NOTIFY``); no HTTP control API and no screenshot known.

Sources: research/phone-vendors.md §3, wazo-provd-plugins ``wazo_avaya``; Avaya's IP Office knowledge
base (JEM24: 24 keys on 3 pages, up to 3 on a J169/J179) and the J100 Open SIP admin guide (J169/J179
take JBM24 paper-label modules or JEM24, not both).

``lines`` is 1 on every model: in open SIP (3PCC) mode a J100 has one SIP identity (``SIP_USER_ID``, one
``SIP_CONTROLLER_LIST`` entry: "For OpenSIP environment, only one SIP controller is supported", Avaya's
46xxsettings.txt template of AADS 8.1.5), and its call appearances (8 on a J179) and bridged/shared line
keys are of that identity, not accounts of their own; the file carries line 1 only, so validation refuses a
second line rather than drop it.

Unverified (``verified=False``): every model's key counts (from memory), JEM24 on the J189, the JBM24 key
count and maximum. OUIs: c81fea is seen in a J179 User-Agent; the others are Avaya blocks from memory.

Rendering (``AvayaDriver`` below), files:

- ``J100Supgrade.txt`` (shared): the start of the chain, only ``GET 46xxsettings.txt``.
- ``46xxsettings.txt`` (base: what an unknown J phone ends with): 3PCC mode, how to reach us, then
  ``GET $MACADDR.cfg``. A ``GET`` that succeeds stops the current file, so it is the last line.
- ``<mac>.cfg`` (per phone): account, codecs, time, VLAN, admin password, ``PHONEKEY`` keys, firmware.

In the notes [V]: the chain ``J100Supgrade.txt`` -> ``46xxsettings.txt`` -> ``$MACADDR.cfg`` and the
``SET``/``GET`` syntax; ``SIP_CONTROLLER_LIST host:port;transport=…``, ``SIPDOMAIN``, ``SIP_USER_ACCOUNT``,
``SIP_USER_ID``, ``FORCE_SIP_USERNAME/PASSWORD/EXTENSION``, ``DISPLAY_NAME``, ``ENABLE_3PCC_ENVIRONMENT``,
``ENABLE_AVAYA_ENVIRONMENT``, ``CODEC_PRIORITY G711A,G711U,G722``, ``ENABLE_G729``, ``ENABLE_OPUS``,
``SNTPSRVR``, ``GMTOFFSET -5:00``, ``DSTSTART 2SunMar2L``/``DSTSTOP``, ``L2Q``/``L2QVLAN``, ``ADMIN_PASSWORD``,
``FORCE_WEB_ADMIN_PASSWORD``, ``ENABLE_WEBSERVER``, ``APPNAME``, ``ENABLE_OOD_RESET_NOTIFY``, the
``PHONEKEY`` syntax with types ``line``/``feature`` (``blf``, ``dnd``, ``callfwd``)/``autodial``, ``HTTPSRVR``,
``HTTPPORT``, ``MWISRVR``; the User-Agent.

Unverified [M], check on a real J179: double quotes around every value (``SET NAME "value"``);
``ENABLE_G722``; ``OPUS`` in ``CODEC_PRIORITY``; ``DAYLIGHT_SAVING_SETTING_MODE`` (0 off, 2 automatic) and
``DSTOFFSET``; ``L`` for the last week in ``DSTSTART``; ``L2QAUD``/``L2QSIG``/``DSCPAUD``/``DSCPSIG``/
``PHY2VLAN``; ``TLSSRVR``/``TLSPORT``; ``REGISTERWAIT``; ``attr1`` of a ``line`` key (the line
number); JEM24 keys numbered on after the phone's own keys (J179: 25 is the module's first key); ``APPNAME``
in the per-MAC file (the kit is per phone, so it cannot be in the shared ``J100Supgrade.txt``) with a path
relative to the provisioning root. Only line 1 registers (a 3PCC J100 has one account); further lines
are not written.

Settled from sources (issue 11; research/param-audit.md §5):

- A ``line`` key is ``Type=line;Name=primary`` (Avaya's J100 R4.1 admin guide, "Pre-configuration of keys":
  a line key names ``primary`` or ``bca``; fusionpbx's J179 template writes it so).
- Voicemail: ``PSTN_VM_NUM`` (the line's voicemail number, which defaults to the profile's ``voicemail_code``), not
  ``MSGNUM``: fusionpbx's 3PCC J179 template and Avaya's own Vantage client SDK (``ConfigParametersNames``)
  name ``PSTN_VM_NUM``; ``MSGNUM`` was found in no source. Chosen: ``PSTN_VM_NUM``.
- ``DISCOVER_AVAYA_ENVIRONMENT 0`` with ``ENABLE_3PCC_ENVIRONMENT 1``: its default 1 makes the phone
  SUBSCRIBE to ``avaya-cm-feature-status`` at the registrar to discover Avaya features (admin guide,
  "Parameters for redundancy provisioning"; wazo and fusionpbx write 0).
- Outbound proxy: a J100 in open SIP mode has no parameter of its own for one. ``SIP_CONTROLLER_LIST`` is
  "the list of SIP proxy or registrar servers" every request goes to, and ``SIPDOMAIN`` "the SIP domain
  used for SIP registration" (admin guide R4.1, "SIP Global Settings"; Avaya's AADS 8.1.5 46xxsettings.txt
  template: "for OpenSIP environment, only one SIP controller is supported"). So a profile's
  ``outbound_proxy`` is the controller (its own port, else the profile's SIP port, and the profile's
  transport) and ``SIPDOMAIN``/``SIP_USER_ACCOUNT`` keep the registrar. Searched for and not found: any
  ``OUTBOUND_PROXY``-like name in Avaya's guides or public J100 templates [that the phone registers for
  ``SIPDOMAIN`` through a controller of another name: I]. A backup registrar is still written as a second
  controller, which the same template says open SIP ignores [I].
- The control path (SIP NOTIFY ``check-sync``, sent over UDP) needs ``ENABLE_OOD_RESET_NOTIFY 1`` and
  ``ENABLE_OOD_MSG_TLS_ONLY 0`` (research/phone-vendors.md §3 from wazo; the defaults 0 and 1 are
  remembered [M]): both are written in ``46xxsettings.txt`` and again in the phone's own file, so an extended
  set cannot be the only thing that lets the controller in.
"""

from __future__ import annotations

import typing

from ...render.addresses import with_port
from ...render.driver import FileSpec, RenderError, VendorDriver, template_folder
from .datasheet import EXPANSION_MODULES, VENDOR

_WEEKDAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _quoted(value) -> str:
    """A ``SET`` value in double quotes; the script has no escape, so a quote or line break cannot be written."""
    text = str(value)
    if any(ch in text for ch in '"\r\n'):
        raise ValueError(f"value {text!r} cannot be written in an Avaya settings file (quote or line break)")
    return f'"{text}"'


def _dst_rule(transition) -> str:
    """A DST transition as Avaya writes it: ``2SunMar2L`` (2nd Sunday of March, 2:00 local); ``L`` = last week."""
    week = "L" if transition.week == 5 else str(transition.week)
    return f"{week}{_WEEKDAYS[transition.weekday]}{_MONTHS[transition.month - 1]}{transition.hour}L"


def _gmt_offset(minutes: int) -> str:
    """A UTC offset as ``GMTOFFSET`` wants it: ``+3:00``, ``-5:00``, ``+5:30``."""
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours}:{rest:02d}"


class AvayaDriver(VendorDriver):
    """Avaya J100 3PCC: the ``J100Supgrade.txt`` -> ``46xxsettings.txt`` -> ``<mac>.cfg`` script chain."""

    vendor = VENDOR
    template_dir = template_folder(__file__)
    #: neutral key function -> the ``PHONEKEY`` type (and feature name)
    key_functions: typing.ClassVar[dict] = {
        "line": "Type=line;Name=primary",
        "blf": "Type=feature;Name=blf",
        "speed_dial": "Type=autodial;Name=autodial",
        "dnd": "Type=feature;Name=dnd",
        "call_forward": "Type=feature;Name=callfwd",
    }
    #: neutral codec -> its name in ``CODEC_PRIORITY``
    codec_names: typing.ClassVar[dict] = {
        "pcma": "G711A",
        "pcmu": "G711U",
        "g722": "G722",
        "g729": "G729",
        "opus": "OPUS",
    }
    defaults: typing.ClassVar[dict] = {"sip": {"transport": "udp", "expires": 3600}}
    mac_case = "lower"
    requested_files = (
        r"J100Supgrade\.txt",
        r"46xxsettings\.txt",
        r"(?P<mac>(?!0{12})[0-9a-f]{12})\.cfg",
    )
    #: the User-Agent ends with ``(MAC:<mac>)``
    requests_state_mac = True
    user_agents = (r"AVAYA/(?P<model>J\d{3}[A-Z]?)-(?P<firmware>[\d.]+)\s+\(MAC:(?P<mac>[0-9a-fA-F]{12})\)",)

    @property
    def environment(self):
        environment = super().environment
        if "quoted" not in environment.filters:
            environment.filters.update(quoted=_quoted, dst_rule=_dst_rule, gmt_offset=_gmt_offset, with_port=with_port)
            environment.filters.update(codec_list=lambda codecs: ",".join(self.codec_names[codec] for codec in codecs))
            environment.globals.update(module_keys={module.name: module.keys for module in EXPANSION_MODULES})
        return environment

    def render(self, spec: FileSpec, context: dict) -> bytes:
        try:
            return super().render(spec, context)
        except ValueError as exc:  # from the ``quoted`` filter
            raise RenderError(f"{self.vendor.name} {spec.name}: {exc}") from None

    def phone_files(self, context: dict) -> list[FileSpec]:
        return [FileSpec(f"{context['phone']['mac']}.cfg", "phone.cfg.j2")]

    def shared_files(self, context: dict) -> list[FileSpec]:
        return [FileSpec("J100Supgrade.txt", "J100Supgrade.txt.j2")]

    def base_files(self, context: dict) -> list[FileSpec]:
        return [FileSpec("46xxsettings.txt", "46xxsettings.txt.j2")]


DRIVER = AvayaDriver()
