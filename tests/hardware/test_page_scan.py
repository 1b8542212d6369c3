"""A paper page photographed at an angle (FakeCamera frames made here with OpenCV) becomes one straight PDF
page: its QR code, read back from the rendered PDF, is upright with level edges; attached to a dossier, the
scan makes the dossier digitised in the per-field count (D43)."""

from __future__ import annotations

import math
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno
import zxingcpp

from desk.hardware.camera import FakeCamera
from desk.hardware.page_scan import PageNotFound, find_page, pages_to_pdf, scan_page, straighten

PAGE_W, PAGE_H = 840, 1188  # an A4 sheet's proportions
QR_TEXT = "000.00.13.H42-261123-0001"


def _page(text: str = QR_TEXT) -> np.ndarray:
    """A white sheet with lines of text and a QR code at its top right."""
    page = np.full((PAGE_H, PAGE_W, 3), 250, np.uint8)
    for i in range(12):
        cv2.putText(page, f"Dong van ban so {i + 1}: giay to cua cong dan", (60, 420 + i * 55),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.8, (20, 20, 20), 2, cv2.LINE_AA)
    rows = [list(row) for row in segno.make(text, error="m").matrix_iter(scale=8, border=4)]
    qr = np.where(np.array(rows, dtype=bool), 0, 255).astype(np.uint8)
    qr = cv2.cvtColor(qr, cv2.COLOR_GRAY2BGR)
    page[40:40 + qr.shape[0], PAGE_W - 40 - qr.shape[1]:PAGE_W - 40] = qr
    return page


def _photographed(page: np.ndarray, corners: list[tuple[int, int]], size=(1600, 1200)) -> np.ndarray:
    """``page`` laid on a dark, slightly noisy desk at ``corners`` (TL, TR, BR, BL), as a camera sees it."""
    rng = np.random.default_rng(7)
    desk = rng.normal(45, 8, (size[1], size[0], 3)).clip(0, 255).astype(np.uint8)
    src = np.array([[0, 0], [page.shape[1] - 1, 0], [page.shape[1] - 1, page.shape[0] - 1], [0, page.shape[0] - 1]],
                   np.float32)
    matrix = cv2.getPerspectiveTransform(src, np.array(corners, np.float32))
    warped = cv2.warpPerspective(page, matrix, size)
    mask = cv2.warpPerspective(np.full(page.shape[:2], 255, np.uint8), matrix, size)
    desk[mask > 0] = warped[mask > 0]
    return cv2.GaussianBlur(desk, (3, 3), 0)


TILTED = [(560, 90), (1180, 230), (1010, 1110), (360, 960)]  # turned about 15°, seen from one side


def _render(pdf: bytes, tmp_path: Path) -> list[np.ndarray]:
    """The PDF's pages as images (poppler's pdftoppm, as a reader would see them)."""
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    (tmp_path / "scan.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(tmp_path / "scan.pdf"), str(tmp_path / "page")],
                   check=True, timeout=60)
    return [cv2.imread(str(p)) for p in sorted(tmp_path.glob("page*.png"))]


def _qr_edges(image: np.ndarray) -> tuple[str, float, float, tuple[float, float]]:
    """The QR's text, its top and left edges' tilt from level/plumb in degrees, and its centre (share of
    the image's width and height)."""
    found = zxingcpp.read_barcodes(image, formats=[zxingcpp.BarcodeFormat.QRCode])
    assert found, "no QR code in the rendered page"
    p = found[0].position
    tl, tr, bl = (p.top_left.x, p.top_left.y), (p.top_right.x, p.top_right.y), (p.bottom_left.x, p.bottom_left.y)
    top = math.degrees(math.atan2(tr[1] - tl[1], tr[0] - tl[0]))
    left = math.degrees(math.atan2(bl[0] - tl[0], bl[1] - tl[1]))
    centre = ((tl[0] + tr[0]) / 2 / image.shape[1], (tl[1] + bl[1]) / 2 / image.shape[0])
    return found[0].text, top, left, centre


def test_finds_the_corners_of_a_tilted_page():
    corners = find_page(_photographed(_page(), TILTED))
    assert np.abs(corners - np.array(TILTED, np.float32)).max() < 12


