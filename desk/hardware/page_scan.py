"""A paper page photographed by the webcam, made a straight PDF page (số hóa from the desk's camera, D43).

:func:`find_page` looks for the sheet in a frame (grey, blurred, edges, the largest four-cornered outline;
a brightness threshold when the edges do not close), :func:`straighten` warps it flat by a perspective
transform, and :func:`pages_to_pdf` lays one or several pages into one PDF with Qt's own PDF writer (one
page each, A4, portrait or landscape as the sheet is). Pure image work on numpy frames plus Qt's painter:
no services, no database; the caller attaches the bytes (``attachments.attach(..., kind="scan")``).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENCV_LOG_LEVEL", "ERROR")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PyQt6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF  # noqa: E402
from PyQt6.QtGui import QImage, QPageLayout, QPageSize, QPainter, QPdfWriter  # noqa: E402

from desk.errors import DeskError  # noqa: E402
from desk.hardware.camera import to_qimage  # noqa: E402
from desk.i18n import _  # noqa: E402

MIN_PAGE_SHARE = 0.15  # a sheet covers at least this share of the frame; smaller outlines are print on it
MAX_PAGE_SHARE = 0.97  # an outline this large is the frame itself: the sheet's corners are not all in view
MIN_CONTRAST = 40  # grey levels a sheet is brighter than the desk around it
PDF_DPI = 150  # what a page is written at: text stays legible, an A4 page stays well under a megabyte
_WORK_SIDE = 1000  # frames are searched at about this size (speed; the warp uses the full frame)


class PageNotFound(DeskError):
    """No sheet of paper with four clear corners in the frame."""


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left (float32, shape (4, 2))."""
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    total, diff = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    ordered = np.array([pts[np.argmin(total)], pts[np.argmin(diff)], pts[np.argmax(total)], pts[np.argmax(diff)]],
                       dtype=np.float32)
    if len({tuple(p) for p in ordered.tolist()}) < 4:  # a sheet turned about 45°: order by angle instead
        centre = pts.mean(axis=0)
        angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
        by_angle = pts[np.argsort(angles)]  # clockwise in image coordinates, starting anywhere
        start = int(np.argmin(by_angle.sum(axis=1)))
        ordered = np.roll(by_angle, -start, axis=0)
    return ordered


def _stands_out(grey: np.ndarray, quad: np.ndarray) -> bool:
    """A sheet, not a pattern of the desk: clearly brighter inside than around, and not the whole frame."""
    inside = np.zeros(grey.shape, np.uint8)
    cv2.fillConvexPoly(inside, quad.astype(np.int32), 255)
    share = np.count_nonzero(inside) / inside.size
    if share > MAX_PAGE_SHARE:
        return False
    return float(grey[inside > 0].mean()) - float(grey[inside == 0].mean()) >= MIN_CONTRAST


def _quad(mask: np.ndarray, grey: np.ndarray, min_area: float) -> np.ndarray | None:
    contours, _hierarchy = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        if cv2.contourArea(contour) < min_area:
            break
        perimeter = cv2.arcLength(contour, True)
        for epsilon in (0.02, 0.03, 0.05):
            approx = cv2.approxPolyDP(contour, epsilon * perimeter, True)
            if len(approx) == 4 and cv2.isContourConvex(approx):
                quad = approx.reshape(4, 2).astype(np.float32)
                if _stands_out(grey, quad):
                    return quad
                break
    return None


def find_page(frame: np.ndarray) -> np.ndarray:
    """The sheet's four corners in ``frame`` (BGR or grey), ordered as :func:`order_corners`; PageNotFound
    when there is none (the clerk moves the page or the camera and tries again)."""
    if frame is None or frame.ndim not in (2, 3) or min(frame.shape[:2]) < 32:
        raise PageNotFound(_("The camera gave no usable picture."))
    scale = min(1.0, _WORK_SIDE / max(frame.shape[:2]))
    small = cv2.resize(frame, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else frame
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
    grey = cv2.GaussianBlur(grey, (5, 5), 0)
    min_area = MIN_PAGE_SHARE * grey.shape[0] * grey.shape[1]
    edges = cv2.dilate(cv2.Canny(grey, 50, 150), np.ones((3, 3), np.uint8), iterations=2)
    quad = _quad(edges, grey, min_area)
    if quad is None:  # a page's edges broken by shadow: the bright sheet against the desk instead
        _t, bright = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
        quad = _quad(bright, grey, min_area)
    if quad is None:
        raise PageNotFound(_("No page found in the picture: lay the sheet flat on a darker surface, with all "
                             "four corners in view, and try again."))
    return order_corners(quad / scale)


def straighten(frame: np.ndarray, corners: np.ndarray) -> np.ndarray:
    """The sheet cut out of ``frame`` and warped flat: a rectangle as wide and tall as its longer sides."""
    tl, tr, br, bl = order_corners(corners)
    width = int(round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))))
    height = int(round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))))
    if width < 16 or height < 16:
        raise PageNotFound(_("The page found is too small to read; bring it closer to the camera."))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(np.array([tl, tr, br, bl], dtype=np.float32), target)
    return cv2.warpPerspective(frame, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


def scan_page(frame: np.ndarray) -> np.ndarray:
    """One frame → the straight page in it (find_page, then straighten)."""
    return straighten(frame, find_page(frame))


def frame_from_qimage(image: QImage) -> np.ndarray:
    """A preview QImage (what the Scanner sends the screen) back as a BGR frame, for :func:`scan_page`."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    bits = rgb.constBits()
    if bits is None or not width or not height:
        raise PageNotFound(_("The camera gave no usable picture."))
    raw = bits.asstring(stride * height)  # a copy: the QImage may go
    rows = np.frombuffer(raw, np.uint8).reshape(height, stride)[:, : 3 * width].reshape(height, width, 3)
    return cv2.cvtColor(rows, cv2.COLOR_RGB2BGR)


def pages_to_pdf(pages: list[np.ndarray]) -> bytes:
    """One PDF with each page on its own A4 sheet (landscape when the page is wider than tall), scaled to
    fit, centred. Needs a QGuiApplication (the desk's, or the tests')."""
    if not pages:
        raise PageNotFound(_("No page was captured."))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_DPI)
    writer.setCreator("OneStop Desk")

    def layout(page: np.ndarray) -> QPageLayout:
        wide = page.shape[1] > page.shape[0]
        orientation = QPageLayout.Orientation.Landscape if wide else QPageLayout.Orientation.Portrait
        return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation, QMarginsF(0, 0, 0, 0))

    writer.setPageLayout(layout(pages[0]))
    painter = QPainter()
    if not painter.begin(writer):
        raise DeskError(_("The PDF of the scanned pages could not be written."))
    try:
        for number, page in enumerate(pages):
            if number:
                writer.setPageLayout(layout(page))
                writer.newPage()
            image = to_qimage(page)
            area = painter.viewport()
            ratio = min(area.width() / image.width(), area.height() / image.height())
            w, h = image.width() * ratio, image.height() * ratio
            target = QRectF(area.x() + (area.width() - w) / 2, area.y() + (area.height() - h) / 2, w, h)
            painter.drawImage(target, image)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())
