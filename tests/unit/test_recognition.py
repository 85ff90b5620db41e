"""Request recognition: each vendor's phones as they really ask for their files, ambiguity, and junk.

User-Agents and file names come from the research notes (../shared/research/):
phone-vendors.md (wazo-provd-plugins extractors and templates), wazo-provd.md §1.2 (UA regexes),
unify-cisco.md (Unify DMS, Cisco UCM boot) and atcom-qtech.md (Atcom files and OUI, Qtech OUI).
"""

from __future__ import annotations

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.service.recognition import (
    MAX_PATH,
    Recognition,
    recognize,
)


def check(result: Recognition, vendor, model, firmware, mac, kind) -> None:
    assert (result.vendor, result.model, result.firmware, result.mac, result.kind) == (
        vendor,
        model,
        firmware,
        mac,
        kind,
    ), result


# -- each vendor's request sequence ------------------------------------------------------------------

# phone-vendors.md §1: UA "Yealink SIP-<model> <fw> <mac with colons>"; the common y0000000000XX.cfg
# (T54W's model ID is 96, wazo v86), then <mac>.cfg in lower case; boot files <mac>.boot / y000000000000.boot.
YEALINK_UA = "Yealink SIP-T54W 96.86.0.100 80:5e:c0:11:22:33"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/y000000000000.boot", "shared"),
        ("/805ec0112233.boot", "phone"),
        ("/y000000000096.cfg", "shared"),
        ("/805ec0112233.cfg", "phone"),
        ("/firmware/T54W(T57W,T53W,T53,T53C,T54,T57)-96.86.0.45.rom", "firmware"),
    ],
)
def test_yealink_sequence(path: str, kind: str) -> None:
    result = recognize(path, YEALINK_UA)
    check(result, "yealink", "T54W", "96.86.0.100", "805ec0112233", kind)
    assert result.evidence == ("user-agent",)
    assert result.file == path.lstrip("/")


def test_yealink_model_alias_from_the_user_agent() -> None:
    # phone-vendors.md §1: "Yealink SIP-T21P_E2 52.80.0.3 00:15:65:4c:4c:26"
    result = recognize("/0015654c4c26.cfg", "Yealink SIP-T21P_E2 52.80.0.3 00:15:65:4c:4c:26")
    check(result, "yealink", "T21P E2", "52.80.0.3", "0015654c4c26", "phone")


def test_yealink_unknown_model_keeps_the_vendor() -> None:
    # phone-vendors.md §1: "Yealink SIP-T46U 108.86.0.90 44:db:d2:…" — T46U is in the catalog; a T99X is not
    result = recognize("/44dbd2010203.cfg", "Yealink SIP-T99X 108.86.0.90 44:db:d2:01:02:03")
    check(result, "yealink", None, "108.86.0.90", "44dbd2010203", "phone")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        # unify-cisco.md B.1 / phone-vendors.md §2: TFTP or HTTP 6970, no User-Agent, MAC in upper case
        ("CTLSEP0CD0F8A1B2C3.tlv", "phone"),
        ("ITLSEP0CD0F8A1B2C3.tlv", "phone"),
        ("ITLFile.tlv", "shared"),
        ("SEP0CD0F8A1B2C3.cnf.xml", "phone"),
        ("/SEP0CD0F8A1B2C3.cnf.xml.sgn", "phone"),
        ("SEP0CD0F8A1B2C3-dialplan.xml", "phone"),
    ],
)
def test_cisco_enterprise_sequence(path: str, kind: str) -> None:
    result = recognize(path, None)
    mac = None if kind == "shared" else "0cd0f8a1b2c3"
    check(result, "cisco", None, None, mac, kind)
    assert result.evidence == ("file-name",)


def test_cisco_enterprise_fallback_file_is_base() -> None:
    # phone-vendors.md §2: SEP<MAC>.cnf.xml, falling back to XMLDefault.cnf.xml (auto-registration)
    result = recognize("/XMLDefault.cnf.xml", None, client_mac="00:56:2b:04:36:15")
    check(result, "cisco", None, None, "00562b043615", "base")


