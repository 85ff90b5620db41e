# Private to this collection: the vendor-neutral values a template renders from.
"""The context of one phone's templates, merged in DESIGN.md's precedence:

    vendor defaults < settings < profile < extended sets (profile order) < key template < phone

Everything a profile decides is computed once per (profile, vendor) and shared by its phones; only
lines, keys, firmware and the phone's identity are per phone. Secrets are revealed (decrypted) here,
through the ``reveal`` function the caller gives, and only for what a template will write.

Keys of the context (see docs/rendering.md for the full list): ``phone``, ``lines``, ``sip``, ``codecs``,
``features``, ``time``, ``network``, ``updates``, ``admin_password``, ``keys``, ``modules``,
``firmware``, ``params``, ``cisco``, ``provisioning``, ``control``, ``applications``, ``mobility``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from ..catalog.models import PhoneModel, model_key
from ..fleet.mac import format_mac
from ..fleet.model import Fleet, Phone, Profile
from ..fleet.timezone import UnknownTimeZone, zone_facts
from ..fleet.window import every_minutes
from .driver import RenderError, VendorDriver
from .keys import lay_out_keys

Reveal = Callable[[object], str]

SIP_DEFAULTS = {
    "port": None,
    "transport": "udp",
    "proxy": None,
    "outbound_proxy": None,
    "backup_registrar": None,
    "backup_port": None,
    "expires": 3600,
    "nat_keepalive": 0,
    "srtp": "off",
}
FEATURE_DEFAULTS = {
    "call_waiting": True,
    "dnd": True,
    "call_forward": True,
    "transfer": True,
    "intercom": False,
    "voicemail_code": None,
    "pickup_code": None,
    "park_code": None,
    "intercom_code": None,
}


def _merged(*layers: dict | None) -> dict:
    result: dict = {}
    for layer in layers:
        if layer:
            result.update({key: value for key, value in layer.items() if value is not None or key not in result})
    return result


def provisioning_context(settings: dict) -> dict:
    """Where phones reach the provisioning service, from settings.provisioning."""
    provisioning = settings.get("provisioning") or {}
    servers = provisioning.get("servers") or ["provisioning.invalid"]
    scheme = provisioning.get("scheme", "http")
    http_port = provisioning.get("http_port", 80)
    https_port = provisioning.get("https_port", 443)
    port = https_port if scheme == "https" else http_port
    default_port = 443 if scheme == "https" else 80
    base_url = f"{scheme}://{servers[0]}" + ("" if port == default_port else f":{port}") + "/"
    return {
        "scheme": scheme,
        "server": servers[0],
        "servers": list(servers),
        "http_port": http_port,
        "https_port": https_port,
        "tftp_port": provisioning.get("tftp_port", 69),
        "base_url": base_url,
        "firmware_url": base_url + "firmware/",
    }


#: the phone applications' ports when the fleet's settings name none (issue 14: 8080 HTTP, 8081 HTTPS)
APPLICATIONS_HTTP_PORT = 8080
APPLICATIONS_HTTPS_PORT = 8081


def applications_context(settings: dict) -> dict:
    """Where phones reach the service's phone applications (the hot-desk login screens), from
    settings.provisioning: the first server, ``applications_http_port`` / ``applications_https_port``. ``http_url``
    and ``https_url`` end with ``/``; ``url`` is the one of the fleet's scheme. Each vendor adds its own path."""
    provisioning = settings.get("provisioning") or {}
    server = (provisioning.get("servers") or ["provisioning.invalid"])[0]
    http_port = provisioning.get("applications_http_port", APPLICATIONS_HTTP_PORT)
    https_port = provisioning.get("applications_https_port", APPLICATIONS_HTTPS_PORT)
    http_url = f"http://{server}" + ("" if http_port == 80 else f":{http_port}") + "/"
    https_url = f"https://{server}" + ("" if https_port == 443 else f":{https_port}") + "/"
    return {
        "http_port": http_port,
        "https_port": https_port,
        "http_url": http_url,
        "https_url": https_url,
        "url": https_url if provisioning.get("scheme", "http") == "https" else http_url,
    }


def _time_context(time: dict | None, who: str) -> dict:
    time = time or {}
    name = time.get("timezone", "UTC")
    try:
        facts = zone_facts(name)
    except UnknownTimeZone as exc:
        raise RenderError(f"{who}: time.timezone: {exc}") from None
    dst_mode = time.get("dst", "auto")
    return {
        "ntp": list(time.get("ntp") or []),
        "timezone": name,
        "dst": dst_mode,
        "dst_enabled": facts.has_dst if dst_mode == "auto" else dst_mode == "on",
        "time_format": time.get("time_format", "24h"),
        "date_format": time.get("date_format"),
        "posix": facts.posix,
        "utc_offset": facts.utc_offset_hours,
        "utc_offset_minutes": facts.utc_offset_minutes,
        "dst_offset_minutes": facts.dst_offset_minutes,
        "dst_start": facts.dst_start,
        "dst_end": facts.dst_end,
    }


