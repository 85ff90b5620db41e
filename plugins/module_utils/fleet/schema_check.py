# Private to this collection: checking fleet documents against the JSON Schema.
"""Schema validation with messages an engineer understands.

The fast path is a validator compiled by fastjsonschema (a valid 20,000-phone fleet passes in a
fraction of a second); only a document that fails is walked again by jsonschema, which lists every
error, not just the first. jsonschema is imported only then: its import (referencing, rpds) costs
~0.1 s, a tenth of an ``ansible-playbook`` start over a valid fleet.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from .code_cache import digest_of, load_code
from .errors import MissingLibraryError
from .masking import MASKED_KEYS
from .schema import FLEET_FILE

try:
    import fastjsonschema
except ImportError:  # pragma: no cover - jsonschema alone is enough, only slower
    # an optional library (ansible-test's import sanity loads module_utils without it): None = missing
    fastjsonschema = None  # type: ignore[assignment]

_NOUNS = {
    "codecs": "codec",
    "transport": "transport",
    "function": "key function",
    "days": "day",
    "dst": "DST mode",
    "srtp": "SRTP mode",
    "method": "authentication method",
    "scheme": "scheme",
}
_fast_validator = None
_full_validator = None


def _fast() -> Any:
    """fastjsonschema's validator (it raises on the first error), or None without fastjsonschema."""
    global _fast_validator
    if _fast_validator is None and fastjsonschema is not None:
        _fast_validator = _fast_compiled()
    return _fast_validator


def _full() -> Any:
    """jsonschema's validator, which lists every error: imported on the first document that needs it."""
    global _full_validator
    if _full_validator is None:
        try:
            import jsonschema  # pylint: disable=import-outside-toplevel  # see the module's docstring
        except ImportError:
            raise MissingLibraryError("jsonschema") from None
        _full_validator = jsonschema.Draft7Validator(FLEET_FILE)
    return _full_validator


def _fast_compiled():
    """fastjsonschema's validator of the fleet schema; its compiled code comes from the code cache.

    Generating and compiling it costs ~0.15 s, on every load of a changed fleet file.
    """
    key = digest_of("fleet-schema", fastjsonschema.VERSION, json.dumps(FLEET_FILE, sort_keys=True))
    code = load_code("schema", key, "", "<phonefleet fleet schema>", compile_source=_generate)
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - code generated from our own schema (or its cached compilation)
    return namespace["phonefleet_validate"]


def _generate(_source, filename: str):
    source = fastjsonschema.compile_to_code(FLEET_FILE)
    root = re.search(r"^def (\w+)\(", source, re.MULTILINE)
    if root is None:  # fastjsonschema's code defines its validator first
        raise AssertionError("root is None")
    return compile(f"{source}\nphonefleet_validate = {root.group(1)}\n", filename, "exec")


def check_document(document: object) -> list[tuple[tuple, str]]:
    """All schema errors of one fleet document as (path, message), path as a tuple of keys/indices."""
    fast = _fast()
    if fast is not None:
        try:
            fast(document)
            return []
        except fastjsonschema.JsonSchemaException:
            pass
    return sorted(_explain(_full().iter_errors(document)), key=lambda item: [str(p) for p in item[0]])


def _explain(errors) -> Iterator[tuple[tuple, str]]:
    for error in errors:
        path = tuple(error.absolute_path)
        # a secret's field never repeats its value (a PIN written where its hash belongs, a password too short):
        # every message below writes it as ``shown``, and jsonschema's own words are not used for it
        yield from _messages(error, path, secret=bool(path) and path[-1] in MASKED_KEYS)


_SECRET_LENGTH = {
    "minLength": "is too short: at least {} characters",
    "maxLength": "is too long: at most {} characters",
}


def _messages(error, path: tuple, secret: bool) -> Iterator[tuple[tuple, str]]:
    """What ``error`` says about ``path``; a ``secret`` value is written "the value"."""
    kind = error.validator
    value = error.instance
    shown = "the value" if secret else repr(value)
    bounds = (error.schema.get("minimum"), error.schema.get("maximum"))
    if kind == "additionalProperties":
        known = sorted(error.schema.get("properties", {}))
        for name in sorted(set(value) - set(known)):
            if error.schema.get("propertyNames"):
                continue
            yield path + (name,), f"unknown field; expected one of: {', '.join(known)}"
    elif kind == "required":
        field = error.message.split("'")[1] if "'" in error.message else ""
        yield path + (field,), "is required but missing"
    elif kind == "enum":
        noun = next((_NOUNS[str(p)] for p in reversed(path) if str(p) in _NOUNS), "value")
        yield path, f"unknown {noun} {shown}; expected one of: {', '.join(map(str, error.validator_value))}"
    elif kind in ("minimum", "maximum") and None not in bounds:
        yield path, f"{shown if secret else value} is out of range {bounds[0]}-{bounds[1]}"
    elif kind == "type":
        expected = error.validator_value
        hint = ""
        if path and path[-1] == "mac":
            hint = " (write the MAC in quotes: YAML read it as a number)"
        elif expected == "string" and isinstance(value, (int, float)):
            hint = " (write it in quotes)"
        yield path, f"must be of type {expected}, not {type(value).__name__}{hint}"
    elif kind == "pattern":
        description = error.schema.get("description")
        if error.validator_value == error.schema.get("pattern") and "A-Za-z0-9_.-" in error.validator_value:
            description = "letters, digits, '_', '.' and '-' only, starting with a letter or digit"
        yield path, f"{shown} is not valid" + (f": {description}" if description else "")
    elif kind == "propertyNames":
        yield path + (str(value),), "is not a valid name: letters, digits, '_', '.' and '-' only"
    elif kind == "uniqueItems":
        yield path, "lists the same item twice"
    elif secret and kind in _SECRET_LENGTH:
        yield path, f"{shown} {_SECRET_LENGTH[kind].format(error.validator_value)}"
    elif secret:  # jsonschema's words quote the value
        yield path, f"{shown} is not valid ({kind}: {error.validator_value})"
    else:
        yield path, error.message
