# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.phones_bulk: one change to every phone a selection matches."""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible.utils.display import Display
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.bulk_edit import (
    BULK_FIELDS,
    change_selected,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import EditError, FleetEdit
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.mac import format_mac
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.selection import (
    SELECTION_OPTIONS,
    Selection,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.live_facts import (
    LiveFactsError,
    check_rows,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.fleet_edit_action import FleetEditAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import ServiceApiError
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api_action import (
    SERVICE_OPTIONS,
    service_api,
)


class ActionModule(FleetEditAction):
    OPTIONS: ClassVar[dict] = {
        "select": {"type": "dict", "required": True, "options": SELECTION_OPTIONS},
        "set": {"type": "dict", "options": {name: {"type": "str"} for name in BULK_FIELDS}},
        "unset": {"type": "list", "elements": "str", "choices": list(BULK_FIELDS), "default": []},
        "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
        "show": {"type": "int", "default": 20},
        **SERVICE_OPTIONS,
    }

    def change(self, edit: FleetEdit, args: dict) -> dict | None:
        fields = _fields(args)
        remove = args["state"] == "absent"
        if remove and fields:
            raise EditError("state=absent removes the selected phones; set and unset go with state=present")
        if not remove and not fields:
            raise EditError(f"set or unset: name the fields to change ({', '.join(BULK_FIELDS)})")
        selection = Selection.from_options(args["select"])
        live = self._live(args) if selection.needs_live else None
        result = change_selected(edit, selection, fields, live=live, remove=remove)
        self._show = max(args["show"], 0)
        shown = [format_mac(mac) for mac in result.changed[: self._show]]
        what = "removed" if remove else "changed"
        asked = "; ".join(
            f"{name}={value}" if value is not None else f"{name} removed" for name, value in fields.items()
        )
        warnings = [f"select.macs: {format_mac(mac)} is no phone of the fleet" for mac in result.missing]
        if result.round_trip_files:
            # not a problem, a figure: those files were edited the slow, general way
            warnings.append(
                "edited by the round-trip path (the text path could not edit them surely): "
                + ", ".join(result.round_trip_files)
            )
        extra = {
            "matched": len(result.matched),
            "changed_phones": len(result.changed),
            "macs": shown,
            "macs_truncated": len(result.changed) > len(shown),
            "msg": f"{len(result.matched)} phones matched, {len(result.changed)} {what}"
            + (f" ({asked})" if asked else ""),
        }
        for warning in warnings:
            Display().warning(warning)
        return extra

    def _live(self, args: dict) -> dict:
        """The service's phone rows by MAC, for a selection by status or last contact."""
        try:
            api = service_api(args) if args["service_token"] else None
            if api is None:
                raise EditError(
                    "select.status and select.not_seen_for need the provisioning service: give service_url and"
                    " service_token (or PHONEFLEET_SERVICE_URL and PHONEFLEET_SERVICE_TOKEN)"
                )
            rows = check_rows(api.phones())
        except (ServiceApiError, LiveFactsError) as exc:
            raise AnsibleActionFail(to_text(exc)) from None
        return {row["mac"]: row for row in rows}

    _show = 20

    def changes_result(self, changes: list) -> list[dict]:
        return [change.as_dict() for change in changes[: self._show]]

    def diffs(self, changes: list) -> list[dict]:
        shown = [change.diff() for change in changes[: self._show]]
        rest = len(changes) - len(shown)
        if rest > 0:
            header = f"and {rest} more phone{'s' if rest != 1 else ''} changed the same way (show: {self._show})"
            shown.append({"prepared": f"... {header}\n"})  # shown as it is, not as a before/after
        return shown


def _fields(args: dict) -> dict:
    """The change: each field of ``set`` given (a value) and of ``unset`` (None)."""
    # plain str: Ansible's tagged strings are no data the fleet's YAML and diffs represent
    given = {name: str.__str__(value) for name, value in (args["set"] or {}).items() if value is not None}
    for name, value in given.items():
        if not value.strip():
            raise EditError(f"set.{name}: empty; to remove the field, list it in unset")
    both = sorted(set(given) & set(args["unset"]))
    if both:
        raise EditError(f"{both[0]}: both in set and in unset")
    return {**given, **dict.fromkeys(args["unset"])}
