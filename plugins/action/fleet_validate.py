# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.fleet_validate: runs on the controller, which holds the vault secrets."""

from __future__ import annotations


from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import (
    FleetError,
    FleetValidationError,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.summary import fleet_summary
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import decrypter, file_decrypter, revealer

ARGUMENT_SPEC = {"fleet_dir": {"type": "path", "required": True}}


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        fleet_dir = self._path(args["fleet_dir"])
        # with the play's vault secret, lines sharing a SIP account with differently encrypted passwords are
        # compared in clear; without one validation still runs, and the summary says they were not compared
        reveal = revealer(self._loader) if decrypter(self._loader) is not None else None
        try:
            fleet = load_fleet(fleet_dir, decrypt=file_decrypter(self._loader), reveal=reveal)
        except FleetValidationError as exc:
            result.update(failed=True, msg=to_text(exc), problems=[str(problem) for problem in exc.problems])
            return result
        except FleetError as exc:
            raise AnsibleActionFail(to_text(exc)) from None
        summary = fleet_summary(fleet)
        result.update(changed=False, **summary)
        for warning in summary["warnings"]:
            self._display.warning(warning)
        result["msg"] = (
            f"the fleet is valid: {summary['phones']} phones, {summary['lines']} lines, "
            f"{len(summary['profiles'])} profiles, {summary['mobility_users']} mobility users"
        )
        shared = summary["shared_accounts"]
        if shared:
            # allowed (a shared line) but worth seeing: the registrar gets several registrations for one account
            uncompared = sum(not account["passwords_compared"] for account in shared)
            result["msg"] += (
                f"; {len(shared)} SIP account{'s' if len(shared) != 1 else ''} shared by several lines with the same"
                " credentials (shared_accounts)"
                + (f", {uncompared} with passwords not compared (no vault secret)" if uncompared else "")
            )
        return result
