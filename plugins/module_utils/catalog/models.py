# Private to this collection: the data-sheet types every vendor fills in (vendors/<vendor>/datasheet.py).
"""What a vendor declares about itself: identity, models and their capabilities.

A data sheet lists these facts. Facts that were not checked on a real phone or in the
vendor's own material carry ``verified=False`` so documentation and warnings can say so.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExpansionModule:
    """A key expansion module (sidecar) that plugs into some models of one vendor."""

    name: str
    keys_per_page: int
    pages: int = 1
    verified: bool = True

    @property
    def keys(self) -> int:
        return self.keys_per_page * self.pages


@dataclass(frozen=True)
class PhoneModel:
    """One phone model: how many SIP accounts and programmable keys it has, and what it can do."""

    name: str
    lines: int
    line_keys: int
    expansion_modules: tuple[str, ...] = ()
    max_expansion_modules: int = 0
    screenshot: bool = False
    mobility: bool = False
    verified: bool = True
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class VendorInfo:
    """A vendor family: its name in the fleet files, MAC prefixes and model list."""

    name: str
    title: str
    ouis: tuple[str, ...]
    models: tuple[PhoneModel, ...]
    expansion_modules: tuple[ExpansionModule, ...] = ()
    notes: str = ""
    _models_by_key: dict[str, PhoneModel] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for model in self.models:
            for name in (model.name, *model.aliases):
                self._models_by_key[model_key(name)] = model

    def model(self, name: str) -> PhoneModel | None:
        """The model called ``name`` (case, spaces and dashes ignored), or None."""
        return self._models_by_key.get(model_key(name))

    def expansion_module(self, name: str) -> ExpansionModule | None:
        key = model_key(name)
        for module in self.expansion_modules:
            if model_key(module.name) == key:
                return module
        return None


@functools.lru_cache(maxsize=1024)
def model_key(name: str) -> str:
    """Comparison key for model names: 'CP-8845', 'cp 8845' and 'CP8845' are the same model."""
    return "".join(ch for ch in str(name).lower() if ch.isalnum())
