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
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.selection import (
    SELECTION_OPTIONS,
    Selection,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.live_facts import (
    LiveFactsError,
    check_rows,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import ServiceApiError, redact_url
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api_action import (
    SERVICE_OPTIONS,
    service_api,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import decrypter, file_decrypter

ARGUMENT_SPEC = {
    "fleet_dir": {"type": "path", "required": True},
    "dest": {"type": "path", "required": True},
    "headers": {"type": "str", "default": "en", "choices": ["en", "ru"]},
    "delimiter": {"type": "str", "default": ";", "choices": [";", ",", "tab"]},
    "encoding": {"type": "str", "default": "utf-8-sig", "choices": list(ENCODINGS)},
    "include_credentials": {"type": "bool", "default": False},
    "statuses": {"type": "dict"},
    "select": {"type": "dict", "options": SELECTION_OPTIONS},
    "live": {"type": "str", "default": "auto", "choices": ["auto", "always", "never"]},
    **SERVICE_OPTIONS,
}


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        fleet_dir = self._path(args["fleet_dir"])
        dest = self._path(args["dest"])
        warnings = []
        try:
            selection = Selection.from_options(args["select"]) if args["select"] is not None else None
            live = self._live_rows(args, selection, warnings)
            table = export_table(
                fleet_dir,
                include_credentials=args["include_credentials"],
                statuses=args["statuses"],
                decrypt=decrypter(self._loader),
                decrypt_file=file_decrypter(self._loader),
                selection=selection,
                live=live,
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
            live=live is not None,
        )
        warnings += table.warnings
        if warnings:
            result["warnings"] = warnings
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

    def _live_rows(self, args: dict, selection: Selection | None, warnings: list) -> dict | None:
        """The service's phone rows by MAC, or None for an export without the live columns.

        ``auto`` asks the service when one is configured (and ``statuses`` is not given); an unreachable one
        then leaves the columns out with a warning, unless the selection filters on what the service saw,
        which cannot be done without it. ``always`` fails instead; ``never`` does not ask."""
        mode = args["live"]
        if mode == "never" or (mode == "auto" and (not args["service_url"] or args["statuses"] is not None)):
            return None
        try:
            api = service_api(args)
            if api is None:
                raise AnsibleActionFail(
                    "live: always needs the provisioning service: set service_url (or PHONEFLEET_SERVICE_URL)"
                    " and service_token (or PHONEFLEET_SERVICE_TOKEN)"
                )
            rows = check_rows(api.phones())
        except (ServiceApiError, LiveFactsError) as exc:
            message = str(exc)
            if isinstance(exc, LiveFactsError):
                where = redact_url(args["service_url"].rstrip("/")) + "/api/v1/phones"
                message = f"{where} answered a phone list that is not valid: {exc}"
            if mode == "always" or (selection is not None and selection.needs_live):
                raise AnsibleActionFail(f"live facts: {message}") from None
            warnings.append(f"live facts left out of the export (live: auto): {message}")
            return None
        return {row["mac"]: row for row in rows}
