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

A phone with neither vendor nor model whose MAC prefix several vendors share (Cisco enterprise and Cisco
MPP: ``candidate_vendors``) waits too. Its vendor is the candidate a request shows (User-Agent, file name)
only when the request proved the phone under that vendor's rules (its phone auth, or the phone's access key);
``serve_without_proof`` of one candidate lets no claim choose it while another candidate needs proof
(:meth:`ModelLearner.unproven_allowed`): a stranger naming the Cisco enterprise file of an MPP's MAC gets
nothing. The learned vendor is saved with the model, and written back with it.

Renders are kept per (phone, model) for the publish they were made from: a boot storm renders each phone
once per worker. The model a proven request reported and the phone was rendered with is saved in the store
(``learned_models``, with the vendor) before the answer leaves: the phone's status and
``autoprovisioned_export`` (which writes ``model:``, and ``vendor:`` when the fleet had none, back into the
fleet) read it there, never a model that a request merely claimed.
"""

from __future__ import annotations

from dataclasses import replace

from ..catalog import registry
from ..fleet.exposure import leak_beyond, secrets_beyond
from ..fleet.model import Fleet
from ..fleet.proof import ProofPolicy
from ..publish.manifest import config_version
from ..render.driver import RenderError
from ..render.renderer import FleetRenderer, candidate_vendors
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
        self._configs: dict[tuple[str, str, str], ServiceConfig] = {}
        # what a phone served without proof must not carry, as publish checks it for the phones it renders
        # (fleet/exposure.py); the bundle's fleet holds its secrets in clear
        self._unproven = ProofPolicy(fleet.settings).without_proof if fleet is not None else frozenset()
        self._guarded = secrets_beyond(fleet, self._unproven, str) if fleet is not None and self._unproven else []

    def candidates(self, mac: str) -> tuple[str, ...]:
        """The vendors fleet phone ``mac`` may be of (its own, or those sharing its MAC prefix); () if none."""
        phone = self.fleet.phone(mac) if self.fleet is not None else None
        return candidate_vendors(phone) if phone is not None else ()

    def unproven_allowed(self, mac: str, proof: ProofPolicy) -> bool:
        """Whether phone ``mac`` gets its file without proof: only when the fleet serves every vendor it may be
        of without proof. Were one enough, a stranger claiming the unproven vendor (a Cisco enterprise file
        name, no login) would get the secrets of a phone that is of the other one (docs/security.md)."""
        candidates = self.candidates(mac)
        return bool(candidates) and all(proof.unproven_allowed(vendor) for vendor in candidates)

    def vendor(self, mac: str, shown: str | None) -> str:
        """The vendor fleet phone ``mac`` is rendered as: the fleet's, or the candidate a request that proved
        the phone under that vendor's rules shows (``shown``); ModelNotLearned when neither."""
        candidates = self.candidates(mac)
        if not candidates:
            raise ModelNotLearned("not in the published fleet")
        if len(candidates) == 1:
            return candidates[0]
        if shown is None:
            raise ModelNotLearned(f"the request shows none of its vendors ({', '.join(candidates)})")
        if shown not in candidates:
            raise ModelNotLearned(f"{shown} is not a vendor of its MAC prefix ({', '.join(candidates)})")
        return shown

    def model(self, mac: str, reported: str | None, vendor: str) -> str:
        """The catalog's name of the model ``reported`` of ``vendor`` for fleet phone ``mac``; ModelNotLearned
        when none."""
        if vendor not in self.candidates(mac):
            raise ModelNotLearned(f"{vendor} is not a vendor this phone may be of")
        if reported is None:
            raise ModelNotLearned("the phone did not report its model")
        driver = registry.driver_for(vendor)
        known = driver.vendor.model(reported) if driver is not None else None
        if known is None:
            raise ModelNotLearned(f"reported model {reported!r} is not in the {vendor} catalog")
        return known.name

    def config(self, mac: str, reported: str | None, vendor: str) -> tuple[str, ServiceConfig]:
        """(model, config) of fleet phone ``mac`` rendered as ``vendor`` (vendor()) with the model it reported;
        ModelNotLearned when it cannot be (unknown model, or a render error: the message says which)."""
        model = self.model(mac, reported, vendor)  # an unknown model is refused before the cache: claims are unbounded
        key = (mac, vendor, model)
        cached = self._configs.get(key)
        if cached is not None:
            return model, cached
        phone = self.fleet.phone(mac) if self.fleet is not None else None
        if phone is None or self._renderer is None:  # model() found it
            raise AssertionError("phone is None")
        try:
            # versions as publish counts them: once the model is written into the fleet and published, the
            # same files are the same version, and a phone that fetched them stays up to date
            config = service_config(self._renderer, replace(phone, vendor=vendor, model=model), config_version)
        except (RenderError, KeyError, ValueError) as exc:
            raise ModelNotLearned(f"cannot render with model {model}: {exc}") from None
        if vendor in self._unproven and self._guarded:
            leak = leak_beyond(phone, vendor, {**config.files, **config.window_files}, self._guarded)
            if leak is not None:
                raise ModelNotLearned(leak)
        self._configs[key] = config
        return model, config

    def entry(self, mac: str, learned: str | None, contacted: bool, learned_vendor: str | None = None) -> dict | str:
        """What a manifest would say of the phone rendered with its ``learned`` model (and vendor, for a phone
        of a shared MAC prefix: versions, firmware, window), or, until a request that proved the phone taught
        one, the status text."""
        if learned is not None:
            try:
                vendor = self.vendor(mac, learned_vendor)
                return self.config(mac, learned, vendor)[1].entry
            except ModelNotLearned as why:
                return f"{AWAITING}: {why}"
        # why a request did not teach it (unknown model, no proof) is in the journal, request by request
        return f"{AWAITING}: asked, not rendered (the journal says why)" if contacted else AWAITING


def reported_model(recognition) -> str | None:
    """The model a request reported: the catalog's name, or the string its vendor's catalog lacks."""
    if recognition.model is not None:
        return recognition.model
    return next((note[len(UNKNOWN_MODEL) :] for note in recognition.evidence if note.startswith(UNKNOWN_MODEL)), None)
