"""Photograph paper pages with the webcam and attach them to a dossier as one straight PDF (D43).

The camera runs on its own threads (desk/hardware/camera.py); each "Capture page" takes the picture on
screen, finds the sheet in it and straightens it (desk/hardware/page_scan.py). "Save to the dossier" writes
the pages into one PDF and attaches it to the component chosen in the dossier's detail (or its result).
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desk.errors import DeskError
from desk.hardware.camera import Scanner
from desk.hardware.page_scan import frame_from_qimage, pages_to_pdf, scan_page
from desk.i18n import _
from desk.services.attachments import AttachmentInfo, attach
from desk.views.common import error_text, resize_within_screen
from desk.views.context import AppContext
from desk.views.scan_dialog import PreviewWidget, release_scanner, start_scanner


class PageScanDialog(QDialog):
    """One PDF of one or several pages for one component (``component`` None: the result)."""

    def __init__(self, ctx: AppContext, code: str, component: int | None, label: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx, self.code, self.component = ctx, code, component
        self.pages: list[np.ndarray] = []
        self.saved: AttachmentInfo | None = None
        self.scanner: Scanner | None = None
        self.setObjectName("page_scan")
        self.setWindowTitle(_("Scan pages for {code}").format(code=code))
        outer = QVBoxLayout(self)
        self.target = QLabel(label or (_("Result") if component is None else str(component)))
        self.target.setWordWrap(True)
        self.preview = PreviewWidget()
        self.status = QLabel()
        self.status.setObjectName("page_scan_status")
        self.status.setWordWrap(True)
        self.capture_button = QPushButton(_("Capture page (Space)"))
        self.capture_button.setObjectName("capture_page")
        self.capture_button.clicked.connect(self.capture)
        self.save_button = QPushButton(_("Save to the dossier"))
        self.save_button.setObjectName("save_pages")
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(False)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        for button in (self.capture_button, self.save_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(cancel)
        for widget in (self.target, self.preview, self.status):
            outer.addWidget(widget)
        outer.setStretch(1, 1)
        outer.addLayout(row)
        QShortcut(QKeySequence("Space"), self).activated.connect(self.capture)
        resize_within_screen(self, 860, 700)
        self.start()

    def start(self) -> None:
        spec = (self.ctx.settings.camera or "").strip()
        if not spec:
            self.preview.set_message(_("No camera"))
            self.status.setText(_("No camera is set up for this desk (Settings). Attach a scanned file instead."))
            self.capture_button.setEnabled(False)
            return
        self.preview.set_message(_("Starting the camera…"))
        self.scanner = start_scanner(spec, self, self.preview, self.status.setText)

    def stop(self) -> None:
        """Stop the camera and release it."""
        scanner, self.scanner = self.scanner, None
        release_scanner(scanner)

    def capture(self) -> bool:
        """The picture on screen, its sheet found and straightened, as the next page; False when none."""
        image = self.preview.image
        if image is None:
            self.status.setText(_("No picture yet: wait for the camera."))
            return False
        try:
            self.pages.append(scan_page(frame_from_qimage(image)))
        except DeskError as exc:
            self.status.setText(error_text(exc))
            return False
        self.status.setText(_("{count} page(s) captured. Capture the next page or save.").format(
            count=len(self.pages)))
        self.save_button.setEnabled(True)
        return True

    def save(self) -> AttachmentInfo | None:
        """The pages as one PDF attached to the dossier; the dialog closes when it is stored."""
        if not self.pages:
            return None
        name = f"{self.code}-{'ket-qua' if self.component is None else f'thanh-phan-{self.component}'}.pdf"
        try:
            self.saved = attach(self.code, pages_to_pdf(self.pages), component=self.component,
                                result=self.component is None, file_name=name, kind="scan",
                                actor=self.ctx.actor, clock=self.ctx.clock)
        except DeskError as exc:
            self.status.setText(error_text(exc))
            return None
        self.accept()
        return self.saved

    def done(self, result: int) -> None:  # accept, reject and Escape all come here
        self.stop()
        super().done(result)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.stop()
        super().closeEvent(event)
