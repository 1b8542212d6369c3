"""The decoder on the frames in tests/data (see tools/make_test_images.py) and on a real printed receipt."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from desk.hardware.decoder import Decoded, FrameDecoder, decode_file, decode_image
from desk.services.payload import make_payload

DATA = Path(__file__).resolve().parents[1] / "data"
FRAMES = DATA / "frames"
SECRET = "00112233445566778899aabbccddeeff"  # the key tools/make_test_images.py signs with
SLIP = make_payload("000.00.13.H42-261122-0007", secret=SECRET)
CCCD = "001090012345|123456789|Nguyễn Văn An|15031990|Nam|Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh|10082021"


def frame(name: str, flags: int = cv2.IMREAD_UNCHANGED) -> np.ndarray:
    image = cv2.imread(str(FRAMES / name), flags)
    assert image is not None, name
    return image


@pytest.mark.parametrize("name, expected", [
    ("02_slip_qr.png", [Decoded(SLIP, "QRCODE")]),
    ("03_slip_qr_rotated.png", [Decoded(SLIP, "QRCODE")]),  # turned 27°
    ("04_slip_qr_blurred.png", [Decoded(SLIP, "QRCODE")]),  # out of focus, sigma 2.2 px
    ("05_cccd_qr.png", [Decoded(CCCD, "QRCODE")]),  # colour frame, Vietnamese UTF-8 text
    ("06_slip_code128.png", [Decoded(SLIP, "CODE128")]),
    ("01_no_code.png", []),
])
def test_decode_image_on_each_test_frame(name, expected):
    assert decode_image(frame(name)) == expected
    assert decode_image(frame(name, cv2.IMREAD_COLOR)) == expected  # BGR as a camera gives it
    assert decode_file(FRAMES / name) == expected


def test_frames_are_camera_sized_and_small():
    files = sorted(FRAMES.glob("*.png"))
    assert len(files) >= 6
    for path in files:
        height, width = frame(path.name).shape[:2]
        assert (width, height) == (1280, 720), path.name
    assert sum(p.stat().st_size for p in DATA.rglob("*.png")) < 2_000_000


def test_committed_receipt_crop_decodes():
    found = decode_file(DATA / "receipt_qr.png")
    assert [d.kind for d in found] == ["QRCODE"]
    assert found[0].text.startswith("000.00.13.H42-") and len(found[0].text.split(".")[-1]) == 8


def test_decode_file_reads_paths_with_vietnamese_letters_and_rejects_non_images(tmp_path):
    photo = tmp_path / "ảnh giấy hẹn.png"
    shutil.copy(FRAMES / "02_slip_qr.png", photo)
    assert decode_file(photo) == [Decoded(SLIP, "QRCODE")]
    text = tmp_path / "note.png"
    text.write_text("not an image")
    assert decode_file(text) == []
    assert decode_file(tmp_path / "missing.png") == []
    assert decode_image(np.zeros((0, 0), np.uint8)) == []


def test_a_big_phone_photo_is_decoded(tmp_path):
    big = cv2.resize(frame("02_slip_qr.png"), (4000, 2250), interpolation=cv2.INTER_CUBIC)
    cv2.imwrite(str(tmp_path / "photo.jpg"), big)
    assert decode_file(tmp_path / "photo.jpg") == [Decoded(SLIP, "QRCODE")]  # the reader scales it down itself


# -- the QR code of a real receipt: docx → PDF (LibreOffice) → PNG (pdftoppm) → crop → decode ----------
def test_qr_cropped_from_a_real_receipt_gives_the_payload(office, tmp_path, admin):
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not soffice or not pdftoppm:
        pytest.skip("soffice or pdftoppm is not installed (apt-get install libreoffice-writer poppler-utils)")
    import zxingcpp

    from desk.services.documents import receipt
    from desk.services.intake import Applicant, IntakeRequest, register

    code = register(IntakeRequest("T-TTHN", Applicant(name="Nguyễn Văn An", gender="Nam")), actor=admin).code
    docx = receipt(code, tmp_path / "receipt.docx", actor=admin)
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, timeout=240, capture_output=True)
    subprocess.run([pdftoppm, "-r", "150", "-f", "1", "-l", "1", "-gray", "-png", str(tmp_path / "receipt.pdf"),
                    str(tmp_path / "page")], check=True, timeout=60)
    page = cv2.imread(str(next(tmp_path.glob("page-*1.png"))), cv2.IMREAD_GRAYSCALE)
    corners = zxingcpp.read_barcodes(page, formats=[zxingcpp.BarcodeFormat.QRCode])[0].position
    xs = [corners.top_left.x, corners.top_right.x, corners.bottom_left.x, corners.bottom_right.x]
    ys = [corners.top_left.y, corners.top_right.y, corners.bottom_left.y, corners.bottom_right.y]
    crop = page[max(min(ys) - 40, 0):max(ys) + 40, max(min(xs) - 40, 0):max(xs) + 40]
    cv2.imwrite(str(tmp_path / "qr.png"), crop)
    assert decode_file(tmp_path / "qr.png") == [Decoded(make_payload(code), "QRCODE")]


# -- FrameDecoder: one frame in flight, each code once ------------------------------------------------------
@pytest.fixture
def decoder(qtbot):
    d = FrameDecoder()
    yield d
    d.stop()


def test_frame_decoder_drops_frames_while_busy(qtbot, decoder):
    slip = frame("02_slip_qr.png")
    with qtbot.waitSignal(decoder.decoded, timeout=2000) as blocker:
        for _ in range(20):  # a burst far faster than a decode
            decoder.submit(slip)
    assert blocker.args == [SLIP]
    assert decoder.submitted + decoder.dropped == 20
    assert decoder.dropped >= 15
    qtbot.waitUntil(lambda: not decoder.busy, timeout=2000)
    assert decoder.last_frame_time is not None and decoder.last_frame_time <= time.perf_counter()


def test_frame_decoder_emits_a_held_code_once_then_again_after_the_debounce(qtbot, decoder):
    decoder.debounce = 0.3
    seen: list[str] = []
    decoder.decoded.connect(seen.append)
    slip, cccd, empty = frame("02_slip_qr.png"), frame("05_cccd_qr.png"), frame("01_no_code.png")

    def feed(image: np.ndarray, times: int) -> None:
        for _ in range(times):
            qtbot.waitUntil(lambda: not decoder.busy, timeout=2000)
            decoder.submit(image)
        qtbot.waitUntil(lambda: not decoder.busy, timeout=2000)

    with qtbot.waitSignal(decoder.decoded, timeout=2000):  # a new code: reported as soon as it is decoded
        feed(slip, 1)
    with qtbot.assertNotEmitted(decoder.decoded, wait=20):  # held in front of the camera: not again (the
        feed(slip, 3)                                        # silence is the subject, so it is waited out)
        feed(empty, 1)
    with qtbot.waitSignal(decoder.decoded, timeout=2000):
        feed(cccd, 1)
    with qtbot.assertNotEmitted(decoder.decoded, wait=20):
        feed(cccd, 1)
        feed(slip, 2)  # back within the debounce: not again
    assert seen == [SLIP, CCCD]
    qtbot.wait(350)  # real time past the 0.3 s debounce: the time passing is what is tested
    feed(slip, 1)  # away long enough: a new scan
    qtbot.waitUntil(lambda: seen == [SLIP, CCCD, SLIP], timeout=2000)


def test_frame_decoder_refuses_frames_after_stop(qtbot):
    d = FrameDecoder()
    d.stop()
    d.stop()  # twice is fine
    d.submit(frame("02_slip_qr.png"))
    assert d.submitted == 0 and d.dropped == 1
