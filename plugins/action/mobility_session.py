# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.mobility_session: the provisioning service's mobility sessions, listed
or ended, from the controller (the service's API and its token are the controller's)."""

from __future__ import annotations

import datetime
from typing import ClassVar

from ansible.errors import AnsibleActionFail
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.mac import (
    InvalidMac,
    format_mac,
    normalize_mac,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import ServiceApi
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api_action import ServiceApiAction

#: what a task may end the sessions of: the option and the service's kind
SELECTORS = ("phone", "user", "site")


class ActionModule(ServiceApiAction):
    OPTIONS: ClassVar[dict] = {
        "state": {"type": "str", "default": "query", "choices": ["query", "absent"]},
        "phone": {"type": "str"},
        "user": {"type": "str"},
        "site": {"type": "str"},
    }
    MUTUALLY_EXCLUSIVE: ClassVar[list] = [list(SELECTORS)]
    REQUIRED_IF: ClassVar[list] = [["state", "absent", list(SELECTORS), True]]

    def doing(self, args: dict) -> str:
        kind, value = selected(args)  # a bad MAC fails here, before the service is asked
        return "listing the mobility sessions" if args["state"] == "query" else f"logging out {kind} {value}"

    def act(self, api: ServiceApi, args: dict, result: dict) -> dict:
        kind, value = selected(args)
        before = [shown(row) for row in api.mobility_sessions()]
        chosen = [row for row in before if kind is None or matches(row, kind, value)]
        if args["state"] == "query":
            result.update(changed=False, sessions=chosen, ended=[], lines=described(chosen), ended_lines=[])
            result["msg"] = f"{len(chosen)} logged in" + (f" ({kind} {value})" if kind else "")
            return result
        if not self._task.check_mode:
            # the service decides what ends (a session may have started or ended since the list was read)
            chosen = [shown(row) for row in api.end_mobility_sessions(kind, value)]
        ended_macs = {row["mac"] for row in chosen}
        after = [row for row in before if row["mac"] not in ended_macs]
        verb = "would end" if self._task.check_mode else "ended"
        result.update(
            changed=bool(chosen),
            ended=chosen,
            sessions=after,
            lines=described(after),
            ended_lines=described(chosen),
            msg=f"{verb} {len(chosen)} session{'s' if len(chosen) != 1 else ''} ({kind} {value})",
        )
        if self._task.diff and chosen:
            result["diff"] = {
                "before_header": "mobility sessions",
                "after_header": "mobility sessions",
                "before": "".join(line + "\n" for line in described(before)),
                "after": "".join(line + "\n" for line in described(after)),
            }
        return result


def selected(args: dict) -> tuple[str | None, str]:
    """(kind, value) of the task's phone, user or site; a phone's MAC normalised (12 hex digits)."""
    for kind in SELECTORS:
        value = args.get(kind)
        if value is None:
            continue
        value = str(value).strip()
        if not value:
            raise AnsibleActionFail(f"{kind} must not be empty")
        if kind == "phone":
            try:
                value = normalize_mac(value)
            except InvalidMac as exc:
                raise AnsibleActionFail(f"phone: {exc}") from None
        return kind, value
    return None, ""


def shown(row: dict) -> dict:
    """A session of the service as the module returns it: the MAC in colon notation, the rest as given."""
    fields = ("number", "user_name", "site", "started", "expires", "started_by")
    try:
        mac = format_mac(normalize_mac(row.get("mac")))
    except InvalidMac:
        raise AnsibleActionFail(f"the service answered a session without a valid MAC: {str(row)[:120]}") from None
    return {"mac": mac, **{name: row.get(name) for name in fields}}


def matches(row: dict, kind: str, value: str) -> bool:
    """Whether the logout of ``kind`` ``value`` ends session ``row`` (the service's own rule: its phone, its
    user's number, or the site of its phone)."""
    if kind == "phone":
        return normalize_mac(row["mac"]) == value
    return row["number" if kind == "user" else "site"] == value


def described(rows: list) -> list[str]:
    """Sessions as lines a person reads: phone, number, name, site, since when."""
    return [
        f"{row['mac']}  {row['number']}  {row['user_name']}  {row['site'] or '-'}  since {since(row['started'])}"
        for row in rows
    ]


def since(epoch) -> str:
    """An epoch time as UTC minutes, ``?`` when the service gave none."""
    if isinstance(epoch, bool) or not isinstance(epoch, (int, float)):
        return "?"
    return f"{datetime.datetime.fromtimestamp(epoch, datetime.UTC):%Y-%m-%d %H:%M}Z"
