# Private to this collection: from module options and host variables to targets, and back to results.
"""The plain-data side of the phone_command and phone_info actions: build a :class:`Target` per phone
(from a batch entry or from a host's ``phone_*`` variables), run the command or read the phone through
its vendor's control class, and turn every outcome, error included, into that phone's result dict.

Nothing here raises for one phone's trouble: a typed error becomes the phone's ``status`` and ``msg``.
Bad input (a batch entry without a MAC) raises :class:`RequestError`, naming the entry.
"""

from __future__ import annotations

import datetime
import os
import time
from dataclasses import dataclass, field

from ..catalog import registry
from ..fleet.errors import FleetError
from ..fleet.files import atomic_write
from ..fleet.mac import InvalidMac, normalize_mac
from .base import COMMANDS, PhoneControl
from .errors import ControlError, NotSupported, ProtocolError
from .image import ImageError, to_png
from .target import TRANSPORTS, Credentials, ServiceLink, ServiceLinkError, Target

# phone result statuses
SENT = "sent"
WOULD_SEND = "would_send"
OK = "ok"
FAILED = "failed"
UNSUPPORTED = "unsupported"
NO_ADDRESS = "no_address"
#: statuses that count as a failure of the task (unsupported and unknown addresses are reported, not failed)
FAILURES = frozenset({FAILED})
NO_ADDRESS_MSG = (
    "no address known (no ansible_host: the provisioning service has not seen a request that proved it came "
    "from this phone (phone_last_ip shows the address of any other), or the inventory has no service_url; "
    "give the address in host_vars, or turn on access keys or phone authentication)"
)
#: statuses listed as problems (with the reason) in a batch's summary
PROBLEMS = frozenset({FAILED, UNSUPPORTED, NO_ADDRESS})
ENTRY_KEYS = frozenset(
    {"mac", "vendor", "model", "address", "ports", "username", "password", "name", "sip_user", "scheme"}
)
#: why opening a phone's firmware window cannot be done without the provisioning service
WINDOW_NEEDS_SERVICE = (
    "opening the phone's firmware window (firmware_window_minutes; firmware_upgrade.yml with"
    " phonefleet_ignore_window=true) needs the provisioning service, which decides what its files name: give"
    " service_url and an admin service_token (or PHONEFLEET_SERVICE_URL and PHONEFLEET_SERVICE_TOKEN)"
)
#: what the provisioning service says of a phone (the inventory's phone_<name> live facts), shown beside results
SERVICE_FACTS = (
    "status",
    "status_text",
    "last_contact",
    "firmware",
    "expected_firmware",
    "firmware_pending",
    "firmware_window",
    # who is logged in on the phone (mobility): his name, number and since when (epoch seconds)
    "mobility_user",
    "mobility_number",
    "mobility_since",
)


class RequestError(FleetError):
    """The task's input is wrong (a batch entry without a MAC, an unknown port name...)."""


@dataclass(frozen=True)
class Defaults:
    """What the task's options give every phone (a batch entry may override some)."""

    credentials: Credentials = field(default_factory=Credentials)
    ports: dict = field(default_factory=dict)
    scheme: str = "http"
    validate_certs: bool = False
    timeout: float = 5.0
    service: ServiceLink | None = None


@dataclass
class Phone:
    """A target and what the inventory says about it besides (the service's live facts)."""

    target: Target
    facts: dict = field(default_factory=dict)


def parse_ports(value, where: str) -> dict:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise RequestError(f"{where}: ports must be a mapping of {', '.join(TRANSPORTS)} to port numbers")
    ports = {}
    for name, port in value.items():
        if name not in TRANSPORTS:
            raise RequestError(f"{where}: ports.{name}: not one of {', '.join(TRANSPORTS)}")
        try:
            number = int(port)
        except (TypeError, ValueError):
            number = 0
        if not 0 < number < 65536:
            raise RequestError(f"{where}: ports.{name}: {port!r} is not a port number")
        ports[name] = number
    return ports


def _mac(value, where: str) -> str:
    try:
        return normalize_mac(value)
    except InvalidMac as exc:
        raise RequestError(f"{where}: mac: {exc}") from None


def _vendor(value, mac: str) -> str | None:
    if value:
        return str(value).strip().lower()
    found = registry.vendor_for_mac(mac)
    return found.name if found else None


