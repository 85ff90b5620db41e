"""A synthetic mixed-vendor fleet of any size, written as fleet files, for benchmarks and scale tests."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

# (vendor, model, OUI) cycled over the fleet: every vendor family the collection drives.
MIX = (
    ("yealink", "T54W", "805ec0"),
    ("yealink", "T31G", "001565"),
    ("cisco", "CP-8845", "0cd0f8"),
    ("cisco", "CP-7841", "001b54"),
    ("cisco", "CP-3905", "2c3f38"),
    ("avaya", "J179", "24d921"),
    ("unify", "CP400", "001ae8"),
    ("atcom", "A20W", "000945"),
    ("poly", "VVX 450", "64167f"),
    ("grandstream", "GXP2170", "c074ad"),
    ("snom", "D785", "000413"),
    ("fanvil", "X6U", "0c383e"),
)

BASE = {
    "settings": {
        # the benches measure rendering, publishing and serving, comparable with earlier runs: proof (phone auth,
        # access keys; docs/security.md) is turned off explicitly, and its cost is not in these figures
        "provisioning": {
            "servers": ["prov.bench.invalid"],
            "serve_without_proof": sorted({vendor for vendor, _model, _oui in MIX}),
        },
        "defaults": {"profile": "office", "site": "hq"},
    },
    "tenants": {"bench": {"description": "Benchmark tenant"}},
    "sites": {"hq": {"tenant": "bench"}, "branch": {"tenant": "bench"}},
    "profiles": {
        "office": {
            "sip": {"registrar": "pbx.bench.invalid", "transport": "udp", "port": 5060},
            "codecs": ["g722", "pcma", "pcmu"],
            "time": {"ntp": ["ntp.bench.invalid"], "timezone": "Europe/Moscow"},
            "network": {"vlan": {"id": 20, "priority": 5}},
        },
        "branch": {
            "sip": {"registrar": "sbc.bench.invalid", "transport": "tls", "port": 5061},
            "codecs": ["pcma"],
            "time": {"ntp": ["ntp.bench.invalid"], "timezone": "Europe/Moscow"},
        },
    },
    "key_templates": {
        "desk": {
            "keys": [
                {"index": 1, "function": "line", "line": 1},
                {"index": 2, "function": "blf", "value": "1000", "label": "Reception"},
                {"index": 3, "function": "speed_dial", "value": "84950000000", "label": "Security"},
            ]
        }
    },
}


def synthetic_phones(count: int, seed: int = 20000) -> list[dict]:
    rng = random.Random(seed)
    phones = []
    for index in range(count):
        vendor, model, oui = MIX[index % len(MIX)]
        number = str(100000 + index)
        phone = {
            "mac": ":".join(f"{oui}{index:06x}"[i : i + 2] for i in range(0, 12, 2)),
            "name": f"Phone {number}",
            "vendor": vendor,
            "model": model,
            "lines": [{"number": number, "display_name": f"User {number}", "password": f"pw-{rng.getrandbits(48):x}"}],
            "key_template": "desk",
        }
        if index % 3 == 0:
            phone["profile"] = "branch"
            phone["site"] = "branch"
        phones.append(phone)
    return phones


def write_fleet(directory: Path, count: int) -> Path:
    """Write settings/profiles/... and ``count`` phones into ``directory``; returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    for kind, value in BASE.items():
        (directory / f"{kind}.yml").write_text(yaml.safe_dump({kind: value}, sort_keys=False))
    (directory / "phones.yml").write_text(
        yaml.dump({"phones": synthetic_phones(count)}, Dumper=yaml.CSafeDumper, sort_keys=False)
    )
    return directory
