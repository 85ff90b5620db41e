"""Snom D-series phones, as the simulator knows them.

Written from Snom's documents and public provisioning templates, not from the collection's driver.

Sources:

- [W] service.snom.com settings wiki: ``user_host``, ``user_outbound``, ``user_failover_identity`` ("the
  identity to use when this identity fails to register": an identity number or ``none``), ``hide_identity``,
  ``checksync_action`` ("when an action is configured, that action is executed, no matter the content of
  the received check-sync event; when empty or invalid, the content of the check-sync event is executed":
  ``reboot``, ``factory-reset``, ``reregister``, ``sync``, ``delete-contacts``; default empty),
  ``http_user``/``http_pass`` (the web interface's login).
- [WZ] wazo-provd-plugins ``wazo_snom`` ``base.tpl``: a backup registrar as a second identity
  (``user_failover_identity`` of the line = that identity; its ``user_host`` the backup, ``hide_identity``
  true); ``check-sync;reboot=false`` resyncs (research/phone-vendors.md §6).
- [GW] Gigaset/Snom check-sync notes: ``reboot=false`` re-reads the settings, ``reboot=true`` reboots.

Rules the phone applies:

- ``<settings><phone-settings>`` of every file, later files winning; per-identity settings carry ``idx`` (the
  old form ``user_name1`` too) [W].
- An identity registers as ``user_name`` at ``user_host`` (``host[:port][;transport=x]``), REGISTERs going to
  ``user_outbound`` when set; ``user_active`` ``off`` does not register [W].
- An identity another one names in ``user_failover_identity`` is that one's failover [W, WZ]: it is not a line
  of its own here (:func:`failover` gives it).
- check-sync: ``checksync_action`` wins when set to one of its values; else ``reboot=true`` reboots and
  anything else resyncs [W, GW].
- The web interface (``/advanced_update.htm`` ...) logs in with ``http_user``/``http_pass`` when the file
  sets them [W]; a phone whose files set none keeps its own (the simulator's configured login).
"""

from __future__ import annotations

import re

from .. import configs
from ..configs import SipAccount
from . import Answer, Clock, FirmwareRef, Key, Notify, Refusal, first

#: Snom's MAC prefix [the IEEE OUI registry's block of snom technology; not re-checked: I]
OUIS = ("000413",)

_OLD = re.compile(r"^(user_[a-z_]+?)(\d+)$")
#: checksync_action values and what the phone does [W]; reregister and delete-contacts neither resync nor reboot
CHECKSYNC_ACTIONS = {
    "reboot": "reboot",
    "factory-reset": "reboot",
    "sync": "resync",
    "reregister": None,
    "delete-contacts": None,
}


def settings(files: dict) -> tuple[dict[str, str], dict[tuple[str, int], str]]:
    """(phone-wide settings, per-identity settings by (name, idx)), later files winning."""
    common: dict[str, str] = {}
    identities: dict[tuple[str, int], str] = {}
    for _path, root in configs._documents(files, "settings"):
        for block in root:
            if configs._local(block.tag) != "phone-settings":
                continue
            for setting in block:
                name, index = configs._local(setting.tag), setting.get("idx")
                old = _OLD.match(name) if index is None else None
                if old:
                    name, index = old.group(1), old.group(2)
                value = (setting.text or "").strip()
                if index is None:
                    common[name] = value
                elif index.isdigit():
                    identities[(name, int(index))] = value
    return common, identities


def _identity(values: dict, index: int, line: int) -> SipAccount | None:
    def get(name: str) -> str | None:
        return values.get((name, index)) or None

    user = get("user_name")
    if user is None:
        return None
    domain, port, transport = configs._uri_host_port(get("user_host") or "", f"user_host idx {index}")
    outbound, outbound_port, outbound_transport = (
        configs._uri_host_port(outbound_uri, f"user_outbound idx {index}")
        if (outbound_uri := get("user_outbound"))
        else (None, None, None)
    )
    transport = outbound_transport or transport or "udp"
    return configs._account(
        line=line,
        user=user,
        auth_user=get("user_pname"),
        password=get("user_pass"),
        display_name=get("user_realname"),
        domain=domain,
        registrar=domain,
        port=port,
        transport=transport,
        expires=configs._int(get("user_expiry"), f"user_expiry idx {index}"),
        enabled=(get("user_active") or "on") == "on",
        outbound_proxy=outbound,
        outbound_port=outbound_port,
    )


def _failover_of(values: dict) -> dict[int, int]:
    """{identity: its failover identity} for every identity that names one [W]."""
    found = {}
    for (name, index), value in values.items():
        if name == "user_failover_identity" and value.isdigit() and int(value) != index:
            found[index] = int(value)
    return found


