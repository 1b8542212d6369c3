"""Scan a slip or a citizen ID card with the webcam, or from a photo: live preview, what was read, what it means.

The camera runs on its own threads (desk/hardware/camera.py); this dialog only shows frames and
results. Whatever is read — from the camera, from "Open image…" or a dropped file — goes through
:meth:`ScanDialog.handle_text`: it is shown with its meaning (desk/services/scan.py, the same
decision the USB scanner uses), flashes the preview green with a beep when it is a slip or a card,
and is emitted as :attr:`ScanDialog.scanned` for the caller (the pickup screen routes it through
the window's scan dispatcher).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from pathlib import Path

from PyQt6.QtCore import QObject, QRectF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage, QKeySequence, QPainter, QPen, QShortcut
from PyQt6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desk.hardware.camera import FAKE, IMAGE_SUFFIXES, CameraInfo, Scanner, describe_spec, list_cameras
from desk.hardware.decoder import decode_file
from desk.i18n import _
from desk.services.scan import CCCD, DOSSIER, ScanResult, describe, interpret
from desk.text import is_digits
from desk.views import files
from desk.views.common import present, resize_within_screen
from desk.views.context import AppContext
from desk.views.widgets import StatusBanner

FLASH_MS = 700  # the green border after a good scan
GOOD, BAD, IDLE = "#1e7b34", "#a50e0e", "#5f6368"


class PreviewWidget(QWidget):
    """The camera picture, scaled to fit, with a framing guide in the middle and a flash border."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scan_preview")
        self.setMinimumSize(480, 270)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.image: QImage | None = None
        self.message = ""
        self.flashing = False
        self.frames = 0
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.timeout.connect(self._end_flash)

    def set_image(self, image: QImage) -> None:
        self.image = image
        self.frames += 1
        self.update()

    def set_message(self, text: str) -> None:
        self.message = text
        self.update()

    def clear(self) -> None:
        self.image = None
        self.update()

    def flash(self, ms: int = FLASH_MS) -> None:
        self.flashing = True
        self._flash_timer.start(ms)
        self.update()

    def _end_flash(self) -> None:
        self.flashing = False
        self.update()

    def image_rect(self) -> QRectF:
        """Where the picture is drawn (16:9 when there is none yet)."""
        w, h = self.width(), self.height()
        iw, ih = (self.image.width(), self.image.height()) if self.image is not None else (16, 9)
        scale = min(w / iw, h / ih)
        return QRectF((w - iw * scale) / 2, (h - ih * scale) / 2, iw * scale, ih * scale)

    def guide_rect(self) -> QRectF:
        """The framing guide: a square in the middle, 60% of the picture's height."""
        area = self.image_rect()
        side = area.height() * 0.6
        return QRectF(area.center().x() - side / 2, area.center().y() - side / 2, side, side)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#202124"))
        area = self.image_rect()
        if self.image is not None:
            painter.drawImage(area, self.image)
            # dim what is outside the guide so the eye goes to the middle
            guide = self.guide_rect()
            shade = QColor(0, 0, 0, 70)
            painter.fillRect(QRectF(area.left(), area.top(), area.width(), guide.top() - area.top()), shade)
            painter.fillRect(QRectF(area.left(), guide.bottom(), area.width(), area.bottom() - guide.bottom()), shade)
            painter.fillRect(QRectF(area.left(), guide.top(), guide.left() - area.left(), guide.height()), shade)
            painter.fillRect(QRectF(guide.right(), guide.top(), area.right() - guide.right(), guide.height()), shade)
        guide = self.guide_rect()
        colour = QColor(GOOD if self.flashing else "#ffffff")
        painter.setPen(QPen(colour, 2, Qt.PenStyle.DashLine))
        painter.drawRect(guide)
        painter.setPen(QPen(colour, 6))
        arm = guide.width() * 0.14
        for x, y, dx, dy in ((guide.left(), guide.top(), 1, 1), (guide.right(), guide.top(), -1, 1),
                             (guide.left(), guide.bottom(), 1, -1), (guide.right(), guide.bottom(), -1, -1)):
            painter.drawLine(int(x), int(y), int(x + dx * arm), int(y))
            painter.drawLine(int(x), int(y), int(x), int(y + dy * arm))
        if self.image is None and self.message:
            painter.setPen(QColor("#e8eaed"))
            font = painter.font()
            font.setPixelSize(17)
            painter.setFont(font)
            box = self.rect().adjusted(30, 0, -30, 0)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        if self.flashing:
            painter.setPen(QPen(QColor(GOOD), 12))
            painter.drawRect(QRectF(self.rect()).adjusted(6, 6, -6, -6))
        painter.end()


