# Private to this collection: changing the fleet files as one unit (the fleet-editing modules).
"""A change to the fleet files: items created, changed or removed in several files, validated, written as one.

The editing modules (phone, phones_bulk, profile, key_template, firmware_kit, extended_set, mobility_user,
fleet_settings) all work the same way:

    edit = FleetEdit(fleet_dir, encrypt=..., decrypt=..., decrypt_file=...)
    edit.put("profiles", "office", {"sip": {"registrar": "pbx2"}})   # create, or change the fields given
    edit.remove("phones", "805ec0112233")
    plan = edit.plan()          # nothing written yet: the new texts, the masked diffs, the fleet's warnings
    write_all(plan.writes)      # every file or none (skipped in check mode)

**Round trip.** Files are edited with ruamel.yaml round-trip (``yaml_edit.YamlFile``): comments, key order,
quoting, anchors and existing ``!vault`` values survive; only what a change names is touched.

**Secrets.** A value under a secret key (``masking.SECRET_KEYS``) given in clear is written as a ``!vault``
value encrypted with the play's vault secret; an existing vault value is decrypted to compare, so giving the
same password again changes nothing (idempotence) and never re-encrypts.

**What a change means.** ``put`` merges: a mapping given merges into the mapping there (keys not named stay),
``None`` removes a key, a list replaces the list (item by item, so an unchanged line keeps its vault value and
its comments), anything else replaces the value. ``replace=True`` makes the item exactly what is given.

**Validation before writing.** :meth:`FleetEdit.plan` loads the whole fleet as it would be after the change
(the same loader the inventory uses, on a private copy) and raises :class:`FleetValidationError` naming the
real file and field when it would be invalid, so an invalid change writes nothing.

**All or none.** :func:`write_all` stages every new text beside its file, then renames them into place; if any
step fails, files already replaced get their old content back.

A bulk change over a very large file may compute new texts another way (``set_text``) and still get the same
validation, diff and all-or-none write.
"""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from . import names
from .errors import FleetError, FleetValidationError, Problem
from .files import read_bytes
from .loader import CSV_SUFFIXES, VAULT_HEADER, display_name, fleet_files, load_fleet
from .mac import InvalidMac, format_mac, normalize_mac
from .masking import MASK, SECRET_KEYS, mask_secrets
from .model import Fleet
from .yaml_edit import FleetFileError, YamlFile, check_dest, is_vault, require_ruamel, scalar, to_plain, vault_text
from .yamlio import VaultValue, YamlSyntaxError, load_yaml

try:
    import yaml as pyyaml
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
except ImportError:  # pragma: no cover - require_ruamel reports it
    pass

Encrypt = Callable[[str], str]
Decrypt = Callable[[str], str]
DecryptFile = Callable[[bytes, str], bytes]

CREATED, CHANGED, REMOVED = "created", "changed", "removed"


@dataclass(frozen=True)
class Kind:
    """Where a part of the fleet lives in a fleet file and how one item of it is named."""

    name: str
    container: tuple  # the keys from the document to the mapping or list of items
    shape: str  # "mapping" (name -> item), "list" (items with a key field) or "single" (settings)
    default_file: str  # where a new item goes when no file holds this kind yet
    key_field: str | None = None  # list items: the field naming the item
    title: str = ""

    def key(self, value: object) -> str:
        """The item's name as the fleet compares it (a MAC in any notation -> 12 hex digits)."""
        text = str(value)
        if self.name == "phones":
            return normalize_mac(text)
        return names.normalize(text)  # a name typed composed or decomposed is the same name (fleet/names.py)

    def shown(self, key: str) -> str:
        return format_mac(key) if self.name == "phones" else key


KINDS = {
    kind.name: kind
    for kind in (
        Kind("phones", ("phones",), "list", "phones.yml", "mac", "phone"),
        Kind("mobility_users", ("mobility_users",), "list", "mobility.yml", "number", "mobility user"),
        Kind("firmware_files", ("firmware", "files"), "list", "firmware.yml", "name", "firmware file"),
        Kind("firmware_kits", ("firmware", "kits"), "mapping", "firmware.yml", title="firmware kit"),
        Kind("profiles", ("profiles",), "mapping", "profiles.yml", title="profile"),
        Kind("key_templates", ("key_templates",), "mapping", "key_templates.yml", title="key template"),
        Kind("extended_sets", ("extended_sets",), "mapping", "extended_sets.yml", title="extended set"),
        Kind("sites", ("sites",), "mapping", "sites.yml", title="site"),
        Kind("tenants", ("tenants",), "mapping", "sites.yml", title="tenant"),
        Kind("settings", ("settings",), "single", "settings.yml", title="settings"),
    )
}


