"""A simulated phone's screen as an image: a BMP as the phones send it, and a PNG encoder (zlib + struct).

The screen shows what a desk phone's idle screen shows: a status bar with the model and the time, the
line's number and label in large type, the MAC, firmware and IP address, and a softkey bar. Text is drawn
with a built-in 5x7 pixel font (upper case, digits, common punctuation), so nothing outside the standard
library is needed. The sizes are the displays' real resolutions where known (Yealink T5x 480x272, Cisco
88xx 800x480, 78xx 396x162), else 480x272; they are cosmetic.

Formats: the phones' screenshot URLs return a BMP (Yealink ``/screencapture``, Cisco ``/CGI/Screenshot``,
Snom ``/screen.bmp``, Poly ``/captureScreen``), here a 24-bit uncompressed BMP (BITMAPINFOHEADER, bottom-up
rows padded to 4 bytes). :func:`png` writes a PNG (RGB, 8 bits, filter 0) for whoever wants to store one;
:func:`read_bmp` reads a 24-bit BMP back into rows, for tests and for converting with :func:`bmp_to_png`.
"""

from __future__ import annotations

import struct
import time
import zlib
from dataclasses import dataclass

# 5x7 glyphs: seven rows of five bits, most significant bit on the left
_FONT = {
    " ": (0, 0, 0, 0, 0, 0, 0),
    "0": (0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E),
    "1": (0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E),
    "2": (0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F),
    "3": (0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E),
    "4": (0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02),
    "5": (0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E),
    "6": (0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E),
    "7": (0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08),
    "8": (0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E),
    "9": (0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C),
    "A": (0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11),
    "B": (0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E),
    "C": (0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E),
    "D": (0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C),
    "E": (0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F),
    "F": (0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10),
    "G": (0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F),
    "H": (0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11),
    "I": (0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E),
    "J": (0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C),
    "K": (0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11),
    "L": (0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F),
    "M": (0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11),
    "N": (0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11),
    "O": (0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E),
    "P": (0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10),
    "Q": (0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D),
    "R": (0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11),
    "S": (0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E),
    "T": (0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04),
    "U": (0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E),
    "V": (0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04),
    "W": (0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A),
    "X": (0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11),
    "Y": (0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04),
    "Z": (0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F),
    ":": (0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00),
    ".": (0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C),
    ",": (0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08),
    "-": (0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00),
    "_": (0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F),
    "+": (0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00),
    "/": (0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10),
    "(": (0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02),
    ")": (0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08),
    "#": (0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A),
    "@": (0x0E, 0x11, 0x17, 0x15, 0x17, 0x10, 0x0F),
    "*": (0x00, 0x04, 0x15, 0x0E, 0x15, 0x04, 0x00),
    "?": (0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04),
}

#: display resolutions (width, height) by model prefix; the first match wins
_DISPLAYS = (
    ("CP-88", (800, 480)),
    ("CP-78", (396, 162)),
    ("CP-69", (396, 162)),
    ("CP-89", (640, 480)),
    ("CP-99", (640, 480)),
    ("CP-79", (320, 222)),
    ("T57", (800, 480)),
    ("T58", (1024, 600)),
    ("T3", (132, 64)),
    ("T19", (132, 64)),
)
DEFAULT_DISPLAY = (480, 272)

_BAR = (0x1F, 0x3A, 0x60)
_BACKGROUND = (0xF2, 0xF4, 0xF7)
_INK = (0x10, 0x18, 0x20)
_BAR_INK = (0xFF, 0xFF, 0xFF)
_SOFTKEYS = (0xD0, 0xD6, 0xDE)


@dataclass
class Canvas:
    """An RGB image, rows top to bottom, three bytes a pixel."""

    width: int
    height: int
    pixels: bytearray

    @classmethod
    def blank(cls, width: int, height: int, color: tuple[int, int, int]) -> Canvas:
        return cls(width, height, bytearray(bytes(color) * (width * height)))

    def fill(self, left: int, top: int, width: int, height: int, color: tuple[int, int, int]) -> None:
        left, top = max(0, left), max(0, top)
        right, bottom = min(self.width, left + width), min(self.height, top + height)
        if right <= left or bottom <= top:
            return
        run = bytes(color) * (right - left)
        for row in range(top, bottom):
            start = (row * self.width + left) * 3
            self.pixels[start : start + len(run)] = run

    def text(self, left: int, top: int, text: str, scale: int, color: tuple[int, int, int]) -> int:
        """Draw ``text`` (upper-cased; unknown characters as ``?``); returns the x after the last glyph."""
        x = left
        for char in text.upper():
            glyph = _FONT.get(char, _FONT["?"])
            for row, bits in enumerate(glyph):
                for column in range(5):
                    if bits & (0x10 >> column):
                        self.fill(x + column * scale, top + row * scale, scale, scale, color)
            x += 6 * scale
        return x

    def rows(self):
        stride = self.width * 3
        for row in range(self.height):
            yield bytes(self.pixels[row * stride : (row + 1) * stride])


def text_width(text: str, scale: int) -> int:
    return len(text) * 6 * scale - scale if text else 0


