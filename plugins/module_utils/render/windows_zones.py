# Private to this collection: Olson time zone names -> the Windows-style names Cisco phones use.
"""Cisco enterprise phones (``<timeZone>`` in ``SEP<MAC>.cnf.xml``) take a Windows-style zone name from a
fixed list, spelt ``"<name> Standard/Daylight Time"`` for zones the phone knows a DST rule for and
``"<name> Standard Time"`` for the others (research/unify-cisco.md B.5). The phone applies its own
built-in offset and DST rule for the name: the name must be one of its list, or it falls back to its
default.

``ZONES`` maps common Olson names onto that list, following the CLDR windowsZones mapping (the Windows
zone of each Olson zone) narrowed to the names Cisco phones know: where CLDR names a Windows zone the
phones lack (e.g. "Central European Standard Time" for Europe/Warsaw, "Belarus Standard Time" for
Europe/Minsk), the Cisco zone of the same offset and DST behaviour stands in.

Fallback (``windows_zone`` for a zone not in ``ZONES``): the Cisco zone of the same standard UTC offset,
preferring one whose DST presence matches (from the tz database via ``timezone.zone_facts``); with no
Cisco zone of that offset, the one of the nearest offset (the earlier one in ``CISCO_ZONES`` order on a
tie). An unknown Olson name raises ``timezone.UnknownTimeZone``.

Unverified: the list is from usecallmanager.nz, not from a phone; sources disagree on some mappings
(WAZO maps Europe/Paris to "Central Europe", VoIP Domain maps CET zones to "GTB"); the DST rule a phone
applies for a name is its own and may lag the zone's current rules (Europe/Moscow has had no DST since
2014, yet the phones' only +3 Russian name is "Russian Standard/Daylight Time").
"""

from __future__ import annotations

from ..fleet.timezone import zone_facts

_SD = " Standard/Daylight Time"
_S = " Standard Time"

#: (Cisco name, standard UTC offset in minutes, has DST) in the phones' own list order.
CISCO_ZONES: tuple[tuple[str, int, bool], ...] = (
    ("Dateline" + _S, -720, False),
    ("Samoa" + _S, -660, False),
    ("Hawaiian" + _S, -600, False),
    ("Alaskan" + _SD, -540, True),
    ("Pacific" + _SD, -480, True),
    ("Mountain" + _SD, -420, True),
    ("US Mountain" + _S, -420, False),
    ("Central" + _SD, -360, True),
    ("Mexico" + _SD, -360, True),
    ("Canada Central" + _S, -360, False),
    ("SA Pacific" + _S, -300, False),
    ("Eastern" + _SD, -300, True),
    ("US Eastern" + _S, -300, False),
    ("Atlantic" + _SD, -240, True),
    ("SA Western" + _S, -240, False),
    ("Pacific SA" + _S, -240, False),
    ("Newfoundland" + _SD, -210, True),
    ("E. South America" + _SD, -180, True),
    ("SA Eastern" + _S, -180, False),
    ("Mid-Atlantic" + _SD, -120, True),
    ("Azores" + _SD, -60, True),
    ("GMT" + _SD, 0, True),
    ("Greenwich" + _S, 0, False),
    ("W. Europe" + _SD, 60, True),
    ("Central Europe" + _SD, 60, True),
    ("Romance" + _SD, 60, True),
    ("GTB" + _SD, 120, True),
    ("E. Europe" + _SD, 120, True),
    ("Egypt" + _SD, 120, True),
    ("Jerusalem" + _SD, 120, True),
    ("South Africa" + _S, 120, False),
    ("Russian" + _SD, 180, True),
    ("Saudi Arabia" + _S, 180, False),
    ("Iran" + _SD, 210, True),
    ("Caucasus" + _SD, 240, True),
    ("Arabian" + _S, 240, False),
    ("Afghanistan" + _S, 270, False),
    ("Ekaterinburg" + _S, 300, False),
    ("West Asia" + _S, 300, False),
    ("India" + _S, 330, False),
    ("Central Asia" + _S, 360, False),
    ("SE Asia" + _S, 420, False),
    ("China" + _SD, 480, True),
    ("Taipei" + _S, 480, False),
    ("Tokyo" + _S, 540, False),
    ("Cen. Australia" + _SD, 570, True),
    ("AUS Central" + _S, 570, False),
    ("AUS Eastern" + _SD, 600, True),
    ("E. Australia" + _S, 600, False),
    ("West Pacific" + _S, 600, False),
    ("Tasmania" + _SD, 600, True),
    ("Central Pacific" + _S, 660, False),
    ("New Zealand" + _SD, 720, True),
    ("Fiji" + _S, 720, False),
)

