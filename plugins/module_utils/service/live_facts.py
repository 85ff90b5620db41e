# Private to this collection: what the provisioning service saw of each phone, as inventory facts.
"""Rows of the service's ``GET /api/v1/phones`` laid over the fleet's host records.

The inventory plugin reads the fleet into host records (``fleet/inventory_view.py``: host name, ``phone_``
variables, ``(prefix, value)`` groups) and, when a service is configured, hands them here with the rows
the service answered. Each phone of the fleet the service knows gets its live facts, and phones the
service saw that the fleet does not have (status 0, or auto-provisioned) become records of their own.
Plain data in and out: no Ansible, no network, so it is tested on its own.

The address Ansible uses (``ansible_host``) is the service's ``ip``: the address of the phone's last request
that proved it came from the phone (its access key, phone authentication). A request that only claims to be
the phone (a User-Agent, a MAC in the file name: anyone can send those) never moves it; its address is
shown as ``phone_last_ip`` with ``phone_last_ip_proven``, for the engineer. ``phone_address_proven`` says
whether ``ansible_host`` is such a proven address; the control modules refuse to send a password in a form
the receiver can read (HTTP Basic over plain HTTP, SSH, Telnet) to an address marked unproven.

Rows come from the network: they are checked (a MAC, a status 0-3, text fields as text) before use, and
a malformed answer is a :class:`LiveFactsError`, never a half-built inventory.
"""

from __future__ import annotations

from ..fleet.inventory_view import VAR_PREFIX
from ..fleet.mac import InvalidMac, format_mac, normalize_mac

STATUS_PREFIX = "status"
STATUSES = (0, 1, 2, 3)
#: the host variables saying whether ansible_host is the address of a proven request, and that address
ADDRESS_PROVEN = VAR_PREFIX + "address_proven"
PROVEN_IP = VAR_PREFIX + "proven_ip"
#: the base group of phones the service saw that are not in the fleet (fleet phones are in ``phones``)
DISCOVERED = "discovered"
#: ``phone_source`` of a discovered phone, by the service's ``source``
DISCOVERED_SOURCES = {"autoprovision": "autoprovision", None: "unconfigured"}
_TEXT_FIELDS = (
    "status_text",
    "name",
    "vendor",
    "model",
    "reported_vendor",
    "reported_model",
    "firmware",
    "expected_firmware",
    "firmware_window",
    "ip",
    "last_ip",
)
_MAX_TEXT = 256


class LiveFactsError(ValueError):
    """The service's answer is not a phone list this collection understands."""


def _row(item: object, index: int) -> dict:
    """One API row, checked: MAC normalised, status an int 0-3, text fields short text or None."""
    where = f"phones[{index}]"
    if not isinstance(item, dict):
        raise LiveFactsError(f"{where} is not an object")
    try:
        mac = normalize_mac(item.get("mac"))
    except InvalidMac as exc:
        raise LiveFactsError(f"{where}.mac: {exc}") from None
    status = item.get("status")
    if isinstance(status, bool) or status not in STATUSES:
        raise LiveFactsError(f"{where}.status must be 0, 1, 2 or 3, not {status!r}")
    row = {"mac": mac, "status": status, "source": item.get("source")}
    if row["source"] not in ("fleet", "autoprovision", None):
        raise LiveFactsError(f"{where}.source must be fleet, autoprovision or null, not {row['source']!r}")
    for name in (*_TEXT_FIELDS, "number"):
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            raise LiveFactsError(f"{where}.{name} must be text")
        row[name] = value[:_MAX_TEXT] if value else None
    last = item.get("last_contact")
    if last is not None and (isinstance(last, bool) or not isinstance(last, (int, float))):
        raise LiveFactsError(f"{where}.last_contact must be a time in epoch seconds")
    row["last_contact"] = last
    proven = item.get("last_ip_proven")
    if proven is not None and not isinstance(proven, bool):
        raise LiveFactsError(f"{where}.last_ip_proven must be true, false or null")
    row["last_ip_proven"] = proven
    pending = item.get("firmware_pending")
    if pending is not None and not isinstance(pending, bool):
        raise LiveFactsError(f"{where}.firmware_pending must be true, false or null")
    row["firmware_pending"] = pending
    row["session"] = _session(item.get("session"), f"{where}.session")
    return row