def target_from_entry(entry, index: int, defaults: Defaults) -> Phone:
    """A batch entry ``{mac, vendor, model, address, ports, username, password, name, sip_user, scheme}``."""
    where = f"phones[{index}]"
    if not isinstance(entry, dict):
        raise RequestError(f"{where}: must be a mapping (or an inventory host name)")
    unknown = sorted(set(entry) - ENTRY_KEYS - set(SERVICE_FACTS))
    if unknown:
        raise RequestError(f"{where}: unknown keys {', '.join(unknown)}")
    if not entry.get("mac"):
        raise RequestError(f"{where}: mac is required")
    mac = _mac(entry["mac"], where)
    credentials = defaults.credentials
    if entry.get("username") is not None or entry.get("password") is not None:
        credentials = Credentials(
            entry.get("username", credentials.username),
            str(entry["password"]) if entry.get("password") is not None else credentials.password,
        )
    target = Target(
        mac=mac,
        vendor=_vendor(entry.get("vendor"), mac) or "unknown",
        model=entry.get("model"),
        address=entry.get("address"),
        ports={**defaults.ports, **parse_ports(entry.get("ports"), where)},
        credentials=credentials,
        name=entry.get("name"),
        sip_user=str(entry["sip_user"]) if entry.get("sip_user") else None,
        scheme=entry.get("scheme") or defaults.scheme,
        validate_certs=defaults.validate_certs,
        timeout=defaults.timeout,
        service=defaults.service,
    )
    facts = {name: entry[name] for name in SERVICE_FACTS if name in entry}
    return Phone(target, facts)


def _looks_like_host_name_only(address, host: str) -> bool:
    return address in (None, "", host)


def target_from_vars(host: str, variables, defaults: Defaults, address: str | None = None) -> Phone:
    """A phone from an inventory host's variables (the fleet inventory plugin's ``phone_*`` and
    ``ansible_host``, which the plugin sets from the provisioning service's live facts)."""
    where = f"host {host}"
    mac_value = variables.get("phone_mac") or host
    mac = _mac(mac_value, where)
    proven = True  # an address given to the task is the engineer's
    if address is None:
        candidate = variables.get("ansible_host")
        address = None if _looks_like_host_name_only(candidate, host) else str(candidate)
        # the inventory marks the address of a request that did not prove it came from the phone
        proven = variables.get("phone_address_proven") is not False
    lines = variables.get("phone_lines") or []
    first = lines[0] if lines and isinstance(lines[0], dict) else {}
    sip_user = first.get("username") or first.get("number")
    target = Target(
        mac=mac,
        vendor=_vendor(variables.get("phone_vendor"), mac) or "unknown",
        model=variables.get("phone_model") or variables.get("phone_reported_model"),
        address=address,
        ports=dict(defaults.ports),
        credentials=defaults.credentials,
        name=variables.get("phone_name"),
        sip_user=str(sip_user) if sip_user else None,
        scheme=defaults.scheme,
        validate_certs=defaults.validate_certs,
        timeout=defaults.timeout,
        address_proven=proven,
        service=defaults.service,
    )
    facts = {name: variables.get("phone_" + name) for name in SERVICE_FACTS}
    return Phone(target, {name: value for name, value in facts.items() if value is not None})


# -- running -------------------------------------------------------------------------------------------------


def _base(phone: Phone) -> dict:
    target = phone.target
    return {
        "mac": target.mac,
        "name": target.name,
        "vendor": target.vendor,
        "model": target.model,
        "address": target.address,
    }


def _control(target: Target) -> PhoneControl:
    control = registry.control_for(target.vendor)
    if control is None:
        raise NotSupported(target.label, f"no control for the vendor '{target.vendor}'")
    return control


def _failure(result: dict, exc: Exception) -> dict:
    if isinstance(exc, NotSupported):
        result.update(status=UNSUPPORTED, msg=exc.reason, error=exc.kind)
    elif isinstance(exc, ControlError):
        result.update(status=FAILED, msg=exc.reason, error=exc.kind)
    else:
        result.update(status=FAILED, msg=str(exc), error="error")
    return result


