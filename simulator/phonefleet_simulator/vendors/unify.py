"""Unify OpenScape Desk Phone CP phones, as the simulator knows them.

Written from Unify's documents, not from the collection's driver.

Sources:

- [DG] *OpenStage / OpenScape Desk Phone IP Provisioning Interface, Developer's Guide* A31003-S2000-R102-16-7620
  (research/unify-cisco.md part A): the WPI envelope (``WorkpointMessage``/``DLSMessage``, ``Item name index``),
  reasons and actions (``Restart`` reboots, p.50-51), contact-me (p.14-15), and the item names ``e164``,
  ``reg-addr`` (p.27), ``sntp-addr``, ``sntp-tz-offset`` (minutes), ``auto-daylight-save`` (p.48).
- [W] wiki.unify.com WPI pages and GS3/GS5 (research/unify-cisco.md A.2): the function-key items
  (``function-key-def``, ``key-label-unicode``) and line keys.

What the phone reads (the WPI exchange itself, and that only a ``Restart`` answer reboots the phone, are the
device's: ``device.SimulatedDevice._wpi``):

- Line 1: ``e164`` is the AOR's user [DG], registering at ``reg-addr`` [DG] (the SIP server, the AOR's domain).
- Unverified item names, read as the driver's research notes give them but confirmed by no public source
  (research/param-audit.md §6: 5 of 33 names confirmed): ``sip-user-id``, ``sip-pwd``, ``reg-port``,
  ``registrar-addr``/``registrar-port``, ``sip-transport`` (0 UDP, 1 TCP, 2 TLS), ``outbound-proxy`` with
  ``sgnl-gateway-addr``/``-port``, ``reg-ttl``, ``display-id-unicode``/``display-id``; further lines are line keys
  (``function-key-def`` 31 [W]) with ``line-sip-uri``, ``line-sip-user-id``, ``line-sip-pwd`` and
  ``line-primary`` false. A real CP phone may name them otherwise: the tests that read them prove the driver
  and this reader agree, not that a phone does.
"""

from __future__ import annotations

from .. import configs
from ..configs import SipAccount
from . import Clock, FirmwareRef, Key, first, version_in

#: Unify's MAC prefix [V: research/unify-cisco.md, OUIs seen on OpenStage phones (GS3)]
OUIS = ("0001e3",)

TRANSPORTS = {"0": "udp", "1": "tcp", "2": "tls"}


def read_items(files: dict) -> dict[tuple[str, int | None], str]:
    """Every ``<Item name index>`` of the WPI messages fetched, by (name, index), later ones winning [DG]."""
    items: dict[tuple[str, int | None], str] = {}
    for path, root in configs._documents(files, "DLSMessage"):
        for item in root.iter():
            name = item.get("name")
            if configs._local(item.tag) != "Item" or not name:
                continue
            index = configs._int(item.get("index"), f"{path} item {name} index")
            items[(name, index)] = (item.text or "").strip()
    return items


def accounts(files: dict) -> list[SipAccount]:
    items = read_items(files)

    def get(name: str, index: int | None = None) -> str | None:
        return items.get((name, index)) or None

    user = get("e164")
    if user is None:
        return []
    domain = get("reg-addr") or get("registrar-addr") or ""
    registrar = get("registrar-addr") or domain
    port = configs._int(get("registrar-port") or get("reg-port"), "registrar-port")
    transport = configs._code(get("sip-transport"), TRANSPORTS, "sip-transport")
    use_gateway = (get("outbound-proxy") or "false").lower() == "true"
    gateway = get("sgnl-gateway-addr") if use_gateway else None
    gateway_port = configs._int(get("sgnl-gateway-port"), "sgnl-gateway-port") if gateway else None
    common = {
        "domain": domain,
        "registrar": registrar,
        "port": port,
        "transport": transport,
        "expires": configs._int(get("reg-ttl"), "reg-ttl"),
        "outbound_proxy": gateway,
        "outbound_port": gateway_port,
    }
    accounts = [
        configs._account(
            line=1,
            user=user,
            auth_user=get("sip-user-id"),
            password=get("sip-pwd"),
            display_name=get("display-id-unicode") or get("display-id"),
            **common,
        )
    ]
    keys = sorted(
        index
        for (name, index), value in items.items()
        if name == "function-key-def" and value == "31" and index is not None  # no index: no key
    )
    for index in keys:
        uri = get("line-sip-uri", index)
        if uri is None or (get("line-primary", index) or "false").lower() == "true":
            continue
        line_user = uri.removeprefix("sip:").partition("@")[0]
        accounts.append(
            configs._account(
                line=len(accounts) + 1,
                user=line_user,
                auth_user=get("line-sip-user-id", index),
                password=get("line-sip-pwd", index),
                display_name=get("key-label-unicode", index),
                **common,
            )
        )
    return accounts


