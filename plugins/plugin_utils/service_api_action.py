# Private to this collection: what every action plugin that talks to the provisioning service's API shares.
"""The provisioning service's API from a controller-side action: the options that name the service (its URL and
token, from the task or else from the environment, as AWX's credential injects them, and how to talk to it;
documented once in the ``service_connection`` doc fragment), the client they make (``service_api.py``), and its
errors as a failed task whose message names the URL and never holds the token.

A module that needs the service in every run (``autoprovisioned_export``, ``mobility_session``) subclasses
:class:`ServiceApiAction`, declares ``OPTIONS`` (the service's are added, required) and implements
:meth:`ServiceApiAction.act`, which is given the client. A module that asks the service only for some runs
(``phones_export``'s live columns; ``phones_bulk``'s selection by status, on the fleet-editing base; phone control's
Unify reboot and firmware window) adds :data:`SERVICE_OPTIONS` to its own argument spec and calls
:func:`service_api` when it needs the service.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import ClassVar

from ansible.errors import AnsibleActionFail
from ansible.module_utils.basic import env_fallback
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.service_api import ServiceApi, ServiceApiError

#: the environment variables a task's service comes from when it names none (AWX's credential type sets them)
URL_ENV = "PHONEFLEET_SERVICE_URL"
TOKEN_ENV = "PHONEFLEET_SERVICE_TOKEN"  # noqa: S105 - a variable name, not a token

#: the argument spec of the service's options, for a module that asks the service only when it is given
SERVICE_OPTIONS: dict = {
    "service_url": {"type": "str", "fallback": (env_fallback, [URL_ENV])},
    "service_token": {"type": "str", "no_log": True, "fallback": (env_fallback, [TOKEN_ENV])},
    "service_timeout": {"type": "int", "default": 10},
    "service_validate_certs": {"type": "bool", "default": True},
}
#: the same for a module that cannot run without the service: no URL or no token fails the task at once
REQUIRED_SERVICE_OPTIONS: dict = {
    **SERVICE_OPTIONS,
    **{name: {**SERVICE_OPTIONS[name], "required": True} for name in ("service_url", "service_token")},
}


def service_api(args: dict) -> ServiceApi | None:
    """The service a task's validated options name, None when they name none (no URL given or in the environment).

    Nothing is sent yet; :class:`ServiceApiError` for a URL that is not an http(s) URL with a host, or no token."""
    return ServiceApi.from_args(args) if args.get("service_url") else None


@contextlib.contextmanager
def failing_task(doing: str = "") -> Iterator[None]:
    """The service's errors raised in the block as a failed task: ``<doing> failed: <why>``, or the why alone."""
    try:
        yield
    except ServiceApiError as exc:
        why = to_text(exc)
        raise AnsibleActionFail(f"{doing} failed: {why}" if doing else why) from None


class ServiceApiAction(ControllerAction):
    """Base of the action plugins that cannot run without the provisioning service's API."""

    #: the module's own options; :data:`REQUIRED_SERVICE_OPTIONS` are added
    OPTIONS: ClassVar[dict] = {}
    #: the argument spec's rules on the module's options, as ``validate_argument_spec`` takes them
    MUTUALLY_EXCLUSIVE: ClassVar[list] = []
    REQUIRED_IF: ClassVar[list] = []

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(
            argument_spec={**self.OPTIONS, **REQUIRED_SERVICE_OPTIONS},
            mutually_exclusive=self.MUTUALLY_EXCLUSIVE,
            required_if=self.REQUIRED_IF,
        )
        with failing_task(self.doing(args)):
            return self.act(ServiceApi.from_args(args), args, result)

    def doing(self, args: dict) -> str:
        """What the task does, said before the service's error when it fails ("": the error alone)."""
        del args
        return ""

    def act(self, api: ServiceApi, args: dict, result: dict) -> dict:
        """Do the module's work with the service ``api`` and return ``result``, updated; a :class:`ServiceApiError`
        it lets through fails the task (:meth:`doing`)."""
        raise NotImplementedError