class EditError(FleetError):
    """The change cannot be made as asked (the item is in a file that cannot be edited, no vault secret, ...)."""


@dataclass
class Change:
    """One item created, changed or removed; ``before``/``after`` are plain data (secrets still encrypted)."""

    kind: str
    key: str
    file: str
    action: str
    before: dict | None = None
    after: dict | None = None

    def as_dict(self) -> dict:
        return {"kind": self.kind, "name": KINDS[self.kind].shown(self.key), "file": self.file, "action": self.action}

    def diff(self) -> dict:
        header = f"{self.file}: {KINDS[self.kind].title} {KINDS[self.kind].shown(self.key)}"
        return {
            "before_header": header,
            "after_header": header,
            "before": _yaml_text(mask_secrets(self.before)),
            "after": _yaml_text(_changed_secrets_marked(self.before, mask_secrets(self.after), self.after)),
        }


def _yaml_text(masked: object) -> str:
    if masked is None:
        return ""
    return pyyaml.safe_dump(masked, sort_keys=False, allow_unicode=True, default_flow_style=False)


def _changed_secrets_marked(before: object, masked: object, after: object) -> object:
    """``masked`` (``after`` masked) with each secret that differs from ``before`` shown as changed.

    Both sides of a secret mask alike, so a new password alone would show no difference. An unchanged secret
    keeps its vault text (the edit never re-encrypts it), so comparing the stored values tells a change.
    """
    if isinstance(after, dict) and isinstance(masked, dict):
        old = before if isinstance(before, dict) else {}
        return {
            key: f"{MASK} (changed)"
            if value == MASK and after[key] != MASK and key in old and old[key] != after[key]
            else _changed_secrets_marked(old.get(key), value, after[key])
            for key, value in masked.items()
        }
    if isinstance(after, list) and isinstance(masked, list):
        old_items = before if isinstance(before, list) else []
        return [
            _changed_secrets_marked(old_items[index] if index < len(old_items) else None, value, after[index])
            for index, value in enumerate(masked)
        ]
    return masked


@dataclass
class EditPlan:
    """What a change would write: the new text of every file that changes, what changed, the fleet after it."""

    writes: dict
    changes: list
    warnings: list = field(default_factory=list)
    fleet: Fleet | None = None

    @property
    def changed(self) -> bool:
        return bool(self.writes)

    def diffs(self) -> list[dict]:
        return [change.diff() for change in self.changes]

    def files(self) -> list[str]:
        return [display_name(path) for path in sorted(self.writes)]


@dataclass
class _Located:
    path: str
    index: int | None  # list kinds: the item's index in its file's list


