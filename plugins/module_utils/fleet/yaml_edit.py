# Private to this collection: editing fleet YAML files round-trip (phones added by an import or an export).
"""A fleet YAML file edited with ruamel.yaml round-trip: comments, key order, quoting and ``!vault`` values
survive; values are quoted where YAML would read them as something else. Used by the CSV import and by the
export of auto-provisioned phones.
"""

from __future__ import annotations

import io
import os
import re
from typing import overload

from .errors import FleetError, MissingLibraryError
from .files import read_bytes
from .loader import YAML_SUFFIXES, display_name
from .yamlio import VaultValue, YamlSyntaxError, check_aliases

try:
    import yaml as pyyaml
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString
    from ruamel.yaml.util import load_yaml_guess_indent
except ImportError:  # pragma: no cover - reported when used
    # an optional library (ansible-test's import sanity loads module_utils without it): None = missing
    YAML = None  # type: ignore[assignment,misc]


class FleetFileError(FleetError):
    """A fleet file cannot take phones (not YAML, outside the fleet, hidden, not a mapping, ...)."""


def require_ruamel() -> None:
    if YAML is None:
        raise MissingLibraryError("ruamel.yaml")


class YamlFile:
    """One fleet YAML file being edited: its original text and a fresh round-trip document on demand."""

    def __init__(self, path: str) -> None:
        self.path = path
        data = read_bytes(path)
        text = None if data is None else data.decode("utf-8-sig")
        self.bom = data is not None and data.startswith(b"\xef\xbb\xbf")
        # Comments above "---" (an editor's schema modeline, a licence) are outside the document, where
        # ruamel drops them: keep them and the "---" line verbatim, and edit only the document.
        self.preamble, self.original = split_preamble(text)
        # Phones separated by blank lines get new phones separated the same way.
        self.spaced = bool(self.original and re.search(r"\n[ \t]*\n[ \t]*- ", self.original))

    def _yaml(self) -> YAML:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096
        sequence, offset = 4, 2
        if self.original:
            try:
                _data, sequence, offset = load_yaml_guess_indent(self.original)
            except Exception:  # noqa: BLE001 - the defaults are as good as any guess
                sequence, offset = 4, 2
            sequence = sequence or 4
            offset = offset if offset is not None else 2
        yaml.indent(mapping=2, sequence=max(sequence, offset + 2), offset=offset)
        yaml.explicit_start = not self.preamble and (self.original is None or self.original.lstrip().startswith("---"))
        return yaml

    def load(self) -> CommentedMap:
        if not self.original or not self.original.strip():
            document = CommentedMap()
        else:
            try:
                check_aliases(self.original)
            except YamlSyntaxError as exc:
                where = f":{exc.line + self.preamble.count(chr(10))}" if exc.line else ""
                raise FleetFileError(f"{display_name(self.path)}{where}: {exc}") from None
            document = self._yaml().load(self.original)
            if document is None:
                document = CommentedMap()
        if not isinstance(document, dict):
            raise FleetFileError(f"{display_name(self.path)}: must be a mapping of kinds to take phones")
        return document

    def phones(self, document: CommentedMap) -> CommentedSeq:
        phones = document.get("phones")
        if phones is None:
            phones = CommentedSeq()
            document["phones"] = phones
        if not isinstance(phones, CommentedSeq):  # a list: the round-trip loader reads every list so
            raise FleetFileError(f"{display_name(self.path)}: 'phones' must be a list to take phones")
        if not phones:
            phones.fa.set_block_style()
        return phones

    def dump(self, document: CommentedMap) -> str:
        out = io.StringIO()
        self._yaml().dump(document, out)
        return self.preamble + out.getvalue()


def split_preamble(text: str | None) -> tuple[str, str | None]:
    """("comments and the '---' line", "the document") when comments stand above '---'."""
    if not text:
        return "", text
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped == "---":
            if index == 0:
                return "", text
            return "".join(lines[: index + 1]), "".join(lines[index + 1 :])
        if stripped and not stripped.startswith("#"):
            break
    return "", text


def check_dest(fleet_dir: str, dest: str) -> str:
    """The absolute path of ``dest``; it must be a YAML file inside the fleet directory."""
    if not os.path.isdir(fleet_dir):
        raise FleetFileError(f"fleet_dir: {fleet_dir} is not a directory")
    if not dest.lower().endswith(YAML_SUFFIXES):
        raise FleetFileError(f"dest: {dest} must be a YAML file (.yml or .yaml)")
    root = os.path.realpath(fleet_dir)
    target = os.path.realpath(dest)
    if os.path.commonpath([root, target]) != root:
        raise FleetFileError(f"dest: {dest} must be inside the fleet directory {fleet_dir}")
    if any(part.startswith(".") for part in os.path.relpath(target, root).split(os.sep)):
        raise FleetFileError(f"dest: {dest} is hidden, so the fleet would not read it")
    return os.path.abspath(dest)


def needs_quotes(text: str) -> bool:
    try:
        return pyyaml.safe_load(text) != text
    except pyyaml.YAMLError:
        return True


def scalar(text: str) -> object:
    """A string as it should appear in the YAML file: double-quoted when YAML would read it otherwise."""
    return DoubleQuotedScalarString(text) if needs_quotes(text) else text


@overload
def to_plain(node: dict) -> dict: ...


@overload
def to_plain(node: object) -> object: ...


def to_plain(node: object) -> object:
    """ruamel round-trip data as the fleet loader sees it (dicts, lists, str, VaultValue, ...)."""
    if isinstance(node, TaggedScalar):
        tag = str(node.tag)
        return VaultValue(node.value) if tag == "!vault" else str(node.value)
    if isinstance(node, dict):
        return {str(key): to_plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_plain(item) for item in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, ScalarString):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        # ruamel's ScalarBoolean is an int subclass: tell it from ScalarInt by its name.
        return bool(node) if type(node).__name__ == "ScalarBoolean" else int(node)
    if isinstance(node, float):
        return float(node)
    return node


def is_vault(value: object) -> bool:
    """A ``!vault`` value, as ruamel reads it or as the fleet loader does."""
    return isinstance(value, VaultValue) or (isinstance(value, TaggedScalar) and str(value.tag) == "!vault")


def vault_text(value: object) -> str:
    """The ciphertext of a vault value."""
    return value.value if isinstance(value, TaggedScalar) else str.__str__(value)
