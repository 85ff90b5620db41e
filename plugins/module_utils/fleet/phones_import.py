# Private to this collection: importing a phone list (CSV) into the fleet's YAML files.
"""Plan a CSV import: check every row, merge the rows into the fleet files, validate the result.

Nothing here writes: :func:`plan_import` returns an :class:`ImportPlan` with a result per row and the
new text of every file that changes; the caller decides (check mode, rows in error) whether to write.

A row whose MAC (in any notation) is already in the fleet updates that phone in the YAML file that
holds it: name, profile, firmware kit and line 1's number, username and password, each only when its
cell is not empty. Other MACs become new phones appended to ``dest``. Files are edited with
ruamel.yaml round-trip, so comments, key order, quoting and existing ``!vault`` values survive.
The whole resulting fleet is then loaded as the inventory would load it; problems in imported phones
become errors of their rows, problems anywhere else fail the import as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from . import csvio
from .edit import validate_overlay
from .errors import FleetError, FleetValidationError
from .files import read_bytes
from .loader import CSV_SUFFIXES, VAULT_HEADER, display_name, fleet_files
from .mac import InvalidMac, format_mac, normalize_mac
from .masking import MASK, mask_secrets, scrub
from .schema_check import check_document
from .yaml_edit import FleetFileError, YamlFile, check_dest, is_vault, require_ruamel, scalar, to_plain, vault_text
from .yamlio import VaultValue, YamlSyntaxError, load_yaml

try:
    import yaml as pyyaml
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
except ImportError:  # pragma: no cover - require_ruamel reports it
    pass

CREATED, UPDATED, UNCHANGED, ERROR, SKIPPED = "created", "updated", "unchanged", "error", "skipped"
PHONE_FIELDS = ("name", "profile", "firmware_kit")
LINE_FIELDS = ("number", "username", "password")
PASSWORD_MODES = ("vault", "plain")

Encrypt = Callable[[str], str]
Decrypt = Callable[[str], str]
DecryptFile = Callable[[bytes, str], bytes]


class ImportOptionError(FleetError):
    """The options of an import cannot work (dest outside the fleet, no vault secret, ...)."""


@dataclass
class RowResult:
    """What became of one CSV row. ``changes`` and the before/after data stay on the controller."""

    row: int
    mac: str
    result: str = UNCHANGED
    reasons: list = field(default_factory=list)
    fields: list = field(default_factory=list)
    file: str | None = None
    key: str | None = None
    target: tuple | None = None
    changes: dict = field(default_factory=dict)
    secrets: list = field(default_factory=list)
    before: dict | None = None
    after: dict | None = None

    @property
    def failed(self) -> bool:
        return bool(self.reasons)

    def error(self, message: str) -> None:
        self.reasons.append(scrub(message, self.secrets))

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)

    def as_dict(self) -> dict:
        item = {"row": self.row, "mac": self.mac, "result": self.result, "fields": list(self.fields)}
        if self.reasons:
            item["reason"] = self.reason
        if self.file:
            item["file"] = self.file
        return item


@dataclass
class ImportPlan:
    rows: list
    encoding: str
    delimiter: str
    writes: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def count(self, *results: str) -> int:
        return sum(row.result in results for row in self.rows)

    @property
    def bad_rows(self) -> list:
        return [row for row in self.rows if row.failed]

    def messages(self) -> list[str]:
        """One line per bad row: 'row 5: mac: '00:11' is not a MAC address'."""
        return [f"row {row.row}: {reason}" for row in self.bad_rows for reason in row.reasons]

    def diffs(self) -> list[dict]:
        """Per created or updated phone: its YAML before and after, every secret masked."""
        diffs = []
        for row in self.rows:
            if row.result not in (CREATED, UPDATED):
                continue
            header = f"{row.file}: {row.mac}"
            diffs.append(
                {
                    "before_header": header,
                    "after_header": header,
                    "before": _phone_text(row.before),
                    "after": _phone_text(row.after),
                }
            )
        return diffs


def _phone_text(phone: dict | None) -> str:
    if phone is None:
        return ""
    return pyyaml.safe_dump([mask_secrets(phone)], sort_keys=False, allow_unicode=True, default_flow_style=False)


# -- reading -------------------------------------------------------------------------------------


@dataclass
class _Holder:
    """Where a fleet phone is written: file path, index in its phones list, and the file's kind."""

    path: str
    index: int
    kind: str  # yaml | csv | encrypted


