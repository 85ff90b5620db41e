"""Write schemas/fleet.schema.json from the schema validation uses (make schema)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "schemas" / "fleet.schema.json"
sys.path.insert(0, str(REPO / "collections"))

from ansible_collections.phonefleet.provisioning.plugins.module_utils.fleet.schema import FLEET_FILE  # noqa: E402


def schema_text() -> str:
    return json.dumps(FLEET_FILE, indent=2, ensure_ascii=False) + "\n"


def main() -> None:
    SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")


if __name__ == "__main__":
    main()
