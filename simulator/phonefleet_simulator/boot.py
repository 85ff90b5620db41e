"""How each vendor's phones fetch their configuration at boot, as simulated phones do it over HTTP.

Facts from the research notes (../shared/research/): User-Agent formats and file sequences of
phone-vendors.md (Yealink, Cisco MPP, Avaya, Poly, Grandstream, Snom, Fanvil), unify-cisco.md (Cisco
enterprise boot files over TFTP/HTTP 6970 without a User-Agent; Unify DMS with its ``macaddress``
header and the ``000000000000_config.xml`` fallback) and atcom-qtech.md (Atcom on the Yealink platform,
MAC upper case; Qtech sends nothing that names it). A phone whose own file is missing falls back to its
vendor's default file, as the devices do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from .vendors import yealink

#: firmware a simulated phone reports when the fleet does not say (plausible versions of each family)
DEFAULT_FIRMWARE = {
    "yealink": "96.86.0.100",
    "atcom": "2.6.5.7",
    "cisco_mpp": "11.3.7",
    "avaya": "4.1.3.0.6",
    "poly": "6.4.3.5156",
    "grandstream": "1.0.11.3",
    "snom": "10.1.33.33",
    "fanvil": "2.10.2.6887",
}


@dataclass
class SimulatedPhone:
    mac: str  # 12 lower-case hex digits
    vendor: str
    model: str | None = None
    firmware: str | None = None
    credentials: tuple | None = None  # (method, username, password) of phone-to-server auth
    fetched: list = field(default_factory=list)  # (path, status) in order

    @property
    def colon_mac(self) -> str:
        return ":".join(self.mac[index : index + 2] for index in range(0, 12, 2))


@dataclass(frozen=True)
class Step:
    path: str
    fallback: str | None = None  # fetched when ``path`` is not found


def plan(phone: SimulatedPhone) -> tuple[str | None, dict, list[Step]]:
    """(User-Agent, extra headers, steps) of one phone's boot."""
    firmware = phone.firmware or DEFAULT_FIRMWARE.get(phone.vendor, "1.0")
    model = phone.model or ""
    mac, upper = phone.mac, phone.mac.upper()
    if phone.vendor == "yealink":
        common = yealink.common_file(phone.model)  # the simulator's own table, from Yealink's documents
        steps = ([Step("/" + common)] if common else []) + [Step(f"/{mac}.cfg")]
        return f"Yealink SIP-{model.replace(' ', '_')} {firmware} {phone.colon_mac}", {}, steps
    if phone.vendor == "atcom":
        return f"Atcom {model} {firmware} {phone.colon_mac}", {}, [Step(f"/{upper}.cfg")]
    if phone.vendor == "cisco":
        steps = [
            Step(f"/CTLSEP{upper}.tlv"),
            Step(f"/ITLSEP{upper}.tlv"),
            Step(f"/SEP{upper}.cnf.xml", "/XMLDefault.cnf.xml"),
        ]
        return None, {}, steps
    if phone.vendor == "cisco_mpp":
        number = "".join(ch for ch in model if ch.isdigit())[:4]
        return f"Cisco-CP-{number}-3PCC/{firmware} ({mac})", {}, [Step(f"/{number}-3PCC.xml"), Step(f"/{mac}.xml")]
    if phone.vendor == "avaya":
        agent = f"Mozilla/4.0 (compatible; MSIE 6.0) AVAYA/{model}-{firmware} (MAC:{mac})"
        return agent, {}, [Step("/J100Supgrade.txt"), Step("/46xxsettings.txt"), Step(f"/{mac}.cfg")]
    if phone.vendor == "unify":
        headers = {"macaddress": phone.colon_mac}
        return None, headers, [Step(f"/{mac}_config.xml", "/000000000000_config.xml")]
    if phone.vendor == "poly":
        family = model.split(" ")[0]
        agent = f"FileTransport Polycom{family}-{model.replace(' ', '_')}-UA/{firmware} Type/Application"
        return agent, {}, [Step("/000000000000.cfg"), Step(f"/{mac}.cfg"), Step(f"/{mac}-phone.cfg")]
    if phone.vendor == "grandstream":
        agent = f"Grandstream Model HW {model} SW {firmware} DevId {mac}"
        return agent, {}, [Step(f"/cfg{mac}.xml", "/cfg.xml")]
    if phone.vendor == "snom":
        agent = f"Mozilla/4.0 (compatible; snom{model}-SIP {firmware} 1.1.5-IFX-05.01.12 {mac})"
        return agent, {}, [Step(f"/snom{model}.htm"), Step(f"/snom{model}-{upper}.htm"), Step(f"/{upper}.xml")]
    if phone.vendor == "fanvil":
        return f"Fanvil {model} {firmware} {mac}", {}, [Step(f"/{mac}.cfg")]
    # Qtech (and anything else): no User-Agent that names it; the MAC-named file only
    return None, {}, [Step(f"/{mac}.cfg")]


def new_client() -> httpx.Client:
    """An HTTP client that sends no User-Agent of its own (Cisco and Unify phones send none)."""
    client = httpx.Client(timeout=10)
    client.headers.pop("user-agent", None)
    return client


def boot(base_url: str, phone: SimulatedPhone, client: httpx.Client | None = None) -> list[tuple[str, int]]:
    """Fetch the phone's files from ``base_url`` as the device would; returns (path, status) pairs."""
    agent, headers, steps = plan(phone)
    sent = dict(headers)
    if agent:
        sent["User-Agent"] = agent
    auth = None
    if phone.credentials:
        method, username, password = phone.credentials
        auth = httpx.DigestAuth(username, password) if method == "digest" else httpx.BasicAuth(username, password)
    own = client or new_client()
    try:
        for step in steps:
            status = own.get(base_url + step.path, headers=sent, auth=auth).status_code
            phone.fetched.append((step.path, status))
            if status == 404 and step.fallback:
                phone.fetched.append(
                    (step.fallback, own.get(base_url + step.fallback, headers=sent, auth=auth).status_code)
                )
    finally:
        if client is None:
            own.close()
    return phone.fetched