def start_scanner(spec: str, parent: QObject, preview: PreviewWidget, status: Callable[[str], None], *,
                  decoded: Callable[[str], None] | None = None) -> Scanner:
    """The camera ``spec`` started: its frames shown in ``preview``, its messages given to ``status`` and
    (for a reader) its decoded texts to ``decoded``, connected before the first frame can arrive."""
    scanner = Scanner(spec, parent)
    scanner.preview.connect(preview.set_image)
    scanner.status.connect(status)
    if decoded is not None:
        scanner.decoded.connect(decoded)
    scanner.start()
    return scanner


def release_scanner(scanner: Scanner | None) -> None:
    """Stop a camera and let Qt delete it (closing a dialog, switching cameras)."""
    if scanner is not None:
        scanner.stop()
        scanner.deleteLater()


class ScanDialog(QDialog):
    """Scan with the webcam or open a photo; emits :attr:`scanned` with every text read."""

    scanned = pyqtSignal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, cameras: list[CameraInfo] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("scan_dialog")
        self.setWindowTitle(_("Scan a slip or a citizen ID card"))
        self.setAcceptDrops(True)
        self.scanner: Scanner | None = None
        # Hides QDialog.result(), the exit code (exec() returns it too): callers and tests read the scan here.
        self.result: ScanResult | None = None  # type: ignore[assignment]
        self.last_text = ""
        self.last_latency_ms: float | None = None  # from the frame handed to the decoder to the meaning shown
        self.close_on_scan = False  # the caller shows the result itself: close shortly after a good scan

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        layout.setSpacing(10)

        top = QHBoxLayout()
        label = QLabel(_("Camera:"))
        self.camera = QComboBox()
        self.camera.setObjectName("scan_camera")
        self.camera.setMinimumWidth(320)
        label.setBuddy(self.camera)
        self.open_button = QPushButton(_("Open image…"))
        self.open_button.setObjectName("scan_open_file")
        self.open_button.setToolTip(_("Open a photo or scan of a slip or ID card (Ctrl+O); you can also drop it here"))
        self.open_button.setAutoDefault(False)
        top.addWidget(label)
        top.addWidget(self.camera, 1)
        top.addWidget(self.open_button)
        layout.addLayout(top)

        self.preview = PreviewWidget()
        self.preview.setMinimumSize(480, 270)  # 16:9; fits a 1280×720 laptop at 125 %
        layout.addWidget(self.preview, 1)

        self.status = QLabel()
        self.status.setObjectName("scan_status")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(f"color: {IDLE};")
        layout.addWidget(self.status)

        self.panel = StatusBanner("scan_result", "scan_meaning", "scan_text", radius=6, headline_px=18,
                                  filled=False, margins=(14, 8, 14, 10), spacing=2, centred=False,
                                  hide_empty_detail=False)
        self.panel.plain_text(6)
        self.meaning, self.text = self.panel.headline, self.panel.detail
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setStyleSheet("color: #3c4043; font-family: monospace; font-size: 13px;")
        layout.addWidget(self.panel)

        self.hint = QLabel(_("Hold the code inside the frame  ·  Ctrl+O: open an image  ·  Esc: close"))
        self.hint.setObjectName("scan_hint")
        self.hint.setStyleSheet(f"color: {IDLE}; font-size: 12px;")
        buttons = QDialogButtonBox()
        close = present(buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.RejectRole))
        close.setObjectName("scan_close")
        close.setAutoDefault(False)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)

        QShortcut(QKeySequence(QKeySequence.StandardKey.Open), self).activated.connect(self.choose_file)
        self.open_button.clicked.connect(self.choose_file)
        self._show_idle()
        self._fill_cameras(cameras)
        self.camera.currentIndexChanged.connect(self._camera_chosen)
        resize_within_screen(self, 860, 720)

    # -- cameras ----------------------------------------------------------------------------------
    def _fill_cameras(self, cameras: list[CameraInfo] | None) -> None:
        found = list(cameras) if cameras is not None else list_cameras()
        saved = (self.ctx.settings.camera or "").strip()
        if saved.startswith(FAKE) and all(c.spec != saved for c in found):
            found.append(CameraInfo(saved, describe_spec(saved)))
        elif is_digits(saved) and all(c.spec != saved for c in found):
            # the saved webcam is not plugged in now: keep it choosable so it is retried, not forgotten
            found.insert(0, CameraInfo(saved, _("{name} (not found)").format(name=describe_spec(saved))))
        self.camera.blockSignals(True)
        for info in found:
            self.camera.addItem(info.name, info.spec)
        if not found:
            self.camera.addItem(_("No camera found — open an image file instead"), "")
        index = self.camera.findData(saved) if saved else 0
        self.camera.setCurrentIndex(max(index, 0))
        self.camera.blockSignals(False)

    @property
    def spec(self) -> str:
        return self.camera.currentData() or ""

    def _camera_chosen(self, _index: int) -> None:
        spec = self.spec
        if spec and spec != self.ctx.settings.camera:
            self.ctx.settings.camera = spec
            with contextlib.suppress(OSError):  # not remembered for next time; scanning still works
                self.ctx.settings.save()
        self.start()

    def start(self) -> None:
        """(Re)start the chosen camera; without one, say how to scan from a file."""
        self.stop()
        self.preview.clear()
        spec = self.spec
        if not spec:
            self._set_status(_("No camera. Open a photo of the slip or ID card (Ctrl+O) or drop it here."))
            self.preview.set_message(_("No camera"))
            return
        self.preview.set_message(_("Starting the camera…"))
        self.scanner = start_scanner(spec, self, self.preview, self._set_status, decoded=self._from_camera)

    def stop(self) -> None:
        """Stop the camera and release it (closing, switching cameras)."""
        scanner, self.scanner = self.scanner, None
        release_scanner(scanner)

    def _set_status(self, message: str) -> None:
        self.status.setText(message)
        if self.scanner is not None and self.scanner.state in ("absent", "busy", "lost"):
            self.preview.clear()
            self.preview.set_message(message)

    # -- results ----------------------------------------------------------------------------------
    def _from_camera(self, text: str) -> None:
        started = self.scanner.decoder.last_frame_time if self.scanner is not None else None
        self.handle_text(text, frame_time=started)

    def handle_text(self, text: str, *, frame_time: float | None = None) -> ScanResult:
        """Show what ``text`` is and means, flash and beep when it is a slip or card, emit :attr:`scanned`.

        ``frame_time`` (perf_counter() when the camera frame went to the decoder) sets
        :attr:`last_latency_ms` once the meaning is painted.
        """
        result = interpret(text, clock=self.ctx.clock)
        self.result, self.last_text = result, text
        line = describe(result)
        colour = GOOD if result.ok else BAD
        self.panel.show_status(colour, colour, line, text if len(text) <= 200 else text[:200] + "…", headline_px=22)
        self.panel.setProperty("kind", result.kind)
        self.meaning.repaint()
        self.last_latency_ms = (time.perf_counter() - frame_time) * 1000 if frame_time is not None else None
        if result.ok:
            self.preview.flash()
            QApplication.beep()
            if self.close_on_scan and result.kind in (DOSSIER, CCCD):
                QTimer.singleShot(FLASH_MS // 2, self.accept)
        else:
            QApplication.beep()
        self.scanned.emit(text)
        return result

    def open_file(self, path: str | Path) -> ScanResult | None:
        """Decode a photo or scan of a slip or card; None (and a message) when it has no code."""
        path = Path(path)
        found = decode_file(path)
        if not found:
            self.result, self.last_text = None, ""
            self.panel.show_status(BAD, BAD, _("No QR code or barcode found in {name}").format(name=path.name),
                                   _("Take the photo closer, straight on and in focus, or scan the paper."))
            self.panel.setProperty("kind", "none")
            QApplication.beep()
            return None
        return self.handle_text(found[0].text)

    def choose_file(self) -> None:
        path = files.open_file(self, _("Open a photo of a slip or ID card"),
                               _("Images") + " (" + " ".join(f"*{s}" for s in IMAGE_SUFFIXES) + ")")
        if path is not None:
            self.open_file(path)

    def _show_idle(self) -> None:
        self.panel.show_status("#dadce0", IDLE, _("Hold the QR code of the appointment slip or the citizen ID card "
                                                  "to the camera"), weight="")
        self.panel.setProperty("kind", "")

    # -- drag and drop ----------------------------------------------------------------------------
    @staticmethod
    def _dropped_image(event: QDragEnterEvent | QDropEvent) -> Path | None:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES:
                return Path(url.toLocalFile())
        return None

    def dragEnterEvent(self, event: QDragEnterEvent | None) -> None:  # noqa: N802 - Qt's name
        if event is None:  # never from Qt; PyQt's stub allows it
            return
        if self._dropped_image(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent | None) -> None:  # noqa: N802 - Qt's name
        if event is None:  # never from Qt; PyQt's stub allows it
            return
        path = self._dropped_image(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_file(path)

    # -- lifetime ---------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.scanner is None:
            self.start()

    def done(self, result: int) -> None:  # accept, reject and Escape all come here
        self.stop()
        super().done(result)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.stop()
        super().closeEvent(event)
