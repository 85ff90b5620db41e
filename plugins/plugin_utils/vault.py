# Private to this collection: the play's Ansible Vault secrets, for controller-side plugins.
"""Encrypt and decrypt with the vault secrets the play was started with (--vault-id, --vault-password-file).

The domain core never sees a secret: it gets these functions, or None when no secret is loaded.
"""

from __future__ import annotations

from collections.abc import Callable

from ansible import constants as C
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.parsing.vault import VaultLib, match_encrypt_secret
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.errors import FleetError
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.yamlio import VaultValue


def _vault_of(loader) -> VaultLib | None:
    vault = getattr(loader, "_vault", None)
    return vault if vault is not None and vault.secrets else None


def encrypter(loader) -> Callable[[str], str] | None:
    """A function turning a clear string into vault text, as ``ansible-vault encrypt_string`` does."""
    vault = _vault_of(loader)
    if vault is None:
        return None
    vault_id, secret = match_encrypt_secret(vault.secrets, encrypt_vault_id=C.DEFAULT_VAULT_ENCRYPT_IDENTITY)

    def encrypt(plaintext: str) -> str:
        return to_text(vault.encrypt(plaintext, secret, vault_id=vault_id))

    return encrypt


def decrypter(loader) -> Callable[[str], str] | None:
    """A function reading a vault value (the text after ``!vault |``) back to clear text."""
    vault = _vault_of(loader)
    if vault is None:
        return None

    def decrypt(vaulttext: str) -> str:
        return to_text(vault.decrypt(to_bytes(vaulttext.strip())))

    return decrypt


def revealer(loader) -> Callable[[object], str]:
    """A function giving the clear text of a fleet value: a vault value decrypted, anything else as text."""
    decrypt = decrypter(loader)

    def reveal(value) -> str:
        if isinstance(value, VaultValue):
            if decrypt is None:
                raise FleetError("the fleet holds vault-encrypted secrets: give --vault-id / --vault-password-file")
            return decrypt(value.ciphertext)
        return str(value)

    return reveal


def file_decrypter(loader) -> Callable[[bytes, str], bytes] | None:
    """A function reading a whole-file vault fleet file, in the form load_fleet takes."""
    vault = _vault_of(loader)
    if vault is None:
        return None

    def decrypt_file(data: bytes, file: str) -> bytes:
        return vault.decrypt(data)

    return decrypt_file
