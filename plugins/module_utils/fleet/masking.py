# Private to this collection: hiding secrets in what is shown to people (diffs, results, messages).
"""Secrets never leave the controller in clear, nor as ciphertext: both are replaced by one mask."""

from __future__ import annotations

import csv
import io
import re

from . import csvio
from .yamlio import VaultValue

MASK = "********"
# Keys whose values are secrets wherever they appear in fleet data.
SECRET_KEYS = frozenset({"password", "admin_password", "password_secret"})


def mask_secrets(data: object) -> object:
    """A copy of plain fleet data with every secret value (and every vault value) masked."""
    if isinstance(data, VaultValue):
        return MASK
    if isinstance(data, dict):
        return {
            key: (MASK if key in SECRET_KEYS and value not in (None, "") else mask_secrets(value))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [mask_secrets(item) for item in data]
    return data


def scrub(message: str, secrets: list[str]) -> str:
    """``message`` with any of ``secrets`` (clear-text values that must not be shown) masked."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        message = message.replace(secret, MASK)
    return message


def secrets_in(text: str, labelled: list[tuple[str, str]]) -> list[str]:
    """The labels of the secrets (label, clear value) that stand in ``text`` as a whole token.

    A whole token (not inside a longer run of letters and digits): a short password such as ``admin``
    must not be found in ``user_name.administrator``, yet ``password = admin`` or ``<Password>admin<`` is it.
    """
    found = []
    for label, value in labelled:
        if value and value in text:
            pattern = rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])"
            if re.search(pattern, text):
                found.append(label)
    return found


def mask_csv(data: bytes, file: str = "csv") -> str:
    """The text of a phone CSV file with its password column masked (for a diff)."""
    try:
        text, _encoding, delimiter = csvio.sniff(data, file)
    except csvio.CsvFormatError:
        return "(a file that is not a phone list)\n"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    secret_columns: list[int] | None = None
    for record in reader:
        if secret_columns is None:
            if any(cell.strip() for cell in record):
                secret_columns = [i for i, cell in enumerate(record) if csvio.header_column(cell) == "password"]
            writer.writerow(record)
            continue
        writer.writerow([MASK if i in secret_columns and cell else cell for i, cell in enumerate(record)])
    return out.getvalue()
