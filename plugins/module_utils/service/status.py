# Private to this collection: each phone's status, from the published fleet and what phones did.
"""Status of every phone the service knows, exactly as DESIGN.md defines it:

- 0: the phone contacted us but has no config (not in the fleet, not auto-provisioned);
- 1: configured, never contacted;
- 2: configured and contacted, but it has not fetched the current version of its config (a change to
  the phone, its profile, an extended set it uses or the settings gives it a new version);
- 3: it fetched the current version.

A phone's current version is the one the last publish recorded in the manifest (for an auto-provisioned
phone, the version of the config the service renders for it); the version a phone fetched is recorded
when its own config is served: in the contacts, written with the journal in batches (and, should the process
be killed first, from its served log when the next process starts), and for an auto-provisioned phone also
in its assignment, saved before the answer leaves. The newer of the two counts, so a phone served just before
the process was killed (its journal batch lost) is still 2 or 3, never 1.

A phone a mobility user is logged in on (mobility/engine.py) is served his config, not the published one: while
the session lasts, that config's versions are the current ones, so a phone that fetched it is 3, and a phone that
has not fetched it since the login (or since a publish changed the user) is 2. Its row says who is logged in
(``session``: number, user name, since, until, by whom).

A phone whose profile has a firmware window has two current versions: its files outside the window and,
inside it, the same files naming its kit's firmware; either is the current config (3). Beside the code,
``firmware_pending`` says the kit's firmware waits for the window: the phone neither reports running it
nor fetched the files that name it. The text then says so ("up to date, firmware pending"), and
``firmware_window`` when ("sat, sun 02:00-05:00 Europe/Moscow"). A phone that reports no firmware (Cisco enterprise over
TFTP) shows pending again once the window has closed, as nothing it sends tells the new version.
"""

from __future__ import annotations

from ..fleet import window as windows
from .learned_model import AWAITING

NO_CONFIG = 0
NEVER_CONTACTED = 1
CHANGE_NOT_FETCHED = 2
UP_TO_DATE = 3

DESCRIPTIONS = {
    NO_CONFIG: "contacted, no config",
    NEVER_CONTACTED: "configured, never contacted",
    CHANGE_NOT_FETCHED: "change not yet fetched",
    UP_TO_DATE: "up to date",
}


def status_of(configured: bool, contact: dict | None, current: dict | None) -> int:
    """The status code of a phone; ``current``: its manifest entry (versions), None when it has no config."""
    if not configured:
        return NO_CONFIG
    if contact is None:
        return NEVER_CONTACTED
    fetched = contact.get("fetched_version")
    if current and fetched is not None and fetched in (current.get("version"), current.get("window_version")):
        return UP_TO_DATE
    return CHANGE_NOT_FETCHED


def firmware_pending(current: dict | None, contact: dict | None) -> bool:
    """Whether the kit's firmware waits for the phone's firmware window (see the module's docstring)."""
    if not current or not current.get("window") or not current.get("firmware"):
        return False
    if contact is None:
        return True
    if contact.get("firmware") == current["firmware"]:
        return False
    return contact.get("fetched_version") != current.get("window_version")


def with_served(contact: dict | None, assignment) -> dict | None:
    """``contact`` with the version the assignment records as served, when that is newer than its own."""
    served_at = assignment.served_at
    if assignment.served_version is None or served_at is None:
        return contact
    if contact is not None and (contact.get("fetched_at") or 0.0) >= served_at:
        return contact
    merged = dict(contact) if contact is not None else {"first_contact": served_at}
    merged["fetched_version"], merged["fetched_at"] = assignment.served_version, served_at
    merged["last_contact"] = max(merged.get("last_contact") or served_at, served_at)
    return merged


