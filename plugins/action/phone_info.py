# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.phone_info: read phones (and their screens) from the controller."""

from __future__ import annotations

import os

from ansible_collections.phonefleet.provisioning.plugins.action.phone_command import COMMON_SPEC, PhoneAction
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import request as control_request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.request import RequestError

ARGUMENT_SPEC = {
    **COMMON_SPEC,
    "info": {"type": "bool", "default": True},
    "screenshot_dest": {"type": "path"},
}


class ActionModule(PhoneAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC
    verb = "phone_info"
    needs_fleet = True

    def _label(self, args) -> str:
        return self.verb

    def _work(self, args, view):
        check, method = self._task.check_mode, args["method"]
        if not args["info"] and not args["screenshot_dest"]:
            raise RequestError("nothing to do: info is false and no screenshot_dest is given")
        destination = self._path(args["screenshot_dest"]) if args["screenshot_dest"] else None
        single_file = destination is not None and destination.lower().endswith(".png")
        if single_file and args["phones"] is not None:
            raise RequestError("screenshot_dest must be a directory in batch mode (each phone's is <mac>.png)")

        def work(phone):
            path = None
            if destination is not None:
                path = destination if single_file else os.path.join(destination, f"{phone.target.mac}.png")
            plan = view.plan(phone.target.mac) if view is not None else None
            return control_request.gather(phone, args["info"], path, method, check, plan)

        return work

    def _batch(self, result: dict, outcomes: list, args) -> dict:
        result = super()._batch(result, outcomes, args)
        result["table"] = control_request.table(outcomes)
        return result