def _session(value: object, where: str) -> dict | None:
    """Who is logged in on the phone (mobility), checked: number and name as text, since when in epoch seconds."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise LiveFactsError(f"{where} must be an object or null")
    session: dict = {}
    for name in ("number", "user_name"):
        text = value.get(name)
        if not isinstance(text, str) or not text:
            raise LiveFactsError(f"{where}.{name} must be text")
        session[name] = text[:_MAX_TEXT]
    started = value.get("started")
    if isinstance(started, bool) or not isinstance(started, (int, float)):
        raise LiveFactsError(f"{where}.started must be a time in epoch seconds")
    session["started"] = started
    return session


def check_rows(items: list) -> list[dict]:
    """The API's phone rows, checked and normalised; LiveFactsError names the first bad one."""
    return [_row(item, index) for index, item in enumerate(items)]


def live_vars(row: dict) -> dict:
    """The facts the service adds to a phone: ``phone_status`` and friends, ``ansible_host`` when reported."""
    values = {
        "status": row["status"],
        "status_text": row["status_text"],
        "firmware": row["firmware"],
        # the firmware the phone's kit names, and whether it waits for the phone's firmware window (when)
        "expected_firmware": row["expected_firmware"],
        "firmware_pending": row["firmware_pending"],
        "firmware_window": row["firmware_window"],
        "last_contact": row["last_contact"],
        "reported_model": row["reported_model"],
        "last_ip": row["last_ip"],
        "last_ip_proven": row["last_ip_proven"],
    }
    session = row.get("session")
    if session is not None:  # who is logged in on it (mobility): the status table shows him
        values.update(
            mobility_user=session["user_name"], mobility_number=session["number"], mobility_since=session["started"]
        )
    facts = {VAR_PREFIX + name: value for name, value in values.items() if value is not None}
    if row["ip"]:
        facts["ansible_host"] = row["ip"]
        facts[PROVEN_IP] = row["ip"]
        facts[ADDRESS_PROVEN] = True
    return facts


def address_proven(host_vars: dict) -> bool | None:
    """Whether the host's ``ansible_host`` (as ``compose`` may have set it) is an address the service proved:
    False for the address of a phone's unproven request, None for an address the service did not give."""
    address = host_vars.get("ansible_host")
    if address is not None and address == host_vars.get(PROVEN_IP):
        return True
    if address is not None and address == host_vars.get(VAR_PREFIX + "last_ip"):
        return False
    return None


def discovered_record(row: dict) -> dict:
    """A host record for a phone the service saw that the fleet does not have."""
    values = {
        "mac": format_mac(row["mac"]),
        "name": row["name"],
        "vendor": row["vendor"] or row["reported_vendor"],
        "model": row["model"] or row["reported_model"],
        "number": row["number"],
        "source": DISCOVERED_SOURCES[row["source"]],
    }
    host_vars = {VAR_PREFIX + name: value for name, value in values.items() if value is not None}
    host_vars.update(live_vars(row))
    groups = [(STATUS_PREFIX, row["status"])]
    if row["reported_vendor"]:
        groups.append(("vendor", row["reported_vendor"]))
    if row["reported_model"]:
        groups.append(("model", row["reported_model"]))
    return {"host": row["mac"], "vars": host_vars, "groups": groups, "base_group": DISCOVERED}


def merge_live(records: list[dict], rows: list[dict], discovered: bool = True) -> list[dict]:
    """``records`` (changed in place) with the live facts of ``rows``, then the discovered phones' records.

    A fleet phone the service does not know (not published yet) keeps only its fleet facts. A row the
    service has from its published fleet that the fleet files no longer hold is left out: the files are
    the truth, and the next publish removes it from the service too.
    """
    by_host = {record["host"]: record for record in records}
    found = []
    for row in rows:
        record = by_host.get(row["mac"])
        if record is not None:
            record["vars"].update(live_vars(row))
            record["groups"].append((STATUS_PREFIX, row["status"]))
        elif discovered and row["source"] != "fleet":
            found.append(discovered_record(row))
    return records + found
