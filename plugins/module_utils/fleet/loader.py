# Private to this collection: loading a fleet directory.
"""Read every fleet file, check it against the schema and the cross-file rules, build the model.

All problems of a load are collected and raised together in one FleetValidationError, each naming
the file, the line where it can be found, and the path to the field.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field

from ..catalog import registry
from . import csvio
from .code_cache import code_state, digest_of, load_value
from .errors import FleetValidationError, Problem, format_path
from .mac import InvalidMac, group_address_reason, normalize_mac
from .model import (
    ExtendedSet,
    FirmwareFile,
    FirmwareKit,
    Fleet,
    Key,
    KeyTemplate,
    Line,
    MobilityUser,
    Origin,
    Phone,
    Profile,
    Site,
    Tenant,
)
from .names import name_plan, normalize_names
from .parse_cache import ParseCache
from .rules import check_fleet
from .schema import FLEET_FILE
from .schema_check import check_document
from .yamlio import VAULT_PREFIX, YamlSyntaxError, line_of, load_yaml

YAML_SUFFIXES = (".yml", ".yaml")
CSV_SUFFIXES = (".csv",)
VAULT_HEADER = b"$ANSIBLE_VAULT;"
_MAPS = {
    "tenants": ("tenants", Tenant),
    "sites": ("sites", Site),
    "profiles": ("profiles", Profile),
    "extended_sets": ("extended_sets", ExtendedSet),
    "key_templates": ("key_templates", KeyTemplate),
}


@dataclass
class _Document:
    """One file as read: its data and how to point at places in it."""

    file: str
    data: dict
    text: str | None = None
    csv_rows: list = field(default_factory=list)
    digest: str | None = None  # sha256 of the file's bytes, when the document may be cached
    checked: bool = False  # came from the parse cache: already schema-valid

    @property
    def may_hold_vault(self) -> bool:
        """False when the text names no vault value (no ``!vault`` tag, no vault header): none was read."""
        return self.text is None or VAULT_PREFIX in self.text or "!vault" in self.text

    def problem(self, path: tuple, message: str) -> Problem:
        if self.csv_rows:
            # phones[i].<field> in a CSV file: point at the spreadsheet row and column instead.
            index = path[1] if len(path) > 1 and isinstance(path[1], int) else None
            if index is not None and index < len(self.csv_rows):
                return Problem(self.file, csvio.column_of(path[2:]), message, self.csv_rows[index])
            return Problem(self.file, "", message)
        line = line_of(self.text, path) if self.text is not None else None
        return Problem(self.file, format_path(path), message, line)


@functools.lru_cache(maxsize=1)
def _name_plan() -> object:
    """Where fleet files hold names, read off the schema once."""
    return name_plan(FLEET_FILE)


def fleet_files(source: str) -> list[str]:
    """The fleet files of a directory (sorted, hidden files skipped), or the one file given."""
    if os.path.isfile(source):
        return [source]
    if not os.path.isdir(source):
        raise FleetValidationError([Problem(source, "", "no such fleet directory or file")])
    found = []
    for root, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(YAML_SUFFIXES + CSV_SUFFIXES):
                found.append(os.path.join(root, name))
    return found


def display_name(path: str) -> str:
    """A path as people read it in messages: relative to the working directory when inside it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return absolute if relative.startswith("..") else relative


