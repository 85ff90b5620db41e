# Private to this collection: what every fleet-editing action plugin does around its own change.
"""The run of a fleet-editing module (phone, phones_bulk, profile, ...): the module says what to change,
this says how every such change is made — the fleet's vault secrets, the plan validated against the whole
fleet, check mode and diff, every file written or none, and results and errors that never carry a secret.

A module subclasses :class:`FleetEditAction`, declares ``OPTIONS`` (its own argument spec; ``fleet_dir`` and
the shared options are added) and implements :meth:`FleetEditAction.change`, which calls
``edit.put`` / ``edit.remove`` and may return extra result keys.
"""

from __future__ import annotations

from typing import ClassVar

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import FleetEdit, write_all
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import (
    FleetError,
    FleetValidationError,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import scrub
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import (
    decrypter,
    encrypter,
    file_decrypter,
)

#: options every fleet-editing module has (documented in the fleet_edit doc fragment)
EDIT_OPTIONS = {
    "fleet_dir": {"type": "path", "required": True},
}


def clear_values(spec: dict, args: dict) -> list[str]:
    """Every value of ``args`` given for a ``no_log`` option, at any depth: scrubbed from what we say."""
    found: list[str] = []
    for name, option in spec.items():
        value = args.get(name) if isinstance(args, dict) else None
        if value is None:
            continue
        if option.get("no_log") and isinstance(value, (str, int)):
            found.append(str(value))
        suboptions = option.get("options")
        if suboptions:
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    found.extend(clear_values(suboptions, item))
    return found


class FleetEditAction(ControllerAction):
    """Base of the fleet-editing action plugins."""

    OPTIONS: ClassVar[dict] = {}

    def change(self, edit: FleetEdit, args: dict) -> dict | None:
        """Make the module's change on ``edit``; return extra result keys (or None)."""
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        spec = {**EDIT_OPTIONS, **self.OPTIONS}
        _validation, args = self.validate_argument_spec(argument_spec=spec)
        secrets = clear_values(spec, args)
        try:
            edit = FleetEdit(
                self._path(args["fleet_dir"]),
                encrypt=encrypter(self._loader),
                decrypt=decrypter(self._loader),
                decrypt_file=file_decrypter(self._loader),
            )
            extra = self.change(edit, args) or {}
            plan = edit.plan()
        except FleetValidationError as exc:
            count = len(exc.problems)
            lines = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise AnsibleActionFail(
                scrub(
                    f"the change would leave the fleet with {count} problem{'s' if count != 1 else ''},"
                    f" so nothing was written:\n{lines}",
                    secrets,
                )
            ) from None
        except FleetError as exc:
            raise AnsibleActionFail(scrub(to_text(exc), secrets)) from None
        # the result (diffs included) is made before writing: a failure after the write would say
        # "failed" about files that were changed
        result.update(extra)
        result.update(
            changed=plan.changed,
            changes=self.changes_result(plan.changes) if plan.changed else [],
            files=plan.files(),
        )
        if plan.warnings:
            result["warnings"] = [scrub(warning, secrets) for warning in plan.warnings]
        if self._task.diff and plan.changed:
            result["diff"] = self.diffs(plan.changes)
        result.setdefault("msg", self.summary(plan.changes if plan.changed else []))
        if plan.writes and not self._task.check_mode:
            try:
                write_all(plan.writes)
            except OSError as exc:
                raise AnsibleActionFail(f"cannot write the fleet files, nothing was changed: {exc}") from None
        return result

    def changes_result(self, changes: list) -> list[dict]:
        """The ``changes`` result: every change (a bulk change over thousands of items returns a part)."""
        return [change.as_dict() for change in changes]

    def diffs(self, changes: list) -> list[dict]:
        """The diff shown with ``--diff``: every change, secrets masked (a bulk change shows a part)."""
        return [change.diff() for change in changes]

    @staticmethod
    def summary(changes: list) -> str:
        if not changes:
            return "nothing to change"
        return "; ".join(f"{change.as_dict()['kind']} {change.as_dict()['name']} {change.action}" for change in changes)
