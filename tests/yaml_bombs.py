"""An alias bomb (billion laughs) as a fleet file would hold one, for the tests that it is refused."""

from __future__ import annotations


def alias_bomb(levels: int = 9, width: int = 10, indent: str = "    ") -> str:
    """A flow sequence whose level n repeats level n-1 ``width`` times: ``width ** levels`` values once
    expanded (a billion by default) from ~``levels * width`` written."""
    items = ["&a0 [" + ", ".join(["lol"] * width) + "]"]
    items += [f"&a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]" for level in range(1, levels)]
    return "[\n" + "".join(f"{indent}  {item},\n" for item in items) + f"{indent}]"