def execute_command(
    phone: Phone, command: str, method: str | None = None, check: bool = False, window_minutes: int | None = None
) -> dict:
    """Reboot or resync one phone (or say what would be sent); its result. Never raises.

    ``window_minutes``: first open the phone's firmware window at the provisioning service for that long, so
    that the config it fetches names its kit's firmware now (firmware_upgrade.yml's override of the window)."""
    if command not in COMMANDS:
        raise RequestError(f"command must be one of {', '.join(COMMANDS)}, not {command!r}")
    result = {**_base(phone), "command": command, "changed": False}
    started = time.monotonic()
    try:
        control = _control(phone.target)
        target = control.prepare(phone.target)
        if target.address is None:
            control.plan(command, target, method)  # an unsupported command says so before the address
            result.update(status=NO_ADDRESS, msg=NO_ADDRESS_MSG)
            return result
        if window_minutes and not check:
            if target.service is None:  # the action refuses the task before; a phone made elsewhere lands here
                raise ValueError(WINDOW_NEEDS_SERVICE)
            target.service.open_firmware_window(target.mac, window_minutes)
            result["firmware_window_minutes"] = window_minutes
        outcome = control.run(command, target, method, check)
    except (FleetError, OSError, ValueError, ServiceLinkError) as exc:
        return _failure(result, exc)
    except Exception as exc:  # noqa: BLE001 - one phone's surprise must not stop a batch of thousands
        return _failure(result, RuntimeError(f"internal error: {type(exc).__name__}: {exc}"))
    finally:
        result["elapsed"] = round(time.monotonic() - started, 3)
    result.update(
        status=SENT if outcome.sent else WOULD_SEND,
        changed=True,
        method=outcome.method,
        mechanism=outcome.mechanism,
        reboots=outcome.reboots,
        verified=outcome.verified,
        detail=outcome.detail,
        msg=f"{'would send' if check else 'sent'} {command} ({'reboots' if outcome.reboots else 'no reboot'}): "
        f"{outcome.mechanism}" + (f" -> {outcome.detail}" if outcome.detail else ""),
    )
    if outcome.tried:
        result["tried"] = list(outcome.tried)
    return result


def _lines(info) -> list:
    return [{"line": line.line, "user": line.user, "status": line.status} for line in info.lines]


def gather(
    phone: Phone,
    want_info: bool = True,
    screenshot_path: str | None = None,
    method: str | None = None,
    check: bool = False,
    plan=None,
    now: datetime.datetime | None = None,
) -> dict:
    """Read one phone (info and/or screenshot into ``screenshot_path``); its result. Never raises.

    ``plan`` (a ``fleet_view.PhonePlan``) adds the fleet's expectations: the expected firmware and whether
    the phone is inside its firmware window now.
    """
    result = {**_base(phone), "changed": False}
    if phone.facts:
        result["service"] = dict(phone.facts)
    if plan is not None:
        result.update(
            expected_firmware=plan.expected_firmware,
            firmware_window=plan.window_text(),
            in_firmware_window=plan.in_window(now),
        )
    parts = []
    started = time.monotonic()
    try:
        control = _control(phone.target)
        target = control.prepare(phone.target)
    except NotSupported as exc:
        return _failure(result, exc)
    if want_info:
        parts.append(_info_part(control, target, method, result))
    if screenshot_path is not None:
        parts.append(_screenshot_part(control, target, screenshot_path, check, result))
    result["elapsed"] = round(time.monotonic() - started, 3)
    firmware = result.get("firmware")
    if plan is not None and plan.expected_firmware:
        result["firmware_current"] = firmware == plan.expected_firmware if firmware else None
    if FAILED in parts:
        result["status"] = FAILED
    elif parts and all(part == UNSUPPORTED for part in parts):
        result["status"] = UNSUPPORTED
    elif NO_ADDRESS in parts:
        result["status"] = NO_ADDRESS
    else:
        result["status"] = OK
    messages = [message for name in ("info", "screenshot") if (message := result.get(f"{name}_msg"))]
    if messages:
        result["msg"] = "; ".join(messages)
    return result


def _info_part(control: PhoneControl, target: Target, method, result: dict) -> str:
    try:
        source = control.info_way(target, method)
        if target.address is None:
            result.update(info_status=NO_ADDRESS, info_msg=NO_ADDRESS_MSG)
            return NO_ADDRESS
        info = control.info(target, method)  # reading changes nothing: done in check mode too
    except Exception as exc:  # noqa: BLE001 - becomes this phone's result
        status = _failure({}, exc)
        result.update(info_status=status["status"], info_msg=status["msg"], info_error=status["error"])
        return status["status"]
    result.update(
        info_status=OK,
        info={
            "model": info.model,
            "firmware": info.firmware,
            "mac": info.mac,
            "ip": info.ip,
            "lines": _lines(info),
        },
        firmware=info.firmware,
        registration=_lines(info),
        info_source=source,
        info_verified=info.verified,
    )
    return OK


