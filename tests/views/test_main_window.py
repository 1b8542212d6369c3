"""The main window: sidebar by role, lazy screens, status bar, shortcuts reach the screens."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication, QLabel, QWidget

from desk.config import Settings
from desk.services.accounts import Actor
from desk.services.clock import Clock
from desk.views.context import AppContext
from desk.views.main_window import MainWindow as Window
from desk.views.main_window import Page


class EchoPage(QLabel):
    """A small real screen for these tests; records the actions the window asks of it."""

    def __init__(self, ctx, parent=None):
        super().__init__("echo", parent)
        self.calls: list[str] = []

    def new_dossier(self):
        self.calls.append("new")

    def print_current(self):
        self.calls.append("print")


TEST_PAGES = (
    Page("intake", "Receive (F2)", __name__, "EchoPage", shortcut="F2"),
    Page("catalog", "Procedures", __name__, "EchoPage", role="leader"),
)


def make(qtbot, role: str) -> Window:
    ctx = AppContext(actor=Actor(1, "u", "Nguyễn Thị Hằng", role), clock=Clock(), settings=Settings(),
                     office_name="UBND phường Trần Phú", database_label="sqlite:///x.db")
    window = Window(ctx, pages=TEST_PAGES)
    qtbot.addWidget(window)
    return window


def test_clerk_sees_no_leader_pages(qtbot):
    window = make(qtbot, "clerk")
    labels = [window.sidebar.item(i).text() for i in range(window.sidebar.count())]
    assert labels == ["Tiếp nhận (F2)"]
    assert window.show_page("catalog") is None


def test_leader_pages_and_status_bar(qtbot):
    window = make(qtbot, "leader")
    assert window.sidebar.count() == 2
    assert "Nguyễn Thị Hằng" in window._status.text() and "lãnh đạo" in window._status.text()
    assert "UBND phường Trần Phú" in window.windowTitle()


def test_shortcuts_reach_the_screen(qtbot):
    window = make(qtbot, "clerk")
    with qtbot.waitExposed(window):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    page = window.page("intake")
    window.sidebar.setFocus()
    qtbot.keyClick(window.sidebar, Qt.Key.Key_F2)
    qtbot.keyClick(window.sidebar, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert page.calls == ["new", "print"]
    assert isinstance(window.current_page(), QWidget)
