# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.registrar_export: runs on the controller (vault secrets)."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.files import atomic_write, read_bytes
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import display_name, load_fleet
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.registrar_export import (
    FORMATS,
    masked_export,
    registrar_accounts,
    registrar_files,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import file_decrypter, revealer

ARGUMENT_SPEC = {
    "fleet_dir": {"type": "path", "required": True},
    "dest": {"type": "path", "required": True},
    "format": {"type": "str", "default": "kamailio", "choices": list(FORMATS)},
    "pool": {"type": "bool", "default": True},
    "pjsip_context": {"type": "str", "default": "phones"},
}


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        fleet_dir = self._path(args["fleet_dir"])
        dest = self._path(args["dest"])
        try:
            reveal = revealer(self._loader)
            fleet = load_fleet(fleet_dir, file_decrypter(self._loader), reveal=reveal)
            accounts = registrar_accounts(fleet, reveal, pool=args["pool"])
            files = registrar_files(accounts, args["format"], args["pjsip_context"])
        except FleetError as exc:  # the messages name accounts by their source, never their passwords
            raise AnsibleActionFail(to_text(exc)) from None
        # the db_text tables go in the directory dest; pjsip.conf is the file dest
        paths = {name: os.path.join(dest, name) if args["format"] == "kamailio" else dest for name in files}
        changed = [name for name in files if read_bytes(paths[name]) != files[name].encode()]
        result.update(
            changed=bool(changed),
            dest=display_name(dest),
            format=args["format"],
            accounts=len(accounts),
            pool=sum(account.source.startswith("pool ") for account in accounts),
            files=[display_name(paths[name]) for name in files],
            changed_files=[display_name(paths[name]) for name in changed],
        )
        if changed and self._task.diff:
            result["diff"] = [self._diff(name, paths[name], files[name]) for name in changed]
        if changed and not self._task.check_mode:
            for name in changed:
                os.makedirs(os.path.dirname(paths[name]) or ".", exist_ok=True)
                try:
                    atomic_write(paths[name], files[name].encode(), new_file_mode=0o600)  # passwords in clear
                except OSError as exc:
                    raise AnsibleActionFail(f"dest: cannot write {paths[name]}: {exc.strerror}") from None
        verb = "would write" if self._task.check_mode else "wrote"
        result["msg"] = (
            f"{len(accounts)} SIP accounts ({result['pool']} of the number pool) for {args['format']}:"
            f" {verb} {len(changed)} of {len(files)} files in {display_name(dest)}"
            if changed
            else f"{len(accounts)} SIP accounts for {args['format']}: {display_name(dest)} is up to date"
        )
        return result

    @staticmethod
    def _diff(name: str, path: str, after: str) -> dict:
        """Before and after, passwords and their hashes masked."""
        before = read_bytes(path)
        return {
            "before_header": display_name(path),
            "after_header": display_name(path),
            "before": "" if before is None else masked_export(name, before.decode("utf-8", "replace")),
            "after": masked_export(name, after),
        }