def phone_rows(
    snapshot,
    contacts: dict,
    assignments: list,
    autoprovisioned_entry,
    learned: dict | None = None,
    learner=None,
    learned_vendors: dict | None = None,
    sessions: dict | None = None,
    session_entry=None,
) -> list[dict]:
    """One row per phone known to the fleet, to auto-provisioning or from a contact, sorted by MAC.

    ``autoprovisioned_entry(assignment)`` gives what the manifest would say of an auto-provisioned phone
    (``Autoprovisioner.entry``: its versions, firmware and window; None when it cannot be rendered).
    A fleet phone the publish left awaiting its model (learned_model.py) is at 1 ("awaiting model", and why)
    until the service rendered it with a model a proven request reported (``learned``: mac -> model;
    ``learner``: its ModelLearner; ``learned_vendors``: mac -> vendor, for a phone the fleet gives no vendor
    because its MAC prefix is shared), then on the normal path with that config's versions.
    ``sessions``: mac -> the mobility session on the phone; ``session_entry(session)``: what a manifest would say
    of the config the phone is served while it lasts (None when that cannot be rendered: the phone is then served
    its own config, and the published versions count).
    """
    sessions = sessions or {}
    learned = learned or {}
    learned_vendors = learned_vendors or {}
    fleet = snapshot.fleet
    declared = {phone.mac: phone for phone in fleet.phones} if fleet is not None else {}
    by_mac = {assignment.mac: assignment for assignment in assignments}
    macs = set(snapshot.manifest.phones) | set(by_mac) | set(contacts)
    rows = []
    for mac in sorted(macs):
        contact = contacts.get(mac)
        phone = declared.get(mac)
        assignment = by_mac.get(mac)
        awaiting = None  # why a phone without a model has no config yet
        learned_model = learned_vendor = None  # what the service rendered a phone without them with
        if mac in snapshot.manifest.phones:
            source, current = "fleet", snapshot.manifest.phones[mac]
            if current.get("awaiting_model"):
                learned_model, learned_vendor = learned.get(mac), learned_vendors.get(mac)
                contacted = contact is not None
                current = learner.entry(mac, learned_model, contacted, learned_vendor) if learner else AWAITING
                if isinstance(current, str):
                    awaiting, current = current, None
            session = sessions.get(mac)
            hosted = session_entry(session) if session is not None and session_entry is not None else None
            if hosted is not None:  # his config is what the phone is served now
                current = hosted
        elif assignment is not None:
            source, current = "autoprovision", autoprovisioned_entry(assignment)
            contact = with_served(contact, assignment)
        else:
            source, current = None, None
        code = NEVER_CONTACTED if awaiting else status_of(source is not None, contact, current)
        pending = firmware_pending(current, contact)
        window = (current or {}).get("window")
        text = awaiting or DESCRIPTIONS[code] + (", firmware pending" if pending else "")
        contact = contact or {}
        rows.append(
            {
                "mac": mac,
                "status": code,
                "status_text": text,
                "source": source,
                "name": phone.name if phone else (assignment.name if assignment else None),
                "vendor": (phone.vendor if phone else None) or learned_vendor or contact.get("vendor"),
                "model": (phone.model if phone else None) or learned_model or contact.get("model"),
                # the model the service rendered a phone without one with (the fleet's model wins)
                "learned_model": learned_model if awaiting is None else None,
                # the vendor it was rendered as, for a phone of a MAC prefix several vendors share
                "learned_vendor": learned_vendor if awaiting is None else None,
                "reported_vendor": contact.get("vendor"),
                "reported_model": contact.get("model"),
                "firmware": contact.get("firmware"),
                # the firmware the phone's kit names, and whether it waits for the phone's firmware window
                "expected_firmware": (current or {}).get("firmware"),
                "firmware_pending": pending,
                "firmware_window": windows.describe(window, window["timezone"]) if window else None,
                # ip: the address of the last request that proved it came from this phone, the one Ansible
                # may use; last_ip: the last request's address, proven or only claimed (for the engineer)
                "ip": contact.get("proven_ip"),
                "ip_proven_at": contact.get("proven_at"),
                "last_ip": contact.get("ip"),
                "last_ip_proven": bool(contact.get("ip_proven")) if contact.get("ip") else None,
                "user_agent": contact.get("user_agent"),
                "first_contact": contact.get("first_contact"),
                "last_contact": contact.get("last_contact"),
                "fetched_version": contact.get("fetched_version"),
                "fetched_at": contact.get("fetched_at"),
                "current_version": (current or {}).get("version"),
                "window_version": (current or {}).get("window_version"),
                "number": assignment.number if assignment and source == "autoprovision" else None,
                # who is logged in on the phone (mobility), None when nobody is
                "session": session_row(sessions[mac], phone.site if phone else None) if mac in sessions else None,
            }
        )
    return rows


def session_row(session, site: str | None = None) -> dict:
    """A mobility session as the API shows it, with the site of its phone: on a phone's row, in the sessions list."""
    return {
        "mac": session.mac,
        "site": site,
        "number": session.number,
        "user_name": session.user_name,
        "started": session.started,
        "expires": session.expires,
        "started_by": session.started_by,
    }
