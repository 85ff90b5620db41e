# Private to this collection: what every fleet-editing action plugin does around its own change.
"""The run of a fleet-editing module (phone, phones_bulk, profile, ...): the module says what to change,
this says how every such change is made — the fleet's vault secrets, the plan validated against the whole
fleet, check mode and diff, every file written or none, and results and errors that never carry a secret.

A module subclasses :class:`FleetEditAction`, declares ``OPTIONS`` (its own argument spec; ``fleet_dir`` and
the shared options are added) and implements :meth:`FleetEditAction.change`, which calls
``edit.put`` / ``edit.remove`` and may return extra result keys.
"""

from __future__ import annotations

import os
from typing import ClassVar

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.edit import KINDS, FleetEdit, write_all
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import (
    FleetError,
    FleetValidationError,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.git import FleetGit, GitError, GitOptions
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import scrub
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import (
    decrypter,
    encrypter,
    file_decrypter,
)

#: what a run asks of Git (fleet/git.py): commit the change, pull before, push after
GIT_OPTIONS = {
    "commit": {"type": "bool", "default": False},
    "pull": {"type": "bool", "default": False},
    "push": {"type": "bool", "default": False},
    "author": {"type": "str"},
    "reason": {"type": "str"},
    "message": {"type": "str"},
    "remote": {"type": "str"},
    "branch": {"type": "str"},
}

#: options every fleet-editing module has (documented in the fleet_edit doc fragment)
EDIT_OPTIONS = {
    "fleet_dir": {"type": "path", "required": True},
    "git": {"type": "dict", "options": GIT_OPTIONS},
}


def git_options(given: dict | None, changes: list, playbook: str) -> GitOptions:
    """The Git options of a task: empty texts (a survey's blank answers) are not given."""
    given = {name: value for name, value in (given or {}).items() if value not in (None, "")}
    if not given.get("commit"):
        return GitOptions()
    message = given.get("message") or FleetEditAction.summary(changes)
    return GitOptions(
        commit=True,
        pull=bool(given.get("pull")),
        push=bool(given.get("push")),
        author=given.get("author"),
        message=message,
        reason=given.get("reason"),
        remote=given.get("remote"),
        branch=given.get("branch"),
        trailers={"Phonefleet-Run": playbook} if playbook else {},
    )


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
        playbook = os.path.basename((self._task.get_path() or "").rsplit(":", 1)[0])
        try:
            if not self._task.check_mode:
                self._pull(args, playbook)
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
                    f"{self.refusal(args)}the change would leave the fleet with {count}"
                    f" problem{'s' if count != 1 else ''}, so nothing was written:\n{lines}",
                    secrets,
                )
            ) from None
        except (FleetError, GitError) as exc:
            raise AnsibleActionFail(scrub(to_text(exc), secrets)) from None
        put_in_place = bool(extra.pop("changed", False))
        paths = sorted(plan.writes)
        try:
            git = FleetGit(edit.fleet_dir, git_options(args.get("git"), plan.changes, playbook))
            git.before(paths)  # no uncommitted edits in the files this change writes (no pull: done before)
        except GitError as exc:
            raise AnsibleActionFail(scrub(str(exc), secrets)) from None
        # the result (diffs included) is made before writing: a failure after the write would say
        # "failed" about files that were changed
        result.update(extra)
        result.update(
            changed=plan.changed or put_in_place,
            changes=self.changes_result(plan.changes) if plan.changed else [],
            files=plan.files(),
        )
        if plan.warnings:
            result["warnings"] = [scrub(warning, secrets) for warning in plan.warnings]
        if self._task.diff and plan.changed:
            result["diff"] = self.diffs(plan.changes)
        result.setdefault("msg", self.summary(plan.changes if plan.changed else []))
        if git.enabled:
            result["commit"] = None
        if not self._task.check_mode:
            try:
                self.before_write(args)
                if plan.writes:
                    write_all(plan.writes)
            except FleetError as exc:
                git.undo(paths)
                raise AnsibleActionFail(scrub(to_text(exc), secrets)) from None
            except OSError as exc:
                git.undo(paths)
                raise AnsibleActionFail(f"cannot write the fleet files, nothing was changed: {exc}") from None
            try:
                result["commit"] = git.after(paths) if git.enabled and paths else None
            except GitError as exc:
                raise AnsibleActionFail(scrub(str(exc), secrets)) from None
        return result

    def _pull(self, args: dict, playbook: str) -> None:
        """With git.pull, bring the fleet's branch up to date before the change is computed from its files."""
        options = git_options(args.get("git"), [], playbook)
        if options.commit and options.pull:
            # before() on the whole fleet: a pull must not mix the remote's work into uncommitted edits
            fleet_dir = self._path(args["fleet_dir"])
            FleetGit(fleet_dir, options).before([fleet_dir])

    def refusal(self, args: dict) -> str:
        """What the task asked, said before the problems of a change the validation refuses ("" or "...: ")."""
        del args
        return ""

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
        return "; ".join(f"{KINDS[change.kind].title} {change.as_dict()['name']} {change.action}" for change in changes)


def given(spec: dict, args: dict, raw: object) -> dict:
    """The options of ``args`` (validated) that the task gave, ``raw`` being its arguments as written.

    The argument spec fills every option left out with None, which to ``FleetEdit.put`` means "remove the
    field"; only what the task names is a change (``null`` included), so the rest is left as it is.
    """
    if not isinstance(raw, dict):
        return args
    found = {}
    for name, value in args.items():
        if name not in raw:
            continue
        suboptions = spec.get(name, {}).get("options")
        if value in ("", []):
            value = None  # an empty value removes the field, as in every editing module (fields_of)
        elif suboptions and isinstance(value, dict):
            value = given(suboptions, value, raw[name])
        elif suboptions and isinstance(value, list) and isinstance(raw[name], list):
            value = [given(suboptions, item, written) for item, written in zip(value, raw[name], strict=True)]
        found[name] = value
    return found


#: options of a module that edits one named item of a part of the fleet (profile, key_template, ...)
ITEM_OPTIONS = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    "replace": {"type": "bool", "default": False},
    "dest": {"type": "path"},
}


class FleetItemAction(FleetEditAction):
    """A module that creates, changes or removes one named item of ``KIND`` with the fields of ``FIELDS``."""

    KIND: ClassVar[str] = ""
    FIELDS: ClassVar[dict] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.OPTIONS = {**ITEM_OPTIONS, **cls.FIELDS}

    def refusal(self, args: dict) -> str:
        if args["state"] != "absent":
            return ""
        # The whole-fleet validation reports each use of a removed item as a reference to an unknown one.
        return f"{KINDS[self.KIND].title} {args['name']} is still used where listed below, so it was not removed; "

    def change(self, edit: FleetEdit, args: dict) -> dict | None:
        fields = given(self.FIELDS, {name: args[name] for name in self.FIELDS}, self._task.args)
        if args["state"] == "absent":
            if fields:
                raise AnsibleActionFail(f"state=absent removes the whole item; do not give {', '.join(fields)}")
            edit.remove(self.KIND, args["name"])
            return None
        dest = args["dest"]
        if dest is not None and not os.path.isabs(dest):
            dest = os.path.join(edit.fleet_dir, dest)  # a fleet file is named from the fleet directory
        edit.put(self.KIND, args["name"], fields, dest=dest, replace=args["replace"])
        return None
