"""Phones without a model, as a reference-product export gives them, added to a copy of the demo fleet.

MAC, name and one line; no vendor (each MAC is in a demo vendor's block, so the fleet knows it) and no model
(the phone tells it at its first request). ``AGENTS`` are the User-Agents such phones send, each naming
its model, as the devices do (research/phone-vendors.md).
"""

from __future__ import annotations

from pathlib import Path

# MACs in the demo vendors' blocks: the fleet knows the vendor from the prefix, not the model
YEALINK, SNOM, GRANDSTREAM = "805ec0998801", "000413998802", "c074ad998803"
MODELLESS = {YEALINK: ("yealink", "2201"), SNOM: ("snom", "2202"), GRANDSTREAM: ("grandstream", "2203")}
#: the model each phone is (the fleet does not say it; the phone does)
MODELS = {YEALINK: "T46U", SNOM: "D785", GRANDSTREAM: "GXP2170"}
AGENTS = {
    YEALINK: "Yealink SIP-T46U 66.86.0.100 80:5e:c0:99:88:01",
    SNOM: f"Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 1.1.5-IFX-05.01.12 {SNOM})",
    GRANDSTREAM: f"Grandstream Model HW GXP2170 SW 1.0.11.23 DevId {GRANDSTREAM}",
}
OWN_FILES = {YEALINK: f"/{YEALINK}.cfg", SNOM: f"/{SNOM.upper()}.xml", GRANDSTREAM: f"/cfg{GRANDSTREAM}.xml"}


def colon(mac: str) -> str:
    return ":".join(mac[index : index + 2] for index in range(0, 12, 2))


def modelless_phone(mac: str, name: str, number: str) -> str:
    """A phone as a reference-product export gives it: MAC, name, a line; no vendor (its MAC prefix tells), no
    model (the phone tells)."""
    line = f'{{number: "{number}", display_name: {name}, password: pw-{number}-x}}'
    return f"\n  - mac: {colon(mac)}\n    name: {name}\n    lines:\n      - {line}\n"


def add_modelless_phones(fleet: Path) -> None:
    phones = fleet / "phones.yml"
    text = phones.read_text()
    for mac, (vendor, number) in MODELLESS.items():
        text += modelless_phone(mac, f"No model {vendor}", number)
    phones.write_text(text)
