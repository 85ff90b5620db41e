# Private to this collection: the Atcom A-series driver (data sheet and rendering).
"""Atcom A-series desk phones (A10 … A68WAC), HTTP(S) provisioning.

Atcom runs its own firmware, but the config is very probably Yealink-dialect ``key = value`` text
(``auto_provision.server.url`` is shared with Yealink's templates; V7x key names without ``static.``).
Files the phone fetches: the common file ``a0000000000<family>.cfg``, then ``<MAC>.cfg`` (MAC case
varies: match it case-insensitively). Discovery: SIP PnP SUBSCRIBE (``vendor="ATCOM"``, no model) or
DHCP option 66. Control: ``GET /cgi-bin/server.cgi?key=REBOOT`` (no resync key; a reboot re-provisions);
SIP ``check-sync`` untested. No User-Agent or screenshot known.

Sources: research/atcom-qtech.md §1 (model list and OUI from a live VitalPBX dump; file names and
reboot URL from a third party citing Atcom's PDF).

Unverified (``verified=False``): every model's SIP-account and key counts (from memory), the
platform itself, every parameter name. Not listed because the notes do not support them: A11W, A21W,
the D-series (D20, D21, D32, D33). Action before production: export the full config of one A20 and
one A48 from the web UI.

Rendering (``AtcomDriver`` below) reuses the Yealink platform driver and its templates: the platform
mapping is the one import line ``from ..yealink.driver import YealinkDriver as PlatformDriver``;
change that line (and ``PLATFORM`` in datasheet.py) if a real unit shows another platform. What differs from Yealink:

- files: ``<MAC>.cfg`` with the MAC in upper case (Atcom's own example; other sources write it in lower
  case, so the provisioning service matches the name case-insensitively, see ``requested_files``) and the
  common file ``a0000000000<family>.cfg``. No family code is known (``MODEL_IDS`` is all None), so no
  per-model common file is rendered; the base file ``a000000000000.cfg`` (how to reach us) is what the
  service answers for any ``a0000000000NN.cfg`` request until the codes are read off a unit [I].
- parameters: the V7x dialect, ``static.``-less (``network.vlan.*``, ``security.user_password``,
  ``firmware.url``, ``auto_provision.*``), ``account.N.sip_server_host/_port``, ``account.N.transport``
  and indexed codecs ``account.N.codec.K.enable/payload_type/priority`` — all [I] from atcom-qtech.md;
  only ``auto_provision.server.url`` is [V].
- extended sets: those of vendor ``atcom`` apply (not Yealink's: their names carry ``static.``).
- remote control [I]: Atcom's reboot URL obeys only callers in the phone's allow list (else the phone asks its
  user, [3P]); the list's parameter name is unknown, so the platform's (Yealink's) are written into ``<MAC>.cfg``
  (no common file is rendered): ``features.action_uri_limit_ip`` from ``settings.phone_control.networks``,
  ``features.action_uri.enable = 1``, ``features.show_action_uri_option = 0``, ``sip.trust_ctrl = 0`` and
  ``sip.notify_reboot_enable = 0`` (check-sync re-reads without rebooting). All unverified on an Atcom.
- format: the only public Atcom template (FusionPBX ``atcom/ag198``) is Fanvil-like ``<<VOIP CONFIG FILE>>``
  text; it is the older AT5xx/AG family's format (atcom-qtech.md §1.5), so the A-series keeps the Yealink
  format VitalPBX's A-series templates show. A real unit's exported config decides.
- User-Agent: none known; the pattern below is a guess that only matches a string naming Atcom.
"""

from __future__ import annotations

import typing

from ...render.driver import FileSpec
from ..yealink.driver import YealinkDriver as PlatformDriver
from .datasheet import MODELS, VENDOR

# -- rendering ---------------------------------------------------------------------------------------

#: model -> (family code of its common file ``a0000000000<family>.cfg``, verified): none known yet
MODEL_IDS: dict[str, tuple[int | None, bool]] = {model.name: (None, False) for model in MODELS}

#: no common file is rendered (its family code is unknown), so the remote-control settings go into <MAC>.cfg
ATCOM_DIALECT: dict = {"static": "", "accounts": "v7x", "codecs": "indexed", "control_file": "phone"}


class AtcomDriver(PlatformDriver):
    """Atcom A-series on the Yealink platform: V7x parameter names, ``<MAC>.cfg``, ``a0000000000XX.cfg``."""

    vendor = VENDOR
    #: templates: the platform's (Yealink's), with the Atcom dialect
    dialect: typing.ClassVar[dict] = ATCOM_DIALECT
    model_ids: typing.ClassVar[dict] = MODEL_IDS
    common_file_pattern = "a{id:012d}.cfg"
    #: neutral codec -> ``payload_type`` name [I]
    codec_names: typing.ClassVar[dict] = {
        "pcmu": "PCMU",
        "pcma": "PCMA",
        "g722": "G722",
        "g729": "G729",
        "g726": "G726-32",
        "ilbc": "iLBC",
    }
    mac_case = "upper"
    extended_vendors = ()
    requested_files = (
        r"a0{10}[0-9]{2,3}\.cfg",
        r"(?P<mac>(?!0{12})[0-9A-Fa-f]{12})\.cfg",
    )
    # UNVERIFIED: the Atcom HTTP User-Agent was not found (research/atcom-qtech.md); this only matches a UA
    # that names Atcom, and recognition falls back to file names and the MAC prefix.
    #: the MAC in the User-Agent is optional (not every firmware sends it): unlike Yealink's
    requests_state_mac = False
    user_agents = (
        r"(?i)\batcom[\s/_-]+(?P<model>A\d{2}\w*)(?:[\s/_-]+(?P<firmware>[\d.]+))?"
        r"(?:\s+(?P<mac>[0-9a-f]{2}(?::?[0-9a-f]{2}){5}))?",
    )

    def base_files(self, context: dict) -> list[FileSpec]:
        return [FileSpec("a000000000000.cfg", "base.cfg.j2")]


DRIVER = AtcomDriver()
