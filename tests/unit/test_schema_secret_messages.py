"""A schema error never repeats a secret's value (fleet/schema_check.py): whichever constraint the value breaks,
for every secret key of the fleet schema (fleet/masking.py's MASKED_KEYS), the message says "the value"."""

from __future__ import annotations

import jsonschema
import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet import schema_check
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.masking import MASKED_KEYS
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.schema import FLEET_FILE
from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.schema_check import check_document

SECRET = "Tr0ub4dor&3x"


def secret_paths(schema: dict, path: tuple = ()):
    """Every path of the schema to a key of MASKED_KEYS (a list item as index 0, a map's entry as 'entry')."""
    for name, child in schema.get("properties", {}).items():
        if name in MASKED_KEYS:
            yield (*path, name)
        else:
            yield from secret_paths(child, (*path, name))
    if isinstance(schema.get("additionalProperties"), dict):
        yield from secret_paths(schema["additionalProperties"], (*path, "entry"))
    if isinstance(schema.get("items"), dict):
        yield from secret_paths(schema["items"], (*path, 0))


def document_with(path: tuple, value: object) -> object:
    built: object = value
    for step in reversed(path):
        built = [built] if step == 0 else {step: built}
    return built


PATHS = sorted(secret_paths(FLEET_FILE), key=str)


def test_every_secret_key_of_the_schema_is_found():
    assert {path[-1] for path in PATHS} == MASKED_KEYS


@pytest.mark.parametrize("path", PATHS, ids=lambda path: ".".join(map(str, path)))
@pytest.mark.parametrize(
    "value",
    [SECRET, SECRET * 400, 31337, [SECRET], {"x": SECRET}],
    ids=lambda value: type(value).__name__ + str(len(str(value))),
)
def test_no_message_about_a_secret_field_repeats_its_value(path, value):
    said = [message for where, message in check_document(document_with(path, value)) if where == path]
    if not isinstance(value, str):
        assert said and said[0].startswith("must be of type string, not"), said
    for message in said:
        assert SECRET not in message and "31337" not in message, message


def test_a_short_password_secret_says_how_long_without_saying_it():
    path = ("settings", "autoprovision", "password_secret")
    said = dict(check_document(document_with(path, SECRET)))
    assert said[path] == "the value is too short: at least 16 characters"


@pytest.mark.parametrize(
    ("constraint", "value", "said"),
    [
        ({"minLength": 40}, SECRET, "the value is too short: at least 40 characters"),
        ({"maxLength": 4}, SECRET, "the value is too long: at most 4 characters"),
        ({"enum": ["red", "blue"]}, SECRET, "unknown value the value; expected one of: red, blue"),
        ({"pattern": "^[0-9]+$"}, SECRET, "the value is not valid"),
        ({"type": "integer"}, SECRET, "must be of type integer, not str"),
        ({"minimum": 1, "maximum": 5}, 31337, "the value is out of range 1-5"),
        ({"maximum": 5}, 31337, "the value is not valid (maximum: 5)"),
        ({"const": "x"}, SECRET, "the value is not valid (const: x)"),  # jsonschema's own words would quote it
        ({"format": "ipv4"}, SECRET, None),  # no error: format is not checked
    ],
)
@pytest.mark.parametrize("key", sorted(MASKED_KEYS))
def test_every_kind_of_message_says_the_value_for_a_secret_key(key, constraint, value, said):
    """Every branch of the messages, on a schema of each kind of constraint: the value is never in it."""
    schema = {"type": "object", "properties": {key: constraint, "name": constraint}}
    for field, expected_secret in ((key, True), ("name", False)):
        errors = jsonschema.Draft7Validator(schema).iter_errors({field: value})
        messages = [message for _path, message in schema_check._explain(errors)]
        if said is None:
            assert messages == []
        elif expected_secret:
            assert messages == [said], messages
        else:  # the control: a field that is no secret does show its value
            quoted = any(str(value) in message for message in messages)
            assert quoted or {"type", "const"} & set(constraint), messages  # these two never quote it
