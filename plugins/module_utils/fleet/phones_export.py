# Private to this collection: exporting the fleet's phones as a CSV phone list.
"""The phones of a fleet as the rows of the reference product's CSV format.

Values are the ones written in the fleet files (a phone that takes the default profile exports an
empty profile cell), so exporting and importing again changes nothing. Passwords are exported only
on request, decrypted with the caller's vault secrets.

A selection (``fleet/selection.py``, as ``phones_bulk`` takes it) limits the export to some phones. With the
provisioning service's phone rows (``live``: ``GET /api/v1/phones``, checked by ``service/live_facts.py``), the
export ends with what the service saw of each phone: status, its text, IP, firmware version, last contact
(:data:`csvio.LIVE_COLUMNS`; an import reads past them). Those rows hold no secret.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from . import csvio
from .errors import FleetError
from .loader import CSV_SUFFIXES, VAULT_HEADER, display_name, fleet_files, load_fleet
from .mac import InvalidMac, format_mac, normalize_mac
from .selection import Selection, select
from .yamlio import VaultValue, load_yaml

STATUSES = (0, 1, 2, 3)
DELIMITERS = {";": ";", ",": ",", "tab": "\t", "\t": "\t"}
ENCODINGS = ("utf-8-sig", "utf-8", "cp1251")
ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"

Decrypt = Callable[[str], str]
DecryptFile = Callable[[bytes, str], bytes]


class ExportError(FleetError):
    """The export cannot be made as asked (bad statuses, a password that cannot be decrypted, ...)."""


@dataclass
class ExportTable:
    columns: tuple
    rows: list
    warnings: list = field(default_factory=list)


def normalize_statuses(statuses: dict | None) -> dict[str, int]:
    """MAC (any notation) -> status 0..3, keyed by the normalised MAC."""
    result: dict[str, int] = {}
    for mac, status in (statuses or {}).items():
        try:
            key = normalize_mac(str(mac))
        except InvalidMac as exc:
            raise ExportError(f"statuses: {exc}") from None
        try:
            value = int(status)
        except (TypeError, ValueError):
            value = -1
        if isinstance(status, bool) or value not in STATUSES:
            raise ExportError(f"statuses: {mac}: status must be 0, 1, 2 or 3, not {status!r}")
        result[key] = value
    return result


def _raw_phones(path: str, decrypt_file: DecryptFile | None) -> list:
    """The phones of one fleet file as written (before defaults are applied)."""
    with open(path, "rb") as handle:
        data = handle.read()
    if data.startswith(VAULT_HEADER) and decrypt_file is not None:
        data = decrypt_file(data, display_name(path))
    if path.lower().endswith(CSV_SUFFIXES):
        table = csvio.parse_phones_csv(data, path)
        return [csvio.phone_from_row(row.values) for row in table.rows if "__extra__" not in row.values]
    loaded = load_yaml(data.decode("utf-8-sig"))
    phones = loaded.get("phones") if isinstance(loaded, dict) else None
    return phones if isinstance(phones, list) else []


def export_table(
    fleet_dir: str,
    *,
    include_credentials: bool = False,
    statuses: dict | None = None,
    decrypt: Decrypt | None = None,
    decrypt_file: DecryptFile | None = None,
    selection: Selection | None = None,
    live: dict | None = None,
) -> ExportTable:
    """The rows of the export, in fleet order: the phones ``selection`` matches (all without one), with the
    live columns when ``live`` (the service's checked rows by normalised MAC) is given. Raises
    FleetValidationError if the fleet is not valid, SelectionError if the selection needs ``live``."""
    if statuses is not None and live is not None:
        raise ExportError("statuses: the status comes from the provisioning service here; leave statuses out")
    status_of = normalize_statuses(statuses) if statuses is not None else None
    fleet = load_fleet(fleet_dir, decrypt_file)
    phones = fleet.phones if selection is None else select(fleet, selection, live)
    raw: dict[str, list] = {}
    for path in fleet_files(fleet_dir):
        raw[display_name(path)] = _raw_phones(path, decrypt_file)
    columns = ["mac", "name", "number", "username"]
    if include_credentials:
        columns.append("password")
    columns += ["profile", "firmware_kit"]
    if live is not None:
        columns += csvio.LIVE_COLUMNS
    elif status_of is not None:
        columns.append("status")
    rows = []
    for phone in phones:
        item = raw[phone.origin.file][phone.origin.at[1]]
        lines = item.get("lines") or []
        line = lines[0] if lines else {}
        row = {
            "mac": format_mac(phone.mac),
            "name": item.get("name") or "",
            "number": line.get("number") or "",
            "username": line.get("username") or "",
            "profile": item.get("profile") or "",
            "firmware_kit": item.get("firmware_kit") or "",
        }
        if include_credentials:
            row["password"] = _clear_password(line.get("password"), phone.origin, decrypt)
        if live is not None:
            row.update(live_cells(live.get(phone.mac)))
        elif status_of is not None:
            status = status_of.get(phone.mac)
            row["status"] = "" if status is None else str(status)
        rows.append(row)
    missing = selection.missing_macs(fleet) if selection is not None else []
    warnings = [f"select.macs: {format_mac(mac)} is no phone of the fleet" for mac in missing]
    return ExportTable(columns=tuple(columns), rows=rows, warnings=warnings)


def live_cells(row: dict | None) -> dict[str, str]:
    """The live columns of one phone: empty for a phone the service does not know (not published yet).

    The IP is that of the phone's last request that proved it came from the phone, else of its last request
    (what a phone that cannot prove itself, a Cisco over TFTP, last asked from); the last contact is UTC in
    ISO 8601."""
    if row is None:
        return dict.fromkeys(csvio.LIVE_COLUMNS, "")
    last = row.get("last_contact")
    return {
        "status": str(row["status"]),
        "status_text": row.get("status_text") or "",
        "ip": row.get("ip") or row.get("last_ip") or "",
        "firmware_version": row.get("firmware") or "",
        "last_contact": "" if last is None else time.strftime(ISO_UTC, time.gmtime(last)),
    }


def _clear_password(value: object, origin, decrypt: Decrypt | None) -> str:
    if not value:
        return ""
    if not isinstance(value, VaultValue):
        return str(value)
    where = f"{origin.file}: {origin.path}.lines[0].password"
    if decrypt is None:
        raise ExportError(
            f"{where} is vault-encrypted and no vault secret is loaded:"
            " run with --vault-id or --vault-password-file, or set include_credentials: false"
        )
    try:
        return decrypt(value.ciphertext)
    except Exception:  # noqa: BLE001 - any vault failure means the secrets do not fit
        raise ExportError(f"{where} cannot be decrypted with the vault secrets given") from None


def render_csv(table: ExportTable, headers: str = "en", delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    """The bytes of the CSV file; refuses values the encoding cannot write (e.g. cp1251 and emoji)."""
    if delimiter not in DELIMITERS:
        raise ExportError(f"delimiter: must be one of ';', ',', 'tab', not {delimiter!r}")
    if encoding not in ENCODINGS:
        raise ExportError(f"encoding: must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    try:
        return csvio.write_phones_csv(table.rows, table.columns, headers, DELIMITERS[delimiter], encoding)
    except UnicodeEncodeError as exc:
        for row in table.rows:
            for column in table.columns:
                cell = str(row.get(column, ""))
                try:
                    cell.encode(encoding)
                except UnicodeEncodeError:
                    shown = "a password" if column == "password" else repr(cell)
                    raise ExportError(
                        f"phone {row['mac']}: {column}: {shown} cannot be written in {encoding}; use utf-8-sig"
                    ) from None
        raise ExportError(f"the export cannot be written in {encoding}: {exc.reason}") from None
