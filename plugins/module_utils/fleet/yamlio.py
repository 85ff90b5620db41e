# Private to this collection: reading fleet YAML (with Ansible Vault values) fast.
"""Reading fleet YAML fast, exactly as Ansible (PyYAML, YAML 1.1) reads it; vault values marked.

Ansible's DataLoader tags every value and PyYAML builds Python objects in Python: a 20,000-phone file
takes seconds. yaml-rs (a Rust parser) reads it in a tenth of a second but speaks YAML 1.2, which
reads a few plain scalars differently (``yes``/``on``/``no`` stay strings, ``0755`` is decimal,
``1e3`` is a float). A file that holds such a scalar anywhere is read by PyYAML instead, so the
result is always PyYAML's. Vault values (``!vault |``) become :class:`VaultValue` either way.
"""

from __future__ import annotations

import re

from .background import InThread
from .errors import MissingLibraryError
from .names import normalize

try:
    import yaml_rs
except ImportError:  # pragma: no cover - PyYAML alone is enough, only slower
    # an optional library (ansible-test's import sanity loads module_utils without it): None = missing
    yaml_rs = None  # type: ignore[assignment]

try:
    import yaml

    _Base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
except ImportError:  # pragma: no cover - reported when used
    # an optional library (ansible-test's import sanity loads module_utils without it): None = missing
    yaml = None  # type: ignore[assignment]
    _Base = object


