# Private to this collection: phones as CSV, in the reference product's import/export format.
"""Reading and writing phone lists as CSV the way spreadsheets make them.

Columns: MAC, name, number, username, password, profile, firmware kit (export may add
credentials, and what the provisioning service saw: status, IP, firmware version, last contact; an import
reads past those). Excel writes UTF-8 with or without a BOM, Windows-1251 on Russian systems, UTF-16 for
"Unicode text"; separators ``;`` (locales with a decimal comma), ``,`` or tab; headers in English or
in the reference product's Russian. All of these are read; the row numbers in errors are the ones a
spreadsheet shows (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from .errors import FleetError

COLUMNS = ("mac", "name", "number", "username", "password", "profile", "firmware_kit")
# What the provisioning service saw of each phone, added at the end of an export (fleet/phones_export.py).
LIVE_COLUMNS = ("status", "status_text", "ip", "firmware_version", "last_contact")

# Header spellings, compared after lower-casing and folding spaces, '_' and '-' to one space.
HEADER_ALIASES = {
    "mac": ("mac", "mac address", "mac адрес", "mac-адрес", "мак адрес"),
    "name": ("name", "phone name", "название", "имя"),
    "number": ("number", "phone number", "extension", "номер"),
    "username": ("username", "user name", "user", "sip user", "имя пользователя", "логин"),
    "password": ("password", "sip password", "пароль"),
    "profile": ("profile", "профиль"),
    "firmware_kit": ("firmware kit", "firmware", "kit", "комплект по", "комплект"),
    "status": ("status", "статус"),
    # not "firmware" (an alias of the kit above): the version the phone runs, as the service saw it
    "status_text": ("status text", "описание статуса"),
    "ip": ("ip", "ip address", "ip адрес"),
    "firmware_version": ("firmware version", "версия прошивки"),
    "last_contact": ("last contact", "последний контакт"),
}
RUSSIAN_HEADERS = {
    "mac": "MAC Адрес",
    "name": "Название",
    "number": "Номер",
    "username": "Имя пользователя",
    "password": "Пароль",
    "profile": "Профиль",
    "firmware_kit": "Комплект ПО",
    "status": "Статус",
    "status_text": "Описание статуса",
    "ip": "IP адрес",
    "firmware_version": "Версия прошивки",
    "last_contact": "Последний контакт",
}
ENGLISH_HEADERS = {
    "mac": "MAC",
    "name": "Name",
    "number": "Number",
    "username": "Username",
    "password": "Password",
    "profile": "Profile",
    "firmware_kit": "Firmware kit",
    "status": "Status",
    "status_text": "Status text",
    "ip": "IP address",
    "firmware_version": "Firmware version",
    "last_contact": "Last contact",
}
# Columns that an export adds and an import reads past.
IGNORED_ON_IMPORT = LIVE_COLUMNS
_DELIMITERS = (";", ",", "\t")

# A spreadsheet runs a cell that begins with one of these as a formula (CSV injection: a phone named
# '=HYPERLINK(...)' in a file someone opens): such a cell is written with a leading apostrophe, which the
# spreadsheet shows as text and which an import takes off again. A plain number ('+74951234567', '-1')
# is no formula and is written as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9*#]+")


def text_cell(value: str) -> str:
    """The cell a spreadsheet shows as ``value`` and never runs as a formula."""
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return TEXT_MARK + value
    return value


def cell_text(cell: str) -> str:
    """The value of a cell written by :func:`text_cell` (the apostrophe before a formula start taken off)."""
    if cell.startswith(TEXT_MARK) and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


class CsvFormatError(FleetError):
    """The file as a whole cannot be read as a phone list (encoding, header)."""

    def __init__(self, file: str, message: str, row: int | None = None) -> None:
        self.file = file
        self.row = row
        where = f"{file}: row {row}" if row else file
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class CsvRow:
    """One data row: its spreadsheet row number and its cells by column name (empty cells left out)."""

    row: int
    values: dict


@dataclass(frozen=True)
class CsvTable:
    rows: list
    encoding: str
    delimiter: str
    columns: tuple


def _fold(header: str) -> str:
    text = header.strip().strip('"').lower().replace("_", " ").replace("-", " ")
    return " ".join(text.split())


_HEADER_LOOKUP = {_fold(alias): column for column, aliases in HEADER_ALIASES.items() for alias in aliases}


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Text and encoding name of a CSV file made by a spreadsheet or by hand."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Windows-1251 decodes almost any byte string: accept it only if the header then reads.
        return data.decode("cp1251"), "cp1251"
    except UnicodeDecodeError:
        raise CsvFormatError(file, "is neither UTF-8 nor Windows-1251 text") from None


def _header_columns(header_cells: list[str]) -> list[str | None]:
    return [_HEADER_LOOKUP.get(_fold(cell)) for cell in header_cells]


def _pick_delimiter(first_line: str) -> str:
    best, best_known = ",", -1
    for delimiter in _DELIMITERS:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        known = sum(column is not None for column in _header_columns(cells))
        if known > best_known:
            best, best_known = delimiter, known
    return best


def parse_phones_csv(data: bytes, file: str) -> CsvTable:
    """Parse a phone list; raise CsvFormatError for a file-level problem (rows are checked later)."""
    text, encoding = decode(data, file)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise CsvFormatError(file, "is empty: expected a header row with at least a MAC column")
    delimiter = _pick_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    columns: list[str | None] = []
    rows: list[CsvRow] = []
    for record in reader:
        row_number = reader.line_num
        if header is None:
            if not any(cell.strip() for cell in record):
                continue
            header = record
            columns = _header_columns(record)
            unknown = [cell for cell, column in zip(record, columns, strict=False) if column is None and cell.strip()]
            if unknown:
                known = ", ".join(ENGLISH_HEADERS[c] for c in COLUMNS)
                raise CsvFormatError(file, f"unknown column {unknown[0]!r}; expected: {known}", row_number)
            named = [c for c in columns if c]
            duplicates = sorted({c for c in named if named.count(c) > 1})
            if duplicates:
                raise CsvFormatError(file, f"column {duplicates[0]!r} appears twice", row_number)
            if "mac" not in named:
                raise CsvFormatError(file, "has no MAC column (MAC / «MAC Адрес»)", row_number)
            continue
        if not any(cell.strip() for cell in record):
            continue
        values: dict[str, str] = {}
        extra = record[len(columns) :]
        if any(cell.strip() for cell in extra):
            values["__extra__"] = f"has {len(record)} cells but the header has {len(columns)}"
        for column, cell in zip(columns, record, strict=False):
            if column and column not in IGNORED_ON_IMPORT and cell.strip():
                values[column] = cell_text(cell.strip())
        rows.append(CsvRow(row=row_number, values=values))
    return CsvTable(rows=rows, encoding=encoding, delimiter=delimiter, columns=tuple(c for c in columns if c))


def phone_from_row(values: dict) -> dict:
    """The fleet-file form of one CSV row (a phone with at most one line)."""
    phone: dict = {"mac": values.get("mac", "")}
    for column in ("name", "profile", "firmware_kit"):
        if column in values:
            phone[column] = values[column]
    line = {key: values[key] for key in ("number", "username", "password") if key in values}
    if line:
        phone["lines"] = [line]
    return phone


def column_of(path: tuple) -> str:
    """The CSV column a fleet-file path inside a phone came from: ('lines', 0, 'password') -> 'password'."""
    if len(path) >= 3 and path[0] == "lines":
        return str(path[2])
    return str(path[0]) if path else ""


def write_phones_csv(
    rows: list[dict], columns: tuple, headers: str = "en", delimiter: str = ";", encoding: str = "utf-8-sig"
) -> bytes:
    """A CSV file Excel opens correctly: a BOM for UTF-8, CRLF line ends, no cell run as a formula."""
    names = RUSSIAN_HEADERS if headers == "ru" else ENGLISH_HEADERS
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([names[column] for column in columns])
    for row in rows:
        writer.writerow([text_cell(str(row.get(column, ""))) for column in columns])
    return buffer.getvalue().encode(encoding)


def header_column(cell: str) -> str | None:
    """The column a header cell names (any accepted spelling, English or Russian), or None."""
    return _HEADER_LOOKUP.get(_fold(cell))


def sniff(data: bytes, file: str) -> tuple[str, str, str]:
    """Text, encoding and delimiter of a CSV file, read the way parse_phones_csv reads it."""
    text, encoding = decode(data, file)
    first = next((line for line in text.splitlines() if line.strip()), "")
    return text, encoding, _pick_delimiter(first)
