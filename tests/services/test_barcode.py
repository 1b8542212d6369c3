"""The slip's Code 128: what is drawn reads back as the same text, at the width the slip prints it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desk.hardware.decoder import decode_image
from desk.services.barcode import code128_png, module_count
from desk.services.payload import make_payload


def _read(png: bytes) -> list[str]:
    image = cv2.imdecode(np.frombuffer(png, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    return [d.text for d in decode_image(image) if d.kind == "CODE128"]


def test_a_slip_payload_reads_back_and_fits_the_slip():
    payload = make_payload("000.00.13.H42-261122-0007", "ab" * 32)
    png = code128_png(payload)
    assert _read(png) == [payload]
    image = cv2.imdecode(np.frombuffer(png, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    assert image.shape == (90, 3 * module_count(payload))
    assert 0.21 * module_count(payload) / 10 < 9.0  # the documents print it at 0.21 mm a module, at most 9 cm


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=40))
def test_any_printable_ascii_reads_back(text):
    assert _read(code128_png(text, scale=2, height=40)) == [text]


@pytest.mark.parametrize("text", ["", "Nguyễn", "a\nb"])
def test_what_a_slip_never_carries_is_refused(text):
    with pytest.raises(ValueError):
        code128_png(text)