def _index_fleet(paths: list[str], decrypt_file: DecryptFile | None) -> dict[str, _Holder]:
    """Normalised MAC -> where the phone is. Unreadable files are left to the final validation."""
    holders: dict[str, _Holder] = {}
    for path in paths:
        data = read_bytes(path) or b""
        kind = "yaml"
        if data.startswith(VAULT_HEADER):
            if decrypt_file is None:
                continue
            try:
                data = decrypt_file(data, display_name(path))
            except Exception:  # noqa: BLE001, S112 - the final validation reports it
                continue
            kind = "encrypted"
        macs: list = []
        if path.lower().endswith(CSV_SUFFIXES):
            kind = "csv" if kind == "yaml" else kind
            try:
                table = csvio.parse_phones_csv(data, path)
            except csvio.CsvFormatError:
                continue
            macs = [row.values.get("mac") for row in table.rows if "__extra__" not in row.values]
        else:
            try:
                loaded = load_yaml(data.decode("utf-8-sig"))
            except (UnicodeDecodeError, YamlSyntaxError):
                continue
            phones = loaded.get("phones") if isinstance(loaded, dict) else None
            phones = phones if isinstance(phones, list) else []
            macs = [item.get("mac") if isinstance(item, dict) else None for item in phones]
        for index, mac in enumerate(macs):
            try:
                key = normalize_mac(mac)
            except InvalidMac:
                continue
            holders.setdefault(key, _Holder(path, index, kind))
    return holders


# -- the plan --------------------------------------------------------------------------------------


def plan_import(
    data: bytes,
    src: str,
    fleet_dir: str,
    dest: str,
    *,
    passwords: str = "vault",
    skip_bad_rows: bool = False,
    encrypt: Encrypt | None = None,
    decrypt: Decrypt | None = None,
    decrypt_file: DecryptFile | None = None,
) -> ImportPlan:
    """Check every row of the CSV ``data`` and compute the new fleet files; write nothing.

    ``encrypt`` turns a clear password into Ansible Vault text (needed with ``passwords='vault'``),
    ``decrypt`` reads a ``!vault`` value back (to tell an unchanged password from a new one) and
    ``decrypt_file`` reads whole-file vault fleet files. Raises CsvFormatError for an unreadable
    file, ImportOptionError for impossible options and FleetValidationError for problems of the
    fleet outside the imported rows.
    """
    require_ruamel()
    if passwords not in PASSWORD_MODES:
        raise ImportOptionError(f"passwords: must be one of {', '.join(PASSWORD_MODES)}")
    try:
        dest = check_dest(fleet_dir, dest)
    except FleetFileError as exc:
        raise ImportOptionError(str(exc)) from None
    table = csvio.parse_phones_csv(data, src)
    if passwords == "vault" and encrypt is None and any("password" in row.values for row in table.rows):
        raise ImportOptionError(
            "the CSV file has passwords and passwords=vault, but no vault secret is loaded to encrypt them:"
            " run with --vault-id or --vault-password-file, or set passwords: plain"
        )
    paths = fleet_files(fleet_dir)
    holders = _index_fleet(paths, decrypt_file)
    files: dict[str, YamlFile] = {}
    documents: dict[str, CommentedMap] = {}

    def document_of(path: str) -> CommentedMap:
        if path not in files:
            files[path] = YamlFile(path)
            documents[path] = files[path].load()
        return documents[path]

    results: list[RowResult] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        result = RowResult(row=row.row, mac=row.values.get("mac", ""))
        if row.values.get("password"):
            result.secrets.append(row.values["password"])
        results.append(result)
        _check_row(result, row, seen, holders, dest, document_of, passwords, encrypt, decrypt)

    plan = ImportPlan(rows=results, encoding=table.encoding, delimiter=table.delimiter)
    for _attempt in range(len(results) + 1):
        active = [result for result in results if not result.failed and result.result in (CREATED, UPDATED)]
        texts = _render(active, files)
        located = {result.target: result for result in active if result.target is not None}
        plan.warnings = _validate(fleet_dir, paths, texts, located, decrypt_file)
        if not skip_bad_rows or all(not result.failed for result in active):
            break
    for result in results:
        if result.failed:
            result.result = SKIPPED if skip_bad_rows else ERROR
            result.fields = []
    if skip_bad_rows or not plan.bad_rows:
        plan.writes = {
            path: ("\ufeff" if files[path].bom else "") + text
            for path, text in texts.items()
            if text != files[path].original
        }
    return plan


