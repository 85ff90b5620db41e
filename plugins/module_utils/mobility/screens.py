# Private to this collection: the phones' login screens (Cisco IP Phone Services, Yealink XML browser).
"""What a phone's XML browser shows for mobility: a login form (number and PIN), the result, and, on a phone
someone is logged in on, who it is and a logout entry. One function per screen and vendor; the service's handler
(``phonefleet_service/mobility.py``) picks the vendor by the path and gives the absolute URLs the forms submit to.

Cisco enterprise (Cisco Unified IP Phone Services Application Development Notes, OL-20949 and the 9.1(1)+
edition: ``CiscoIPPhoneInput`` with ``Title``, ``Prompt``, ``URL``, up to five ``InputItem`` of
``DisplayName``, ``QueryStringParam``, ``DefaultValue``, ``InputFlags``; the phone submits with GET, the
fields appended to the URL as a query string, "CiscoIPPhoneInput objects do not use the HTTP POST method";
``CiscoIPPhoneMenu`` of ``MenuItem`` ``Name``/``URL``; ``CiscoIPPhoneText`` ``Title``/``Prompt``/``Text``;
content type ``text/xml``). InputFlags ``N`` is numeric input; ``P`` masks what is typed and "specifies the only
InputFlag that works as a modifier", e.g. ``AP`` (OL-20949-01, p. 3-6, the InputFlag table), so ``NP`` is numeric
and masked by that rule; not tried on a phone (unverified). ``#DEVICENAME#`` is replaced by ``SEP<MAC>`` in a
service URL defined in CUCM ("Adding a Cisco Unified IP Phone Service", CUCM administration guide OL-14219):
the driver writes the device name out instead (vendors/cisco/driver.py says why).

Yealink (XML Browser Developer's Guide for Yealink SIP-T4X IP Phones, guide version 71.155:
``YealinkIPPhoneInputScreen`` with ``Title``, ``URL`` and ``InputField`` elements of ``Prompt``, ``Parameter``,
``Default``; ``YealinkIPPhoneTextScreen`` ``Title``/``Text``; ``YealinkIPPhoneTextMenu`` of ``MenuItem``
``Prompt``/``URI``). The ``type`` (``IP``, ``string``, ``number``, ...; ``string`` by default) and ``password``
(``yes``/``no``, ``no`` by default) attributes are those of the Aastra XML guide's InputScreen that Yealink's
object copies (Aastra 6700i XML developer's guide PA-001011-03-04, p. 128), and public Yealink applications
write them the same way (FreePBX phoneprovision's Yealink logout.php: ``type="number" password="yes"``;
Gemeinschaft's pb.php: ``InputField type="string" password="no"``); Yealink's own attribute table was not read
(unverified). The fields go to ``URL`` as a GET with ``Parameter=value`` appended ("sent via HTTP GET", Aastra
9143i administrator guide, appendix F, UserInput object; the same public applications read them so); not
captured from a Yealink phone (unverified).

Every text is escaped (ElementTree), so a user's name or a reason never breaks the XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

CISCO = "cisco"
YEALINK = "yealink"
#: the vendors that have login screens, and the path each one's services URL / XML browser key names
PATHS = {CISCO: "/cisco/mobility", YEALINK: "/yealink/mobility"}
LOGIN, LOGOUT = "/login", "/logout"
CONTENT_TYPE = "text/xml; charset=utf-8"
TITLE = "Mobility"
NUMBER, PIN = "number", "pin"


def _xml(root: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def login_form(vendor: str, submit_url: str) -> bytes:
    """The form asking number and PIN, submitted to ``submit_url``."""
    if vendor == CISCO:
        root = ET.Element("CiscoIPPhoneInput")
        _add(root, "Title", TITLE)
        _add(root, "Prompt", "Enter your number and PIN")
        _add(root, "URL", submit_url)
        for label, parameter, flags in (("Number", NUMBER, "N"), ("PIN", PIN, "NP")):
            item = _add(root, "InputItem")
            _add(item, "DisplayName", label)
            _add(item, "QueryStringParam", parameter)
            _add(item, "DefaultValue", "")
            _add(item, "InputFlags", flags)
        return _xml(root)
    root = ET.Element("YealinkIPPhoneInputScreen", {"type": "number"})
    _add(root, "Title", TITLE)
    _add(root, "URL", submit_url)
    for label, parameter, password in (("Number", NUMBER, "no"), ("PIN", PIN, "yes")):
        field = _add(root, "InputField", type="number", password=password)
        _add(field, "Prompt", label)
        _add(field, "Parameter", parameter)
        _add(field, "Default", "")
    return _xml(root)


def logged_in_menu(vendor: str, user_name: str, number: str, logout_url: str) -> bytes:
    """What a phone someone is logged in on shows: who, and the logout entry."""
    who = f"{user_name} ({number})"
    if vendor == CISCO:
        root = ET.Element("CiscoIPPhoneMenu")
        _add(root, "Title", TITLE)
        _add(root, "Prompt", f"Logged in: {who}")
        item = _add(root, "MenuItem")
        _add(item, "Name", f"Log out {who}")
        _add(item, "URL", logout_url)
        return _xml(root)
    root = ET.Element("YealinkIPPhoneTextMenu")
    _add(root, "Title", f"Logged in: {who}")
    item = _add(root, "MenuItem")
    _add(item, "Prompt", f"Log out {who}")
    _add(item, "URI", logout_url)
    return _xml(root)


def text(vendor: str, message: str) -> bytes:
    """A screen of text: the result of a login or logout, or why not."""
    root = ET.Element("CiscoIPPhoneText" if vendor == CISCO else "YealinkIPPhoneTextScreen")
    _add(root, "Title", TITLE)
    if vendor == CISCO:
        _add(root, "Prompt", "")
    _add(root, "Text", message)
    return _xml(root)
