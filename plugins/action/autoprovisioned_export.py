# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.autoprovisioned_export: runs on the controller (vault secrets)."""

from __future__ import annotations

import os
from typing import ClassVar

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.autoprovisioned_export import (
    DEFAULT_FILE,
    ERROR,
    EXPORTED,
    PENDING,
    PRESENT,
    WRITTEN,
    plan_export,
    plan_learned_models,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import write_all
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.loader import display_name
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.mac import (
    InvalidMac,
    format_mac,
    normalize_mac,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import ServiceApi, ServiceApiError
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api_action import ServiceApiAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import encrypter, file_decrypter, revealer


class ActionModule(ServiceApiAction):
    OPTIONS: ClassVar[dict] = {
        "fleet_dir": {"type": "path", "required": True},
        "dest": {"type": "path"},
        "release": {"type": "bool", "default": False},
        "passwords": {"type": "str", "default": "vault", "choices": ["vault", "plain"]},
    }

    def act(self, api: ServiceApi, args: dict, result: dict) -> dict:
        fleet_dir = self._path(args["fleet_dir"])
        dest = self._path(args["dest"]) if args["dest"] else os.path.join(fleet_dir, DEFAULT_FILE)
        assignments = api.autoprovisioned()
        reported = _rows_by_mac(api.phones())
        passwords = args["passwords"]
        try:
            plan = plan_export(
                assignments,
                fleet_dir,
                dest,
                reported=reported,
                passwords=passwords,
                encrypt=encrypter(self._loader) if passwords == "vault" else None,
                decrypt_file=file_decrypter(self._loader),
                reveal=revealer(self._loader),
            )
            models = plan_learned_models(reported, fleet_dir, file_decrypter(self._loader))
        except FleetError as exc:
            raise AnsibleActionFail(to_text(exc)) from None
        if plan.text is not None and plan.dest in models.texts:  # one edit of a file per run: the next run does it
            models.texts.pop(plan.dest)
            for phone in models.phones:
                if phone.result == WRITTEN and phone.file == display_name(plan.dest):
                    phone.result, phone.reason = PENDING, "its file takes exported phones in this run; run again"

        release = plan.macs(EXPORTED, PRESENT) if args["release"] else []
        result.update(
            changed=plan.text is not None or bool(release),
            phones=[phone.as_dict() for phone in plan.phones],
            exported=plan.count(EXPORTED),
            present=plan.count(PRESENT),
            pending=plan.count(PENDING),
            errors=plan.count(ERROR),
            file=display_name(plan.dest),
            released=[format_mac(mac) for mac in release],
            models=[phone.as_dict() for phone in models.phones],
            models_written=models.count(WRITTEN),
        )
        result["changed"] = result["changed"] or bool(models.texts)
        warnings = list(plan.warnings)
        warnings.extend(
            f"{phone.mac}: not exported, it stays auto-provisioned: {phone.reason}"
            for phone in plan.phones
            if phone.result == ERROR
        )
        unpublished = [format_mac(mac) for mac in release if (reported.get(mac) or {}).get("source") != "fleet"]
        if unpublished:
            verb = "would release" if self._task.check_mode else "released"
            warnings.append(
                f"{verb} {', '.join(unpublished)}, which the service does not serve from a published fleet yet:"
                " publish the fleet now, or a released phone that asks for its config before the publish is"
                " auto-provisioned anew, with a new number or password"
            )
        warnings.extend(
            f"{phone.mac}: its learned model is not written: {phone.reason}"
            for phone in models.phones
            if phone.result == ERROR
        )
        if warnings:
            result["warnings"] = warnings
        if self._task.diff and (plan.text is not None or models.texts):
            result["diff"] = (plan.diffs() if plan.text is not None else []) + models.diffs()
        if not self._task.check_mode:
            # the exported phones and the learned models as one change: every file written, or none
            writes = dict(models.texts)
            if plan.text is not None:
                writes[plan.dest] = plan.text
            mode = 0o600 if passwords == "plain" else 0o644  # a new file; the fleet's own files keep theirs
            write_all(writes, new_file_mode=mode)
            result["released"] = self._release(api, release, result)
            result["changed"] = plan.text is not None or bool(models.texts) or bool(result["released"])
        result["msg"] = (
            f"{result['exported']} exported to {result['file']}, {result['present']} already in the fleet,"
            f" {result['pending']} pending, {result['errors']} in error"
            + (f"; {len(result['released'])} released on the service" if result["released"] else "")
            + (f"; model written for {result['models_written']} phones" if result["models_written"] else "")
        )
        return result

    @staticmethod
    def _release(api: ServiceApi, macs: list, result: dict) -> list:
        """Release the assignments on the service; one that is gone already is not counted."""
        released = []
        for mac in macs:
            try:
                if api.release(mac):
                    released.append(format_mac(mac))
            except ServiceApiError as exc:
                result["released"] = released
                result["changed"] = bool(released) or bool(result["exported"])
                written = f" ({result['file']} is written)" if result["exported"] else ""
                raise AnsibleActionFail(f"releasing {format_mac(mac)} failed{written}: {exc}", result=result) from None
        return released


def _rows_by_mac(rows: list) -> dict:
    """The service's phone rows by MAC (12 hex), for the vendor and model a phone reported."""
    by_mac = {}
    for row in rows:
        try:
            by_mac[normalize_mac(row.get("mac"))] = row
        except InvalidMac:
            continue
    return by_mac