def firmware(model: str | None, files: dict) -> FirmwareRef | None:
    """``file-https-base-url`` with ``file-sw-version`` (the version; else read from the URL) [DG
    "SoftwareDeployment"]."""
    url = first(r'<Item name="file-https-base-url"[^>]*>([^<]*)</Item>', files)
    version = first(r'<Item name="file-sw-version"[^>]*>([^<]*)</Item>', files)
    return FirmwareRef(url, version or version_in(url)) if url else None


# -- what the phone applies: codecs, time zone, keys ----------------------------------------------------------

#: ``codec-type`` values -> the fleet's [I: param-audit.md §6 found no public source for ``codec-type``; the
#: phone's web page lists G.711, G.729 and G.722 and nothing else; the numbers 0 G.711, 1 G.722, 2 G.729 are
#: unconfirmed]. G.711 is one entry for both laws (the law is the phone's country setting): ``g711``.
CODECS = {"0": "g711", "1": "g722", "2": "g729"}
#: ``function-key-def`` values -> the fleet's [W: 31 line; 1 selected dialling; 59 BLF I]
KEY_FUNCTIONS = {"31": "line", "1": "speed_dial", "59": "blf"}
#: where a key's value is, by function: a line key's own number, the dialled number, the watched URI [W; I]
KEY_VALUES = {"line": "line-sip-uri", "speed_dial": "select-dial", "blf": "stimulus-led-control-uri"}


def codecs(files: dict) -> list[str]:
    """``codec-type``/``codec-allowed``/``codec-rank`` by index: the allowed ones by rank [I]."""
    items = read_items(files)
    ranked = []
    for (name, index), code in items.items():
        if name == "codec-type" and items.get(("codec-allowed", index), "true") == "true":
            ranked.append((int(items.get(("codec-rank", index)) or 99), CODECS.get(code, f"codec {code}")))
    return [codec for _rank, codec in sorted(ranked)]


def timezone(files: dict) -> Clock:
    """``sntp-tz-offset`` in minutes, ``auto-daylight-save`` true: the phone's own rule [DG p.48], moving by
    ``daylight-save-minutes`` [I]."""
    items = read_items(files)
    offset = configs._int(items.get(("sntp-tz-offset", None)), "sntp-tz-offset")
    if items.get(("auto-daylight-save", None)) != "true":
        return Clock(offset, None)
    return Clock(offset, "auto", configs._int(items.get(("daylight-save-minutes", None)), "daylight-save-minutes", 60))


def keys(files: dict) -> list[Key]:
    """``function-key-def`` by index, ``key-label-unicode``; a line key's value is which line it is: the
    primary line (``line-primary`` true) is line 1, the others follow in key order [W; I]."""
    items = read_items(files)
    found = []
    line = 1
    for (name, index), code in sorted(items.items(), key=lambda item: item[0][1] or 0):
        if name != "function-key-def" or index is None:
            continue
        function = KEY_FUNCTIONS.get(code, f"function {code}")
        value = items.get((KEY_VALUES.get(function, ""), index), "")
        if function == "line":
            primary = items.get(("line-primary", index)) == "true"
            value, line = ("1", line) if primary else (str(line + 1), line + 1)
        found.append(Key(index, function, value, items.get(("key-label-unicode", index), "")))
    return found