def load_fleet(
    source: str,
    decrypt: Callable[[bytes, str], bytes] | None = None,
    parse_cache: ParseCache | None = None,
    documents_out: list | None = None,
    reveal: Callable[[object], str] | None = None,
) -> Fleet:
    """Load and validate the fleet at ``source`` (a directory or one file).

    ``decrypt`` turns a whole-file Ansible Vault file into plain bytes; without it such a file is a
    problem. ``parse_cache`` keeps schema-valid YAML documents between loads. ``documents_out``, when
    given, receives ``(file name, data)`` of every document read (what :func:`load_fleet_documents` takes
    back). ``reveal`` gives a vault value's clear text (a controller-side plugin's, which holds the vault
    secret): with it, lines sharing a SIP account with differently encrypted passwords are compared
    (fleet/accounts.py). Raises FleetValidationError listing every problem; returns the Fleet otherwise.
    """
    problems: list[Problem] = []
    documents = []
    files = fleet_files(source)
    for path in files:
        document = _read(path, decrypt, problems, parse_cache)
        if document is not None:
            documents.append(document)
    if documents_out is not None:
        documents_out.extend((document.file, document.data) for document in documents)
    return _load(documents, [display_name(path) for path in files], problems, parse_cache, reveal=reveal)


def load_fleet_documents(documents: list, *, published: bool = False) -> Fleet:
    """Load and validate a fleet given as ``(file name, data)`` documents already read (a publish bundle).

    The same checks as :func:`load_fleet` (``published``: a bundle an earlier release wrote, see
    ``check_fleet``); problems name the original file and field (no line numbers).
    """
    loaded = [_Document(file=str(name), data=data) for name, data in documents if isinstance(data, dict)]
    return _load(loaded, [str(name) for name, _data in documents], [], None, published)


def _load(
    documents: list,
    file_names: list,
    problems: list[Problem],
    parse_cache: ParseCache | None,
    published: bool = False,
    reveal: Callable[[object], str] | None = None,
) -> Fleet:
    fleet = Fleet(files=file_names)
    kinds = ("profiles", "extended_sets", "key_templates", "sites", "tenants", "firmware_files", "firmware_kits")
    broken: dict[str, set] = {kind: set() for kind in kinds}
    valid_documents = []
    for document in documents:
        renamed: list[tuple[tuple, str]] = []
        if not document.checked:  # a cached document was stored with its names normalised
            document.data, renamed = normalize_names(document.data, _name_plan())
            problems.extend(document.problem(path, message) for path, message in renamed)
        errors = [] if document.checked else check_document(document.data)
        for path, message in errors:
            problems.append(document.problem(path, message))
        # Only a document without problems is kept: a cached one is neither normalised nor checked again, so
        # names that became the same (a problem normalising them reports, then drops) would pass next time.
        if not errors and not renamed and parse_cache is not None and document.digest is not None:
            parse_cache.put(document.digest, document.data, may_hold_vault=document.may_hold_vault)
        valid_documents.append((document, _invalid_items(errors)))
    raw_phones = _merge(fleet, valid_documents, broken, problems)
    _build_phones(fleet, raw_phones, problems)
    problems.extend(check_fleet(fleet, broken, _Locator(documents), published, reveal))
    if problems:
        raise FleetValidationError(problems)
    return fleet


def _read(path: str, decrypt, problems: list[Problem], parse_cache: ParseCache | None = None) -> _Document | None:
    file = display_name(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        problems.append(Problem(file, "", f"cannot be read: {exc.strerror}"))
        return None
    cacheable = (
        parse_cache is not None and not data.startswith(VAULT_HEADER) and not path.lower().endswith(CSV_SUFFIXES)
    )
    digest = hashlib.sha256(data).hexdigest() if cacheable else None
    if digest is not None and parse_cache is not None:
        cached = parse_cache.get(digest)
        if isinstance(cached, dict):
            return _Document(file=file, data=cached, text=data.decode("utf-8-sig", "replace"), checked=True)
    if data.startswith(VAULT_HEADER):
        if decrypt is None:
            problems.append(Problem(file, "", "is encrypted with Ansible Vault; give a vault password to read it"))
            return None
        try:
            data = decrypt(data, file)
        except Exception as exc:  # noqa: BLE001 - any vault failure is reported as a problem of this file
            problems.append(Problem(file, "", f"cannot be decrypted: {exc}"))
            return None
    if path.lower().endswith(CSV_SUFFIXES):
        return _read_csv(file, data, problems)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(file, "", "is not UTF-8 text"))
        return None
    try:
        loaded = load_yaml(text)
    except YamlSyntaxError as exc:
        problems.append(Problem(file, "", str(exc), exc.line))
        return None
    if loaded is None:
        return None
    if not isinstance(loaded, dict):
        problems.append(Problem(file, "", "must be a mapping of kinds (settings:, profiles:, phones:, ...)", 1))
        return None
    return _Document(file=file, data=loaded, text=text, digest=digest)


