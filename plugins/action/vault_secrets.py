# Copyright: PhoneFleet developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of phonefleet.provisioning.vault_secrets: the controller holds the play's vault secrets."""

from __future__ import annotations

import secrets

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.phonefleet.provisioning.plugins.plugin_utils.action import ControllerAction

ARGUMENT_SPEC = {
    "names": {"type": "list", "elements": "str", "required": True},
    "length": {"type": "int", "default": 32},
    "vault_id": {"type": "str"},
}


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        if not 16 <= args["length"] <= 64:
            raise AnsibleActionFail(f"length: {args['length']} is outside 16-64")
        vault = getattr(self._loader, "_vault", None)
        loaded = list(vault.secrets) if vault is not None and vault.secrets else []
        vault_id, secret = self._choose(loaded, args["vault_id"])
        encrypted = {}
        for name in args["names"]:
            # token_urlsafe: letters, digits, '-' and '_', which every phone's web UI and config format takes
            clear = secrets.token_urlsafe(args["length"])[: args["length"]]
            encrypted[name] = to_text(vault.encrypt(clear, secret, vault_id=vault_id))
        result.update(changed=False, secrets=encrypted, vault_id=vault_id)
        return result

    @staticmethod
    def _choose(loaded: list, wanted: str | None) -> tuple:
        """The (vault id, secret) to encrypt with: ``wanted`` when loaded, else the only one loaded."""
        if not loaded:
            raise AnsibleActionFail(
                "no vault secret was given: the new secrets are written encrypted with it. Run with"
                " --vault-id site@prompt (or --vault-password-file with a file outside the repository)"
            )
        for vault_id, secret in loaded:
            if vault_id == wanted:
                return vault_id, secret
        if len(loaded) == 1:
            return loaded[0]
        names = ", ".join(str(vault_id) for vault_id, _secret in loaded)
        raise AnsibleActionFail(
            f"vault_id: several vault secrets are loaded ({names}) and none is {wanted!r}: name the one that"
            " encrypts the new secrets"
        )