class FleetEdit:
    """Changes to one fleet directory, made in memory until :func:`write_all` writes the plan."""

    def __init__(
        self,
        fleet_dir: str,
        *,
        encrypt: Encrypt | None = None,
        decrypt: Decrypt | None = None,
        decrypt_file: DecryptFile | None = None,
    ) -> None:
        require_ruamel()
        if not os.path.isdir(fleet_dir):
            raise EditError(f"fleet_dir: {fleet_dir} is not a directory")
        self.fleet_dir = os.path.abspath(fleet_dir)
        self.encrypt = encrypt
        self.decrypt = decrypt
        self.decrypt_file = decrypt_file
        self.paths = fleet_files(self.fleet_dir)
        self.changes: list[Change] = []
        self._files: dict[str, YamlFile] = {}
        self._documents: dict[str, CommentedMap] = {}
        self._texts: dict[str, str] = {}
        self._plain: dict[str, object] = {}

    # -- where items are ---------------------------------------------------------------------------

    def plain(self, path: str) -> object:
        """The file's data as the loader reads it (fast reader), or None when it cannot hold editable items."""
        if path not in self._plain:
            self._plain[path] = self._read_plain(path)
        return self._plain[path]

    def current_fleet(self) -> Fleet:
        """The fleet as it is before this edit, validated (FleetValidationError otherwise). The data it read
        of each YAML file is kept for :meth:`plain`: a bulk change parses a 20,000-phone file once, not twice."""
        documents: list = []
        fleet = load_fleet(self.fleet_dir, self.decrypt_file, documents_out=documents)
        paths = {display_name(path): path for path in self.paths if not path.lower().endswith(CSV_SUFFIXES)}
        for name, data in documents:
            path = paths.get(name)
            if path is not None and path not in self._plain and not _vault_file(path):
                self._plain[path] = data
        return fleet

    def _read_plain(self, path: str) -> object:
        if path.lower().endswith(CSV_SUFFIXES):
            return None
        data = read_bytes(path) or b""
        if data.startswith(VAULT_HEADER):
            return VAULT_HEADER
        try:
            return load_yaml(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, YamlSyntaxError):
            return None  # the validation reports it

    def locate(self, kind: str, key: str) -> _Located | None:
        """The file (and list index) holding item ``key`` of ``kind``; EditError when it cannot be edited there."""
        spec = KINDS[kind]
        for path in self.paths:
            if path in self._documents:
                found = self._find_in_document(spec, path, key)
            else:
                found = self._find_in_plain(spec, path, key)
            if found is not None:
                return found
        return None

    def _find_in_plain(self, spec: Kind, path: str, key: str) -> _Located | None:
        if path.lower().endswith(CSV_SUFFIXES):
            if spec.name == "phones" and key in self._csv_macs(path):
                raise EditError(
                    f"{spec.shown(key)}: the phone is defined in the CSV fleet file {display_name(path)};"
                    " change it there"
                )
            return None
        data = self.plain(path)
        if data is VAULT_HEADER:
            if self._encrypted_file_holds(path, spec, key):
                raise EditError(
                    f"{spec.title} {spec.shown(key)} is defined in {display_name(path)}, which is vault-encrypted;"
                    " edit it with ansible-vault"
                )
            return None
        return _find(spec, data, key, path)

    def _find_in_document(self, spec: Kind, path: str, key: str) -> _Located | None:
        return _find(spec, to_plain(self._documents[path]), key, path)

    def _csv_macs(self, path: str) -> set[str]:
        from . import csvio  # the CSV reader only where a CSV fleet file is present

        try:
            table = csvio.parse_phones_csv(read_bytes(path) or b"", path)
        except csvio.CsvFormatError:
            return set()
        macs = set()
        for row in table.rows:
            with contextlib.suppress(InvalidMac):
                macs.add(normalize_mac(row.values.get("mac", "")))
        return macs

    def _encrypted_file_holds(self, path: str, spec: Kind, key: str) -> bool:
        if self.decrypt_file is None:
            return False
        try:
            data = load_yaml(self.decrypt_file(read_bytes(path) or b"", display_name(path)).decode("utf-8-sig"))
        except Exception:  # noqa: BLE001 - the validation reports an unreadable file
            return False
        return _find(spec, data, key, path) is not None

    def get(self, kind: str, key: str) -> dict | None:
        """The item as plain data (secrets still encrypted), or None."""
        spec = KINDS[kind]
        key = spec.key(key)
        located = self.locate(kind, key)
        if located is None:
            return None
        node = self._node(spec, located)
        if spec.shape == "mapping":
            node = node[_mapping_key(node, key)]
        plain = to_plain(node)
        return plain if isinstance(plain, dict) else None

    # -- documents ------------------------------------------------------------------------------------

    def document(self, path: str) -> CommentedMap:
        """The round-trip document of ``path`` (loaded once; changes to it are written by the plan)."""
        if path in self._texts:
            raise EditError(f"{display_name(path)}: already changed as text in this edit")
        if path not in self._documents:
            try:
                self._files[path] = YamlFile(path)
                self._documents[path] = self._files[path].load()
            except FleetFileError as exc:
                raise EditError(str(exc)) from None
        return self._documents[path]

    def _container(self, spec: Kind, path: str, create: bool) -> Any:
        node: Any = self.document(path)
        for depth, step in enumerate(spec.container):
            if not isinstance(node, dict):
                raise EditError(f"{display_name(path)}: {'.'.join(spec.container[:depth])} must be a mapping")
            child = node.get(step)
            if child is None:
                if not create:
                    return None
                last = depth == len(spec.container) - 1
                child = CommentedSeq() if last and spec.shape == "list" else CommentedMap()
                node[step] = child
            node = child
        expected = list if spec.shape == "list" else dict
        if not isinstance(node, expected):
            shape = "a list" if spec.shape == "list" else "a mapping"
            raise EditError(f"{display_name(path)}: {'.'.join(spec.container)} must be {shape}")
        return node

    def _node(self, spec: Kind, located: _Located) -> Any:
        container = self._container(spec, located.path, create=False)
        if spec.shape == "single":
            return container
        if spec.shape == "list":
            return container[located.index]
        return container  # mapping: the caller indexes by name

    # -- changes ------------------------------------------------------------------------------------

    def put(
        self, kind: str, key: str, fields: dict, *, dest: str | None = None, replace: bool = False
    ) -> Change | None:
        """Create item ``key`` of ``kind`` with ``fields``, or change the fields given; None if nothing changed.

        ``dest`` is the fleet file a new item goes to (default: the first file holding that kind, else
        ``<fleet_dir>/<kind's default file>``).
        """
        spec = KINDS[kind]
        key = spec.key(key)
        fields = _native(fields)
        located = self.locate(kind, key)
        if located is None:
            path = self._new_item_file(spec, dest)
            container = self._container(spec, path, create=True)
            if spec.shape == "single":
                before: dict | None = to_plain(container)
                self._merge(container, fields, spec.name, exact=replace)
                return self._record(spec, key, path, CHANGED if before else CREATED, before or None, container)
            item = CommentedMap()
            if spec.shape == "list":
                item[spec.key_field] = scalar(spec.shown(key))
                others = {name: value for name, value in fields.items() if name != spec.key_field}
                self._merge(item, others, spec.shown(key))
                container.append(item)
                file = self._files[path]
                if len(container) > 1 and file.spaced:
                    container.yaml_set_comment_before_after_key(len(container) - 1, before="\n")
            else:
                self._merge(item, fields, spec.shown(key))
                container[key] = item
            return self._record(spec, key, path, CREATED, None, item)
        node = self._node(spec, located)
        container = node
        if spec.shape == "mapping":
            node = node[_mapping_key(node, key)]
            if node is None:  # "name:" with nothing under it
                node = CommentedMap()
                container[_mapping_key(container, key)] = node
        return self._change_item(spec, key, located.path, node, fields, replace)

    def _change_item(self, spec: Kind, key: str, path: str, node: Any, fields: dict, replace: bool) -> Change | None:
        if not isinstance(node, dict):
            raise EditError(f"{display_name(path)}: {spec.title} {spec.shown(key)} is not a mapping")
        before = to_plain(node)
        changes = dict(fields)
        if spec.shape == "list":
            changes.pop(spec.key_field, None)  # the name is the item's identity, never changed by put
        self._merge(node, changes, spec.shown(key), exact=replace, keep=(spec.key_field,) if spec.key_field else ())
        return self._record(spec, key, path, CHANGED, before, node)

    def put_many(self, kind: str, items: dict[str, dict | None], path: str) -> list[Change]:
        """Change (``put``'s merge of the fields given) or remove (None) many items of a list kind in ``path``.

        The items are found in one pass over the file, where ``put`` and ``remove`` search the whole fleet for
        each: a bulk change to thousands of phones stays linear. Keys not in ``path`` are left alone.
        """
        spec = KINDS[kind]
        if spec.shape != "list":
            raise EditError(f"{spec.title}: put_many changes items of a list")
        container = self._container(spec, path, create=False)
        if container is None:
            return []
        positions: dict[str, int] = {}
        for index, node in enumerate(container):
            if isinstance(node, dict) and spec.key_field in node:
                with contextlib.suppress(InvalidMac):
                    positions.setdefault(spec.key(node[spec.key_field]), index)
        wanted = sorted(
            (positions[spec.key(key)], spec.key(key), fields)
            for key, fields in items.items()
            if spec.key(key) in positions
        )
        made: list[Change] = []
        for index, key, fields in wanted:
            if fields is not None:
                change = self._change_item(spec, key, path, container[index], fields, replace=False)
                if change is not None:
                    made.append(change)
        for index, key, fields in reversed(wanted):
            if fields is None:
                change = Change(spec.name, key, display_name(path), REMOVED, to_plain(container[index]), None)
                del container[index]
                self.changes.append(change)
                made.append(change)
        return made

    def sharing(self, kind: str, key: str, path: tuple) -> list[tuple]:
        """The other places of item ``key`` holding the very node at ``path`` (YAML aliases of one anchor).

        A change merged into such a node changes every place (that is what the alias means in YAML); a caller
        that changes only one place asks :meth:`detach` first.
        """
        item = self._item_node(kind, key)
        node = _at(item, path)
        if node is None or not isinstance(node, (dict, list)):
            return []
        return [other for other in _paths(item, ()) if other != path and _at(item, other) is node]

    def detach(self, kind: str, key: str, path: tuple) -> bool:
        """Give ``path`` its own copy of a node it shares with other places (no anchor); False if not shared."""
        if not self.sharing(kind, key, path):
            return False
        item = self._item_node(kind, key)
        parent = _at(item, path[:-1])
        own = copy.deepcopy(parent[path[-1]])
        own.anchor.value = None  # the others keep the anchor; ruamel writes it where the node next occurs
        parent[path[-1]] = own
        return True

    def _item_node(self, kind: str, key: str) -> Any:
        spec = KINDS[kind]
        key = spec.key(key)
        located = self.locate(kind, key)
        if located is None:
            raise EditError(f"{spec.title} {spec.shown(key)} does not exist")
        node = self._node(spec, located)
        return node[_mapping_key(node, key)] if spec.shape == "mapping" else node

    def remove(self, kind: str, key: str) -> Change | None:
        """Remove item ``key`` of ``kind``; None when there is none."""
        spec = KINDS[kind]
        if spec.shape == "single":
            raise EditError(f"{spec.title} cannot be removed")
        key = spec.key(key)
        located = self.locate(kind, key)
        if located is None:
            return None
        container = self._container(spec, located.path, create=False)
        if spec.shape == "list":
            index = cast(int, located.index)  # a list item is always found with its index
            before = to_plain(container[index])
            # ruamel keeps the blank line or comment before an item on the list; the one after an item often
            # sits inside the item. The removed item's own lead goes to the item that takes its place, unless
            # that one has its own, so the items around it stay apart as they were.
            lead = container.ca.items.get(index)
            del container[index]
            if lead is not None and index < len(container) and index not in container.ca.items:
                container.ca.items[index] = lead
        else:
            name = _mapping_key(container, key)
            before = to_plain(container[name])
            del container[name]
        change = Change(spec.name, key, display_name(located.path), REMOVED, before, None)
        self.changes.append(change)
        return change

    def text(self, path: str) -> str:
        """The text of ``path`` as this edit has it (a byte-order mark kept as U+FEFF), for ``set_text``."""
        if path in self._texts:
            return self._texts[path]
        if path in self._documents:
            raise EditError(f"{display_name(path)}: already changed as a document in this edit")
        try:
            return (read_bytes(path) or b"").decode("utf-8")
        except UnicodeDecodeError:
            raise EditError(f"{display_name(path)}: not UTF-8 text") from None

    def set_text(self, path: str, text: str, changes: list[Change]) -> None:
        """A new text for ``path`` computed by the caller (a bulk change), with the changes it makes."""
        if path in self._documents:
            raise EditError(f"{display_name(path)}: already changed as a document in this edit")
        self._texts[path] = text
        self.changes.extend(changes)

    def _new_item_file(self, spec: Kind, dest: str | None) -> str:
        if dest is not None:
            try:
                return check_dest(self.fleet_dir, dest)
            except FleetFileError as exc:
                raise EditError(str(exc)) from None
        for path in self.paths:
            data = self.plain(path) if path not in self._documents else to_plain(self._documents[path])
            if isinstance(data, dict) and _dig(data, spec.container) is not None:
                return path
        return os.path.join(self.fleet_dir, spec.default_file)

    def _record(self, spec: Kind, key: str, path: str, action: str, before: dict | None, node: Any) -> Change | None:
        after: dict = to_plain(node)
        if before == after:
            return None
        change = Change(spec.name, key, display_name(path), action, before, after)
        self.changes.append(change)
        return change

    # -- values ------------------------------------------------------------------------------------------

    def _merge(self, target: dict, changes: dict, where: str, exact: bool = False, keep: tuple = ()) -> None:
        if exact:
            for name in [name for name in target if name not in changes and name not in keep]:
                del target[name]
        for name, value in changes.items():
            if value is None:
                target.pop(name, None)
                continue
            current = target.get(name)
            if isinstance(value, dict) and isinstance(current, dict):
                self._merge(current, value, f"{where}.{name}", exact=exact)
            elif isinstance(value, list) and isinstance(current, list):
                self._merge_list(current, value, f"{where}.{name}")
            elif not self._same(current, value, name, where):
                target[name] = self._yaml_value(value, name, where)

    def _merge_list(self, current: list, values: list, where: str) -> None:
        for index, value in enumerate(values):
            if index < len(current) and isinstance(value, dict) and isinstance(current[index], dict):
                self._merge(current[index], value, f"{where}[{index}]", exact=True)
            elif index < len(current):
                if not self._same(current[index], value, "", where):
                    current[index] = self._yaml_value(value, "", where)
            else:
                current.append(self._yaml_value(value, "", where))
        del current[len(values) :]

    def _same(self, current: object, value: object, name: str, where: str) -> bool:
        if current is None:
            return False
        if isinstance(value, VaultValue) or not is_vault(current):
            return to_plain(current) == value
        if not isinstance(value, str) or name not in SECRET_KEYS:
            return False
        if self.decrypt is None:
            raise EditError(
                f"{where}.{name}: the current value is vault-encrypted and no vault secret is loaded to compare it;"
                " run with --vault-id or --vault-password-file"
            )
        try:
            return self.decrypt(vault_text(current)) == value
        except Exception:  # noqa: BLE001 - any vault failure means the secret does not fit
            raise EditError(
                f"{where}.{name}: the current value cannot be decrypted with the vault secrets given"
            ) from None

    def _yaml_value(self, value: object, name: str, where: str) -> object:
        if isinstance(value, VaultValue):
            return TaggedScalar(value=str.__str__(value).rstrip("\n") + "\n", style="|", tag="!vault")
        if name in SECRET_KEYS and isinstance(value, str):
            if self.encrypt is None:
                raise EditError(
                    f"{where}.{name}: a secret is written only vault-encrypted, and no vault secret is loaded;"
                    " run with --vault-id or --vault-password-file"
                )
            return TaggedScalar(value=self.encrypt(value).rstrip("\n") + "\n", style="|", tag="!vault")
        if isinstance(value, dict):
            mapping = CommentedMap()
            for key, item in value.items():
                if item is not None:
                    mapping[key] = self._yaml_value(item, key, f"{where}.{key}")
            return mapping
        if isinstance(value, list):
            sequence = CommentedSeq(self._yaml_value(item, "", where) for item in value)
            if value and all(isinstance(item, (str, int, float)) for item in value):
                sequence.fa.set_flow_style()  # codecs: [g722, pcma]: as people write short lists
            return sequence
        if isinstance(value, str):
            return scalar(value)
        return value

    # -- the plan -------------------------------------------------------------------------------------

    def texts(self) -> dict[str, str]:
        """The new text of every file this edit changed (files whose text is unchanged left out)."""
        texts = dict(self._texts)
        for path, document in self._documents.items():
            file = self._files[path]
            texts[path] = ("\ufeff" if file.bom else "") + file.dump(document)
        originals = {path: read_bytes(path) for path in texts}
        return {
            path: text
            for path, text in texts.items()
            if originals[path] is None or originals[path] != text.encode("utf-8")
        }

    def plan(self) -> EditPlan:
        """The files this edit would write, validated: FleetValidationError (real file names) when invalid."""
        writes = self.texts()
        if not writes:
            return EditPlan({}, [])
        fleet = validate_overlay(self.fleet_dir, self.paths, writes, self.decrypt_file, self._reveal())
        return EditPlan(writes, list(self.changes), [str(warning) for warning in fleet.warnings], fleet)

    def _reveal(self) -> Callable[[object], str] | None:
        decrypt = self.decrypt
        if decrypt is None:
            return None
        return lambda value: decrypt(str.__str__(value)) if isinstance(value, VaultValue) else str(value)


