"""The main window fits a 1366×768 desk: its width never grows past the screen whatever screens were opened,
and it opens inside the screen's free area (issue 10)."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QSize

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.services.clock import Clock
from desk.views.context import AppContext
from desk.views.main_window import MainWindow, initial_size

PAGES = ["intake", "dossiers", "pickup", "reports", "catalog", "calendar", "settings"]


@pytest.fixture
def window(qtbot, office, admin, tmp_path):
    ctx = AppContext(actor=admin, clock=Clock(), settings=Settings(), office_name="UBND phường Thử",
                     database_label="test", printer=FakePrinter(), output_dir=tmp_path)
    main = MainWindow(ctx)
    qtbot.addWidget(main)
    main.show()
    return main


def test_every_screen_keeps_the_window_within_1366_pixels(qtbot, window):
    for page in PAGES:
        window.show_page(page)
        qtbot.wait(20)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1366, f"{page}: the window needs {hint.width()} px"
        assert hint.height() <= 728, f"{page}: the window needs {hint.height()} px"


def test_the_window_opens_inside_the_free_area_of_the_screen():
    assert initial_size(QSize(1366, 728)) == (1280, 728)  # 1366×768 less a 40-pixel taskbar
    assert initial_size(QSize(1920, 1040)) == (1280, 800)
    assert initial_size(QSize(1024, 700)) == (1024, 700)
    assert initial_size(None) == (1280, 800)
