"""Code 128 (code set B) barcodes as PNG images, with no imaging library.

Desk scanners are often 1D laser or keyboard-wedge readers, so a slip carries a Code 128 barcode
under its QR code. Set B covers printable ASCII, which is all a pickup payload uses. The PNG is
written by hand (zlib + struct): one-bit greyscale, one pixel row repeated, so it is tiny.
"""

from __future__ import annotations

import struct
import zlib

# Bar/space widths of symbol values 0..105 (6 elements, 11 modules each); 106 is the stop (13 modules).
PATTERNS = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)
START_B = 104
STOP = 106
QUIET_ZONE = 10  # modules of white on each side, as the standard asks


def symbols(text: str) -> list[int]:
    """Symbol values for ``text`` in code set B: start, data, checksum, stop."""
    if not text or any(not 32 <= ord(ch) <= 126 for ch in text):
        raise ValueError("Code 128 set B encodes printable ASCII only")
    data = [ord(ch) - 32 for ch in text]
    checksum = (START_B + sum(i * value for i, value in enumerate(data, start=1))) % 103
    return [START_B, *data, checksum, STOP]


def modules(text: str, quiet_zone: int = QUIET_ZONE) -> list[bool]:
    """One entry per module, True for a bar, quiet zones included."""
    bars: list[bool] = [False] * quiet_zone
    for value in symbols(text):
        for i, width in enumerate(PATTERNS[value]):
            bars.extend([i % 2 == 0] * int(width))
    bars.extend([False] * quiet_zone)
    return bars


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_rows(row: list[bool], height: int, scale: int) -> bytes:
    """A one-bit greyscale PNG whose every row is ``row`` (True = black), each module ``scale`` px wide."""
    pixels = [bar for bar in row for _ in range(scale)]
    width = len(pixels)
    packed = bytearray()
    for start in range(0, width, 8):
        byte = 0
        for bit, bar in enumerate(pixels[start:start + 8]):
            if not bar:  # in greyscale 1 is white
                byte |= 0x80 >> bit
        if width - start < 8:  # pad the last byte with white
            byte |= (0xFF >> (width - start)) & 0xFF
        packed.append(byte)
    raw = (b"\x00" + bytes(packed)) * height  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b""))


def code128_png(text: str, *, scale: int = 3, height: int = 90) -> bytes:
    """A Code 128 barcode of ``text`` as PNG bytes (bars ``scale`` px per module, ``height`` px tall)."""
    return png_rows(modules(text), height, scale)


def module_count(text: str) -> int:
    """Width of the symbol in modules, quiet zones included (for sizing it on paper)."""
    return len(modules(text))
