"""Screenshots: BMP of every bit depth phones send, turned into PNG that decodes to the same pixels."""

from __future__ import annotations

import struct
import zlib

import pytest
from ansible_collections.phonefleet.provisioning.plugins.module_utils.control.image import (
    ImageError,
    bmp_from_rows,
    image_format,
    to_png,
)

RED, GREEN, BLUE, WHITE, BLACK = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0)
PICTURE = [[RED, GREEN, BLUE], [WHITE, BLACK, RED]]  # 3 x 2, rows top to bottom


def rgb_rows(picture) -> list[bytes]:
    return [bytes(value for pixel in row for value in pixel) for row in picture]


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit RGB PNG with filter 0 (what to_png writes), chunks checked."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, chunks = 8, {}
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, payload = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length : at + 12 + length])
        assert crc == zlib.crc32(kind + payload)
        chunks.setdefault(kind, b"")
        chunks[kind] += payload
        at += 12 + length
    width, height, depth, colour, *_rest = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert (depth, colour) == (8, 2)
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * 3 + 1
    rows = [raw[row * stride : (row + 1) * stride] for row in range(height)]
    assert all(row[0] == 0 for row in rows)
    return width, height, [row[1:] for row in rows]


def bmp(width, height, bits, pixel_rows, palette=b"", header=40, compression=0, masks=b"", top_down=False):
    """A BMP from raw pixel rows (bottom-up unless top_down), each padded to 4 bytes."""
    stride = ((width * bits + 31) // 32) * 4
    pixels = b"".join(row.ljust(stride, b"\x00") for row in pixel_rows)
    if header == 12:
        info = struct.pack("<IHHHH", 12, width, height, 1, bits)
    else:
        info = struct.pack(
            "<IiiHHIIiiII",
            header,
            width,
            -height if top_down else height,
            1,
            bits,
            compression,
            len(pixels),
            0,
            0,
            0,
            0,
        )
        info += masks
        info = info.ljust(header, b"\x00") if header > 40 else info
    offset = 14 + len(info) + len(palette)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + palette + pixels


def test_a_24_bit_bmp_round_trips():
    data = bmp_from_rows(3, 2, rgb_rows(PICTURE))
    assert image_format(data) == "bmp"
    png, width, height = to_png(data)
    assert (width, height) == (3, 2)
    assert decode_png(png) == (3, 2, rgb_rows(PICTURE))


def test_32_bit_bgrx_top_down():
    rows = [bytes(v for p in row for v in (p[2], p[1], p[0], 0xFF)) for row in PICTURE]
    data = bmp(3, 2, 32, rows, top_down=True)
    assert decode_png(to_png(data)[0])[2] == rgb_rows(PICTURE)


def test_16_bit_565_bit_fields():
    def pack(pixel):
        r, g, b = pixel
        return struct.pack("<H", (r >> 3) << 11 | (g >> 2) << 5 | (b >> 3))

    rows = [b"".join(pack(p) for p in row) for row in reversed(PICTURE)]
    masks = struct.pack("<III", 0xF800, 0x07E0, 0x001F)
    data = bmp(3, 2, 16, rows, compression=3, masks=masks)
    assert decode_png(to_png(data)[0])[2] == rgb_rows(PICTURE)


def test_16_bit_555_without_masks():
    def pack(pixel):
        r, g, b = pixel
        return struct.pack("<H", (r >> 3) << 10 | (g >> 3) << 5 | (b >> 3))

    rows = [b"".join(pack(p) for p in row) for row in reversed(PICTURE)]
    assert decode_png(to_png(bmp(3, 2, 16, rows))[0])[2] == rgb_rows(PICTURE)


def test_8_and_4_and_1_bit_palettes():
    colours = [RED, GREEN, BLUE, WHITE, BLACK]
    palette = b"".join(bytes((b, g, r, 0)) for r, g, b in colours)
    index = [[colours.index(p) for p in row] for row in PICTURE]
    rows8 = [bytes(row) for row in reversed(index)]
    assert decode_png(to_png(bmp(3, 2, 8, rows8, palette))[0])[2] == rgb_rows(PICTURE)
    rows4 = [bytes((row[0] << 4 | row[1], row[2] << 4)) for row in reversed(index)]
    assert decode_png(to_png(bmp(3, 2, 4, rows4, palette + b"\x00" * 4 * 11))[0])[2] == rgb_rows(PICTURE)
    mono = [[WHITE, BLACK, WHITE, BLACK, BLACK, BLACK, BLACK, BLACK, WHITE]]
    bits = [1 if p == WHITE else 0 for p in mono[0]]
    row1 = bytes((int("".join(map(str, bits[:8])), 2), bits[8] << 7))
    palette1 = bytes((0, 0, 0, 0, 255, 255, 255, 0))
    assert decode_png(to_png(bmp(9, 1, 1, [row1], palette1))[0])[2] == rgb_rows(mono)


def test_core_header_bmp():
    palette = bytes((0, 0, 255, 0, 255, 0))  # 3-byte entries: red, green
    data = bmp(2, 1, 8, [bytes((0, 1))], palette, header=12)
    assert decode_png(to_png(data)[0])[2] == [bytes((255, 0, 0, 0, 255, 0))]


def test_v5_header_with_bit_fields():
    rows = [bytes(v for p in row for v in (0, *p)) for row in reversed(PICTURE)]  # little-endian 0xBBGGRR00
    masks = struct.pack("<III", 0x0000FF00, 0x00FF0000, 0xFF000000)
    data = bmp(3, 2, 32, rows, header=124, compression=3, masks=masks)
    assert decode_png(to_png(data)[0])[2] == rgb_rows(PICTURE)


def test_png_is_kept_as_it_is():
    png = to_png(bmp_from_rows(3, 2, rgb_rows(PICTURE)))[0]
    assert to_png(png) == (png, 3, 2)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\xff\xd8\xff\xe0JFIF", "a jpeg image, not BMP or PNG"),
        (b"<html>", "a unknown image"),
        (b"BM" + b"\x00" * 10, "a truncated BMP"),
        (bmp(3, 2, 24, [b""] * 2, compression=1), "a compressed BMP"),
        (bmp(3, 2, 24, [b"\x00" * 9])[:-6], "fewer pixels than its size says"),
    ],
)
def test_what_cannot_be_converted_is_an_image_error(data, words):
    with pytest.raises(ImageError, match=words):
        to_png(data)
