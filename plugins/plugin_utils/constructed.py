# Private to this collection: the common constructed options (keyed_groups, groups) without a templar per host.
"""Native evaluation of the simple expressions people write in ``compose``, ``keyed_groups`` and ``groups``.

ansible-core's ``Constructable`` compiles and evaluates every expression once per host: with the
documented ``keyed_groups: [{key: phone_tenant_slug}]`` and ``groups: {x: phone_modules | length > 0}``
that is 40,000 compilations, ~33 s, for a 20,000-phone site, and ``compose: {ansible_host: phone_description}``
costs ~0.6 ms a phone (3 s of the 3.8 s a 5,000-phone site took to read). The expressions people actually
write are a variable, its length compared to a number, or a variable compared to a literal; those are
parsed once here and evaluated in Python per host.

A compiled expression answers :data:`UNDECIDED` whenever its answer could differ from Jinja's (the
variable is missing, or not of a plain type whose behaviour is certain); the plugin then asks
``Constructable`` for that host and entry, so groups are always exactly those ansible-core makes.
Expressions of any other form are not compiled (``None``) and always go to ``Constructable``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

UNDECIDED = object()
"""The answer of a compiled expression that leaves this host to ansible-core's templar."""

Expression = Callable[[Mapping[str, Any]], Any]

_NAME = r"([A-Za-z_][A-Za-z0-9_]*)"
# Names Jinja reads as literals or operators, never as variables.
_NOT_VARIABLES = frozenset({"true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is", "if"})
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_COMPARISON = r"(==|!=|>=|<=|>|<)"
_VARIABLE = re.compile(rf"\s*{_NAME}\s*")
_LENGTH = re.compile(rf"\s*{_NAME}\s*\|\s*length\s*{_COMPARISON}\s*(0|[1-9]\d*)\s*")
# A quoted literal without escapes, or a decimal integer: the same value in Jinja and Python.
_EQUALS = re.compile(rf"""\s*{_NAME}\s*(==|!=)\s*(?:'([^'\\]*)'|"([^"\\]*)"|(-?(?:0|[1-9]\d*)))\s*""")


def compile_key(expression: object) -> Expression | None:
    """A ``keyed_groups`` key that is one variable: its value when it is a string, else UNDECIDED."""
    name = _variable(expression)
    if name is None:
        return None

    def key(variables: Mapping[str, Any]) -> Any:
        value = variables.get(name, UNDECIDED)
        # A non-empty string names one group; lists, mappings, empty values and other types
        # (default_value, trailing_separator, errors) are Constructable's to decide.
        # exactly str: its subclasses (Ansible's tagged or encrypted strings) are Constructable's too
        return value if value.__class__ is str and value else UNDECIDED

    return key


#: Values Jinja gives back unchanged from a one-variable expression, and that no later change can alter:
#: ``compose`` may share them between the host's variables instead of copying them.
_PLAIN_VALUES = (str, int, float, bool)


def compile_value(expression: object) -> Expression | None:
    """A ``compose`` expression that is one variable: its value when it is a plain string, number or boolean,
    else UNDECIDED (missing: strict's error or no variable; containers: the templar's copy)."""
    name = _variable(expression)
    if name is None:
        return None

    def value(variables: Mapping[str, Any]) -> Any:
        found = variables.get(name, UNDECIDED)
        # exactly these classes: subclasses (Ansible's tagged or encrypted strings) are the templar's to decide
        return found if found.__class__ in _PLAIN_VALUES else UNDECIDED

    return value


def compile_conditional(expression: object) -> Expression | None:
    """A ``groups`` conditional of a simple form: True or False, or UNDECIDED."""
    if not isinstance(expression, str):
        return None
    name = _variable(expression)
    if name is not None:
        return _boolean_variable(name)
    if match := _LENGTH.fullmatch(expression):
        name, comparison, number = match.groups()
        if name not in _NOT_VARIABLES:
            return _length_comparison(name, _COMPARISONS[comparison], int(number))
    if match := _EQUALS.fullmatch(expression):
        name, comparison, single, double, number = match.groups()
        if name not in _NOT_VARIABLES:
            literal: str | int = int(number) if number is not None else single if single is not None else double
            return _equality(name, _COMPARISONS[comparison], literal)
    return None


def _variable(expression: object) -> str | None:
    if not isinstance(expression, str) or not (match := _VARIABLE.fullmatch(expression)):
        return None
    name = match.group(1)
    return None if name in _NOT_VARIABLES else name


def _boolean_variable(name: str) -> Expression:
    def conditional(variables: Mapping[str, Any]) -> Any:
        value = variables.get(name, UNDECIDED)
        return value if isinstance(value, bool) else UNDECIDED  # non-booleans are broken conditionals in ansible-core

    return conditional


def _length_comparison(name: str, compare: Callable[[Any, Any], bool], number: int) -> Expression:
    def conditional(variables: Mapping[str, Any]) -> Any:
        value = variables.get(name, UNDECIDED)
        return compare(len(value), number) if type(value) in (list, dict, str) else UNDECIDED

    return conditional


def _equality(name: str, compare: Callable[[Any, Any], bool], literal: str | int) -> Expression:
    def conditional(variables: Mapping[str, Any]) -> Any:
        value = variables.get(name, UNDECIDED)
        # Only values of the literal's own type: Jinja and Python agree on those (1 == True does not arise).
        return compare(value, literal) if type(value) is type(literal) else UNDECIDED

    return conditional