# phone-vendors.md §2 note and wazo-provd.md §1.2: UA "Cisco-CP-7832-3PCC/11.0.1 (00562b043615)",
# files <model>-3PCC.xml (common), <mac>.xml and /Cisco/CP-<model>-3PCC/<mac>.cfg
@pytest.mark.parametrize(
    ("path", "kind"),
    [("/7832-3PCC.xml", "base"), ("/00562b043615.xml", "phone"), ("/Cisco/CP-7832-3PCC/00562b043615.cfg", "phone")],
)
def test_cisco_mpp_sequence(path: str, kind: str) -> None:
    result = recognize(path, "Cisco-CP-7832-3PCC/11.0.1 (00562b043615)")
    check(result, "cisco_mpp", "CP-7832-3PCC", "11.0.1", "00562b043615", kind)


def test_cisco_mpp_68xx() -> None:
    result = recognize("/c4b9cd112201.xml", "Cisco-CP-6841-3PCC/11.3.7 (c4b9cd112201)")
    check(result, "cisco_mpp", "CP-6841-3PCC", "11.3.7", "c4b9cd112201", "phone")


def test_cisco_mpp_without_user_agent_by_its_folder_and_model() -> None:
    result = recognize("/Cisco/CP-8845-3PCC/00562b043615.cfg", None)
    check(result, "cisco_mpp", "CP-8845-3PCC", None, "00562b043615", "phone")
    assert result.evidence == ("file-name",)


# phone-vendors.md §3: UA "Mozilla/4.0 (compatible; MSIE 6.0) AVAYA/J179-4.1.3.0.6 (MAC:c81fea83e85a)";
# J100Supgrade.txt, then 46xxsettings.txt (Avaya default) or $MACADDR.cfg (wazo)
AVAYA_UA = "Mozilla/4.0 (compatible; MSIE 6.0) AVAYA/J179-4.1.3.0.6 (MAC:c81fea83e85a)"


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/J100Supgrade.txt", "shared"), ("/46xxsettings.txt", "base"), ("/c81fea83e85a.cfg", "phone")],
)
def test_avaya_sequence(path: str, kind: str) -> None:
    check(recognize(path, AVAYA_UA), "avaya", "J179", "4.1.3.0.6", "c81fea83e85a", kind)


# phone-vendors.md §6 Poly: UA "FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application" (no MAC);
# master file <mac>.cfg or 000000000000.cfg, then the files it lists (<mac>-phone.cfg here)
POLY_UA = "FileTransport PolycomVVX-VVX_450-UA/6.4.3.5156 Type/Application"


@pytest.mark.parametrize(
    ("path", "mac", "kind"),
    [
        ("/64167f0a0b0c.cfg", "64167f0a0b0c", "phone"),
        ("/000000000000.cfg", None, "base"),
        ("/64167f0a0b0c-phone.cfg", "64167f0a0b0c", "phone"),
        ("/64167f0a0b0c-directory.xml", "64167f0a0b0c", "phone"),
    ],
)
def test_poly_sequence(path: str, mac, kind: str) -> None:
    check(recognize(path, POLY_UA), "poly", "VVX 450", "6.4.3.5156", mac, kind)


def test_poly_model_outside_the_catalog() -> None:
    result = recognize("/0004f2aabbcc.cfg", "FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application")
    check(result, "poly", None, "4.1.4.7430", "0004f2aabbcc", "phone")


# phone-vendors.md §6 Grandstream: UA "Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859", file cfg<mac>.xml
@pytest.mark.parametrize(
    ("agent", "model", "firmware", "mac"),
    [
        ("Grandstream Model HW GXP2170 SW 1.0.11.64 DevId c074ad010203", "GXP2170", "1.0.11.64", "c074ad010203"),
        ("Grandstream Model HW GXP1628 SW 1.0.4.138 DevId c074ad2bd859", None, "1.0.4.138", "c074ad2bd859"),
    ],
)
def test_grandstream(agent: str, model, firmware: str, mac: str) -> None:
    check(recognize(f"/cfg{mac}.xml", agent), "grandstream", model, firmware, mac, "phone")
    check(recognize("/cfg.xml", agent), "grandstream", model, firmware, mac, "base")


def test_grandstream_without_user_agent() -> None:
    result = recognize("/cfgc074ad010203", None)  # older firmware: no .xml (wazo extractor)
    check(result, "grandstream", None, None, "c074ad010203", "phone")