def _check_row(
    result: RowResult,
    row: csvio.CsvRow,
    seen: dict[str, int],
    holders: dict[str, _Holder],
    dest: str,
    document_of: Callable[[str], CommentedMap],
    passwords: str,
    encrypt: Encrypt | None,
    decrypt: Decrypt | None,
) -> None:
    values = row.values
    if "__extra__" in values:
        result.error(values["__extra__"])
    cell = values.get("mac", "")
    if not cell:
        result.error("mac: is empty; every row needs the phone's MAC")
        return
    try:
        key = normalize_mac(cell)
    except InvalidMac as exc:
        result.error(f"mac: {exc}")
        return
    result.key, result.mac = key, format_mac(key)
    if key in seen:
        result.error(f"mac: '{cell}' is the same MAC as row {seen[key]}")
        return
    seen[key] = row.row
    cells = {column: values[column] for column in PHONE_FIELDS + LINE_FIELDS if column in values}
    holder = holders.get(key)
    if holder is not None and holder.kind != "yaml":
        where = display_name(holder.path)
        if holder.kind == "csv":
            result.error(f"mac: the phone is defined in the CSV fleet file {where}; change it there")
        else:
            result.error(f"mac: the phone is defined in {where}, which is vault-encrypted; edit it with ansible-vault")
        return
    if holder is None:
        result.file, result.target = display_name(dest), None
        existing = None
    else:
        result.file = display_name(holder.path)
        phones = document_of(holder.path).get("phones")
        existing = phones[holder.index] if isinstance(phones, list) and holder.index < len(phones) else None
        if not isinstance(existing, dict):  # pragma: no cover - the index comes from the same file
            result.error(f"mac: cannot find the phone in {result.file}")
            return
        result.before = to_plain(existing)
    changes = _changes(result, existing, cells, decrypt)
    if result.failed:
        return
    candidate = _apply(to_plain(existing) if existing is not None else {"mac": result.mac}, changes, plain=True)
    for path, message in check_document({"phones": [candidate]}):
        column = csvio.column_of(path[2:]) or "row"
        result.error(f"{column}: {message}")
    if result.failed:
        return
    if "password" in changes:
        clear = changes["password"]
        if passwords == "vault":
            if encrypt is None:  # checked before any row; kept as a guard against a future caller
                raise ImportOptionError("passwords: vault needs the play's vault secret")
            text = encrypt(clear).rstrip("\n") + "\n"
            changes["password"] = TaggedScalar(value=text, style="|", tag="!vault")
    result.changes = changes
    result.fields = [column for column in PHONE_FIELDS + LINE_FIELDS if column in changes]
    if holder is None:  # then existing is None too: a new phone
        result.result = CREATED
        result.target = (dest, None)
    else:
        result.result = UPDATED if changes else UNCHANGED
        result.target = (holder.path, holder.index)
    result.after = _apply(to_plain(existing) if existing is not None else {"mac": result.mac}, changes, plain=True)


def _changes(result: RowResult, existing: dict | None, cells: dict, decrypt: Decrypt | None) -> dict:
    """The cells that differ from the phone as it is (all cells for a new phone); passwords in clear."""
    if existing is None:
        return dict(cells)
    changes = {}
    for column in PHONE_FIELDS:
        if column in cells and to_plain(existing.get(column)) != cells[column]:
            changes[column] = cells[column]
    lines = existing.get("lines")
    line = lines[0] if isinstance(lines, list) and lines and isinstance(lines[0], dict) else {}
    for column in ("number", "username"):
        if column in cells and to_plain(line.get(column)) != cells[column]:
            changes[column] = cells[column]
    if "password" in cells:
        current = line.get("password")
        if is_vault(current):
            if decrypt is None:
                result.error(
                    "password: line 1's current password is vault-encrypted and no vault secret is loaded to"
                    " compare it; run with --vault-id or --vault-password-file"
                )
                return changes
            try:
                current = decrypt(vault_text(current))
            except Exception:  # noqa: BLE001 - any vault failure means the secret does not fit
                result.error("password: line 1's current password cannot be decrypted with the vault secrets given")
                return changes
        if current != cells["password"]:
            changes["password"] = cells["password"]
    return changes