def accounts(files: dict) -> list[SipAccount]:
    _common, values = settings(files)
    failovers = set(_failover_of(values).values())
    indices = sorted({index for name, index in values if name == "user_name"} - failovers)
    return [account for index in indices if (account := _identity(values, index, index)) is not None]


def failover(files: dict) -> dict[int, SipAccount]:
    """{line: the identity it fails over to, read as an account of that line}."""
    _common, values = settings(files)
    found = {}
    for line, backup in _failover_of(values).items():
        account = _identity(values, backup, line)
        if account is not None:
            found[line] = account
    return found


def control_settings(files: dict) -> dict:
    common, _identities = settings(files)
    return {name: common[name] for name in ("checksync_action", "http_user", "http_pass") if name in common}


def notify(settings_read: dict, request: Notify, answer: Answer) -> Answer | Refusal:
    """``checksync_action`` overrides what the check-sync event asks [W]."""
    action = settings_read.get("checksync_action", "").strip().lower()
    if request.event != "check-sync" or answer.code != 200 or action not in CHECKSYNC_ACTIONS:
        return answer
    return answer._replace(operation=CHECKSYNC_ACTIONS[action])


def web_login(settings_read: dict) -> tuple[str, str] | None:
    """The web interface's login when the phone's files set it [W]."""
    if "http_pass" not in settings_read:
        return None
    return settings_read.get("http_user", ""), settings_read["http_pass"]


def firmware(model: str | None, files: dict) -> FirmwareRef | None:
    """``<firmware_status>`` names an XML file whose ``<firmware>`` is the image [W "firmware_status"]."""
    url = first(r"<firmware_status[^>]*>([^<]*)</firmware_status>", files)
    return FirmwareRef(url, "", indirect=True) if url else None


# -- what the phone applies: codecs, time zone, keys ----------------------------------------------------------

#: ``codec_priority_list`` names -> the fleet's [W; ``opus`` is the name D7xx firmware 10+ lists, I]
CODECS = {"pcmu": "pcmu", "pcma": "pcma", "g722": "g722", "g729": "g729", "g726-32": "g726", "gsm": "gsm",
          "opus": "opus", "telephone-event": ""}  # fmt: skip
_ZONE_OFFSET = re.compile(r"([+-]\d+(?:\.\d+)?)$")
#: ``<fkey>`` text: the type word, then its value [W "fkey"]
FKEY_TYPES = {"line": "line", "blf": "blf", "speed": "speed_dial", "dest": "speed_dial", "intercom": "intercom",
              "url": "url", "transfer": "transfer"}  # fmt: skip


def codecs(files: dict) -> list[str]:
    """Identity 1's ``codec_priority_list``, in order (``telephone-event`` is DTMF, not a codec) [W]."""
    _common, identities = settings(files)
    listed = (identities.get(("codec_priority_list", 1)) or "").split(",")
    return [CODECS.get(name.strip(), name.strip()) for name in listed if CODECS.get(name.strip(), name.strip())]


def timezone(files: dict) -> Clock:
    """``timezone``: a code of Snom's list (``GER+1``, ``RUS+3`` [prov.net]); the phone applies the zone's
    offset (the code's suffix, hours) and its own daylight-saving rule for it [W "timezone"]."""
    common, _identities = settings(files)
    zone = common.get("timezone", "")
    match = _ZONE_OFFSET.search(zone)
    offset = round(float(match.group(1)) * 60) if match else None
    return Clock(offset, "auto", 0, zone)


def keys(files: dict) -> list[Key]:
    """``<functionKeys><fkey idx context label>``: ``idx`` 0 the first key; a ``line`` key's line is its
    ``context`` (the identity; ``active`` is whichever identity is in use, not a line of its own) [W]."""
    found = []
    for _path, root in configs._documents(files, "settings"):
        for block in root:
            if configs._local(block.tag) != "functionKeys":
                continue
            for key in block:
                kind, _space, value = (key.text or "").strip().partition(" ")
                function = FKEY_TYPES.get(kind, kind)
                if function == "line":
                    value = key.get("context", "active")
                elif function == "blf":
                    value = value.strip("<>").removeprefix("sip:").partition("@")[0]
                elif kind == "keyevent":
                    function = {"F_DND": "dnd"}.get(value, value)
                    value = ""
                found.append(Key(int(key.get("idx") or 0) + 1, function, value.strip(), key.get("label", "")))
    return sorted(found, key=lambda key: key.position)