# phone-vendors.md §6 Snom: UA "Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)";
# files snom<model>-<MAC>.htm, <MAC>.xml, snom<model>.xml
SNOM_UA = "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 1.1.5-IFX-05.01.12 000413741767)"


@pytest.mark.parametrize(
    ("path", "mac", "kind"),
    [
        ("/snomD785-000413741767.htm", "000413741767", "phone"),
        ("/000413741767.xml", "000413741767", "phone"),
        ("/snomD785.xml", "000413741767", "shared"),
    ],
)
def test_snom_sequence(path: str, mac: str, kind: str) -> None:
    check(recognize(path, SNOM_UA), "snom", "D785", "10.1.33.33", mac, kind)


def test_snom_710_is_not_a_d710() -> None:
    agent = "Mozilla/4.0 (compatible; snom710-SIP 8.7.5.35 1.1.5-IFX-05.01.12 000413741767)"
    check(recognize("/snom710-000413741767.htm", agent), "snom", None, "8.7.5.35", "000413741767", "phone")


def test_snom_mac_file_without_user_agent_by_oui() -> None:
    # digits-only MACs fit Snom's <MAC>.xml and Cisco MPP's <mac>.xml: the MAC block decides
    result = recognize("/000413741767.xml", None)
    check(result, "snom", None, None, "000413741767", "phone")
    assert result.evidence == ("file-name", "oui")


# phone-vendors.md §6 Fanvil: UA "Fanvil X4 2.10.2.6887 0c383e07e16c", files f0…cfg / fanvil_…txt, then <mac>.cfg
@pytest.mark.parametrize(
    ("path", "kind"),
    [("/f0C00620000.cfg", "shared"), ("/fanvil_x4u_v2_hwv2_0.txt", "shared"), ("/Fanvil/0c383e07e16c.cfg", "phone")],
)
def test_fanvil_sequence(path: str, kind: str) -> None:
    result = recognize(path, "Fanvil X4U 2.10.2.6887 0c383e07e16c")
    check(result, "fanvil", "X4U", "2.10.2.6887", "0c383e07e16c", kind)
    # Qtech phones borrow Fanvil's patterns (assumed platform): Fanvil's own MAC block tells them apart
    assert result.evidence == ("user-agent", "oui")


def test_fanvil_model_outside_the_catalog() -> None:
    result = recognize("/0c383e07e16c.cfg", "Fanvil X4 2.10.2.6887 0c383e07e16c")
    check(result, "fanvil", None, "2.10.2.6887", "0c383e07e16c", "phone")


# unify-cisco.md A.3: DMS GET <mac>_config.xml, on 404 000000000000_config.xml; no User-Agent worth using,
# the MAC in a "macaddress" header (the service passes it as client_mac)
@pytest.mark.parametrize(
    ("path", "kind"), [("/0001e3a1b2c3_config.xml", "phone"), ("/000000000000_config.xml", "base")]
)
def test_unify_sequence(path: str, kind: str) -> None:
    result = recognize(path, None, client_mac="0001e3a1b2c3")
    check(result, "unify", None, None, "0001e3a1b2c3", kind)


# atcom-qtech.md: common file a0000000000<family>.cfg then <MAC>.cfg (upper case in Atcom's example),
# OUI 80:82:87; no User-Agent known
def test_atcom_sequence() -> None:
    check(recognize("/a000000000000.cfg", None), "atcom", None, None, None, "base")
    check(recognize("/a000000000012.cfg", None), "atcom", None, None, None, "shared")
    result = recognize("/808287A1B2C3.cfg", None)  # upper case: only Atcom serves that spelling
    check(result, "atcom", None, None, "808287a1b2c3", "phone")
    result = recognize("/808287a1b2c3.cfg", None)  # lower case: six vendors' pattern, the MAC block decides
    check(result, "atcom", None, None, "808287a1b2c3", "phone")
    assert result.evidence == ("file-name", "oui")


# atcom-qtech.md §2: QTECH's own block 00:1F:CE; served as the assumed platform (Fanvil) until fingerprinted
def test_qtech_by_its_mac_block() -> None:
    check(recognize("/001fce010203.cfg", None), "qtech", None, None, "001fce010203", "phone")
    result = recognize("/001fce010203.cfg", "Fanvil X4U 2.10.2.6887 001fce010203")
    check(result, "qtech", None, "2.10.2.6887", "001fce010203", "phone")
    assert result.evidence == ("user-agent", "oui", "model-unknown:X4U")  # a Fanvil model Qtech lacks


