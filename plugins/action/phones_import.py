# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.phones_import: runs on the controller, which holds the vault secrets."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import csvio
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.files import atomic_write
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import display_name
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.phones_import import (
    CREATED,
    ERROR,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    plan_import,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import (
    decrypter,
    encrypter,
    file_decrypter,
)

ARGUMENT_SPEC = {
    "src": {"type": "path", "required": True},
    "fleet_dir": {"type": "path", "required": True},
    "dest": {"type": "path"},
    "skip_bad_rows": {"type": "bool", "default": False},
    "passwords": {"type": "str", "default": "vault", "choices": ["vault", "plain"]},
}


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        try:
            src = self._find_needle("files", args["src"])
        except AnsibleActionFail:
            src = self._path(args["src"])
        fleet_dir = self._path(args["fleet_dir"])
        dest = self._path(args["dest"]) if args["dest"] else os.path.join(fleet_dir, "phones.yml")
        try:
            with open(src, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise AnsibleActionFail(f"src: cannot read {src}: {exc.strerror}") from None
        passwords = args["passwords"]
        try:
            plan = plan_import(
                data,
                display_name(src),
                fleet_dir,
                dest,
                passwords=passwords,
                skip_bad_rows=args["skip_bad_rows"],
                encrypt=encrypter(self._loader) if passwords == "vault" else None,
                decrypt=decrypter(self._loader),
                decrypt_file=file_decrypter(self._loader),
            )
        except csvio.CsvFormatError as exc:
            raise AnsibleActionFail(f"src: {exc}") from None
        except FleetError as exc:
            raise AnsibleActionFail(to_text(exc)) from None

        written = sorted(plan.writes)
        result.update(
            changed=bool(written),
            rows=[row.as_dict() for row in plan.rows],
            created=plan.count(CREATED),
            updated=plan.count(UPDATED),
            unchanged=plan.count(UNCHANGED),
            errors=plan.count(ERROR, SKIPPED),
            bad_rows=plan.messages(),
            files=[display_name(path) for path in written],
            encoding=plan.encoding,
            delimiter="tab" if plan.delimiter == "\t" else plan.delimiter,
        )
        if plan.warnings:
            result["warnings"] = list(plan.warnings)
        if self._task.diff and written:
            result["diff"] = plan.diffs()

        if plan.bad_rows and not args["skip_bad_rows"]:
            count = len(plan.bad_rows)
            result["failed"] = True
            result["changed"] = False
            result["files"] = []
            result["msg"] = (
                f"{count} of {len(plan.rows)} row{'s' if len(plan.rows) != 1 else ''} in {display_name(src)}"
                f" {'are' if count != 1 else 'is'} in error, so nothing was imported"
                " (set skip_bad_rows: true to import the other rows):\n" + "\n".join(plan.messages())
            )
            result.pop("diff", None)
            return result
        if plan.bad_rows:
            result.setdefault("warnings", []).append(
                f"{len(plan.bad_rows)} bad row(s) skipped:\n" + "\n".join(plan.messages())
            )
        if not self._task.check_mode:
            for path in written:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                mode = 0o600 if passwords == "plain" else 0o644
                atomic_write(path, plan.writes[path].encode("utf-8"), new_file_mode=mode)
        result["msg"] = (
            f"{result['created']} created, {result['updated']} updated, {result['unchanged']} unchanged,"
            f" {result['errors']} skipped"
        )
        return result
