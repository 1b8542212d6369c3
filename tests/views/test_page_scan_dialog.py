"""The webcam page scan from the dossier's detail: FakeCamera frames of a photographed page become one
straight PDF attached to the chosen component (D43)."""

from __future__ import annotations

from datetime import datetime

import cv2
from PyQt6.QtCore import Qt

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.services import accounts
from desk.services.attachments import (
    digitisation_counts,
    list_attachments,
    missing_components,
    open_attachment,
)
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.views.context import AppContext
from desk.views.dossier_detail import DossierDetailDialog
from tests.hardware.test_page_scan import QR_TEXT, TILTED, _page, _photographed, _qr_edges, _render

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LOCAL_TZ)


def test_pages_photographed_in_the_detail_are_attached_as_one_pdf(qtbot, office, tmp_path):
    frames = tmp_path / "frames"
    frames.mkdir()
    cv2.imwrite(str(frames / "page.png"), _photographed(_page(), TILTED))
    actor = accounts.create_staff("hang", "Nguyễn Thị Hằng", "clerk", "Matkhau#2026", by=accounts.SYSTEM)
    ctx = AppContext(actor=actor, clock=FixedClock(NOW), settings=Settings(camera=f"fake:{frames}"),
                     office_name="UBND phường Trần Phú", printer=FakePrinter(), output_dir=tmp_path / "slips")
    code = register(IntakeRequest("T-KS", Applicant(name="Trần Thị Mai"), received_at=datetime(2026, 11, 23, 9, 0)),
                    clock=FixedClock(NOW), actor=actor).code
    leader = accounts.create_staff("lan", "Phạm Thị Lan", "leader", "Matkhau#2026", by=accounts.SYSTEM)

    def counted() -> list[tuple[str, int, int]]:  # the report's digitisation figure for November
        return [(r.field_code, r.digitised, r.total) for r in digitisation_counts(
            datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date(), actor=leader) if r.total]

    assert [t for _f, _d, t in counted()] == [1] and [d for _f, d, _t in counted()] == [0]
    detail = DossierDetailDialog(ctx, code)
    qtbot.addWidget(detail)
    detail.show()
    dialog = detail.scan_pages()
    assert dialog.target.text() == "1. Tờ khai đăng ký"
    qtbot.waitUntil(lambda: dialog.preview.image is not None, timeout=5000)
    qtbot.mouseClick(dialog.capture_button, Qt.MouseButton.LeftButton)
    assert len(dialog.pages) == 1, dialog.status.text()
    assert dialog.capture()  # a second page
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved is not None and dialog.result() == dialog.DialogCode.Accepted
    [info] = list_attachments(code, actor=actor)
    assert (info.component, info.kind, info.media_type) == (1, "scan", "application/pdf")
    pages = _render(open_attachment(info.id, actor=actor)[1], tmp_path)
    assert len(pages) == 2 and _qr_edges(pages[0])[0] == QR_TEXT
    assert missing_components(code, actor=actor) == []
    assert [d for _f, d, _t in counted()] == [1]  # the report counts the photographed page
    assert detail.files.rowCount() == 1
    assert dialog.scanner is None  # the camera is released
