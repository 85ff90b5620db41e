# Private to this collection: one change to many phones at once (phones_bulk), fast on a very large file.
"""Set or remove a few top-level fields of many phones, or remove the phones, editing the file's text.

A round trip through ruamel.yaml of a 20,000-phone file takes half a minute; this edits the lines of the
phones a change touches and leaves every other byte as it was, so comments, order, quoting and vault values
survive by construction. It understands the usual shape of a phones file:

    phones:
    - mac: 80:5e:c0:11:22:33      # a block item: "key: value" lines at the item's indentation
      profile: office             # a field whose value is one scalar on its line is replaced in place,
      lines: [...]                # a missing one is inserted after the item's last line, at its indentation
    - {mac: 80:5e:c0:11:22:34, profile: office}   # a flow item on one line: its entries are edited

Anything else (a multi-line value, a quoted or complex key, a flow item over several lines, an anchor on
the field) is :class:`TextEditUnsupported`. Every new text is read back with the fleet's own reader and must
give exactly the data expected; if not, or if the text path is unsupported, the file is changed through the
round-trip engine (:meth:`FleetEdit.put_many`) instead — slower, never wrong.

The new texts go to :meth:`FleetEdit.set_text`, so the whole-fleet validation, the masked diffs and the
all-or-none write are the engine's.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .edit import CHANGED, REMOVED, Change, EditError, FleetEdit, _dig
from .loader import display_name
from .mac import InvalidMac, normalize_mac
from .selection import Selection, select
from .yaml_edit import needs_quotes
from .yamlio import YamlSyntaxError, load_yaml

#: Phone fields a bulk change may set or remove: one name each, the same for many phones. Not the MAC or
#: name (they identify one phone), vendor or model (they change what is rendered: phone by phone), lines and
#: keys (per phone), nor admin_password (a secret is set phone by phone with the phone module).
BULK_FIELDS = ("profile", "firmware_kit", "site", "key_template", "description")

_ITEM = re.compile(r"(?P<indent> *)-(?P<gap> +)(?P<rest>.*)")
_FIELD = re.compile(r"(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?P<colon>[ \t]*:)(?P<after>(?:[ \t].*)?)")
# after "key:": the value (a plain or quoted scalar on this line) and what follows it (a comment)
_QUOTED = re.compile(r"""[ \t]+(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')(?P<tail>[ \t]*(?:#.*)?)""")
_PLAIN = re.compile(r"[ \t]+(?P<value>[^ \t#|>&*!\[\]{}'\"%@`][^#]*?)(?P<tail>(?:[ \t]+#.*)?)[ \t]*")
_FLOW_SPECIAL = set(",[]{}#")


class TextEditUnsupported(Exception):
    """The text path cannot make this change surely; the round-trip engine makes it."""


@dataclass
class BulkResult:
    """What a bulk change did: the MACs (normalised) matched and changed, the files the text path could not edit."""

    matched: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    round_trip_files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # MACs of the selection that are no phone of the fleet


def change_selected(
    edit: FleetEdit, selection: Selection, fields: dict | None, *, live: dict | None = None, remove: bool = False
) -> BulkResult:
    """The phones_bulk change: load the fleet, select its phones (``live``: the service's rows by MAC, for a
    selection by status), change them on ``edit`` (``edit.plan()`` then validates and writes)."""
    fleet = edit.current_fleet()
    result = bulk_change(edit, [phone.mac for phone in select(fleet, selection, live)], fields, remove=remove)
    result.missing = selection.missing_macs(fleet)
    return result


def bulk_change(edit: FleetEdit, macs: list[str], fields: dict | None, *, remove: bool = False) -> BulkResult:
    """On ``edit``: set the ``fields`` given (a value) or remove them (None) on every phone of ``macs``
    (normalised), or remove those phones (``remove``). Phones already as asked are left alone."""
    fields = dict(fields or {})
    unknown = sorted(set(fields) - set(BULK_FIELDS))
    if unknown:
        raise EditError(f"{unknown[0]}: not a field a bulk change sets; the fields are {', '.join(BULK_FIELDS)}")
    wanted = set(macs)
    result = BulkResult(matched=list(macs))
    found: set[str] = set()
    for path in edit.paths:
        data = edit.plain(path)
        phones = _dig(data, ("phones",))
        if not isinstance(data, dict) or not isinstance(phones, list):
            continue
        updates: dict[int, dict | None] = {}
        changes: list[Change] = []
        for index, item in enumerate(phones):
            mac = _mac_of(item)
            if mac is None or mac not in wanted:
                continue
            found.add(mac)
            after = None if remove else _changed(item, fields)
            if after == item:
                continue
            updates[index] = None if remove else fields
            changes.append(Change("phones", mac, display_name(path), REMOVED if remove else CHANGED, item, after))
        if not updates:
            continue
        result.changed.extend(change.key for change in changes)
        try:
            text = edit_text(edit.text(path), phones, updates)
            expected = _expected(data, phones, changes)
            if load_yaml(text.lstrip("\ufeff")) != expected:
                raise TextEditUnsupported("the text read back differs")
        except (TextEditUnsupported, YamlSyntaxError):
            result.round_trip_files.append(display_name(path))
            _round_trip(edit, path, phones, updates)
            continue
        edit.set_text(path, text, changes)
    for mac in wanted - found:
        edit.locate("phones", mac)  # a phone of a CSV or vault-encrypted file: EditError saying so
    return result


def _mac_of(item: object) -> str | None:
    if not isinstance(item, dict) or "mac" not in item:
        return None
    with contextlib.suppress(InvalidMac):
        return normalize_mac(item["mac"])
    return None


def _changed(item: dict, fields: dict) -> dict:
    after = dict(item)
    for name, value in fields.items():
        if value is None:
            after.pop(name, None)
        else:
            after[name] = value
    return after


def _expected(data: dict, phones: list, changes: list[Change]) -> dict:
    """The file's data after the changes, as its new text must read."""
    by_mac = {change.key: change for change in changes}
    items = []
    for item in phones:
        change = by_mac.get(_mac_of(item) or "")
        if change is None:
            items.append(item)
        elif change.after is not None:
            items.append(change.after)
    return {**data, "phones": items}


def _round_trip(edit: FleetEdit, path: str, phones: list, updates: dict[int, dict | None]) -> None:
    items: dict[str, dict | None] = {}
    for index, fields in updates.items():
        mac = _mac_of(phones[index])
        if mac is not None:
            items[mac] = fields
    edit.put_many("phones", items, path)


# -- the text path -------------------------------------------------------------------------------------


def edit_text(text: str, phones: list, updates: dict[int, dict | None]) -> str:
    """``text`` with the phones at the indexes of ``updates`` changed (fields: value or None to remove) or
    removed (None); TextEditUnsupported when the text is not of the shape this understands."""
    newline = "\r\n" if "\r\n" in text else "\n"
    spans = _item_spans(text)
    if len(spans) != len(phones):
        raise TextEditUnsupported("the phones list is not one item per '- ' line")
    out: list[str] = []
    position = 0
    for index in sorted(updates):
        start, end = spans[index]
        fields = updates[index]
        item_lines = text[start:end].splitlines(keepends=True)
        out.append(text[position:start])
        if fields is None:
            kept = _trailing_comments(item_lines)
            out.extend(item_lines[len(item_lines) - kept :] if kept else [])
        else:
            out.extend(_edit_item(item_lines, fields, newline))
        position = end
    out.append(text[position:])
    return "".join(out)


def _body(line: str) -> str:
    return line.rstrip("\r\n")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


_PHONES_LINE = re.compile(r"^\ufeff?phones[ \t]*:[ \t]*(?:#[^\n]*)?\r?$", re.MULTILINE)
_FIRST_CONTENT = re.compile(r"^( *)[^ #\r\n]", re.MULTILINE)


def _item_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each item of the top-level ``phones:`` list (an item ends where the next
    starts; the last where the list ends). Only the lines that start at most at the list's indentation are
    looked at, by one regular expression: a 20,000-phone file is scanned in C."""
    headers = list(_PHONES_LINE.finditer(text))
    if len(headers) != 1:
        raise TextEditUnsupported("no single top-level 'phones:' line")
    first = _FIRST_CONTENT.search(text, headers[0].end())
    if first is None:
        return []
    indent = len(first.group(1))
    # lines starting at the list's indentation or less with something other than a comment
    edges = re.compile(rf"^ {{0,{indent}}}(?=[^ \r\n])(?!#)[^\n]*", re.MULTILINE)
    item = re.compile(rf" {{{indent}}}-(?: |\r?$)")
    spans: list[tuple[int, int]] = []
    for found in edges.finditer(text, first.start()):
        if item.match(found.group(0)):
            if spans:
                spans[-1] = (spans[-1][0], found.start())
            spans.append((found.start(), len(text)))
            continue
        if spans:
            spans[-1] = (spans[-1][0], found.start())
        break  # the list ended (the next top-level key, a document marker)
    return spans


def _trailing_comments(item_lines: list[str]) -> int:
    """How many lines at the end of an item are blank or comments (they belong to what follows)."""
    count = 0
    for line in reversed(item_lines[1:]):
        if not _blank_or_comment(line):
            break
        count += 1
    return count


def _edit_item(item_lines: list[str], fields: dict, newline: str) -> list[str]:
    first = _ITEM.fullmatch(_body(item_lines[0]))
    if first is None:
        raise TextEditUnsupported("not an item line")
    if first["rest"].startswith("{"):
        return _edit_flow_item(item_lines, first, fields)
    content_indent = len(first["indent"]) + 1 + len(first["gap"])
    lines = list(item_lines)
    where: dict[str, int] = {}
    for number, line in enumerate(lines):
        body = _body(line)
        if number == 0:
            text = first["rest"]
        elif _blank_or_comment(body) or _indent(body) != content_indent:
            continue
        else:
            text = body[content_indent:]
            if text == "-" or text.startswith("- "):
                continue  # an item of a list written at its key's indentation ("lines:" then "- number: ...")
        found = _FIELD.fullmatch(text)
        if found is None:
            raise TextEditUnsupported(f"not a simple 'key: value' line: {text[:20]!r}")
        where[found["key"]] = number
    removed: set[int] = set()
    inserted: list[str] = []
    for name in BULK_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        at = where.get(name)
        if at is None:
            if value is not None:
                inserted.append(f"{' ' * content_indent}{name}: {scalar_text(value)}{newline}")
            continue
        if value is None:
            if at == 0:
                raise TextEditUnsupported("the field to remove is on the item's first line")
            removed.add(at)
            continue
        lines[at] = _replace_value(lines[at], content_indent, value)  # after "- " too: the same column
    kept = [line for number, line in enumerate(lines) if number not in removed]
    tail = _trailing_comments(kept)
    position = len(kept) - tail
    last = kept[position - 1]
    if inserted and not last.endswith("\n"):
        kept[position - 1] = last + newline
        if position == len(kept):
            inserted[-1] = inserted[-1].rstrip("\r\n")
    return kept[:position] + inserted + kept[position:]


def _replace_value(line: str, column: int, value: str) -> str:
    body = _body(line)
    ending = line[len(body) :]
    found = _FIELD.fullmatch(body[column:])
    if found is None:
        raise TextEditUnsupported("not a simple 'key: value' line")
    after = found["after"]
    scanned = _QUOTED.fullmatch(after) or _PLAIN.fullmatch(after)
    if scanned is None:
        raise TextEditUnsupported(f"{found['key']}: the value is not one scalar on its line")
    start = column + found.end("colon") + scanned.start("value")
    end = column + found.end("colon") + scanned.end("value")
    return body[:start] + scalar_text(value) + body[end:] + ending


def _edit_flow_item(item_lines: list[str], first: re.Match, fields: dict) -> list[str]:
    if any(not _blank_or_comment(line) for line in item_lines[1:]):
        raise TextEditUnsupported("a flow item over several lines")
    rest = first["rest"]
    close = _flow_end(rest)
    tail = rest[close + 1 :]
    if tail.strip() and not tail.strip().startswith("#"):
        raise TextEditUnsupported("text after a flow item")
    entries = _flow_entries(rest[1:close])
    keys = [entry.split(":", 1)[0].strip() for entry in entries]
    for name in BULK_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        entry = f"{name}: {scalar_text(value, flow=True)}" if value is not None else None
        if name in keys:
            position = keys.index(name)
            if entry is None:
                del entries[position], keys[position]
            else:
                entries[position] = entry
        elif entry is not None:
            entries.append(entry)
            keys.append(name)
    body = _body(item_lines[0])
    ending = item_lines[0][len(body) :]
    prefix = first["indent"] + "-" + first["gap"]
    return [prefix + "{" + ", ".join(entries) + "}" + tail + ending, *item_lines[1:]]


def _flow_structure(text: str) -> Iterator[tuple[int, str, int]]:
    """(position, character, depth after it) of each bracket and comma of ``text`` outside quoted scalars."""
    depth = 0
    position = 0
    while position < len(text):
        char = text[position]
        if char in "\"'":
            position = _quote_end(text, position)
        elif char in "[{]},":
            depth += 1 if char in "[{" else -1 if char in "]}" else 0
            yield position, char, depth
        position += 1


def _flow_end(text: str) -> int:
    """The index of the ``}`` that closes the flow mapping ``text`` starts with."""
    for position, char, depth in _flow_structure(text):
        if char == "}" and depth == 0:
            return position
    raise TextEditUnsupported("a flow item that does not close on its line")


def _quote_end(text: str, start: int) -> int:
    quote = text[start]
    position = start + 1
    while position < len(text):
        if quote == '"' and text[position] == "\\":
            position += 2
            continue
        if text[position] == quote:
            if quote == "'" and text[position + 1 : position + 2] == "'":
                position += 2
                continue
            return position
        position += 1
    raise TextEditUnsupported("a quoted value that does not close on its line")


def _flow_entries(inner: str) -> list[str]:
    """The top-level entries of a flow mapping's inside, each stripped."""
    entries: list[str] = []
    start = 0
    for position, char, depth in _flow_structure(inner):
        if char == "," and depth == 0:
            entries.append(inner[start:position].strip())
            start = position + 1
    entries.append(inner[start:].strip())
    entries = [entry for entry in entries if entry]
    if any(":" not in entry for entry in entries):
        raise TextEditUnsupported("a flow entry that is not 'key: value'")
    return entries


@functools.lru_cache(maxsize=64)  # one value for thousands of phones: decided once
def scalar_text(value: str, flow: bool = False) -> str:
    """``value`` as written in the file: plain when YAML reads it back as this string (yaml_edit.scalar's
    rule), else double-quoted; in a flow mapping also quoted when it holds a flow indicator."""
    if needs_quotes(value) or (flow and _FLOW_SPECIAL & set(value)):
        return json.dumps(value, ensure_ascii=False)
    return value


__all__ = [
    "BULK_FIELDS",
    "BulkResult",
    "TextEditUnsupported",
    "bulk_change",
    "change_selected",
    "edit_text",
    "scalar_text",
]