def _native(value: Any) -> Any:
    """``value`` as plain Python data: a module's arguments arrive as subclasses (Ansible's tagged str and
    int) that the YAML writer cannot represent; vault values stay what they are."""
    if isinstance(value, VaultValue) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return {str(name): _native(item) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_native(item) for item in value]
    for plain in (str, int, float):
        if isinstance(value, plain):
            return plain(value)
    return value


def _vault_file(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(VAULT_HEADER)) == VAULT_HEADER


def _dig(data: object, container: tuple) -> object:
    for step in container:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


def _find(spec: Kind, data: object, key: str, path: str) -> _Located | None:
    container = _dig(data, spec.container)
    if container is None:
        return None
    if spec.shape == "single":
        return _Located(path, None)
    if spec.shape == "mapping":
        if isinstance(container, dict) and any(names.normalize(str(name)) == key for name in container):
            return _Located(path, None)
        return None
    if not isinstance(container, list):
        return None
    for index, item in enumerate(container):
        if isinstance(item, dict) and spec.key_field in item:
            with contextlib.suppress(InvalidMac):
                if spec.key(item[spec.key_field]) == key:
                    return _Located(path, index)
    return None


def _at(node: Any, path: tuple) -> Any:
    for step in path:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            return None
    return node


def _paths(node: Any, prefix: tuple, seen: set | None = None) -> list[tuple]:
    """Every place of a mapping or list below ``node``; below an alias only once (no alias-bomb expansion)."""
    seen = set() if seen is None else seen
    found = []
    steps = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for step, child in steps:
        if isinstance(child, (dict, list)):
            found.append((*prefix, step))
            if id(child) not in seen:
                seen.add(id(child))
                found.extend(_paths(child, (*prefix, step), seen))
    return found