def _read_csv(file: str, data: bytes, problems: list[Problem]) -> _Document | None:
    try:
        table = csvio.parse_phones_csv(data, file)
    except csvio.CsvFormatError as exc:
        problems.append(Problem(file, "", str(exc).split(": ", 1)[-1], exc.row))
        return None
    phones, rows = [], []
    for row in table.rows:
        if "__extra__" in row.values:
            problems.append(Problem(file, "", row.values["__extra__"], row.row))
            continue
        phones.append(csvio.phone_from_row(row.values))
        rows.append(row.row)
    return _Document(file=file, data={"phones": phones}, csv_rows=rows)


def _invalid_items(errors: list[tuple[tuple, str]]) -> set:
    """(kind, key) of every item a schema error falls in, so it is left out of the cross-file checks."""
    items: set[tuple] = set()
    for path, _message in errors:
        if len(path) >= 2:
            items.add((path[0], path[1]))
            if path[0] == "firmware" and len(path) >= 3:
                items.add((path[0], path[1], path[2]))
        elif path:
            items.add((path[0],))
    return items


def _lines(items: list) -> list[Line]:
    return [Line(**item) for item in items]


def _keys(items: list) -> list[Key]:
    return [Key(**item) for item in items]


def _merge(fleet: Fleet, documents, broken: dict[str, set], problems: list[Problem]) -> list:
    """Merge the kinds of all files into ``fleet``; returns the phones as (document, index, raw) for the rules."""
    defined_in: dict[str | tuple, str] = {}  # "settings", or (kind, name)
    raw_phones = []
    for document, invalid in documents:
        data = document.data
        if "settings" in data and ("settings",) not in invalid:
            if "settings" in defined_in:
                message = f"settings are already given in {defined_in['settings']}"
                problems.append(document.problem(("settings",), message))
            else:
                defined_in["settings"] = document.file
                fleet.settings = data["settings"] or {}
                fleet.settings_origin = Origin(document.file, ("settings",))
        for kind, (attribute, cls) in _MAPS.items():
            for name, item in (data.get(kind) or {}).items() if isinstance(data.get(kind), dict) else ():
                origin = Origin(document.file, (kind, name))
                key = (kind, name)
                if key in defined_in:
                    noun = kind[:-1].replace("_", " ")
                    problems.append(document.problem(key, f"{noun} '{name}' is already defined in {defined_in[key]}"))
                    continue
                defined_in[key] = document.file
                if key in invalid:
                    broken[kind].add(name)
                    continue
                item = dict(item or {})
                if cls is KeyTemplate:
                    item["keys"] = _keys(item["keys"])
                getattr(fleet, attribute)[name] = cls(name=name, origin=origin, **item)
        firmware = data.get("firmware") if isinstance(data.get("firmware"), dict) else {}
        for index, item in enumerate(firmware.get("files") or []):
            name = item.get("name") if isinstance(item, dict) else None
            key = ("firmware_files", name)
            if name is None:
                continue
            if key in defined_in:
                problems.append(
                    document.problem(
                        ("firmware", "files", index, "name"),
                        f"firmware file '{name}' is already defined in {defined_in[key]}",
                    )
                )
                continue
            defined_in[key] = document.file
            if ("firmware", "files", index) in invalid:
                broken["firmware_files"].add(name)
                continue
            origin = Origin(document.file, ("firmware", "files", index))
            fleet.firmware_files[name] = FirmwareFile(origin=origin, **item)
        for name, item in (firmware.get("kits") or {}).items():
            key = ("firmware_kits", name)
            if key in defined_in:
                problems.append(
                    document.problem(
                        ("firmware", "kits", name), f"firmware kit '{name}' is already defined in {defined_in[key]}"
                    )
                )
                continue
            defined_in[key] = document.file
            if ("firmware", "kits", name) in invalid:
                broken["firmware_kits"].add(name)
                continue
            origin = Origin(document.file, ("firmware", "kits", name))
            fleet.firmware_kits[name] = FirmwareKit(name=name, origin=origin, **item)
        for index, item in enumerate(data.get("mobility_users") or []):
            if ("mobility_users", index) in invalid:
                continue
            item = dict(item)
            item["lines"] = _lines(item["lines"])
            item["keys"] = _keys(item.get("keys") or [])
            fleet.mobility_users.append(MobilityUser(origin=Origin(document.file, ("mobility_users", index)), **item))
        for index, item in enumerate(data.get("phones") or []):
            if ("phones", index) in invalid:
                continue
            raw_phones.append((document, index, item))
    return raw_phones


