# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.phone_command: reboot or resync phones from the controller.

Also the base of phone_info's action: both target phones the same way (per host, or a batch of thousands
in one task) and turn every phone's typed error into that phone's result in one place (request.py), and
every task-level error into a failed task here.
"""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control import request as control_request
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.base import COMMANDS, METHODS, REBOOT
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.batch import run_batch
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.fleet_view import (
    FleetView,
    control_login,
    load,
)
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.target import Credentials
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetError
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import (
    ControlServiceLink,
    ServiceApiError,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api_action import (
    SERVICE_OPTIONS,
    service_api,
)
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.vault import file_decrypter, revealer

COMMON_SPEC = {
    "phones": {"type": "list", "elements": "raw"},
    "concurrency": {"type": "int", "default": 50},
    "address": {"type": "str"},
    "ports": {"type": "dict"},
    "method": {"type": "str", "default": "auto", "choices": ["auto", *METHODS]},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "fleet_dir": {"type": "path"},
    "scheme": {"type": "str", "default": "http", "choices": ["http", "https"]},
    "validate_certs": {"type": "bool", "default": False},
    "timeout": {"type": "float", "default": 5.0},
    "max_fail_percentage": {"type": "int", "default": 0},
    "progress": {"type": "bool", "default": True},
    **SERVICE_OPTIONS,
}
ARGUMENT_SPEC = {
    **COMMON_SPEC,
    "command": {"type": "str", "required": True, "choices": list(COMMANDS)},
    "firmware_window_minutes": {"type": "int"},
}
#: the phones' login when the task gives none, before the fleet's settings.phone_control
USERNAME_ENV = "PHONEFLEET_PHONE_USERNAME"
PASSWORD_ENV = "PHONEFLEET_PHONE_PASSWORD"  # noqa: S105 - a variable name, not a password
#: statuses of a phone that leave its host ok but skipped in per-host mode
SKIPPED = (control_request.UNSUPPORTED, control_request.NO_ADDRESS)
LISTED_FAILURES = 10


class PhoneAction(ControllerAction):
    """What phone_command and phone_info share: options, targets, the batch, the verdict."""

    ARGUMENT_SPEC: dict = ARGUMENT_SPEC
    verb = "phone_command"
    #: whether the whole fleet is needed (phone_info: each phone's firmware plan); else only its login
    needs_fleet = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=self.ARGUMENT_SPEC)
        try:
            if not 1 <= args["concurrency"] <= 1000:
                raise control_request.RequestError("concurrency must be between 1 and 1000")
            if not 0 <= args["max_fail_percentage"] <= 100:
                raise control_request.RequestError("max_fail_percentage must be between 0 and 100")
            if args["timeout"] <= 0:
                raise control_request.RequestError("timeout must be more than 0 seconds")
            view = self._fleet_view(args) if self.needs_fleet else None
            defaults = self._defaults(args, view)
            phones = self._phones(args, task_vars, defaults)
            work = self._work(args, view)
        except FleetError as exc:
            raise AnsibleActionFail(to_text(exc)) from None
        if args["phones"] is None:
            outcome = work(phones[0])
            return self._single(result, outcome)
        outcomes = run_batch(
            phones,
            work,
            concurrency=args["concurrency"],
            progress=self._progress(args) if args["progress"] else None,
            outcome_of=lambda outcome: outcome["status"],
        )
        return self._batch(result, outcomes, args)

    # -- inputs ------------------------------------------------------------------------------------------

    def _reveal(self):
        return revealer(self._loader)

    def _fleet_view(self, args) -> FleetView | None:
        if not args["fleet_dir"]:
            return None
        fleet = load(self._path(args["fleet_dir"]), decrypt_file=file_decrypter(self._loader))
        return FleetView(fleet, self._reveal())

    def _defaults(self, args, view: FleetView | None) -> control_request.Defaults:
        # AWX's phone control credential (awx/controller.yml) and the job service give the login this way
        username = args["username"] if args["username"] is not None else os.environ.get(USERNAME_ENV) or None
        password = args["password"] if args["password"] is not None else os.environ.get(PASSWORD_ENV) or None
        credentials = Credentials()
        if username is None or password is None:
            if view is not None:
                credentials = view.credentials()
            elif args["fleet_dir"]:
                credentials = control_login(self._path(args["fleet_dir"]), self._reveal(), file_decrypter(self._loader))
        if username is not None or password is not None:
            credentials = Credentials(
                username if username is not None else credentials.username,
                password if password is not None else credentials.password,
            )
        return control_request.Defaults(
            credentials=credentials,
            ports=control_request.parse_ports(args["ports"], "ports"),
            scheme=args["scheme"],
            validate_certs=args["validate_certs"],
            timeout=args["timeout"],
            service=self._service(args),
        )

    @staticmethod
    def _needs_service(args) -> bool:
        """Whether this run may ask the provisioning service: a reboot (a Unify phone's Restart is queued there) or
        a firmware window. A resync and phone_info never do."""
        return args.get("command") == REBOOT or args.get("firmware_window_minutes") is not None

    def _service(self, args) -> ControlServiceLink | None:
        """The provisioning service (service_url and an admin service_token, or PHONEFLEET_SERVICE_URL/_TOKEN), for
        a run that needs it. None when the run does not, or no token is given (AWX or a shell may set the URL
        alone): a Unify reboot is then unsupported and a firmware window refused, each saying what to give."""
        if not self._needs_service(args) or not args["service_token"]:
            return None
        try:
            api = service_api(args)
        except ServiceApiError as exc:
            raise control_request.RequestError(str(exc)) from None
        return ControlServiceLink(api) if api is not None else None

    def _phones(self, args, task_vars, defaults) -> list:
        if args["phones"] is None:
            host = task_vars.get("inventory_hostname", "localhost")
            return [control_request.target_from_vars(host, task_vars, defaults, args["address"])]
        if args["address"] is not None:
            raise control_request.RequestError("address is for per-host mode; in batch mode give each phone's address")
        hostvars = task_vars.get("hostvars") or {}
        phones = []
        for index, entry in enumerate(args["phones"]):
            if isinstance(entry, str):
                if entry not in hostvars:
                    raise control_request.RequestError(f"phones[{index}]: '{entry}' is not a host of the inventory")
                phones.append(control_request.target_from_vars(entry, hostvars[entry], defaults))
            else:
                phones.append(control_request.target_from_entry(entry, index, defaults))
        return phones

    # -- the work and its verdict ---------------------------------------------------------------------------

    def _work(self, args, view):
        command, method, check = args["command"], args["method"], self._task.check_mode
        minutes = args.get("firmware_window_minutes")
        if minutes is not None:
            if not 1 <= minutes <= 240:
                raise control_request.RequestError("firmware_window_minutes must be from 1 to 240")
            if self._service(args) is None:
                raise control_request.RequestError(control_request.WINDOW_NEEDS_SERVICE)

        def work(phone):
            return control_request.execute_command(phone, command, method, check, minutes)

        return work

    def _label(self, args) -> str:
        return f"{self.verb} {args['command']}"

    def _progress(self, args):
        label = self._label(args)

        def progress(done, total, counts, elapsed):
            tally = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
            self._display.display(f"{label}: {done}/{total} phones in {elapsed:.1f} s ({tally or 'none yet'})")

        return progress

    def _single(self, result: dict, outcome: dict) -> dict:
        result.update(outcome)
        status = outcome["status"]
        if status == control_request.FAILED:
            result["failed"] = True
        elif status in SKIPPED:
            result["skipped"] = True
            result["skip_reason"] = outcome.get("msg", status)
        result.setdefault("msg", status)
        return result

    def _batch(self, result: dict, outcomes: list, args) -> dict:
        counts = control_request.counts(outcomes)
        failed = [outcome for outcome in outcomes if outcome["status"] in control_request.FAILURES]
        result.update(
            changed=any(outcome.get("changed") for outcome in outcomes),
            phones=outcomes,
            counts=counts,
            failed_phones=[outcome["mac"] for outcome in failed],
            problems=[
                f"{outcome['mac']}: {outcome.get('msg') or outcome['status']}"
                for outcome in outcomes
                if outcome["status"] in control_request.PROBLEMS
            ],
        )
        tally = ", ".join(f"{count} {status}" for status, count in counts.items()) or "no phones"
        result["msg"] = f"{self._label(args)}: {len(outcomes)} phones: {tally}"
        if outcomes and len(failed) * 100 > args["max_fail_percentage"] * len(outcomes):
            result["failed"] = True
            listed = "; ".join(f"{outcome['mac']}: {outcome.get('msg')}" for outcome in failed[:LISTED_FAILURES])
            more = f" (and {len(failed) - LISTED_FAILURES} more)" if len(failed) > LISTED_FAILURES else ""
            result["msg"] += (
                f"; {len(failed)} failed, more than max_fail_percentage={args['max_fail_percentage']}: {listed}{more}"
            )
        return result


class ActionModule(PhoneAction):
    pass