class VaultValue(str):
    """An Ansible Vault encrypted string as written in a fleet file (the text is the ciphertext).

    It is never a usable secret by itself: callers decrypt it with the vault secrets they hold.
    """

    __slots__ = ()

    @property
    def ciphertext(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return "VaultValue(<encrypted>)"


if yaml is not None:

    class FleetYamlLoader(_Base):  # type: ignore[misc,valid-type]
        """Safe loader that also understands Ansible's ``!vault`` and ``!unsafe`` tags."""

    def _construct_vault(loader, node):
        return VaultValue(loader.construct_scalar(node))

    def _construct_unsafe(loader, node):
        return loader.construct_scalar(node)

    FleetYamlLoader.add_constructor("!vault", _construct_vault)
    FleetYamlLoader.add_constructor("!unsafe", _construct_unsafe)


VAULT_PREFIX = "$ANSIBLE_VAULT;"
# A plain scalar that YAML 1.1 (PyYAML) and YAML 1.2 (yaml-rs) read differently, in any position a
# plain scalar can stand: after "key: ", "- ", "[", "{", "," or at the start of a line (a key).
# Candidates are found by their first character (a scan re runs in C), then checked whole.
_CANDIDATE = re.compile(r"(?:[:?-][ \t]+|[,\[{][ \t]*|^[ \t]*)[-+.0-9yYnNoO=<]", re.MULTILINE)
_YAML11_TOKEN = re.compile(
    r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|=|<<"
    r"|[-+]?0b[0-1_]+|[-+]?0o[0-7]+|[-+]?0[0-7_]+"
    r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
    r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*"
    r"|[-+]?[0-9][0-9_]*_[0-9_]*|[-+]?0x[0-9a-fA-F]*_[0-9a-fA-F_]*"
    r"|[-+]?[0-9_]*\.?[0-9_]*[eE][-+]?[0-9]+"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt \t][^\n#]*)?)"
    r"[ \t]*(?:$|#|,|\]|}|:(?:\s|$))",
    re.MULTILINE,
)


def yaml11_only(text: str) -> bool:
    """True when ``text`` holds a plain scalar that YAML 1.1 and 1.2 read differently."""
    token = _YAML11_TOKEN.match
    return any(token(text, found.end() - 1) for found in _CANDIDATE.finditer(text))


_DOCUMENT_MARK = re.compile(r"^(?:---|\.\.\.)", re.MULTILINE)
# yaml-rs (0.x) reads a QUOTED scalar that looks like a date ("2026-12-31", '2026-12-31T10:00') as a date,
# where YAML (either version) has a string: a file holding one is read by PyYAML.
_QUOTED_DATE = re.compile(r"[\"'][0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")


# From this size on, yaml-rs parses in a thread while this one scans for YAML 1.1 scalars: yaml-rs lets go
# of the interpreter lock while it parses, which hides most of the scan (0.2 s for 20,000 phones).
_PARSE_BESIDE_SCAN = 256 * 1024


def _yaml_rs_loads(text: str) -> tuple:
    """(data, True) as yaml-rs reads ``text``, or (None, False) when it cannot."""
    try:
        return yaml_rs.loads(text, duplicate_key_policy=yaml_rs.DuplicateKeyPolicy.LastWins), True
    except Exception:  # noqa: BLE001 - PyYAML reads it again and reports the error with its line
        return None, False


def _fast_load(text: str):
    """yaml-rs's reading of ``text``, or None when only PyYAML may read it."""
    if yaml_rs is None or len(_DOCUMENT_MARK.findall(text)) > 1 or _QUOTED_DATE.search(text):
        return None
    if len(text) < _PARSE_BESIDE_SCAN:
        if yaml11_only(text):
            return None
        data, read = _yaml_rs_loads(text)
    else:
        parsing = InThread("phonefleet-yaml", _yaml_rs_loads, text)
        differs = yaml11_only(text)
        data, read = parsing.result()
        if differs:
            return None
    if not read or (isinstance(data, list) and _DOCUMENT_MARK.search(text)):
        return None
    return _mark_vault(data) if VAULT_PREFIX in text else data


def _mark_vault(value):
    if isinstance(value, str):
        return VaultValue(value) if value.startswith(VAULT_PREFIX) else value
    if isinstance(value, dict):
        return {key: _mark_vault(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mark_vault(item) for item in value]
    return value


VAULT_JSON_KEY = "__ansible_vault"


def to_json_data(value):
    """Fleet data as plain JSON data: a vault value becomes {"__ansible_vault": ciphertext}, still encrypted.

    VaultValue is a str, so json would write it as a plain string and lose that it is a secret.
    """
    if isinstance(value, VaultValue):
        return {VAULT_JSON_KEY: value.ciphertext}
    if isinstance(value, dict):
        return {key: to_json_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json_data(item) for item in value]
    return value


def from_json_object(mapping: dict):
    """``json.loads(..., object_hook=from_json_object)``: marked vault values become VaultValue again."""
    if len(mapping) == 1 and VAULT_JSON_KEY in mapping:
        return VaultValue(mapping[VAULT_JSON_KEY])
    return mapping


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


# An alias stands where a plain scalar could: after "key: ", "- ", "[", "{", "," or at a line's start.
_ALIAS = re.compile(r"(?:^|[ \t\[{,])\*[^ \t\r\n,\[\]{}]", re.MULTILINE)
# Aliases may repeat what a file writes: its values expanded may be this many times those written, plus
# ALIAS_EXPANSION_FLOOR. Anchors used as defaults (``<<: *office`` on each phone) stay far below; an alias
# bomb (each level repeating the one before ten times) is refused before anything expands it (yaml-rs
# copies every alias; schema checks, JSON and Ansible walk the expanded data).
ALIAS_EXPANSION_RATIO = 10
ALIAS_EXPANSION_FLOOR = 100_000


def check_aliases(text: str) -> None:
    """Raise YamlSyntaxError when the aliases of ``text`` would expand it beyond the bound above.

    Only a text with an alias is composed (by PyYAML, whose nodes share what an alias repeats): the sizes
    are counted once per node, so the check takes the time of the text as written, not as expanded.
    """
    if "*" not in text or not _ALIAS.search(text) or yaml is None:
        return
    try:
        root = yaml.compose(text, Loader=FleetYamlLoader)
    except yaml.YAMLError:
        return  # the parse that follows reports it
    if root is None:
        return
    sizes: dict[int, int] = {}
    aliased: dict[int, yaml.Node] = {}
    written = _count_nodes(root, sizes, aliased, set())
    expanded = sizes[id(root)]
    if expanded > ALIAS_EXPANSION_RATIO * written + ALIAS_EXPANSION_FLOOR:
        biggest = max(aliased.values(), key=lambda node: sizes[id(node)])
        raise YamlSyntaxError(
            f"YAML aliases would expand {written:,} values to {expanded:,} (an alias bomb?); refused beyond "
            f"{ALIAS_EXPANSION_RATIO} times the values written plus {ALIAS_EXPANSION_FLOOR:,}",
            biggest.start_mark.line + 1,
        )


def _count_nodes(node, sizes: dict, aliased: dict, composing: set) -> int:
    """Nodes written under ``node`` (each counted once); fills ``sizes`` (id -> nodes once expanded) and
    ``aliased`` (nodes an alias repeats). A node that holds itself is refused."""
    key = id(node)
    if key in sizes:
        aliased[key] = node
        return 0
    if key in composing:
        raise YamlSyntaxError("YAML alias refers to the value that holds it", node.start_mark.line + 1)
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [item for pair in node.value for item in pair]
    else:
        sizes[key] = 1
        return 1
    composing.add(key)
    written = 1 + sum(_count_nodes(child, sizes, aliased, composing) for child in children)
    composing.discard(key)
    sizes[key] = 1 + sum(sizes[id(child)] for child in children)
    return written


def load_yaml(text: str):
    """Parse one YAML document; raise YamlSyntaxError with the line number on bad syntax or an alias bomb."""
    check_aliases(text)
    data = _fast_load(text)
    if data is not None:
        return data
    if yaml is None:
        raise MissingLibraryError("PyYAML")
    try:
        return yaml.load(text, Loader=FleetYamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlSyntaxError(f"YAML syntax error: {exc.problem or exc}", line) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"YAML error: {exc}", None) from None


def line_of(text: str, path: tuple) -> int | None:
    """The line (from 1) where the value at ``path`` starts, found only when an error needs it."""
    if yaml is None:
        return None
    try:
        node = yaml.compose(text, Loader=FleetYamlLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                # names are compared in NFC (fleet/names.py): a key may be written composed otherwise
                if key_node.value == step or (isinstance(key_node.value, str) and normalize(key_node.value) == step):
                    # A field is where its key is written; its value may start on a later line.
                    node = value_node
                    line = key_node.start_mark.line + 1
                    break
            else:
                return line
            continue
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return line
        line = node.start_mark.line + 1
    return line
