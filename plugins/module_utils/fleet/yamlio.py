# Private to this collection: reading fleet YAML (with Ansible Vault values) fast.
"""Fleet YAML is read with libyaml's safe loader; ``!vault`` values become :class:`VaultValue`.

Ansible's own DataLoader tags every value and is slow on files of thousands of phones; the fleet
loader only needs plain data plus the knowledge of which strings are encrypted.
"""

from __future__ import annotations

from .errors import MissingLibraryError

try:
    import yaml

    _Base = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
except ImportError:  # pragma: no cover - reported when used
    yaml = None
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


class YamlSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def load_yaml(text: str):
    """Parse one YAML document; raise YamlSyntaxError with the line number on bad syntax."""
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
                if key_node.value == step:
                    node = value_node
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return line
        line = node.start_mark.line + 1
    return line
