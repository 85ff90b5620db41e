# Private to this collection: hiding secrets in what is shown to people (diffs, results, messages).
"""Secrets never leave the controller in clear, nor as ciphertext: both are replaced by one mask."""

from __future__ import annotations

import csv
import io
import json
import re

from . import csvio
from .yamlio import VaultValue

MASK = "********"
# Keys whose values are secrets wherever they appear in fleet data.
SECRET_KEYS = frozenset({"password", "admin_password", "password_secret"})
# Keys shown masked though kept in clear in the files: a PIN's hash is no secret to store, but a 4-digit PIN
# falls to a brute force of its hash, so results and diffs never show it.
MASKED_KEYS = SECRET_KEYS | {"pin_hash"}


def mask_secrets(data: object) -> object:
    """A copy of plain fleet data with every secret value (and every vault value) masked."""
    if isinstance(data, VaultValue):
        return MASK
    if isinstance(data, dict):
        return {
            key: (MASK if key in MASKED_KEYS and value not in (None, "") else mask_secrets(value))
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [mask_secrets(item) for item in data]
    return data


# Where a printed value begins: a line's start, or one of the separators our formats and messages put before
# a value (``key = value``, ``key: value``, ``"value"``, ``'value'``, ``<tag>value``, ``[value``, ``(value``, a
# list's ``,`` or ``;``) with the blanks after it, or a command-line option (``--pwd value``). ``key=value``
# with no blank (a connection string, a query) is marked: its value also ends at a blank or ``&``.
_VALUE_START = r"(?:(?P<pair>=)|^[ \t]*|[=:>\"'\[(,;][ \t]*|--[A-Za-z][\w-]* )"
# Where it ends: the line's end (after blanks), or a closing quote, tag, bracket or list separator; after a
# marked ``key=``, also a blank or ``&`` (``(?!)``: nothing else).
_VALUE_END = r"(?=[ \t]*$|[<\"'\]),;]|(?(pair)[\s&]|(?!)))"


def _spellings(secret: str) -> set[str]:
    """How ``secret`` can be printed: as itself, escaped in XML (text and attributes, either spelling of the
    entities) and inside a JSON string. Masking only the clear spelling would leave ``a&amp;b`` in a diff."""
    xml = secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {
        secret,
        xml.replace('"', "&#34;").replace("'", "&#39;"),
        xml.replace('"', "&quot;").replace("'", "&apos;"),
        json.dumps(secret, ensure_ascii=False)[1:-1],
    }


def _values_pattern(secrets: list[str]) -> re.Pattern[str] | None:
    """A pattern of any of ``secrets`` where it stands as a whole value (see _VALUE_START, _VALUE_END)."""
    spellings = sorted(
        {spelling for secret in secrets if secret for spelling in _spellings(secret)}, key=len, reverse=True
    )
    if not spellings:
        return None
    # longest first: a secret that holds a shorter one is masked whole
    either = "|".join(re.escape(spelling) for spelling in spellings)
    return re.compile(rf"(?P<start>{_VALUE_START})(?P<secret>{either}){_VALUE_END}", re.MULTILINE)


def scrub(message: str, secrets: list[str]) -> str:
    """``message`` with ``secrets`` (clear-text values that must not be shown) masked where one is printed as a
    value, never inside other words: a password ``x`` leaves ``hex`` (and so the message) as it is, and a
    password ``the`` leaves ``# the phone's lines`` as it is, yet ``password = x`` or ``<Password>x<`` is masked."""
    pattern = _values_pattern(secrets)
    return message if pattern is None else pattern.sub(lambda match: match["start"] + MASK, message)


def mask_as_in(earlier: str, masked: str) -> str:
    """``earlier`` (a file as it was) with its values masked where ``masked`` (the file as it will be, masked)
    shows a mask on a line of the same shape: a changed password is no longer among the secrets the fleet
    gives, yet the earlier file prints it in the same place, so it is masked there too."""
    shapes: dict[str, re.Pattern[str]] = {}  # masked line -> the lines it masks (any value in each mask's place)
    for line in masked.splitlines():
        parts = line.split(MASK)
        if len(parts) > 1 and "".join(parts).strip():  # a line that is only a mask has no shape to match
            shapes[line] = re.compile("(?:.+?)".join(re.escape(part) for part in parts))
    if not shapes:
        return earlier
    lines = earlier.splitlines(keepends=True)
    for index, line in enumerate(lines):
        text = line.rstrip("\r\n")
        shown = next((shown for shown, shape in shapes.items() if shape.fullmatch(text)), None)
        if shown is not None:
            lines[index] = shown + line[len(text) :]
    return "".join(lines)


def secrets_in(text: str, labelled: list[tuple[str, str]]) -> list[str]:
    """The labels of the secrets (label, clear value) that stand in ``text`` as a value, as :func:`scrub` masks
    them: a short password such as ``admin`` is not found in ``user_name.administrator``, yet
    ``password = admin`` or ``<Password>admin<`` is it."""
    found = []
    for label, value in labelled:
        pattern = _values_pattern([value])
        if pattern is not None and pattern.search(text):
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