def _network_context(network: dict | None) -> dict:
    network = network or {}
    vlan = network.get("vlan") or {}
    dscp = network.get("dscp") or {}
    return {
        "vlan_id": vlan.get("id"),
        "vlan_priority": vlan.get("priority", 0),
        "pc_vlan_id": vlan.get("pc_port_id"),
        "lldp": network.get("lldp", True),
        "cdp": network.get("cdp", True),
        "dscp_sip": dscp.get("sip", 26),
        "dscp_rtp": dscp.get("rtp", 46),
    }


def _updates_context(updates: dict | None) -> dict:
    updates = updates or {}
    check = updates.get("config_check") or {}
    every = every_minutes(check["every"]) if check.get("every") else None
    window = updates.get("firmware_window") or {}
    return {
        "check_every_minutes": every,
        "check_days": list(check.get("days") or []),
        "check_hours": check.get("hours"),
        "firmware_days": list(window.get("days") or []),
        "firmware_hours": window.get("hours"),
    }


def control_context(settings: dict) -> dict:
    """Where the controller drives phones from (settings.phone_control.networks, CIDR), for the phones' allow
    lists of remote control; each vendor writes them in its own form. Not a secret: shared files carry it."""
    networks = (settings.get("phone_control") or {}).get("networks") or []
    return {"networks": [str(ipaddress.ip_network(network, strict=False)) for network in networks]}


def firmware_window(context: dict) -> dict | None:
    """The firmware window of a phone's context as the service checks it: days and hours in the profile's
    time zone (fleet/window.py reads it); None when the profile has none (any time will do)."""
    updates = context["updates"]
    if not updates["firmware_hours"]:
        return None
    return {
        "days": updates["firmware_days"],
        "hours": updates["firmware_hours"],
        "timezone": context["time"]["timezone"],
    }


_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")


