# Private to this collection: phone screenshots (BMP) to PNG, with zlib and struct only.
"""Phones hand out their screen as a Windows BMP; people want PNG. No imaging library is needed for that.

Read: BITMAPCOREHEADER (12 bytes), BITMAPINFOHEADER (40) and its V2-V5 extensions (52, 56, 108, 124);
1, 2, 4 and 8 bits with a palette, 16 bits (5-5-5, or bit fields such as 5-6-5), 24 bits, 32 bits (BGRX, or
bit fields); bottom-up and top-down rows. RLE-compressed BMPs are refused. Written: an 8-bit RGB PNG.
A phone that already sends PNG has its image kept as it is; any other format is a :class:`ImageError`.
"""

from __future__ import annotations

import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 16 << 20


class ImageError(ValueError):
    """Not an image this module can turn into PNG."""


def image_format(data: bytes) -> str:
    """``bmp``, ``png``, ``jpeg``, ``gif`` or ``unknown``, from the first bytes."""
    if data[:2] == b"BM":
        return "bmp"
    if data[:8] == PNG_SIGNATURE:
        return "png"
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:4] == b"GIF8":
        return "gif"
    return "unknown"


def to_png(data: bytes) -> tuple[bytes, int, int]:
    """(PNG bytes, width, height) of a BMP or PNG image."""
    kind = image_format(data)
    if kind == "png":
        if len(data) < 24:
            raise ImageError("a truncated PNG")
        width, height = struct.unpack(">II", data[16:24])
        return data, width, height
    if kind != "bmp":
        raise ImageError(f"a {kind} image, not BMP or PNG")
    width, height, rows = bmp_rows(data)
    return png_from_rows(width, height, rows), width, height


def _mask_shift(mask: int) -> tuple[int, int]:
    """(shift, maximum) of a colour bit field, to scale it to 0-255."""
    if mask == 0:
        return 0, 0
    shift = (mask & -mask).bit_length() - 1
    return shift, mask >> shift


def bmp_rows(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB bytes top to bottom) of a BMP."""
    if len(data) < 26:
        raise ImageError("a truncated BMP")
    (offset,) = struct.unpack_from("<I", data, 10)
    (header_size,) = struct.unpack_from("<I", data, 14)
    if header_size == 12:
        width, height, _planes, bits = struct.unpack_from("<HHHH", data, 18)
        compression, colours, palette_entry = 0, 0, 3
    elif header_size in (40, 52, 56, 108, 124):
        width, height, _planes, bits, compression = struct.unpack_from("<iiHHI", data, 18)
        (colours,) = struct.unpack_from("<I", data, 46)
        palette_entry = 4
    else:
        raise ImageError(f"a BMP with an unknown header ({header_size} bytes)")
    top_down = height < 0
    height = abs(height)
    if width <= 0 or height == 0 or width * height > MAX_PIXELS:
        raise ImageError(f"a BMP of {width}x{height} pixels")
    if compression not in (0, 3, 6):  # BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS
        raise ImageError(f"a compressed BMP (compression {compression})")
    if bits not in (1, 2, 4, 8, 16, 24, 32):
        raise ImageError(f"a BMP of {bits} bits per pixel")
    palette: list[bytes] = []
    if bits <= 8:
        start = 14 + header_size
        # as many entries as the header says, else 2^bits; never past where the pixels start
        count = min(colours or (1 << bits), max(0, (offset - start) // palette_entry))
        for index in range(count):
            entry = data[start + index * palette_entry : start + index * palette_entry + 3]
            if len(entry) < 3:
                raise ImageError("a truncated BMP palette")
            palette.append(bytes((entry[2], entry[1], entry[0])))
    masks = None
    if bits in (16, 32):
        if compression in (3, 6):
            # right after a 40-byte header, or inside a V2-V5 header: at offset 54 either way
            if len(data) < 66:
                raise ImageError("a truncated BMP")
            masks = struct.unpack_from("<III", data, 54)
        elif bits == 16:
            masks = (0x7C00, 0x03E0, 0x001F)
    stride = ((width * bits + 31) // 32) * 4
    if offset + stride * height > len(data):
        raise ImageError("a truncated BMP: fewer pixels than its size says")
    rows = []
    fields = [_mask_shift(mask) for mask in masks] if masks else None
    for row in range(height):
        source = row if top_down else height - 1 - row
        line = data[offset + source * stride : offset + (source + 1) * stride]
        rows.append(_row_rgb(line, width, bits, palette, fields))
    return width, height, rows


def _row_rgb(line: bytes, width: int, bits: int, palette: list, fields) -> bytes:
    if bits == 24 and fields is None:
        out = bytearray(width * 3)
        out[0::3] = line[2 : width * 3 : 3]
        out[1::3] = line[1 : width * 3 : 3]
        out[2::3] = line[0 : width * 3 : 3]
        return bytes(out)
    if bits == 32 and fields is None:
        out = bytearray(width * 3)
        out[0::3] = line[2 : width * 4 : 4]
        out[1::3] = line[1 : width * 4 : 4]
        out[2::3] = line[0 : width * 4 : 4]
        return bytes(out)
    if bits <= 8:
        per_byte = 8 // bits
        mask = (1 << bits) - 1
        out = bytearray()
        for x in range(width):
            byte = line[x // per_byte]
            index = (byte >> (8 - bits * (x % per_byte + 1))) & mask
            if index >= len(palette):
                raise ImageError("a BMP pixel outside its palette")
            out += palette[index]
        return bytes(out)
    size = bits // 8
    out = bytearray()
    for x in range(width):
        value = int.from_bytes(line[x * size : x * size + size], "little")
        for shift, top in fields:
            out.append(((value >> shift) & top) * 255 // top if top else 0)
    return bytes(out)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_from_rows(width: int, height: int, rows: list[bytes]) -> bytes:
    """An 8-bit RGB PNG of ``rows`` (each ``width`` * 3 bytes, top to bottom)."""
    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


def bmp_from_rows(width: int, height: int, rows: list[bytes]) -> bytes:
    """A bottom-up 24-bit BMP of RGB ``rows`` (top to bottom): what simulated phones and tests send."""
    stride = ((width * 24 + 31) // 32) * 4
    pixels = bytearray()
    for row in reversed(rows):
        line = bytearray(stride)
        line[0 : width * 3 : 3] = row[2::3]
        line[1 : width * 3 : 3] = row[1::3]
        line[2 : width * 3 : 3] = row[0::3]
        pixels += line
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + 40 + len(pixels), 0, 0, 54) + info + bytes(pixels)