def _mapping_key(mapping: Any, key: str) -> object:
    for name in mapping:
        if names.normalize(str(name)) == key:
            return name
    raise KeyError(key)


# -- validation on a private copy, and writing ------------------------------------------------------


def validate_overlay(
    fleet_dir: str,
    paths: list[str],
    texts: dict[str, str],
    decrypt_file: DecryptFile | None,
    reveal: Callable[[object], str] | None = None,
) -> Fleet:
    """Load the fleet as it would be with ``texts`` in place of its files; problems name the real files."""
    with tempfile.TemporaryDirectory(prefix="phonefleet-edit-") as temp:
        originals: dict[str, str] = {}
        for path in sorted(set(paths) | set(texts)):
            target = os.path.join(temp, os.path.relpath(path, fleet_dir))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if path in texts:
                with open(target, "w", encoding="utf-8") as handle:
                    handle.write(texts[path])
            else:
                shutil.copyfile(path, target)
            originals[display_name(target)] = display_name(path)
        try:
            fleet = load_fleet(temp, decrypt_file, reveal=reveal)
        except FleetValidationError as exc:
            raise FleetValidationError([_relocated(problem, originals) for problem in exc.problems]) from None
    fleet.warnings = [_relocated(warning, originals) for warning in fleet.warnings]
    return fleet