_NAMES = {name for name, _ignored, _ignored in CISCO_ZONES}

#: Olson name -> Cisco name; CLDR's Windows zone, or the Cisco zone standing in for it (see the module doc).
ZONES: dict[str, str] = {
    # Europe
    "Europe/London": "GMT" + _SD,
    "Europe/Dublin": "GMT" + _SD,
    "Europe/Lisbon": "GMT" + _SD,
    "Atlantic/Reykjavik": "Greenwich" + _S,
    "Africa/Abidjan": "Greenwich" + _S,
    "Etc/UTC": "Greenwich" + _S,
    "UTC": "Greenwich" + _S,
    "Europe/Berlin": "W. Europe" + _SD,
    "Europe/Amsterdam": "W. Europe" + _SD,
    "Europe/Rome": "W. Europe" + _SD,
    "Europe/Stockholm": "W. Europe" + _SD,
    "Europe/Vienna": "W. Europe" + _SD,
    "Europe/Zurich": "W. Europe" + _SD,
    "Europe/Oslo": "W. Europe" + _SD,
    "Europe/Luxembourg": "W. Europe" + _SD,
    "Europe/Paris": "Romance" + _SD,
    "Europe/Madrid": "Romance" + _SD,
    "Europe/Brussels": "Romance" + _SD,
    "Europe/Copenhagen": "Romance" + _SD,
    "Europe/Budapest": "Central Europe" + _SD,
    "Europe/Prague": "Central Europe" + _SD,
    "Europe/Belgrade": "Central Europe" + _SD,
    "Europe/Bratislava": "Central Europe" + _SD,
    "Europe/Ljubljana": "Central Europe" + _SD,
    "Europe/Warsaw": "Central Europe" + _SD,
    "Europe/Zagreb": "Central Europe" + _SD,
    "Europe/Sarajevo": "Central Europe" + _SD,
    "Europe/Athens": "GTB" + _SD,
    "Europe/Bucharest": "GTB" + _SD,
    "Europe/Chisinau": "E. Europe" + _SD,
    "Europe/Kiev": "E. Europe" + _SD,
    "Europe/Kyiv": "E. Europe" + _SD,
    "Europe/Helsinki": "E. Europe" + _SD,
    "Europe/Riga": "E. Europe" + _SD,
    "Europe/Tallinn": "E. Europe" + _SD,
    "Europe/Vilnius": "E. Europe" + _SD,
    "Europe/Sofia": "E. Europe" + _SD,
    "Europe/Kaliningrad": "South Africa" + _S,
    "Europe/Moscow": "Russian" + _SD,
    "Europe/Minsk": "Russian" + _SD,
    "Europe/Simferopol": "Russian" + _SD,
    "Europe/Volgograd": "Russian" + _SD,
    "Europe/Istanbul": "Saudi Arabia" + _S,
    "Europe/Samara": "Arabian" + _S,
    # Africa and the Middle East
    "Africa/Cairo": "Egypt" + _SD,
    "Africa/Johannesburg": "South Africa" + _S,
    "Africa/Lagos": "W. Europe" + _SD,
    "Africa/Nairobi": "Saudi Arabia" + _S,
    "Asia/Jerusalem": "Jerusalem" + _SD,
    "Asia/Riyadh": "Saudi Arabia" + _S,
    "Asia/Baghdad": "Saudi Arabia" + _S,
    "Asia/Kuwait": "Saudi Arabia" + _S,
    "Asia/Qatar": "Saudi Arabia" + _S,
    "Asia/Tehran": "Iran" + _SD,
    "Asia/Dubai": "Arabian" + _S,
    "Asia/Muscat": "Arabian" + _S,
    "Asia/Baku": "Caucasus" + _SD,
    "Asia/Tbilisi": "Caucasus" + _SD,
    "Asia/Yerevan": "Caucasus" + _SD,
    # Asia
    "Asia/Kabul": "Afghanistan" + _S,
    "Asia/Yekaterinburg": "Ekaterinburg" + _S,
    "Asia/Tashkent": "West Asia" + _S,
    "Asia/Karachi": "West Asia" + _S,
    "Asia/Kolkata": "India" + _S,
    "Asia/Calcutta": "India" + _S,
    "Asia/Almaty": "West Asia" + _S,  # UTC+5 since 2024
    "Asia/Dhaka": "Central Asia" + _S,
    "Asia/Omsk": "Central Asia" + _S,
    "Asia/Novosibirsk": "SE Asia" + _S,
    "Asia/Krasnoyarsk": "SE Asia" + _S,
    "Asia/Bangkok": "SE Asia" + _S,
    "Asia/Jakarta": "SE Asia" + _S,
    "Asia/Ho_Chi_Minh": "SE Asia" + _S,
    "Asia/Shanghai": "China" + _SD,
    "Asia/Hong_Kong": "China" + _SD,
    "Asia/Irkutsk": "China" + _SD,
    "Asia/Singapore": "Taipei" + _S,
    "Asia/Kuala_Lumpur": "Taipei" + _S,
    "Asia/Manila": "Taipei" + _S,
    "Asia/Taipei": "Taipei" + _S,
    "Australia/Perth": "Taipei" + _S,
    "Asia/Tokyo": "Tokyo" + _S,
    "Asia/Seoul": "Tokyo" + _S,
    "Asia/Yakutsk": "Tokyo" + _S,
    "Asia/Vladivostok": "West Pacific" + _S,
    "Asia/Magadan": "Central Pacific" + _S,
    "Asia/Kamchatka": "Fiji" + _S,
    # Oceania
    "Australia/Adelaide": "Cen. Australia" + _SD,
    "Australia/Darwin": "AUS Central" + _S,
    "Australia/Brisbane": "E. Australia" + _S,
    "Australia/Sydney": "AUS Eastern" + _SD,
    "Australia/Melbourne": "AUS Eastern" + _SD,
    "Australia/Hobart": "Tasmania" + _SD,
    "Pacific/Guam": "West Pacific" + _S,
    "Pacific/Port_Moresby": "West Pacific" + _S,
    "Pacific/Guadalcanal": "Central Pacific" + _S,
    "Pacific/Noumea": "Central Pacific" + _S,
    "Pacific/Auckland": "New Zealand" + _SD,
    "Pacific/Fiji": "Fiji" + _S,
    "Pacific/Pago_Pago": "Samoa" + _S,
    "Pacific/Honolulu": "Hawaiian" + _S,
    # Americas
    "America/Anchorage": "Alaskan" + _SD,
    "America/Los_Angeles": "Pacific" + _SD,
    "America/Vancouver": "Pacific" + _SD,
    "America/Tijuana": "Pacific" + _SD,
    "America/Denver": "Mountain" + _SD,
    "America/Edmonton": "Mountain" + _SD,
    "America/Phoenix": "US Mountain" + _S,
    "America/Chicago": "Central" + _SD,
    "America/Winnipeg": "Central" + _SD,
    "America/Mexico_City": "Mexico" + _SD,
    "America/Monterrey": "Mexico" + _SD,
    "America/Regina": "Canada Central" + _S,
    "America/Guatemala": "Canada Central" + _S,
    "America/Bogota": "SA Pacific" + _S,
    "America/Lima": "SA Pacific" + _S,
    "America/New_York": "Eastern" + _SD,
    "America/Toronto": "Eastern" + _SD,
    "America/Detroit": "Eastern" + _SD,
    "America/Indiana/Indianapolis": "US Eastern" + _S,
    "America/Halifax": "Atlantic" + _SD,
    "America/Caracas": "SA Western" + _S,
    "America/La_Paz": "SA Western" + _S,
    "America/Santiago": "Pacific SA" + _S,
    "America/St_Johns": "Newfoundland" + _SD,
    "America/Sao_Paulo": "E. South America" + _SD,
    "America/Argentina/Buenos_Aires": "SA Eastern" + _S,
    "America/Buenos_Aires": "SA Eastern" + _S,
    "America/Montevideo": "SA Eastern" + _S,
    "Atlantic/South_Georgia": "Mid-Atlantic" + _SD,
    "Atlantic/Azores": "Azores" + _SD,
}


def windows_zone(olson: str) -> str:
    """The Cisco (Windows-style) zone name of an Olson zone: from ``ZONES``, else by UTC offset (module doc)."""
    known = ZONES.get(olson)
    if known is not None:
        return known
    facts = zone_facts(olson)
    same_offset = [zone for zone in CISCO_ZONES if zone[1] == facts.utc_offset_minutes]
    if same_offset:
        matching = [zone for zone in same_offset if zone[2] == facts.has_dst]
        return (matching or same_offset)[0][0]
    nearest = min(CISCO_ZONES, key=lambda zone: abs(zone[1] - facts.utc_offset_minutes))
    return nearest[0]