def display_of(model: str | None) -> tuple[int, int]:
    name = (model or "").upper()
    for prefix, size in _DISPLAYS:
        if name.startswith(prefix):
            return size
    return DEFAULT_DISPLAY


def _fit(text: str, scale: int, room: int) -> str:
    while text and text_width(text, scale) > room:
        text = text[:-1]
    return text


def render_screen(
    model: str | None,
    number: str | None,
    label: str | None = None,
    details: tuple[str, ...] = (),
    when: float | None = None,
    size: tuple[int, int] | None = None,
) -> Canvas:
    """The idle screen of a phone: model and time in the status bar, the number large, ``details`` small."""
    width, height = size or display_of(model)
    canvas = Canvas.blank(width, height, _BACKGROUND)
    small = max(1, min(width // 240, height // 120))
    big = small * 3 if height >= 120 else small * 2
    status_bar = 7 * small + 6 * small
    canvas.fill(0, 0, width, status_bar, _BAR)
    clock = time.strftime("%H:%M", time.localtime(when if when is not None else time.time()))
    canvas.text(width - text_width(clock, small) - 3 * small, 3 * small, clock, small, _BAR_INK)
    canvas.text(3 * small, 3 * small, _fit(model or "phone", small, width // 2), small, _BAR_INK)
    y = status_bar + 4 * small
    if number:
        canvas.text(6 * small, y, _fit(number, big, width - 12 * small), big, _INK)
        y += 7 * big + 4 * small
    if label:
        canvas.text(6 * small, y, _fit(label, small, width - 12 * small), small, _INK)
        y += 7 * small + 4 * small
    softkeys = 7 * small + 6 * small
    for line in details:
        if y + 7 * small > height - softkeys:
            break
        canvas.text(6 * small, y, _fit(line, small, width - 12 * small), small, _INK)
        y += 7 * small + 3 * small
    canvas.fill(0, height - softkeys, width, softkeys, _SOFTKEYS)
    keys = ("HISTORY", "DIRECTORY", "DND", "MENU")
    slot = width // len(keys)
    for index, key in enumerate(keys):
        shown = _fit(key, small, slot - 2 * small)
        left = index * slot + (slot - text_width(shown, small)) // 2
        canvas.text(left, height - softkeys + 3 * small, shown, small, _INK)
    return canvas


# -- BMP ---------------------------------------------------------------------------------------------------


def bmp(canvas: Canvas) -> bytes:
    """A 24-bit uncompressed BMP (BITMAPFILEHEADER + BITMAPINFOHEADER, rows bottom-up, BGR, 4-byte aligned)."""
    stride = (canvas.width * 3 + 3) & ~3
    padding = b"\0" * (stride - canvas.width * 3)
    size = 54 + stride * canvas.height
    header = struct.pack("<2sIHHI", b"BM", size, 0, 0, 54)
    info = struct.pack(
        "<IiiHHIIiiII", 40, canvas.width, canvas.height, 1, 24, 0, stride * canvas.height, 2835, 2835, 0, 0
    )
    body = bytearray()
    source = canvas.width * 3
    for row in range(canvas.height - 1, -1, -1):
        line = bytearray(canvas.pixels[row * source : (row + 1) * source])
        line[0::3], line[2::3] = line[2::3], line[0::3]  # RGB -> BGR
        body += line
        body += padding
    return header + info + bytes(body)


class NotABmp(ValueError):
    pass


def read_bmp(data: bytes) -> Canvas:
    """A 24-bit uncompressed BMP back as a canvas; NotABmp for anything else or a truncated file."""
    if len(data) < 54 or data[:2] != b"BM":
        raise NotABmp("no BMP signature")
    size, _r1, _r2, offset = struct.unpack_from("<IHHI", data, 2)
    header, width, height, planes, bits, compression, image_size = struct.unpack_from("<IiiHHII", data, 14)
    if size != len(data):
        raise NotABmp(f"file size field {size} != {len(data)} bytes")
    if header < 40 or planes != 1 or bits != 24 or compression != 0:
        raise NotABmp(f"not a 24-bit uncompressed BMP (header {header}, bits {bits}, compression {compression})")
    if width <= 0 or height == 0:
        raise NotABmp("empty image")
    bottom_up = height > 0
    height = abs(height)
    stride = (width * 3 + 3) & ~3
    if offset + stride * height > len(data) or (image_size and image_size != stride * height):
        raise NotABmp("pixel data truncated or mis-sized")
    pixels = bytearray()
    order = range(height - 1, -1, -1) if bottom_up else range(height)
    for row in order:
        line = bytearray(data[offset + row * stride : offset + row * stride + width * 3])
        line[0::3], line[2::3] = line[2::3], line[0::3]
        pixels += line
    return Canvas(width, height, pixels)


# -- PNG ---------------------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(canvas: Canvas, level: int = 6) -> bytes:
    """A PNG of the canvas: 8-bit RGB, no interlace, every row with filter type 0."""
    raw = b"".join(b"\0" + row for row in canvas.rows())
    header = struct.pack(">IIBBBBB", canvas.width, canvas.height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, level)) + _chunk(b"IEND", b"")


def bmp_to_png(data: bytes) -> bytes:
    """Convert a phone's 24-bit BMP screenshot to PNG."""
    return png(read_bmp(data))
