"""The phone's view of its files: each vendor's parser reads the SIP accounts our templates render.

The demo phones' rendered files must give back, line by line, what the fleet says (user, auth user,
password, display name, registrar, port, transport, expiry): a parameter a template misnames is one the
parser (which knows only the vendor's names) does not find. Small hand-written files pin down the vendor
rules the demo does not exercise: disabled lines, outbound proxies, precedence between files, other
layouts of the same parameters.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.unit.render_support import demo_fleet, render_demo_phone, reveal

REPO = Path(__file__).resolve().parents[3]
if str(REPO / "simulator") not in sys.path:
    sys.path.insert(0, str(REPO / "simulator"))

from phonefleet_simulator import configs  # noqa: E402
from phonefleet_simulator.configs import ConfigError, SipAccount  # noqa: E402
from phonefleet_simulator.vendors import avaya, cisco_mpp, poly, snom, unify  # noqa: E402

FLEET = demo_fleet()
PHONES = {f"{phone.vendor}-{phone.model}".replace(" ", "_"): phone for phone in FLEET.phones}


def served(mac: str) -> dict[str, bytes]:
    """The phone's own rendered files, by the path it asks for."""
    return {"/" + name: body for name, body in render_demo_phone(mac).files.items()}


def expected(phone) -> list[tuple]:
    sip = FLEET.profiles[phone.profile].sip
    rows = []
    for index, line in enumerate(phone.lines, start=1):
        user = line.username or line.number
        rows.append(
            (
                index,
                user,
                line.auth_username or user,
                reveal(line.password),
                line.display_name,
                sip["registrar"],
                sip["port"],
                sip["transport"],
                sip["expires"],
                True,
            )
        )
    return rows


ROW = ("line", "user", "auth_user", "password", "display_name", "registrar", "port", "transport", "expires", "enabled")


def as_rows(accounts: list[SipAccount]) -> list[tuple]:
    return [tuple(getattr(account, name) for name in ROW) for account in accounts]


@pytest.mark.parametrize("name", sorted(PHONES))
def test_demo_phone_reads_the_fleet_lines_from_its_files(name):
    phone = PHONES[name]
    accounts = configs.accounts(phone.vendor, served(phone.mac))
    assert as_rows(accounts) == expected(phone)
    registrar = FLEET.profiles[phone.profile].sip["registrar"]
    assert {account.domain for account in accounts} == {registrar}
    if phone.vendor == "snom":  # user_outbound names the registrar again
        assert {account.destination for account in accounts} == {(registrar, 5060)}
    else:
        assert {account.outbound_proxy for account in accounts} == {None}


def test_cisco_mpp_with_a_backup_registrar_keeps_the_fleet_domain():
    phone = PHONES["cisco_mpp-CP-6841-3PCC"]
    (account,) = configs.accounts("cisco_mpp", served(phone.mac))
    assert account.domain == FLEET.profiles[phone.profile].sip["registrar"]


def test_every_demo_vendor_has_a_parser():
    assert {phone.vendor for phone in FLEET.phones} <= set(configs.PARSERS)
    with pytest.raises(ConfigError, match="no parser for the configuration files of vendor 'acme'"):
        configs.accounts("acme", {})


# -- Yealink and Atcom -----------------------------------------------------------------------------------


def test_yealink_later_file_wins_and_a_file_without_version_is_ignored():
    common = b"#!version:1.0.0.1\naccount.1.sip_server.1.address = common.example\naccount.1.user_name = 100\n"
    own = (
        b"#!version:1.0.0.1\n"
        b"account.1.enable = 1\n"
        b"account.1.user_name = 2001\n"
        b"account.1.password = pw = with equals\n"
        b"account.1.sip_server.1.address = pbx.example\n"
        b"account.1.sip_server.1.transport_type = 1\n"
        b"account.1.outbound_proxy_enable = 1\n"
        b"account.1.outbound_proxy.1.address = sbc.example\n"
        b"account.1.outbound_proxy.1.port = 5080\n"
        b"account.2.enable = 0\n"
        b"account.2.user_name = 2002\n"
        b"account.2.sip_server.1.address = pbx.example\n"
        b"account.3.user_name = %NULL%\n"
    )
    ignored = b"account.1.user_name = 999\n"
    line1, line2 = configs.yealink({"/y000000000096.cfg": common, "/805ec0112233.cfg": own, "/other.cfg": ignored})
    assert (line1.user, line1.auth_user, line1.password, line1.registrar, line1.port, line1.transport) == (
        "2001",
        "2001",
        "pw = with equals",
        "pbx.example",
        5060,
        "tcp",
    )
    assert line1.destination == ("sbc.example", 5080)
    assert line1.enabled and not line2.enabled


