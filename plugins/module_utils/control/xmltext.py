# Private to this collection: small XML answers of phones, read safely.
"""Phones answer status requests with small XML documents. They are read with the standard library's
parser after refusing any DTD (no entity expansion, no external entities), and flattened to text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

MAX_XML = 1 << 20


class XmlError(ValueError):
    pass


def leaves(data: bytes) -> dict:
    """{tag: text} of every element with text, the first of each tag kept; XmlError for bad XML."""
    if len(data) > MAX_XML:
        raise XmlError("the XML answer is too large")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise XmlError("the XML answer has a DTD, which is refused")
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DTD (checked above), size bounded
    except ET.ParseError as exc:
        raise XmlError(f"not XML ({exc})") from None
    found: dict = {}
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        text = (element.text or "").strip()
        if text and tag not in found:
            found[tag] = text
    return found
