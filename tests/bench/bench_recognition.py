"""Request recognition benchmark: µs per ``recognize()`` call for a mix of phone requests and junk.

Prints figures; asserts nothing about time. Goal: well under 50 µs per call for common requests.
"cold" gives every request its own MAC (a boot storm: nothing cached); "warm" repeats the same requests.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "collections"))

from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.recognition import (  # noqa: E402
    recognize,
)

ROUNDS = 20000


def _colon(mac: str) -> str:
    return ":".join(mac[i : i + 2] for i in range(0, 12, 2))


def requests(n: int) -> list[tuple[str, str | None, str | None]]:
    """One request of each kind for phone ``n`` (its MAC's last three bytes are ``n``)."""
    tail = f"{n % 0x1000000:06x}"
    yealink, cisco, avaya, poly = ("805ec0" + tail, "00562b" + tail, "c81fea" + tail, "0004f2" + tail)
    grandstream, snom, fanvil = ("c074ad" + tail, "000413" + tail, "0c383e" + tail)
    unify, other, mpp = ("0001e3" + tail, "a4b1c2" + tail, "00562b" + tail)
    return [
        ("/y000000000096.cfg", f"Yealink SIP-T54W 96.86.0.100 {_colon(yealink)}", None),
        (f"/{yealink}.cfg", f"Yealink SIP-T54W 96.86.0.100 {_colon(yealink)}", None),
        (f"SEP{cisco.upper()}.cnf.xml", None, None),
        (f"/{mpp}.xml", f"Cisco-CP-8845-3PCC/12.0.1 ({mpp})", None),
        (f"/{avaya}.cfg", f"Mozilla/4.0 (compatible; MSIE 6.0) AVAYA/J179-4.1.3.0.6 (MAC:{avaya})", None),
        (f"/{poly}.cfg", "FileTransport PolycomVVX-VVX_450-UA/6.4.3.5156 Type/Application", None),
        (f"/cfg{grandstream}.xml", f"Grandstream Model HW GXP2170 SW 1.0.11.64 DevId {grandstream}", None),
        (f"/snomD785-{snom.upper()}.htm", f"Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 x {snom.upper()})", None),
        (f"/{fanvil}.cfg", f"Fanvil X4U 2.10.2.6887 {fanvil}", None),
        (f"/{unify}_config.xml", None, unify),
        (f"/{other}.cfg", None, None),
        ("/..%2f..%2fetc/passwd", "curl/8.5.0", None),
    ]


LABELS = (
    "yealink common file + UA",
    "yealink <mac>.cfg + UA",
    "cisco SEP<MAC>.cnf.xml, no UA",
    "cisco MPP <mac>.xml + UA",
    "avaya <mac>.cfg + UA",
    "poly <mac>.cfg + UA",
    "grandstream cfg<mac>.xml + UA",
    "snom snom<model>-<MAC>.htm + UA",
    "fanvil <mac>.cfg + UA",
    "unify <mac>_config.xml + client MAC",
    "<mac>.cfg, unknown OUI (ambiguous)",
    "traversal + curl UA",
)


def measure(batch: list[tuple[str, str | None, str | None]]) -> float:
    start = time.perf_counter()
    for path, agent, mac in batch:
        recognize(path, agent, mac)
    return (time.perf_counter() - start) / len(batch) * 1e6


def main() -> None:
    cold = [requests(n) for n in range(ROUNDS)]
    warm = [requests(0)] * ROUNDS
    print(f"recognize(): µs per call, {ROUNDS} calls each (cold: a new MAC every call; warm: repeated)")
    for index, label in enumerate(LABELS):
        cold_us = measure([batch[index] for batch in cold])
        warm_us = measure([batch[index] for batch in warm])
        print(f"  {label:40} cold {cold_us:6.2f}   warm {warm_us:6.2f}")
    mixed = [request for batch in cold for request in batch]
    print(f"  {'mix of all the above, cold':40} {measure(mixed):6.2f}")
    junk = [("/" + "a" * 1000 + ".cfg", "x" * 10000, None), ("/%ff%fe.cfg", "\udcff\x00" * 50, "zz")] * 10000
    print(f"  {'junk (1 KB path, 10 KB UA, bad bytes)':40} {measure(junk):6.2f}")


if __name__ == "__main__":
    main()
