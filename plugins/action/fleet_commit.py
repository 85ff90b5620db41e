# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.fleet_commit: Git runs on the controller, where the fleet is."""

from __future__ import annotations

import dataclasses
import os

from ansible.errors import AnsibleActionFail
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.git import (
    FleetGit,
    GitError,
    GitOptions,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction

ARGUMENT_SPEC = {
    "fleet_dir": {"type": "path", "required": True},
    "paths": {"type": "list", "elements": "path", "default": ["."]},
    "step": {"type": "str", "default": "commit", "choices": ["prepare", "commit"]},
    "message": {"type": "str"},
    "reason": {"type": "str"},
    "author": {"type": "str"},
    "pull": {"type": "bool", "default": False},
    "push": {"type": "bool", "default": False},
    "remote": {"type": "str"},
    "branch": {"type": "str"},
}


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(
            argument_spec=ARGUMENT_SPEC, required_if=[("step", "commit", ("message",))]
        )
        fleet_dir = self._path(args["fleet_dir"])
        paths = [os.path.join(fleet_dir, path) for path in args["paths"]]  # relative: to the fleet directory
        playbook = os.path.basename((self._task.get_path() or "").rsplit(":", 1)[0])
        options = GitOptions(
            commit=True,
            pull=args["pull"],
            push=args["push"],
            author=args["author"],
            message=args["message"] or "",
            reason=args["reason"],
            remote=args["remote"],
            branch=args["branch"],
            trailers={"Phonefleet-Run": playbook},
        )
        try:
            if args["step"] == "prepare":
                # the checks change nothing; a pull would, so check mode leaves it out
                pull = args["pull"] and not self._task.check_mode
                FleetGit(fleet_dir, dataclasses.replace(options, pull=pull)).before(paths)
                result.update(changed=False, files=[], msg="ready: the fleet files to change have no uncommitted edits")
                return result
            fleet_git = FleetGit(fleet_dir, options)
            files = fleet_git.pending(paths)
            result.update(changed=bool(files), files=files, author=fleet_git.author())
            if self._task.check_mode:
                result["msg"] = f"would commit {len(files)} file(s)" if files else "nothing to commit"
                return result
            sha = fleet_git.after(paths)
        except GitError as exc:
            raise AnsibleActionFail(str(exc)) from None
        pushed = " and pushed" if args["push"] else ""
        result.update(sha=sha, msg=f"committed {len(files)} file(s) as {sha}{pushed}" if sha else "nothing to commit")
        return result