# -- ambiguity is reported, not guessed --------------------------------------------------------------


def test_mac_cfg_from_an_unknown_block_names_no_vendor() -> None:
    result = recognize("/a4b1c2112233.cfg", None)
    check(result, None, None, None, "a4b1c2112233", "phone")
    assert "oui-unknown" in result.evidence
    assert any(note.startswith("ambiguous:") and "yealink" in note and "poly" in note for note in result.evidence)


def test_a_cisco_mac_alone_names_no_vendor() -> None:
    result = recognize("/Ringlist.xml", None, client_mac="00:56:2B:04:36:15")
    check(result, None, None, None, "00562b043615", "unknown")
    assert result.evidence == ("oui", "ambiguous:cisco,cisco_mpp")


def test_a_mac_file_from_another_vendors_block_stays_ambiguous() -> None:
    # <mac>.cfg whose MAC is a Grandstream block: none of the six vendors serving <mac>.cfg owns it
    result = recognize("/c074ad010203.cfg", None)
    assert result.vendor is None and result.kind == "phone"
    assert "oui-other:grandstream" in result.evidence


def test_platform_user_agent_with_unknown_block_and_model() -> None:
    result = recognize("/a4b1c2112233.cfg", "Fanvil X9 2.10.2.6887 a4b1c2112233")
    check(result, None, None, None, "a4b1c2112233", "phone")
    assert result.evidence[-1] == "ambiguous:qtech,fanvil"


def test_platform_user_agent_with_a_catalog_model_names_its_vendor() -> None:
    result = recognize("/a4b1c2112233.cfg", "Fanvil X4U 2.10.2.6887 a4b1c2112233")
    check(result, "fanvil", "X4U", "2.10.2.6887", "a4b1c2112233", "phone")


def test_yealink_mac_starting_f0_is_its_phone_file() -> None:
    # f01653 is a Yealink block; the name also fits Fanvil's f0….cfg common-file pattern
    check(recognize("/f01653aabbcc.cfg", None), "yealink", None, None, "f01653aabbcc", "phone")


def test_user_agent_beats_file_name_and_oui() -> None:
    result = recognize("/cfgc074ad010203.xml", YEALINK_UA)  # a Yealink asking for a Grandstream file
    check(result, "yealink", "T54W", "96.86.0.100", "805ec0112233", "unknown")


def test_another_phones_file_is_flagged() -> None:
    result = recognize("/805ec0999999.cfg", YEALINK_UA)
    check(result, "yealink", "T54W", "96.86.0.100", "805ec0112233", "phone")
    assert "mac-mismatch" in result.evidence


def test_unknown_user_agent_falls_back_to_the_file_name() -> None:
    check(recognize("/805ec0112233.cfg", "curl/8.5.0"), "yealink", None, None, "805ec0112233", "phone")


# -- normalisation and junk ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/805ec0112233.cfg?mac=805ec0112233&x=1",
        "//805ec0112233.cfg",
        "/%38%30%35ec0112233.cfg",
        "http://prov.example.net:8080/805ec0112233.cfg",
        "805ec0112233.cfg#frag",
    ],
)
def test_paths_are_normalised(path: str) -> None:
    result = recognize(path, YEALINK_UA)
    assert result.file == "805ec0112233.cfg" and result.kind == "phone" and result.vendor == "yealink"


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("../../etc/passwd", "traversal"),
        ("/../805ec0112233.cfg", "traversal"),
        ("/%2e%2e/%2e%2e/etc/passwd", "traversal"),
        ("/..%2f..%2fetc%2fpasswd", "traversal"),
        ("/%252e%252e/etc/passwd", "encoding"),
        ("/a/./805ec0112233.cfg", "traversal"),
        ("/yealink//805ec0112233.cfg", "traversal"),
        ("/firmware/", "traversal"),
        ("/..\\..\\windows\\win.ini", "characters"),
        ("/%5c..%5cwin.ini", "characters"),
        ("/805ec0112233.cfg%00.txt", "characters"),
        ("/805ec0112233.cfg\x00", "characters"),
        ("/\t805ec0112233.cfg", "characters"),
        ("/%ff%fe.cfg", "encoding"),
        ("/caf\u00e9.cfg", "characters"),
        ("/\udcff.cfg", "characters"),
        ("/%zz.cfg", "encoding"),
        ("/", "empty"),
        ("", "empty"),
        ("/" + "a" * MAX_PATH + ".cfg", "too-long"),
        (None, "not-text"),
        (b"/805ec0112233.cfg", "not-text"),
        (42, "not-text"),
    ],
)
@pytest.mark.parametrize("agent", [None, "", YEALINK_UA, "x" * 10240, "\udcff\x00\ufffd" * 100])
def test_junk_paths_are_rejected(path, why: str, agent) -> None:
    assert recognize(path, agent) == Recognition(None, None, None, None, "", "unknown", (f"rejected:{why}",))


