"""Regenerate the golden inventory files (make golden-update) after an intended change; review the diff."""

from __future__ import annotations

from tests.golden.test_demo_inventory import GOLDEN_LIST, inventory_list


def main() -> None:
    GOLDEN_LIST.write_text(inventory_list() + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN_LIST}")


if __name__ == "__main__":
    main()
