"""The JSON Schema shipped for editors is the one validation uses, and it is a valid draft-07 schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from tests.tools.write_schema import SCHEMA_FILE, schema_text

REPO = Path(__file__).resolve().parents[2]


def test_shipped_schema_is_the_validation_schema():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), "run `make schema` and commit the result"


def test_schema_is_valid_draft_07():
    jsonschema.Draft7Validator.check_schema(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_demo_fleet_files_point_editors_at_the_schema():
    for path in sorted((REPO / "inventory/demo/fleet").glob("*.yml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../../schemas/fleet.schema.json", path
        assert (path.parent / "../../../schemas/fleet.schema.json").resolve() == SCHEMA_FILE


def test_demo_fleet_files_validate_with_the_shipped_schema_alone():
    # What an editor does: plain JSON Schema validation of each file, with no PhoneFleet code.
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))
    for path in sorted((REPO / "inventory/demo/fleet").glob("*.yml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
        assert not list(validator.iter_errors(data)), path
