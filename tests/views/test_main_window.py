"""The interim main window lists the latest dossiers from a real database."""

from __future__ import annotations

from datetime import datetime

from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import recent
from desk.services.intake import Applicant, IntakeRequest, register
from desk.views.main_window import MainWindow


def test_main_window_lists_dossiers(qtbot, office):
    clock = FixedClock(datetime(2026, 11, 23, 12, tzinfo=LOCAL_TZ))
    for i, name in enumerate(["Nguyễn Thị Ánh", "Trần Đức Lộc"]):
        register(IntakeRequest("T-KS", Applicant(name=name), received_at=datetime(2026, 11, 23, 9, i)), clock=clock)
    window = MainWindow("UBND phường Trần Phú", "sqlite:///x.db", recent(50))
    qtbot.addWidget(window)
    model = window.table.model()
    assert model.rowCount() == 2
    assert model.index(0, 1).data() == "Trần Đức Lộc"
    assert model.index(0, 5).data() == "Đã tiếp nhận"
    assert model.headerData(0, __import__("PyQt6.QtCore").QtCore.Qt.Orientation.Horizontal) == "Mã hồ sơ"
    assert "UBND phường Trần Phú" in window.windowTitle()