def _screenshot_part(control: PhoneControl, target: Target, path: str, check: bool, result: dict) -> str:
    try:
        source = control.screenshot_way(target)
        if target.address is None:
            result.update(screenshot_status=NO_ADDRESS, screenshot_msg=NO_ADDRESS_MSG)
            return NO_ADDRESS
        if check:
            result.update(screenshot_status=WOULD_SEND, screenshot_path=path, screenshot_source=source, changed=True)
            return OK
        shot = control.screenshot(target)
        try:
            png, width, height = to_png(shot.data)
        except ImageError as exc:
            raise ProtocolError(target.label, f"{shot.source}: the screen image is {exc}") from None
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        atomic_write(path, png, new_file_mode=0o644)
    except Exception as exc:  # noqa: BLE001 - becomes this phone's result
        status = _failure({}, exc)
        result.update(
            screenshot_status=status["status"], screenshot_msg=status["msg"], screenshot_error=status["error"]
        )
        return status["status"]
    result.update(
        screenshot_status=OK,
        screenshot_path=path,
        screenshot_source=source,
        screenshot_format=shot.format,
        screenshot_size=[width, height],
        screenshot_verified=shot.verified,
        changed=True,
    )
    return OK


# -- summaries -----------------------------------------------------------------------------------------------


#: the order statuses are counted in
STATUS_ORDER = (SENT, WOULD_SEND, OK, FAILED, UNSUPPORTED, NO_ADDRESS)


def counts(results: list) -> dict:
    """status -> number of phones, in :data:`STATUS_ORDER`."""
    found: dict = {}
    for result in results:
        found[result["status"]] = found.get(result["status"], 0) + 1
    rank = {status: index for index, status in enumerate(STATUS_ORDER)}
    return dict(sorted(found.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0])))


def _when(epoch, now: float) -> str:
    if epoch is None:
        return "-"
    moment = datetime.datetime.fromtimestamp(float(epoch), datetime.UTC)
    ago = max(0, int(now - float(epoch)))
    if ago < 120:
        age = f"{ago}s ago"
    elif ago < 7200:
        age = f"{ago // 60}m ago"
    elif ago < 172800:
        age = f"{ago // 3600}h ago"
    else:
        age = f"{ago // 86400}d ago"
    return f"{moment:%Y-%m-%d %H:%M}Z ({age})"


def _logged_in(service: dict) -> str:
    """The mobility user on the phone: number, name, since when (UTC, as the last contact)."""
    if not service.get("mobility_number"):
        return "-"
    since = service.get("mobility_since")
    moment = f" since {datetime.datetime.fromtimestamp(float(since), datetime.UTC):%H:%M}Z" if since else ""
    return f"{service['mobility_number']} {service.get('mobility_user') or ''}".strip() + moment


def _registration(result: dict) -> str:
    if result.get("info_status") != OK:
        shown: dict[str | None, str] = {UNSUPPORTED: "n/a", NO_ADDRESS: "-"}
        return shown.get(result.get("info_status"), "error")
    lines = result.get("registration") or []
    return " ".join(f"{line['line']}:{line['status']}" for line in lines) or "-"


def table(results: list, now: float | None = None) -> list[str]:
    """The results as aligned text lines: phone, status 0-3, who is logged in (mobility), registration, firmware,
    last contact."""
    now = time.time() if now is None else now
    rows = [("PHONE", "MODEL", "STATUS", "LOGGED IN", "REGISTRATION", "FIRMWARE", "LAST CONTACT")]
    for result in results:
        service = result.get("service") or {}
        status = service.get("status")
        status_text = f"{status} {service.get('status_text') or ''}".strip() if status is not None else "-"
        firmware = result.get("firmware")
        if not firmware and service.get("firmware"):
            firmware = f"{service['firmware']} (service)"
        if service.get("firmware_pending"):  # the kit's firmware waits for the phone's firmware window
            firmware = f"{service.get('expected_firmware')} pending, now {firmware or '-'}"
        rows.append(
            (
                result["mac"] + (f" {result['name']}" if result.get("name") else ""),
                " ".join(part for part in (result.get("vendor"), result.get("model")) if part),
                status_text,
                _logged_in(service),
                _registration(result),
                firmware or "-",
                _when(service.get("last_contact"), now),
            )
        )
    widths = [min(40, max(len(row[index]) for row in rows)) for index in range(len(rows[0]))]
    return ["  ".join(cell[:40].ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