@pytest.mark.parametrize("agent", [None, "", "x" * 10240, "\udcff\x00\ufffd" * 100, "Yealink " * 1500, 42])
def test_junk_user_agents_never_decide(agent) -> None:
    result = recognize("/favicon.ico", agent)
    check(result, None, None, None, None, "unknown")


def test_an_oversized_user_agent_is_ignored_not_read() -> None:
    agent = YEALINK_UA + " " * 10240
    result = recognize("/805ec0112233.cfg", agent)
    assert result.firmware is None and "user-agent-ignored" in result.evidence
    assert result.vendor == "yealink"  # from the file name and the MAC block


@pytest.mark.parametrize("client_mac", ["", "zz", "00:00:00:00:00:00", "805ec0112233805ec0112233", 12, None])
def test_junk_client_macs_are_ignored(client_mac) -> None:
    check(recognize("/Ringlist.xml", None, client_mac), None, None, None, None, "unknown")


def test_recognition_is_frozen() -> None:
    result = recognize("/805ec0112233.cfg", YEALINK_UA)
    with pytest.raises(AttributeError):
        result.vendor = "cisco"  # type: ignore[misc]


# -- the vendor hint: what the manifest says a published file's vendor is ------------------------------

HINTED = [
    ("/805ec0112233.cfg", YEALINK_UA, None),
    ("/y000000000096.cfg", YEALINK_UA, None),
    ("/SEP0CD0F8A1B2C3.cnf.xml", None, None),
    ("/c4b9cd112201.xml", "Cisco-CP-6841-3PCC/11.3.7 (c4b9cd112201)", None),
    ("/24d921aabb01.cfg", "Mozilla/4.0 (compatible; MSIE 6.0) AVAYA/J179-4.1.3.0.6 (MAC:24d921aabb01)", None),
    ("/001ae8556677_config.xml", None, "00:1a:e8:55:66:77"),
    ("/64167f010203-phone.cfg", POLY_UA, None),
    ("/snomD785-000413741767.htm", SNOM_UA, None),
    ("/0c383e07e16c.cfg", "Fanvil X4 2.10.2.6887 0c383e07e16c", None),
    ("/001fce010203.cfg", "Fanvil X4 2.10.2.6887 001fce010203", None),
    ("/808287A1B2C3.cfg", None, None),
]


@pytest.mark.parametrize(("path", "agent", "client"), HINTED)
def test_a_vendor_hint_gives_the_same_answer(path, agent, client) -> None:
    plain = recognize(path, agent, client)
    hinted = recognize(path, agent, client, vendor=plain.vendor)
    facts = ("vendor", "model", "firmware", "mac", "file", "kind")
    assert [getattr(hinted, name) for name in facts] == [getattr(plain, name) for name in facts]


def test_a_hint_that_does_not_fit_is_ignored() -> None:
    # a Yealink phone asking for a file the manifest says is Snom's: its own User-Agent decides, and the
    # mismatch between its MAC and the file's stays visible
    result = recognize("/snomD785-000413741767.htm", YEALINK_UA, vendor="snom")
    assert (result.vendor, result.mac) == ("yealink", "805ec0112233")
    mismatch = recognize("/0c383e07e16c.cfg", "Fanvil X4 2.10.2.6887 0c383e0a0b0c", vendor="fanvil")
    assert "mac-mismatch" in mismatch.evidence
    assert recognize("/../etc/passwd", None, vendor="yealink").kind == "unknown"
    assert recognize("/805ec0112233.cfg", YEALINK_UA, vendor="no-such-vendor").vendor == "yealink"
