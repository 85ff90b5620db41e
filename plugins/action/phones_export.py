# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.phones_export: runs on the controller, which holds the vault secrets."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.files import atomic_write, read_bytes
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import display_name
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import mask_csv
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.phones_export import (
    ENCODINGS,
    export_table,
    render_csv,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import decrypter, file_decrypter

ARGUMENT_SPEC = {
    "fleet_dir": {"type": "path", "required": True},
    "dest": {"type": "path", "required": True},
    "headers": {"type": "str", "default": "en", "choices": ["en", "ru"]},
    "delimiter": {"type": "str", "default": ";", "choices": [";", ",", "tab"]},
    "encoding": {"type": "str", "default": "utf-8-sig", "choices": list(ENCODINGS)},
    "include_credentials": {"type": "bool", "default": False},
    "statuses": {"type": "dict"},
}


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        fleet_dir = self._path(args["fleet_dir"])
        dest = self._path(args["dest"])
        try:
            table = export_table(
                fleet_dir,
                include_credentials=args["include_credentials"],
                statuses=args["statuses"],
                decrypt=decrypter(self._loader),
                decrypt_file=file_decrypter(self._loader),
            )
            data = render_csv(table, args["headers"], args["delimiter"], args["encoding"])
        except FleetError as exc:
            raise AnsibleActionFail(to_text(exc)) from None
        before = read_bytes(dest)
        changed = before != data
        result.update(
            changed=changed,
            dest=display_name(dest),
            phones=len(table.rows),
            columns=list(table.columns),
            encoding=args["encoding"],
            delimiter=args["delimiter"],
            headers=args["headers"],
        )
        if changed and self._task.diff:
            result["diff"] = {
                "before_header": display_name(dest),
                "after_header": display_name(dest),
                "before": "" if before is None else mask_csv(before, dest),
                "after": mask_csv(data, dest),
            }
        if changed and not self._task.check_mode:
            directory = os.path.dirname(dest)
            if directory:
                os.makedirs(directory, exist_ok=True)
            mode = 0o600 if args["include_credentials"] else 0o644
            try:
                atomic_write(dest, data, new_file_mode=mode)
            except OSError as exc:
                raise AnsibleActionFail(f"dest: cannot write {dest}: {exc.strerror}") from None
        result["msg"] = f"{len(table.rows)} phones exported to {display_name(dest)}"
        return result
