# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.publish: renders the whole fleet on the controller in one process."""

from __future__ import annotations


from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import VaultValue
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import publish_fleet
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import decrypter, file_decrypter

ARGUMENT_SPEC = {
    "fleet_dir": {"type": "path", "required": True},
    "web_root": {"type": "path", "required": True},
    "firmware_dir": {"type": "path"},
}
LOCAL_CONNECTIONS = ("local", "ansible.builtin.local")


class ActionModule(ControllerAction):
    def _reveal(self):
        decrypt = decrypter(self._loader)

        def reveal(value) -> str:
            if isinstance(value, VaultValue):
                if decrypt is None:
                    raise FleetError("the fleet holds vault-encrypted secrets: give --vault-id / --vault-password-file")
                return decrypt(value.ciphertext)
            return str(value)

        return reveal

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        connection = self._play_context.connection
        if connection not in LOCAL_CONNECTIONS:
            raise AnsibleActionFail(
                f"publish writes the web root of a provisioning server reached with the local connection; "
                f"{task_vars.get('inventory_hostname')} uses '{connection}'. Run the play on the server "
                "itself (ansible_connection: local), or see docs/publishing.md for remote servers."
            )
        try:
            outcome = publish_fleet(
                self._path(args["fleet_dir"]),
                self._path(args["web_root"]),
                self._reveal(),
                decrypt_file=file_decrypter(self._loader),
                firmware_dir=self._path(args["firmware_dir"]) if args["firmware_dir"] else None,
                check_mode=self._task.check_mode,
                diff=self._task.diff,
            )
        except FleetError as exc:
            raise AnsibleActionFail(to_text(exc)) from None
        for warning in outcome.warnings:
            self._display.warning(warning)
        result.update(
            changed=outcome.changed,
            phones=outcome.phones,
            rendered=outcome.rendered,
            phones_changed=outcome.phones_changed,
            written=outcome.written,
            removed=outcome.removed,
            firmware_copied=outcome.firmware_copied,
            warnings_count=len(outcome.warnings),
        )
        if outcome.noop:
            result["msg"] = f"nothing changed since the last publish ({outcome.phones} phones)"
        else:
            verb = "would write" if self._task.check_mode else "wrote"
            result["msg"] = (
                f"{outcome.phones} phones, {outcome.rendered} rendered: {verb} {len(outcome.written)} files "
                f"({len(outcome.phones_changed)} phones changed), removed {len(outcome.removed)}, "
                f"firmware {len(outcome.firmware_copied)}"
            )
        if self._task.diff and outcome.diff:
            result["diff"] = outcome.diff
        return result