def test_a_photographed_page_becomes_one_straight_pdf_page(qapp, tmp_path):
    frames = tmp_path / "frames"
    frames.mkdir()
    cv2.imwrite(str(frames / "page.png"), _photographed(_page(), TILTED))
    camera = FakeCamera(frames, fps=1000, loop=False)
    assert camera.open()
    frame = camera.read()
    assert frame is not None
    # the frame as the camera gave it: the QR is tilted
    _text, top, _left, _c = _qr_edges(frame)
    assert abs(top) > 10
    pdf = pages_to_pdf([scan_page(frame)])
    assert pdf.startswith(b"%PDF-")
    images = _render(pdf, tmp_path)
    assert len(images) == 1
    height, width = images[0].shape[:2]
    assert abs(height / width - math.sqrt(2)) < 0.01  # one A4 portrait sheet
    text, top, left, (x, y) = _qr_edges(images[0])
    assert text == QR_TEXT
    assert abs(top) < 1.5 and abs(left) < 1.5  # upright: level top edge, plumb left edge
    assert x > 0.6 and y < 0.3  # still at the sheet's top right: not turned or mirrored
    # the text lines are level: dark pixels of one line share a narrow band of rows
    grey = cv2.cvtColor(images[0], cv2.COLOR_BGR2GRAY)
    ink_rows = np.where((grey[int(height * 0.34):int(height * 0.37), int(width * 0.1):int(width * 0.8)] < 128)
                        .any(axis=1))[0]
    assert 0 < len(ink_rows) < 0.03 * height


def test_several_pages_make_one_pdf_and_a_wide_sheet_lies_landscape(qapp, tmp_path):
    upright = scan_page(_photographed(_page("trang 1"), [(300, 100), (1100, 120), (1090, 1150), (310, 1130)],
                                      size=(1400, 1250)))
    wide = straighten(np.rot90(_page("trang 2")).copy(), np.array([[0, 0], [PAGE_H - 1, 0], [PAGE_H - 1, PAGE_W - 1],
                                                                   [0, PAGE_W - 1]], np.float32))
    images = _render(pages_to_pdf([upright, wide]), tmp_path)
    assert len(images) == 2
    assert images[0].shape[0] > images[0].shape[1] and images[1].shape[1] > images[1].shape[0]
    assert _qr_edges(images[0])[0] == "trang 1" and _qr_edges(images[1])[0] == "trang 2"


def test_a_frame_without_a_page_is_refused():
    rng = np.random.default_rng(3)
    empty = rng.normal(45, 8, (720, 1280, 3)).clip(0, 255).astype(np.uint8)
    with pytest.raises(PageNotFound):
        find_page(empty)
    with pytest.raises(PageNotFound):
        pages_to_pdf([])


def test_the_scan_attached_to_a_dossier_is_counted(qapp, office, admin):
    from desk.services.attachments import attach, digitisation_counts, missing_components, open_attachment
    from desk.services.clock import LOCAL_TZ, FixedClock
    from desk.services.intake import Applicant, IntakeRequest, register

    clock = FixedClock(datetime(2026, 11, 23, 16, 0, tzinfo=LOCAL_TZ))
    code = register(IntakeRequest("T-KS", Applicant(name="Trần Thị Mai"), received_at=datetime(2026, 11, 23, 9, 0)),
                    clock=clock, actor=admin).code
    day = date(2026, 11, 23)
    assert [(r.digitised, r.total) for r in digitisation_counts(day, day, actor=admin)] == [(0, 1)]
    pdf = pages_to_pdf([scan_page(_photographed(_page(), TILTED))])
    info = attach(code, pdf, component=1, file_name="to-khai.pdf", kind="scan", actor=admin, clock=clock)
    assert (info.media_type, info.kind, info.size) == ("application/pdf", "scan", len(pdf))
    assert open_attachment(info.id, actor=admin)[1] == pdf
    assert missing_components(code, actor=admin) == []
    rows = digitisation_counts(day, day, actor=admin)
    assert [(r.digitised, r.total, r.rate) for r in rows] == [(1, 1, 100.0)]
