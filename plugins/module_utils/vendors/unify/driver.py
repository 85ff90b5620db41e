# Private to this collection: the Unify OpenScape Desk Phone CP data sheet.
"""Unify (ex Siemens) OpenScape Desk Phone CP, SIP firmware.

Two mutually exclusive provisioning modes:
- DLS/WPI: the phone POSTs ``<WorkpointMessage>`` XML to ``https://<dls>:18443/DeploymentService/LoginService``
  and the server answers ``<DLSMessage>`` actions (``ReadAllItems``, ``WriteItems``, ``Restart``,
  ``SoftwareDeployment``, ``CleanUp``); the server wakes the phone with ``POST :8085/contact_dls.html/ContactDLS``.
- DMS (file mode, newer CP firmware): the phone GETs ``<MAC>_config.xml``, then ``000000000000_config.xml``.
Server address from DHCP option 43 (sub-option 1 ``Siemens``, 3 ``sdlp://…`` or URL) or option 66.
No useful User-Agent: identify by the ``mac-addr``/``device-type`` items or the ``macaddress`` header.
No screenshot and no SIP-NOTIFY reboot known.

Sources: research/phone-vendors.md §4, research/unify-cisco.md part A.

Unverified (``verified=False``): every model's key counts and both key modules (from memory; read
the real key indices with ``ReadAllItems``). CP phones register one SIP identity; further lines are
line keys (keyset), counted here as ``lines``. The CP110/CP210/CP410/CP710 generation is listed from
memory too (``CP210`` appears as a ``device-type``). OUIs: the two Siemens/Unify blocks seen in GS3;
CP-specific blocks were not collected.
"""

from __future__ import annotations

from ..catalog import ExpansionModule, PhoneModel, VendorInfo

EXPANSION_MODULES = (
    ExpansionModule("KM400", keys_per_page=16, pages=2, verified=False),
    ExpansionModule("KM410", keys_per_page=12, pages=2, verified=False),
)


def _model(name: str, line_keys: int, module: str | None = None, max_modules: int = 0) -> PhoneModel:
    """A CP model: as many lines as line keys (at least one), nothing verified."""
    return PhoneModel(
        name=name,
        lines=max(line_keys, 1),
        line_keys=line_keys,
        expansion_modules=(module,) if module else (),
        max_expansion_modules=max_modules,
        verified=False,
    )


MODELS = (
    _model("CP100", 0),
    _model("CP110", 0),
    _model("CP200", 4),
    _model("CP205", 8),
    _model("CP210", 8),
    _model("CP400", 16, "KM400", 2),
    _model("CP410", 16, "KM400", 2),
    _model("CP600", 12, "KM410", 4),
    _model("CP700", 12, "KM410", 4),
    _model("CP700X", 12, "KM410", 4),
    _model("CP710", 12, "KM410", 4),
)

VENDOR = VendorInfo(
    name="unify",
    title="Unify OpenScape Desk Phone CP",
    ouis=("0001e3", "001ae8"),
    models=MODELS,
    expansion_modules=EXPANSION_MODULES,
    notes="DLS/WPI and DMS are exclusive; WPI has no authentication in default mode, keep phones on a voice VLAN.",
)