def test_atcom_v7x_parameters():
    text = (
        b"#!version:1.0.0.1\naccount.1.enable = 1\naccount.1.user_name = 2008\naccount.1.auth_name = a2008\n"
        b"account.1.password = pw\naccount.1.sip_server_host = sbc.example\naccount.1.sip_server_port = 5061\n"
        b"account.1.transport = 2\naccount.1.expires = 600\n"
    )
    (account,) = configs.accounts("atcom", {"/000945102030.cfg": text})
    assert (account.auth_user, account.registrar, account.port, account.transport, account.expires) == (
        "a2008",
        "sbc.example",
        5061,
        "tls",
        600,
    )


def test_unknown_transport_names_the_parameter():
    text = b"#!version:1.0.0.1\naccount.1.user_name = 1\naccount.1.sip_server.1.transport_type = 9\n"
    with pytest.raises(ConfigError, match=r"account.1 transport: unknown transport '9'"):
        configs.yealink({"/a.cfg": text})


# -- Cisco enterprise ------------------------------------------------------------------------------------

CISCO = b"""<device>
  <devicePool><callManagerGroup><members>
    <member priority="1"><callManager><ports><sipPort>5070</sipPort></ports>
      <processNodeName>backup.example</processNodeName></callManager></member>
    <member priority="0"><callManager><ports><sipPort>5060</sipPort><securedSipPort>5061</securedSipPort></ports>
      <processNodeName>cucm.example</processNodeName></callManager></member>
  </members></callManagerGroup></devicePool>
  <sipProfile>
    <sipProxies><registerWithProxy>%(register)s</registerWithProxy></sipProxies>
    <sipLines>
      <line button="1" lineIndex="1"><featureID>9</featureID><proxy>USECALLMANAGER</proxy><name>2002</name>
        <authName>a2002</authName><authPassword>pw</authPassword><displayName>Director</displayName></line>
      <line button="2"><featureID>21</featureID><speedDialNumber>2001</speedDialNumber></line>
      <line button="3" lineIndex="2"><featureID>9</featureID><proxy>proxy.example</proxy><port>5090</port>
        <name>2102</name><authPassword>pw2</authPassword></line>
    </sipLines>
  </sipProfile>
  <transportLayerProtocol>%(transport)s</transportLayerProtocol>
</device>"""


def test_cisco_lines_use_the_call_manager_or_their_own_proxy():
    body = CISCO % {b"register": b"true", b"transport": b"2"}
    first, second = configs.accounts("cisco", {"/XMLDefault.cnf.xml": b"<device/>", "/SEP0CD0F8A1B2C3.cnf.xml": body})
    assert (first.line, first.user, first.auth_user, first.registrar, first.port, first.transport) == (
        1,
        "2002",
        "a2002",
        "cucm.example",
        5060,
        "udp",
    )
    assert (second.line, second.user, second.auth_user, second.registrar, second.port) == (
        2,
        "2102",
        "2102",
        "proxy.example",
        5090,
    )


def test_cisco_tls_uses_the_secured_port_and_register_with_proxy_false_disables():
    body = CISCO % {b"register": b"false", b"transport": b"3"}
    first, _second = configs.accounts("cisco", {"/SEP0CD0F8A1B2C3.cnf.xml": body})
    assert (first.port, first.transport, first.enabled) == (5061, "tls", False)


def test_cisco_default_file_has_no_lines():
    assert configs.accounts("cisco", {"/XMLDefault.cnf.xml": b"<device><sipProfile/></device>"}) == []


# -- Cisco MPP -------------------------------------------------------------------------------------------


def test_cisco_mpp_proxy_forms_and_auth_id():
    common = b"<flat-profile><Proxy_1_>common.example</Proxy_1_></flat-profile>"
    own = b"""<flat-profile>
<Line_Enable_1_>Yes</Line_Enable_1_><Proxy_1_>pbx.example:5070</Proxy_1_><User_ID_1_>2005</User_ID_1_>
<Password_1_>pw</Password_1_><Use_Auth_ID_1_>No</Use_Auth_ID_1_><Auth_ID_1_>ignored</Auth_ID_1_>
<SIP_Transport_1_>TCP</SIP_Transport_1_>
<Line_Enable_2_>No</Line_Enable_2_><Proxy_2_ ua="na">dom:SRV=b.example:5062:p=1|a.example:5061:p=0</Proxy_2_>
<User_ID_2_>2105</User_ID_2_><Use_Auth_ID_2_>Yes</Use_Auth_ID_2_><Auth_ID_2_>a2105</Auth_ID_2_>
<Use_Outbound_Proxy_2_>Yes</Use_Outbound_Proxy_2_><Outbound_Proxy_2_>sbc.example:5080</Outbound_Proxy_2_>
</flat-profile>"""
    first, second = cisco_mpp.accounts({"/6841-3PCC.xml": common, "/c4b9cd112201.xml": own})
    assert (first.domain, first.registrar, first.port, first.transport, first.auth_user, first.enabled) == (
        "pbx.example",
        "pbx.example",
        5070,
        "tcp",
        "2005",
        True,
    )
    assert (second.domain, second.registrar, second.port, second.auth_user, second.enabled) == (
        "dom",
        "a.example",
        5061,
        "a2105",
        False,
    )
    assert second.destination == ("sbc.example", 5080)


