# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.publish: renders the whole fleet on the controller in one process."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.bundle import BUNDLE_NAME
from ansible_collections.phonefleet.provisioning.plugins.module_utils.publish.engine import publish_fleet
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import file_decrypter, revealer

ARGUMENT_SPEC = {
    "fleet_dir": {"type": "path", "required": True},
    "web_root": {"type": "path", "required": True},
    "firmware_dir": {"type": "path"},
    "transfer": {"type": "str", "default": "auto", "choices": ["auto", "always"]},
    "staging_dir": {"type": "path"},
}
LOCAL_CONNECTIONS = ("local", "ansible.builtin.local")


class ActionModule(ControllerAction):
    _requires_connection = True  # a remote web root is updated through the connection

    def _reveal(self):
        return revealer(self._loader)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        host = task_vars.get("inventory_hostname", "server")
        remote = self._play_context.connection not in LOCAL_CONNECTIONS or args["transfer"] == "always"
        if remote and not os.path.isabs(args["web_root"]):
            raise AnsibleActionFail(f"web_root: {args['web_root']} must be an absolute path on {host}")
        staging = args["staging_dir"] or os.path.join("~", ".cache", "phonefleet", "publish", host)
        staging = os.path.expanduser(staging)
        try:
            outcome = publish_fleet(
                self._path(args["fleet_dir"]),
                staging if remote else self._path(args["web_root"]),
                self._reveal(),
                decrypt_file=file_decrypter(self._loader),
                firmware_dir=self._path(args["firmware_dir"]) if args["firmware_dir"] else None,
                check_mode=self._task.check_mode,
                diff=self._task.diff,
            )
        except FleetError as exc:
            raise AnsibleActionFail(to_text(exc)) from None
        if remote and not self._task.check_mode and outcome.changed:
            self._ship(staging, outcome, args["web_root"], task_vars)
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
            service_changed=outcome.service_changed,
            awaiting_model=outcome.awaiting_model,
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
            if outcome.service_changed:
                result["msg"] += "; what the provisioning service serves changed (.phonefleet/service.json)"
        if outcome.awaiting_model:
            result["msg"] += (
                f"; {len(outcome.awaiting_model)} phones without a model wait for their first request (awaiting_model)"
            )
        if self._task.diff and outcome.diff:
            result["diff"] = outcome.diff
        if remote:
            result["staging_dir"] = staging
        return result

    def _ship(self, staging: str, outcome, web_root: str, task_vars) -> None:
        """Send what changed in the staging copy to the server, applied there by web_root_sync.

        If that fails, the staging copy is dropped, so the next publish renders and sends everything.
        """
        names = [*outcome.written, *outcome.firmware_copied, ".phonefleet/manifest.json"]
        if outcome.bundle_written:
            names.append(BUNDLE_NAME)
        handle, archive = tempfile.mkstemp(prefix="phonefleet-publish-", suffix=".tar")
        os.close(handle)
        remote_tmp = None
        try:
            with tarfile.open(archive, "w") as bundle:
                for name in names:
                    bundle.add(os.path.join(staging, name), arcname=name, recursive=False)
            remote_tmp = self._make_tmp_path()
            remote_archive = self._connection._shell.join_path(remote_tmp, "publish.tar")
            self._transfer_file(archive, remote_archive)
            self._fixup_perms2((remote_tmp, remote_archive))
            applied = self._execute_module(
                module_name="phonefleet.provisioning.web_root_sync",
                module_args={"archive": remote_archive, "web_root": web_root, "remove": list(outcome.removed)},
                task_vars=task_vars,
            )
            if applied.get("failed"):
                raise AnsibleActionFail(applied.get("msg", "web_root_sync failed"))
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        finally:
            os.unlink(archive)
            if remote_tmp is not None:
                self._remove_tmp_path(remote_tmp)
