# Private to this collection: names of fleet items (labels people type) and the identifiers made from them.
"""Names of profiles, firmware kits, key templates, extended sets, sites and tenants are labels.

People name them as they speak (``Офис``, ``Склад 1``, ``Отдел продаж (2 этаж)``): any one line of text
without control characters or leading/trailing spaces, at most :data:`MAX_LENGTH` characters. Names are
compared exactly, case included, after Unicode NFC normalisation (:func:`normalize_names`), so the same
typed name is the same name whichever keyboard or editor composed it.

Ansible needs identifiers where such a name becomes a group (``profile_<...>``, ``site_<...>``,
``tenant_<...>``): :func:`slug` derives a stable one. ASCII names give exactly the group names they gave
before labels (lower case, every run of other characters one ``_``), so no existing group changes.
"""

from __future__ import annotations

import functools
import re
import unicodedata

MAX_LENGTH = 100

# Characters no name may hold: C0 and C1 controls (a newline would start a new parameter in the phones'
# line-based formats), line and paragraph separators, and the invisible direction marks and overrides
# that make a name read differently from what it is.
_EXCLUDED = "\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff"
LABEL_PATTERN = f"^[^\\s{_EXCLUDED}]([^{_EXCLUDED}]*[^\\s{_EXCLUDED}])?$"
LABEL_DESCRIPTION = (
    f"a name as people type it: one line of text, at most {MAX_LENGTH} characters, no control characters,"
    " no leading or trailing spaces"
)
LABEL = {"type": "string", "pattern": LABEL_PATTERN, "maxLength": MAX_LENGTH, "description": LABEL_DESCRIPTION}
"""The JSON Schema of a name; the schema uses this very object, which is how :func:`name_plan` finds names."""

# Russian (with the Ukrainian and Belarusian letters) as ICAO Doc 9303 / GOST R 52535.1-2006 writes it
# in passports: a standard, plain ASCII letters only, and stable (it is a table, not a library's guess).
_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "ie",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    "є": "ie",
    "і": "i",
    "ї": "i",
    "ґ": "g",
    "ў": "u",
}
# Latin letters that are no base letter with an accent (NFKD leaves them as they are).
_LATIN = {"æ": "ae", "ø": "o", "ß": "ss", "œ": "oe", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i"}
_UNSAFE = re.compile(r"[^a-z0-9_]+")


def normalize(name: str) -> str:
    """The name in Unicode NFC, the form names are compared in."""
    return name if name.isascii() else unicodedata.normalize("NFC", name)


@functools.lru_cache(maxsize=4096)
def slug(name: str) -> str:
    """The identifier of a name in group names: ``Склад 1`` -> ``sklad_1``, ``CP-8845`` -> ``cp_8845``.

    Lower case; Cyrillic transliterated (ICAO 9303); other letters without their accents (``é`` -> ``e``),
    or as ``u`` and their code point when they have no Latin form (``北京`` -> ``u5317_u4eac``); every run of
    other characters one ``_``, none at either end. May be empty (a name of punctuation only).
    """
    text = str(name).lower()
    if not text.isascii():
        text = "".join(_ascii_of(char) for char in unicodedata.normalize("NFC", text)).lower()
    return _UNSAFE.sub("_", text).strip("_")


def _ascii_of(char: str) -> str:
    if char.isascii():
        return char
    if char in _CYRILLIC:
        return _CYRILLIC[char]
    if char in _LATIN:
        return _LATIN[char]
    latin = "".join(part for part in unicodedata.normalize("NFKD", char) if part.isascii())
    if latin:
        return latin
    category = unicodedata.category(char)[0]
    if category in "LN":  # a letter or digit with no Latin form: its code point, a word of its own
        return f" u{ord(char):x} "
    if category == "M":  # an accent left alone ("İ".lower() is i and a combining dot)
        return ""
    return " "  # punctuation, symbols, spaces: a separator


@functools.lru_cache(maxsize=4096)
def group_name(prefix: str, value: object) -> str:
    """``profile``, ``Склад 1`` -> ``profile_sklad_1``: a group name Ansible takes without warnings."""
    return f"{prefix}_{slug(str(value))}"


def name_plan(schema: dict) -> object:
    """Where a schema has names (:data:`LABEL`), as a plan :func:`normalize_names` follows; None: nowhere.

    A plan is ``True`` (this value is a name) or a dict with ``keys`` (the mapping's keys are names),
    ``properties`` ({field: plan}), ``values`` (plan of every value) and ``items`` (plan of list items).
    """
    if schema is LABEL:
        return True
    plan: dict = {}
    properties = {
        field: sub for field, sub in ((f, name_plan(s)) for f, s in schema.get("properties", {}).items()) if sub
    }
    if properties:
        plan["properties"] = properties
    if schema.get("propertyNames") is LABEL:
        plan["keys"] = True
    for part in ("additionalProperties", "items"):
        if isinstance(schema.get(part), dict) and (sub := name_plan(schema[part])):
            plan["values" if part == "additionalProperties" else "items"] = sub
    return plan or None


def normalize_names(data: object, plan: object, path: tuple = ()) -> tuple[object, list[tuple[tuple, str]]]:
    """``data`` with every name the plan points at in NFC, and the problems: keys that become the same name.

    Values of other types are left as they are (the schema check reports them). Mappings whose keys change
    are rebuilt in order; nothing else is copied.
    """
    problems: list[tuple[tuple, str]] = []
    if plan is True:
        return (normalize(data) if isinstance(data, str) else data), problems
    if not isinstance(plan, dict):
        return data, problems
    if isinstance(data, dict):
        if plan.get("keys") and not all(isinstance(key, str) and key.isascii() for key in data):
            data = _normalized_keys(data, path, problems)
        for field, sub in plan.get("properties", {}).items():
            value = data.get(field)
            if sub is True:  # a name: the common case (every phone has several), done here, not in a call
                if value.__class__ is str and not value.isascii():
                    data[field] = unicodedata.normalize("NFC", value)
            elif value is not None:
                data[field], found = normalize_names(value, sub, path + (field,))
                problems.extend(found)
        if "values" in plan:
            for key in data:
                data[key], found = normalize_names(data[key], plan["values"], path + (key,))
                problems.extend(found)
    elif isinstance(data, list) and "items" in plan:
        for index, item in enumerate(data):
            data[index], found = normalize_names(item, plan["items"], path + (index,))
            problems.extend(found)
    return data, problems


def _normalized_keys(data: dict, path: tuple, problems: list) -> dict:
    result: dict = {}
    written: dict = {}
    for key, value in data.items():
        name = normalize(key) if isinstance(key, str) else key
        if name in result:
            message = f"is the same name as '{written[name]}' (the same letters, composed differently)"
            problems.append((path + (key,), message))
            continue
        result[name] = value
        written[name] = key
    return result