# -- Avaya -----------------------------------------------------------------------------------------------


def test_avaya_last_set_wins_across_the_scripts():
    settings = b'SET SIP_CONTROLLER_LIST "base.example"\nGET $MACADDR.cfg\n'
    own = (
        b"## comment\n"
        b"SET SIP_CONTROLLER_LIST pbx.example:5070;transport=tcp,pbx2.example:5070;transport=tcp\n"
        b'SET SIPDOMAIN "example.org"\n'
        b'SET SIP_USER_ACCOUNT "2006@example.org"\n'
        b'SET FORCE_SIP_USERNAME "a2006"\n'
        b'SET FORCE_SIP_PASSWORD "p w"\n'
    )
    (account,) = avaya.accounts({"/46xxsettings.txt": settings, "/24d921aabb01.cfg": own})
    assert (account.user, account.auth_user, account.password, account.domain) == (
        "2006",
        "a2006",
        "p w",
        "example.org",
    )
    # REGISTERs for example.org go to the first controller
    assert (account.destination, account.transport) == (("pbx.example", 5070), "tcp")


def test_avaya_controller_without_transport_is_tls():
    (account,) = avaya.accounts({"/x.cfg": b'SET SIP_CONTROLLER_LIST "pbx.example"\nSET SIP_USER_ID "1"\n'})
    assert (account.registrar, account.port, account.transport) == ("pbx.example", 5061, "tls")


# -- Unify -----------------------------------------------------------------------------------------------


def test_unify_primary_and_keyset_lines():
    body = b"""<DLSMessage xmlns="http://www.siemens.com/DLS"><Message><Action>WriteItems</Action><ItemList>
<Item name="reg-addr">example.org</Item><Item name="registrar-addr">reg.example</Item>
<Item name="registrar-port">5070</Item><Item name="sip-transport">1</Item>
<Item name="outbound-proxy">true</Item><Item name="sgnl-gateway-addr">sbc.example</Item>
<Item name="sgnl-gateway-port">5080</Item>
<Item name="e164">2007</Item><Item name="sip-user-id">a2007</Item><Item name="sip-pwd">pw</Item>
<Item name="function-key-def" index="2">31</Item><Item name="line-sip-uri" index="2">2107</Item>
<Item name="line-sip-user-id" index="2">a2107</Item><Item name="line-sip-pwd" index="2">pw2</Item>
<Item name="line-primary" index="2">false</Item>
<Item name="function-key-def" index="1">31</Item><Item name="line-sip-uri" index="1">2007</Item>
<Item name="line-primary" index="1">true</Item>
</ItemList></Message></DLSMessage>"""
    first, second = unify.accounts({"/001ae8556677_config.xml": body})
    assert (first.user, first.auth_user, first.domain, first.registrar, first.port, first.transport) == (
        "2007",
        "a2007",
        "example.org",
        "reg.example",
        5070,
        "tcp",
    )
    assert (second.line, second.user, second.auth_user, second.password) == (2, "2107", "a2107", "pw2")
    assert first.destination == second.destination == ("sbc.example", 5080)


# -- Poly ------------------------------------------------------------------------------------------------


def test_poly_reads_the_files_its_master_lists_first_one_winning():
    master = b'<APPLICATION APP_FILE_PATH="" CONFIG_FILES="[PHONE_MAC_ADDRESS]-user.cfg, site.cfg"/>'
    default_master = b'<APPLICATION CONFIG_FILES="unlisted.cfg"/>'
    user = b"""<polycomConfig><reg reg.1.address="2011@example.org" reg.1.auth.userId="a2011"
 reg.1.auth.password="pw" reg.1.server.1.address="reg1.example" reg.2.address="2111"
 reg.2.server.1.register="0"/></polycomConfig>"""
    site = b"""<polycomConfig><voIpProt voIpProt.server.1.address="site.example" voIpProt.server.1.port="0"
 voIpProt.server.1.transport="TCPOnly"/><reg reg.1.auth.password="overridden"/></polycomConfig>"""
    unlisted = b'<polycomConfig><reg reg.3.address="3"/></polycomConfig>'
    files = {
        "/000000000000.cfg": default_master,
        "/64167f010203.cfg": master,
        "/64167f010203-user.cfg": user,
        "/site.cfg": site,
        "/unlisted.cfg": unlisted,
    }
    first, second = poly.accounts(files)
    assert (first.user, first.domain, first.auth_user, first.password, first.registrar) == (
        "2011",
        "example.org",
        "a2011",
        "pw",
        "reg1.example",
    )
    assert (first.port, first.transport) == (5060, "tcp")
    assert (second.user, second.domain, second.registrar, second.enabled) == (
        "2111",
        "site.example",
        "site.example",
        False,
    )


