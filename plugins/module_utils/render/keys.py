# Private to this collection: laying keys out on a phone and its expansion modules.
"""Key positions: 1..N are the phone's own programmable keys; N+1.. continue on the expansion modules,
module after module, page after page. A key with no place, or a function the vendor lacks, is a warning
naming the phone: never silently dropped."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..catalog.models import ExpansionModule, PhoneModel


@dataclass
class KeyLayout:
    phone: list = field(default_factory=list)
    modules: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def _key_dict(key, index: int, page: int | None = None) -> dict:
    return {
        "number": key.index,
        "index": index,
        "page": page,
        "function": key.function,
        "value": key.value or "",
        "label": key.label or "",
        "line": key.line or 1,
    }


def lay_out_keys(
    keys: list,
    model: PhoneModel | None,
    modules: list[ExpansionModule],
    supported: set[str],
    who: str,
) -> KeyLayout:
    """Place effective keys (sorted by index) on the phone and its modules."""
    layout = KeyLayout()
    layout.modules = [{"index": number, "name": module.name, "keys": []} for number, module in enumerate(modules, 1)]
    for key in keys:
        if key.function not in supported:
            layout.warnings.append(f"{who}: key {key.index} '{key.function}' is not supported on this vendor; left out")
            continue
        if model is None or key.index <= model.line_keys:
            layout.phone.append(_key_dict(key, key.index))
            continue
        position = key.index - model.line_keys
        for number, module in enumerate(modules):
            if position <= module.keys:
                page = (position - 1) // module.keys_per_page + 1
                layout.modules[number]["keys"].append(_key_dict(key, position, page))
                break
            position -= module.keys
        else:
            capacity = model.line_keys + sum(module.keys for module in modules)
            layout.warnings.append(
                f"{who}: key {key.index} has no place ({model.name} with {len(modules)} expansion module(s) "
                f"has {capacity} keys); left out"
            )
    return layout