class ContextBuilder:
    """Builds phone contexts for one fleet; profile-level parts are computed once per vendor."""

    def __init__(self, fleet: Fleet, reveal: Reveal) -> None:
        self.fleet = fleet
        self.reveal = reveal
        self.provisioning = provisioning_context(fleet.settings)
        self.applications = applications_context(fleet.settings)
        self.control = control_context(fleet.settings)
        self._profiles: dict[tuple, dict] = {}

    def secret(self, value) -> str | None:
        if value is None:
            return None
        clear = self.reveal(value)
        if _CONTROL_CHARACTER.search(clear):
            # A line break in a secret would start a new parameter in line-based config formats.
            raise RenderError("a password holds a line break or control character; it cannot be written safely")
        return clear

    def profile_part(self, profile_name: str | None, driver: VendorDriver, who: str) -> dict:
        key = (profile_name, driver.vendor.name)
        cached = self._profiles.get(key)
        if cached is not None:
            return cached
        if profile_name is None:
            raise RenderError(f"{who}: has no profile; name one, or set settings.defaults.profile")
        profile = self.fleet.profiles[profile_name]
        defaults = driver.defaults or {}
        sip = self.sip_part(profile, driver)
        params: dict = {}
        cisco: dict[str, Any] = {"dial_rules": [], "softkey_template": None, "certificates": []}
        for name in profile.extended:
            extended = self.fleet.extended_sets[name]
            if extended.vendor in driver.extended_vendor_names():
                params.update(extended.params)
                if extended.vendor == "cisco":
                    cisco["dial_rules"] = extended.dial_rules or cisco["dial_rules"]
                    cisco["softkey_template"] = extended.softkey_template or cisco["softkey_template"]
                    cisco["certificates"] = extended.certificates or cisco["certificates"]
        codecs = list(profile.codecs or ["g722", "pcma", "pcmu"])
        part = {
            "profile": profile.name,
            "sip": sip,
            "codecs": codecs,
            "features": _merged(FEATURE_DEFAULTS, defaults.get("features"), profile.features),
            "time": _time_context(_merged(defaults.get("time"), profile.time), f"profile {profile.name}"),
            "network": _network_context(_merged(defaults.get("network"), profile.network)),
            "updates": _updates_context(profile.updates),
            "admin_password": self.secret(profile.admin_password),
            "phone_auth": self.phone_auth(driver.vendor.name),
            "mobility": bool(profile.mobility),
            "params": params,
            "cisco": cisco,
        }
        self._profiles[key] = part
        return part

    @staticmethod
    def sip_part(profile: Profile, driver: VendorDriver) -> dict:
        """The ``sip`` part of a profile for ``driver``'s phones: the vendor's defaults under the profile's own."""
        sip = _merged(SIP_DEFAULTS, (driver.defaults or {}).get("sip"), profile.sip)
        if sip["port"] is None:
            sip["port"] = 5061 if sip["transport"] == "tls" else 5060
        return sip

    def shared_defaults(self, driver: VendorDriver) -> dict:
        """What a vendor's shared files may say of the fleet's defaults (``settings.defaults``), for a phone the
        fleet does not list: ``sip``, the default profile's SIP part (no secret in it), or None; ``firmware``, the
        default kit's files of the vendor (file, version, models), empty when the default profile has a firmware
        window: a shared file is the same at every hour, and a phone flashes whatever its file names when it
        fetches it."""
        defaults = self.fleet.settings.get("defaults") or {}
        profile = self.fleet.profiles.get(defaults.get("profile"))
        kit = self.fleet.firmware_kits.get(defaults.get("firmware_kit"))
        firmware = []
        if kit is not None and not (profile and _updates_context(profile.updates)["firmware_hours"]):
            for name in kit.files:
                item = self.fleet.firmware_files.get(name)
                if item is not None and item.vendor == driver.vendor.name:
                    firmware.append({"file": item.file, "version": item.version, "models": list(item.models)})
        return {"sip": self.sip_part(profile, driver) if profile else None, "firmware": firmware}

    def phone_auth(self, vendor: str) -> dict | None:
        """How phones of ``vendor`` authenticate to the provisioning server, password revealed; None if not set.

        Only a phone's own file may carry it: it is served to that phone once it proved itself.
        """
        auth = (self.fleet.settings.get("phone_auth") or {}).get(vendor)
        if not auth or auth.get("method", "none") == "none":
            return None
        return {
            "method": auth["method"],
            "username": auth.get("username", ""),
            "password": self.secret(auth.get("password")) or "",
        }

    def _line_secret(self, value, who: str, index: int) -> str:
        try:
            return self.secret(value) or ""
        except RenderError as exc:
            raise RenderError(f"{who}: lines[{index - 1}].password: {exc}") from None

    def firmware(self, phone: Phone) -> dict | None:
        kit = self.fleet.firmware_kits.get(phone.firmware_kit) if phone.firmware_kit else None
        if kit is None or phone.model is None:
            return None
        for name in kit.files:
            item = self.fleet.firmware_files.get(name)
            if (
                item is not None
                and item.vendor == phone.vendor
                and any(model_key(model) == model_key(phone.model) for model in item.models)
            ):
                return {
                    "name": item.name,
                    "file": item.file,
                    "version": item.version,
                    "sha256": item.sha256,
                    "url": self.provisioning["firmware_url"] + item.file,
                }
        return None

    def phone_context(self, phone: Phone, driver: VendorDriver, model: PhoneModel | None) -> tuple[dict, list]:
        """The context of one phone's templates, and the warnings of laying it out."""
        who = f"phone {format_mac(phone.mac)}" + (f" ({phone.name})" if phone.name else "")
        context = dict(self.profile_part(phone.profile, driver, who))
        modules = [driver.vendor.expansion_module(name) for name in phone.modules]
        layout = lay_out_keys(
            self.fleet.keys_of(phone), model, [m for m in modules if m], driver.supported_key_functions(), who
        )
        voicemail = context["features"].get("voicemail_code")
        context.update(
            phone={
                "mac": phone.mac,
                "mac_upper": phone.mac.upper(),
                "mac_colon": format_mac(phone.mac),
                "name": phone.name or phone.mac,
                "vendor": phone.vendor,
                "model": phone.model,
                "line_keys": model.line_keys if model else None,
                "description": phone.description,
            },
            lines=[
                {
                    "index": index,
                    "number": line.number,
                    "display_name": line.display_name or phone.name or line.number,
                    "label": line.label or line.number,
                    "username": line.username or line.number,
                    "auth_username": line.auth_username or line.username or line.number,
                    "password": self._line_secret(line.password, who, index),
                    "register": line.register,
                    "voicemail": line.voicemail or voicemail,
                }
                for index, line in enumerate(phone.lines, 1)
            ],
            keys=layout.phone,
            modules=layout.modules,
            firmware=self.firmware(phone),
            provisioning=self.provisioning,
            control=self.control,
            applications=self.applications,
            # the hot-desk login is offered where the profile allows it and the model supports it (catalogue)
            mobility=bool(context["mobility"] and model is not None and model.mobility),
        )
        if phone.admin_password is not None:
            try:
                context["admin_password"] = self.secret(phone.admin_password)
            except RenderError as exc:
                raise RenderError(f"{who}: admin_password: {exc}") from None
        warnings = list(layout.warnings)
        unknown_codecs = [codec for codec in context["codecs"] if codec not in driver.codec_names]
        if driver.codec_names and unknown_codecs:
            unsupported = ", ".join(unknown_codecs)
            warnings.append(f"{who}: codec(s) {unsupported} not supported on {driver.vendor.title}; left out")
            context["codecs"] = [codec for codec in context["codecs"] if codec in driver.codec_names]
        return context, warnings