def _build_phones(fleet: Fleet, raw_phones: list, problems: list[Problem]) -> None:
    """Phones by normalised MAC; a MAC written twice (in any notation) is a problem at the second place."""
    first_seen: dict[str, tuple] = {}
    for document, index, item in raw_phones:
        try:
            mac = normalize_mac(item["mac"])
        except InvalidMac as exc:
            problems.append(document.problem(("phones", index, "mac"), str(exc)))
            continue
        refusal = refused_mac(mac)
        if refusal is not None:
            problems.append(document.problem(("phones", index, "mac"), f"'{item['mac']}' {refusal}"))
            continue
        if mac in first_seen:
            other_document, other_index = first_seen[mac]
            where = other_document.problem(("phones", other_index), "")
            at = f"row {where.line}" if other_document.csv_rows else where.path
            problems.append(
                document.problem(
                    ("phones", index, "mac"),
                    f"'{item['mac']}' is the same MAC as {other_document.file}: {at}"
                    f" ('{other_document.data['phones'][other_index]['mac']}')",
                )
            )
            continue
        first_seen[mac] = (document, index)
        values = dict(item)
        values["mac"] = mac
        values["lines"] = _lines(values.get("lines") or [])
        values["keys"] = _keys(values.get("keys") or [])
        values["modules"] = list(values.get("modules") or [])
        phone = Phone(origin=Origin(document.file, ("phones", index)), **values)
        fleet.phones.append(phone)
        fleet.phones_by_mac[mac] = phone


def refused_mac(mac: str) -> str | None:
    """Why no phone may have ``mac`` (a normalised one), or None."""
    reason = group_address_reason(mac)
    if reason is not None:
        return reason
    shared = _reserved_macs().get(mac)
    if shared is not None:
        file_name, vendor = shared
        # the phone's file would replace (or be refused as) one every phone of that vendor fetches
        return f"cannot be a phone's MAC: its file would bear the name of {vendor}'s shared file {file_name}"
    return None


@functools.lru_cache(maxsize=1)
def _reserved_macs() -> dict[str, tuple[str, str]]:
    """``registry.reserved_macs()``, kept in the code cache under the state of the collection's core.

    Computing it imports every vendor's driver (and the renderer they stand on): ~20 to 50 ms of every
    inventory read, for one answer that changes only with that code.
    """
    core = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # plugins/module_utils
    key = digest_of("reserved-macs", code_state(core))
    return load_value("registry", key, registry.reserved_macs)


class _Locator:
    """Turns (origin, field path) into a Problem with the line or spreadsheet row."""

    def __init__(self, documents: list[_Document]) -> None:
        self._documents = {document.file: document for document in documents}

    def __call__(self, origin: Origin, subpath: tuple, message: str) -> Problem:
        document = self._documents.get(origin.file)
        if document is None:
            return Problem(origin.file, format_path(origin.at + subpath), message)
        return document.problem(origin.at + subpath, message)