_Phone = TypeVar("_Phone", bound=dict)


def _apply(phone: _Phone, changes: dict, plain: bool) -> _Phone:
    """``phone`` with ``changes`` applied: phone fields at the top, line fields in line 1."""
    wrap = (lambda text: text) if plain else scalar
    for column in PHONE_FIELDS:
        if column in changes:
            phone[column] = wrap(changes[column])
    line_changes = {column: changes[column] for column in LINE_FIELDS if column in changes}
    if line_changes:
        lines = phone.get("lines")
        if not isinstance(lines, list):
            lines = [] if plain else CommentedSeq()
            phone["lines"] = lines
        if not lines:
            lines.append({} if plain else CommentedMap())
        for column, value in line_changes.items():
            if column == "password":
                lines[0][column] = VaultValue(value.value) if plain and isinstance(value, TaggedScalar) else value
            else:
                lines[0][column] = wrap(value)
    return phone


def _new_phone(result: RowResult) -> CommentedMap:
    phone = CommentedMap()
    phone["mac"] = scalar(result.mac)  # 10:20:30:40:50:59 would read as a YAML 1.1 number
    return _apply(phone, result.changes, plain=False)


def _render(active: list[RowResult], files: dict[str, YamlFile]) -> dict[str, str]:
    """The new text of every file the active rows touch, from fresh copies of the documents."""
    documents: dict[str, CommentedMap] = {}
    for result in active:
        if result.target is None:  # every active row has its place: file and index (None: new)
            raise AssertionError("result.target is None")
        path = result.target[0]
        if path not in files:
            files[path] = YamlFile(path)
        if path not in documents:
            documents[path] = files[path].load()
        phones = files[path].phones(documents[path])
        if result.result == CREATED:
            phones.append(_new_phone(result))
            result.target = (path, len(phones) - 1)
            if len(phones) > 1 and files[path].spaced:
                phones.yaml_set_comment_before_after_key(len(phones) - 1, before="\n")
        else:
            _apply(phones[result.target[1]], result.changes, plain=False)
    return {path: files[path].dump(document) for path, document in documents.items()}


_PHONE_PATH = re.compile(r"^phones\[(\d+)\](?:\.(.*))?$")


def _column(subpath: str | None) -> str:
    if not subpath:
        return ""
    match = re.match(r"^lines\[0\]\.(\w+)", subpath)
    return match.group(1) if match else re.split(r"[.\[]", subpath, maxsplit=1)[0]


def _validate(
    fleet_dir: str,
    paths: list[str],
    texts: dict[str, str],
    located: dict[tuple, RowResult],
    decrypt_file: DecryptFile | None,
) -> list[str]:
    """Load the fleet as it would be after the import; returns its warnings.

    Problems in phones the rows touch become errors of those rows; any other problem raises
    FleetValidationError naming the real files.
    """
    rows = {(display_name(path), index): result for (path, index), result in located.items()}
    try:
        fleet = validate_overlay(fleet_dir, paths, texts, decrypt_file)
    except FleetValidationError as exc:
        problems = exc.problems
    else:
        return [str(warning) for warning in fleet.warnings]
    leftovers = []
    for problem in problems:
        match = _PHONE_PATH.match(problem.path)
        result = rows.get((problem.file, int(match.group(1)))) if match else None
        if match is not None and result is not None:
            column = _column(match.group(2))
            result.error(f"{column}: {problem.message}" if column else problem.message)
        else:
            leftovers.append(problem)
    if leftovers:
        raise FleetValidationError(leftovers)
    return []


__all__ = ["MASK", "ImportOptionError", "ImportPlan", "RowResult", "check_dest", "plan_import", "to_plain"]