# -- Grandstream -----------------------------------------------------------------------------------------


def test_grandstream_second_account_layout():
    body = b"""<gs_provision version="1"><config version="1">
<P271>1</P271><P47>pbx.example:5070</P47><P35>2012</P35><P36>a2012</P36><P34>pw</P34><P130>1</P130><P32>10</P32>
<P401>0</P401><P402>pbx2.example</P402><P403>sbc.example:5080</P403><P404>2112</P404><P406>pw2</P406>
<P407>Second</P407><P448>2</P448>
</config></gs_provision>"""
    first, second = configs.grandstream({"/cfgc074ad010203.xml": body})
    assert (first.registrar, first.port, first.transport, first.auth_user, first.expires) == (
        "pbx.example",
        5070,
        "tcp",
        "a2012",
        600,
    )
    assert (second.line, second.user, second.auth_user, second.password, second.display_name) == (
        2,
        "2112",
        "2112",
        "pw2",
        "Second",
    )
    assert (second.transport, second.port, second.enabled, second.destination) == (
        "tls",
        5061,
        False,
        ("sbc.example", 5080),
    )


# -- Snom ------------------------------------------------------------------------------------------------


def test_snom_idx_and_numbered_settings():
    model = b"<settings><phone-settings><user_host idx='1'>model.example</user_host></phone-settings></settings>"
    own = b"""<settings><phone-settings>
<user_active idx="1" perm="R">on</user_active><user_name idx="1" perm="R">2013</user_name>
<user_pname idx="1" perm="R">a2013</user_pname><user_pass idx="1" perm="R">pw</user_pass>
<user_host idx="1" perm="R">example.org:5070</user_host>
<user_active2>off</user_active2><user_name2>2113</user_name2><user_host2>example.org</user_host2>
<user_outbound2>sbc.example:5081;transport=tcp</user_outbound2>
</phone-settings></settings>"""
    first, second = snom.accounts(
        {"/snomD785.htm": b"<setting-files/>", "/snomD785.xml": model, "/000413010203.xml": own}
    )
    assert (first.user, first.auth_user, first.domain, first.port, first.transport, first.destination) == (
        "2013",
        "a2013",
        "example.org",
        5070,
        "udp",
        ("example.org", 5070),
    )
    assert (second.line, second.enabled, second.transport, second.destination) == (
        2,
        False,
        "tcp",
        ("sbc.example", 5081),
    )


# -- Fanvil and Qtech ------------------------------------------------------------------------------------


def test_fanvil_line_fields():
    body = b"""<sysConf><sip><line index="1"><PhoneNumber>2014</PhoneNumber><RegisterAddr>pbx.example</RegisterAddr>
<RegisterUser>a2014</RegisterUser><RegisterPswd>pw</RegisterPswd><Transport>1</Transport><EnableReg>0</EnableReg>
<ProxyAddr>sbc.example</ProxyAddr><ProxyPort>5080</ProxyPort></line>
<line index="2"><PhoneNumber></PhoneNumber></line></sip></sysConf>"""
    (account,) = configs.accounts("qtech", {"/000add102031.cfg": body})
    assert (account.user, account.auth_user, account.registrar, account.port, account.transport) == (
        "2014",
        "a2014",
        "pbx.example",
        5060,
        "tcp",
    )
    assert (account.enabled, account.destination) == (False, ("sbc.example", 5080))


def test_xml_with_a_doctype_is_refused():
    body = b'<?xml version="1.0"?><!DOCTYPE sysConf [<!ENTITY x "y">]><sysConf/>'
    with pytest.raises(ConfigError, match="DOCTYPE or ENTITY"):
        configs.fanvil({"/a.cfg": body})


def test_account_dicts_fit_the_simulated_device():
    phone = PHONES["cisco-CP-8845"]
    rows = configs.account_dicts("cisco", served(phone.mac))
    assert [(row["line"], row["user"], row["enabled"]) for row in rows] == [(1, "2002", True), (2, "2102", True)]