def _relocated(problem: Problem, originals: dict[str, str]) -> Problem:
    if not isinstance(problem, Problem):
        return problem
    message = problem.message
    for copied, original in originals.items():
        if copied in message:  # a rule naming another file (the first place a number is used, ...)
            message = message.replace(copied, original)
    return Problem(originals.get(problem.file, problem.file), problem.path, message, problem.line)


def write_all(writes: dict[str, str], new_file_mode: int = 0o644) -> None:
    """Write every file of ``writes`` or none: stage each beside its file, then rename; undo on failure."""
    staged: list[tuple[str, str]] = []
    replaced: list[tuple[str, bytes | None]] = []
    try:
        for path, text in sorted(writes.items()):
            directory = os.path.dirname(path)
            os.makedirs(directory, exist_ok=True)
            descriptor, temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
            staged.append((path, temp))
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            if os.path.exists(path):
                shutil.copymode(path, temp)
            else:
                os.chmod(temp, new_file_mode)
        for path, temp in staged:
            original = read_bytes(path)
            os.replace(temp, path)
            replaced.append((path, original))
    except BaseException:
        for path, original in reversed(replaced):
            with contextlib.suppress(OSError):
                _restore(path, original)
        for _path, temp in staged:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise


def _restore(path: str, original: bytes | None) -> None:
    if original is None:
        os.unlink(path)
        return
    from .files import atomic_write

    atomic_write(path, original)


__all__ = [
    "CHANGED",
    "CREATED",
    "KINDS",
    "REMOVED",
    "Change",
    "EditError",
    "EditPlan",
    "FleetEdit",
    "Kind",
    "validate_overlay",
    "write_all",
]
