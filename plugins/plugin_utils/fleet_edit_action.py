# Private to this collection: what every fleet-editing action plugin does around its own change.
"""The run of a fleet-editing module (phone, phones_bulk, profile, ...): the module says what to change,
this says how every such change is made — the fleet's vault secrets, the plan validated against the whole
fleet, check mode and diff, every file written or none, and results and errors that never carry a secret.

A module subclasses :class:`FleetEditAction`, declares ``OPTIONS`` (its own argument spec; ``fleet_dir`` and
the shared options are added) and implements :meth:`FleetEditAction.change`, which calls
``edit.put`` / ``edit.remove`` and may return extra result keys.
"""

from __future__ import annotations

from typing import Any, ClassVar

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


def plain(value: object) -> object:
    """``value`` as plain Python data: ansible-core 2.19 hands options over as tagged subclasses of str, int,
    dict and list, which the YAML writer cannot represent."""
    if isinstance(value, dict):
        return {plain(name): plain(item) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    for kind in (bool, str, int, float):  # bool before int: a bool is an int
        if isinstance(value, kind):
            return kind(value) if kind is not str else str.__str__(value)
    return value


def fields_of(args: dict, names: tuple[str, ...] | list[str]) -> dict:
    """The fleet fields a task gives: options not given (None) are left out, so the fleet keeps them;
    an empty value (``""``, ``[]``) becomes None, which removes the field. Inside mappings the same (a
    mapping with nothing given is not given); list items are taken as given (a list replaces the list),
    without their options not given."""
    fields: dict = {}
    for name in names:
        value = _given(args.get(name))
        if value is not _NOT_GIVEN:
            fields[name] = value
    return fields


_NOT_GIVEN = object()


def _given(value: object) -> object:
    if value is None:
        return _NOT_GIVEN
    if value in ("", []):
        return None
    if isinstance(value, dict):
        given = {name: _given(item) for name, item in value.items()}
        return {name: item for name, item in given.items() if item is not _NOT_GIVEN} or _NOT_GIVEN
    if isinstance(value, list):
        return [
            {name: item for name, item in element.items() if item is not None} if isinstance(element, dict) else element
            for element in value
        ]
    return value


class FleetEditAction(ControllerAction):
    """Base of the fleet-editing action plugins."""

    OPTIONS: ClassVar[dict] = {}

    def change(self, edit: FleetEdit, args: dict) -> dict | None:
        """Make the module's change on ``edit``; return extra result keys (or None).

        ``changed: True`` among them says :meth:`before_write` will change something besides the fleet files.
        """
        raise NotImplementedError

    def before_write(self, args: dict) -> None:
        """Put in place what the fleet will name (a firmware image), as :meth:`change` planned it.

        Runs after the change was validated and before the fleet files are written, never in check mode,
        so a fleet file never names what is not there yet.
        """
        del args

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        spec = {**EDIT_OPTIONS, **self.OPTIONS}
        _validation, validated = self.validate_argument_spec(argument_spec=spec)
        args = plain(validated)
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
        put_in_place = bool(extra.pop("changed", False))
        if not self._task.check_mode:
            try:
                self.before_write(args)
                if plan.writes:
                    write_all(plan.writes)
            except FleetError as exc:
                raise AnsibleActionFail(scrub(to_text(exc), secrets)) from None
            except OSError as exc:
                raise AnsibleActionFail(f"cannot write the fleet files, nothing was changed: {exc}") from None
        result.update(extra)
        result.update(
            changed=plan.changed or put_in_place,
            changes=[change.as_dict() for change in plan.changes] if plan.changed else [],
            files=plan.files(),
        )
        if plan.warnings:
            result["warnings"] = [scrub(warning, secrets) for warning in plan.warnings]
        if self._task.diff and plan.changed:
            result["diff"] = plan.diffs()
        result.setdefault("msg", self.summary(plan.changes if plan.changed else []))
        return result

    @staticmethod
    def summary(changes: list) -> str:
        if not changes:
            return "nothing to change"
        return "; ".join(f"{change.as_dict()['kind']} {change.as_dict()['name']} {change.action}" for change in changes)
