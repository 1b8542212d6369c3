"""Code 128 barcodes for the slips, drawn by zxing-cpp (the library that also reads them).

Desk scanners are often 1D laser or keyboard-wedge readers, so a slip carries a Code 128 barcode
beside its QR code. zxing-cpp picks the code sets (set C packs the digit runs of a dossier code, so
the symbol is shorter than a set-B-only one) and adds the quiet zones the standard asks for; this
module only turns its one-pixel-per-module drawing into the PNG a document embeds.
"""

from __future__ import annotations

import cv2
import numpy as np
import zxingcpp


def _row(text: str) -> np.ndarray:
    """One row of the symbol, one pixel per module (0 = bar, 255 = space), quiet zones included."""
    if not text or any(not 32 <= ord(ch) <= 126 for ch in text):
        raise ValueError("the slip's Code 128 carries printable ASCII only")
    image = np.asarray(zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
                       .to_image(scale=1, add_hrt=False, add_quiet_zones=True))
    return image[image.shape[0] // 2]


def module_count(text: str) -> int:
    """Width of the symbol in modules, quiet zones included (sets the printed width: ~0.21 mm a module)."""
    return int(_row(text).shape[0])


def code128_png(text: str, *, scale: int = 3, height: int = 90) -> bytes:
    """A greyscale PNG of ``text``: ``scale`` pixels a module, ``height`` pixels tall."""
    row = np.repeat(_row(text), scale)
    ok, data = cv2.imencode(".png", np.ascontiguousarray(np.tile(row, (height, 1))),
                            [cv2.IMWRITE_PNG_BILEVEL, 1])
    if not ok:
        raise ValueError("the barcode image could not be encoded")
    return data.tobytes()
