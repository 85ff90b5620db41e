# Private to this collection: the config of a fleet phone whose model the fleet does not give.
"""A phone of the fleet without a model (the reference product's CSV has no model column) is published
without files (publish's ``awaiting_model``) and waits at status 1. When it asks for its own file, the
service renders it with the model its request reports, with the same drivers and renderer publish uses
(``autoprovision.service_config``): the config is the one a publish would make had the engineer written
the model down.

A request only claims a model, as it claims a MAC: the phone still needs the proof a published phone's
own files need (its access key, its vendor's phone auth, or its vendor in ``serve_without_proof``;
docs/security.md), checked by the provisioner before anything is rendered, so a claim makes no render and
no record. The vendor is the fleet's (declared, or its MAC prefix): a phone of no known vendor is not
published at all, since the vendor decides the proof asked.

Renders are kept per (phone, model) for the publish they were made from: a boot storm renders each phone
once per worker. The model a proven request reported and the phone was rendered with is saved in the store
(``learned_models``) before the answer leaves: the phone's status and ``autoprovisioned_export`` (which
writes ``model:`` back into the fleet) read it there, never a model that a request merely claimed.
"""

from __future__ import annotations

from dataclasses import replace

from ..catalog import registry
from ..fleet.model import Fleet
from ..publish.manifest import config_version
from ..render.driver import RenderError
from ..render.renderer import FleetRenderer
from .autoprovision import ServiceConfig, service_config
from .recognition import UNKNOWN_MODEL

#: the status text of a phone waiting for its first request to tell its model (status 1)
AWAITING = "awaiting model"


class ModelNotLearned(Exception):
    """The phone cannot be rendered with the model it reported (the message says why; journaled)."""


def awaits_model(manifest_phones: dict, mac: str | None) -> bool:
    """Whether the publish left phone ``mac`` unrendered until it reports its model."""
    entry = manifest_phones.get(mac) if mac is not None else None
    return bool(entry and entry.get("awaiting_model"))


class ModelLearner:
    """Renders the fleet's phones that await their model, for one publish (the bundle's fleet, secrets in clear)."""

    def __init__(self, fleet: Fleet | None) -> None:
        self.fleet = fleet
        self._renderer = FleetRenderer(fleet, str) if fleet is not None else None
        self._configs: dict[tuple[str, str], ServiceConfig] = {}

    def model(self, mac: str, reported: str | None) -> str:
        """The catalog's name of the model ``reported`` for fleet phone ``mac``; ModelNotLearned when none."""
        phone = self.fleet.phone(mac) if self.fleet is not None else None
        if phone is None or phone.vendor is None:
            raise ModelNotLearned("not in the published fleet")
        if reported is None:
            raise ModelNotLearned("the phone did not report its model")
        driver = registry.driver_for(phone.vendor)
        known = driver.vendor.model(reported) if driver is not None else None
        if known is None:
            raise ModelNotLearned(f"reported model {reported!r} is not in the {phone.vendor} catalog")
        return known.name

    def config(self, mac: str, reported: str | None) -> tuple[str, ServiceConfig]:
        """(model, config) of fleet phone ``mac`` rendered with the model it reported; ModelNotLearned when
        it cannot be (unknown model, or a render error: the message says which)."""
        model = self.model(mac, reported)  # an unknown model is refused before the cache: claims are unbounded
        key = (mac, model)
        cached = self._configs.get(key)
        if cached is not None:
            return model, cached
        phone = self.fleet.phone(mac) if self.fleet is not None else None
        if phone is None or self._renderer is None:  # model() found it
            raise AssertionError("phone is None")
        try:
            # versions as publish counts them: once the model is written into the fleet and published, the
            # same files are the same version, and a phone that fetched them stays up to date
            config = service_config(self._renderer, replace(phone, model=model), config_version)
        except (RenderError, KeyError, ValueError) as exc:
            raise ModelNotLearned(f"cannot render with model {model}: {exc}") from None
        self._configs[key] = config
        return model, config

    def entry(self, mac: str, learned: str | None, contacted: bool) -> dict | str:
        """What a manifest would say of the phone rendered with its ``learned`` model (versions, firmware,
        window), or, until a request that proved the phone taught one, the status text."""
        if learned is not None:
            try:
                return self.config(mac, learned)[1].entry
            except ModelNotLearned as why:
                return f"{AWAITING}: {why}"
        # why a request did not teach it (unknown model, no proof) is in the journal, request by request
        return f"{AWAITING}: asked, not rendered (the journal says why)" if contacted else AWAITING


def reported_model(recognition) -> str | None:
    """The model a request reported: the catalog's name, or the string its vendor's catalog lacks."""
    if recognition.model is not None:
        return recognition.model
    return next((note[len(UNKNOWN_MODEL) :] for note in recognition.evidence if note.startswith(UNKNOWN_MODEL)), None)
