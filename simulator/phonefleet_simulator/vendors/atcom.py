"""What a real Atcom A-series phone does, as far as anything public says (nothing from Atcom itself was read).

Sources: ../shared/research/atcom-qtech.md §1: VitalPBX's A-series templates (near-copies of its Yealink
template, pointing the phone back with ``auto_provision.server.url``, the one name seen [V]) and a third party
citing Atcom's "Action URL and Active URI" spec [3P]; param-audit.md §2 (no A-series parameter confirmed).

- Format [I]: the A-series reads Yealink-style ``key = value`` files with the ``#!version`` first line, so its
  SIP accounts are read with the Yealink platform's names (``configs.yealink``; the V7x
  ``account.N.sip_server_host/_port``, ``account.N.transport`` and the newer ``account.N.sip_server.1.*`` are
  the names atcom-qtech.md lists). The only public Atcom template (FusionPBX ``atcom/ag198``) is the
  Fanvil-like ``<<VOIP CONFIG FILE>>`` text of the older AT5xx/AG family (atcom-qtech.md §1.5): the simulated
  A-series does not read it (no ``#!version`` line, so no account), because nothing ties that format to the
  A-series and a driver writing it for an A20 should fail here, not pass.
- Files [3P]: ``<MAC>.cfg`` with the MAC in upper case (Atcom's own example); the common file's family
  code is unknown, so the simulated phone fetches only its own file.
- Reboot [3P]: ``GET /cgi-bin/server.cgi?key=REBOOT`` without a login. The phone keeps an allow list of
  callers; the first request from an address not in it makes the phone ask its user to allow remote control,
  and nothing happens until someone does (nobody does here). The allow list's parameter name is not known:
  ``features.action_uri_limit_ip``, the name on the Yealink platform the A-series is assumed to run, is read
  here [I]. No prompt-off setting is known, so a listed caller is simply obeyed.
- ``check-sync`` NOTIFY: not documented by Atcom; answered as a resync [I].
"""

from __future__ import annotations

import re

from . import Clock, FirmwareRef, HttpControl, Key, Refusal, yealink

#: ATCOM's MAC prefix [V: research/atcom-qtech.md, VitalPBX brand_macs "Atcom,41,808287"]
OUIS = ("808287",)


def control_settings(files: dict) -> yealink.ControlSettings:
    """The allow list (Yealink platform name, [I]); the other Yealink rules are not applied to an Atcom."""
    return yealink.control_settings(files)


def http(settings: yealink.ControlSettings, request: HttpControl) -> Refusal | None:
    """A caller in the allow list is obeyed; any other gets the phone's prompt, and nothing is done [3P]."""
    return None if settings.allows_caller(request.peer) else Refusal(yealink.PROMPT, prompt=True)


def firmware(model: str | None, files: dict) -> FirmwareRef | None:
    """``firmware.url`` as on the Yealink platform [I: no Atcom document names the A-series' parameter]."""
    return yealink.firmware(model, files)


#: ``account.1.codec.<slot>.payload_type`` names -> the fleet's [I: the V7x Yealink-platform slot form; no
#: A-series document names them]
CODECS = {"PCMU": "pcmu", "PCMA": "pcma", "G722": "g722", "G729": "g729", "G726-32": "g726", "G723_53": "g723",
          "ILBC": "ilbc", "OPUS": "opus"}  # fmt: skip
_SLOT = re.compile(r"^account\.1\.codec\.(\d+)\.payload_type$")


def codecs(files: dict) -> list[str]:
    """Account 1's enabled codec slots by ``priority`` [I: the Yealink V7x slot names, unconfirmed for Atcom]."""
    values = yealink.key_values(files)
    ranked = []
    for name, payload in values.items():
        match = _SLOT.match(name)
        if match and values.get(f"account.1.codec.{match.group(1)}.enable") == "1":
            priority = int(values.get(f"account.1.codec.{match.group(1)}.priority") or 99)
            ranked.append((priority, CODECS.get(payload.upper(), payload.lower())))
    return [codec for _priority, codec in sorted(ranked)]


def timezone(files: dict) -> Clock:
    """The Yealink platform's ``local_time.*`` [I]."""
    return yealink.timezone(files)


def keys(files: dict) -> list[Key]:
    """The Yealink platform's ``linekey.N.*`` [I]."""
    return yealink.keys(files)
