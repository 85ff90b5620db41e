# Private to this collection: the Atcom A-series data sheet.
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
"""

from __future__ import annotations

from ..catalog import PhoneModel, VendorInfo

# The renderer family these phones are served by; change here if a real unit shows otherwise.
PLATFORM = "yealink"


def _model(name: str, lines: int, line_keys: int) -> PhoneModel:
    return PhoneModel(name=name, lines=lines, line_keys=line_keys, verified=False)


MODELS = (
    _model("A10", 2, 0),
    _model("A10W", 2, 0),
    _model("A11", 2, 0),
    _model("A16", 2, 0),
    _model("A20", 2, 2),
    _model("A20W", 2, 2),
    _model("A20WAC", 2, 2),
    _model("A20LTE", 2, 2),
    _model("A21", 2, 2),
    _model("A26", 2, 2),
    _model("A41", 4, 4),
    _model("A41W", 4, 4),
    _model("A48", 8, 8),
    _model("A48W", 8, 8),
    _model("A48WAC", 8, 8),
    _model("A48LTE", 8, 8),
    _model("A68", 12, 12),
    _model("A68W", 12, 12),
    _model("A68WAC", 12, 12),
    _model("A68LTE", 12, 12),
)

VENDOR = VendorInfo(
    name="atcom",
    title="Atcom A-series",
    ouis=("808287",),
    models=MODELS,
    notes=f"Runs on the {PLATFORM} platform (probable, unconfirmed); older AT5xx/AT6xx/AT800 formats do not apply.",
)
