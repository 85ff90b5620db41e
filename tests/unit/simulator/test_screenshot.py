"""The simulated screen: a valid 24-bit BMP (checked field by field), and a valid PNG (chunks, CRCs,
pixel data) from the zlib + struct encoder."""

from __future__ import annotations

import struct
import zlib

import pytest
from phonefleet_simulator.surfaces import screenshot


def test_the_bmp_is_what_the_format_says():
    canvas = screenshot.render_screen("T54W", "2001", "Reception", ("80:5e:c0:11:22:33",), when=0)
    data = screenshot.bmp(canvas)
    assert data[:2] == b"BM"
    size, reserved, offset = struct.unpack_from("<IIi", data, 2)
    assert (size, reserved, offset) == (len(data), 0, 54)
    header, width, height, planes, bits, compression, image = struct.unpack_from("<IiiHHII", data, 14)
    assert (header, width, height, planes, bits, compression) == (40, 480, 272, 1, 24, 0)
    stride = (width * 3 + 3) & ~3
    assert image == stride * height == len(data) - 54
    back = screenshot.read_bmp(data)
    assert (back.width, back.height, back.pixels) == (canvas.width, canvas.height, canvas.pixels)


def test_rows_are_padded_to_four_bytes():
    canvas = screenshot.render_screen("CP-7841", "2003", size=(133, 21))
    data = screenshot.bmp(canvas)
    assert len(data) == 54 + ((133 * 3 + 3) & ~3) * 21
    assert screenshot.read_bmp(data).pixels == canvas.pixels


def test_the_screen_shows_something_and_has_the_display_size():
    assert screenshot.display_of("CP-8845") == (800, 480)
    assert screenshot.display_of("T31G") == (132, 64)
    assert screenshot.display_of("VVX 450") == screenshot.DEFAULT_DISPLAY
    blank = screenshot.render_screen("T54W", None, when=0)
    numbered = screenshot.render_screen("T54W", "2001", when=0)
    assert blank.pixels != numbered.pixels  # the number is drawn
    small = screenshot.render_screen("T31G", "2010", "Meeting room", ("a", "b", "c", "d"), when=0)
    assert (small.width, small.height) == (132, 64)


@pytest.mark.parametrize("data", [b"", b"BM" + b"\0" * 60, b"GIF89a" + b"\0" * 100])
def test_read_bmp_refuses_what_is_not_one(data):
    with pytest.raises(screenshot.NotABmp):
        screenshot.read_bmp(data)


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == screenshot.PNG_SIGNATURE
    position, found = 8, []
    while position < len(data):
        (length,) = struct.unpack_from(">I", data, position)
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack_from(">I", data, position + 8 + length)
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        found.append((kind, body))
        position += 12 + length
    return found


def test_the_png_is_valid_and_holds_the_pixels():
    canvas = screenshot.render_screen("CP-8845", "2002", "Director", when=0)
    data = screenshot.bmp_to_png(screenshot.bmp(canvas))
    parts = chunks(data)
    assert [kind for kind, _body in parts] == [b"IHDR", b"IDAT", b"IEND"]
    width, height, depth, color, method, filtering, interlace = struct.unpack(">IIBBBBB", parts[0][1])
    assert (width, height, depth, color, method, filtering, interlace) == (800, 480, 8, 2, 0, 0, 0)
    raw = zlib.decompress(parts[1][1])
    stride = width * 3 + 1
    assert len(raw) == stride * height
    assert all(raw[row * stride] == 0 for row in range(height))
    assert b"".join(raw[row * stride + 1 : (row + 1) * stride] for row in range(height)) == bytes(canvas.pixels)
