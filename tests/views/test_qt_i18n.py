"""Qt's own dialogs speak Vietnamese: message-box buttons, the log-in dialogs, file dialogs, context menus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QPoint, QTimer, QTranslator
from PyQt6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QWizard,
    QWizardPage,
)

from desk.i18n import gettext
from desk.views import files, qt_i18n
from desk.views.login import LoginDialog, NewPasswordDialog
from desk.views.qt_i18n import COVERED_CONTEXTS, KEPT_AS_IS, QT_MESSAGES, install_qt_translations
from tools.messages import po_path, read_catalog

SB = QMessageBox.StandardButton
ENGLISH_BUTTONS = {"OK", "Cancel", "&Yes", "&No", "Yes", "No", "Save", "Close", "Apply", "Open", "Discard", "Help",
                   "Reset", "Retry", "Ignore", "Abort", "Save All", "Yes to &All", "N&o to All", "Restore Defaults"}


@pytest.fixture
def vietnamese_qt():
    app = QApplication.instance()
    installed = install_qt_translations(app, "vi")
    assert installed, "nothing installed for Vietnamese"
    yield installed
    for translator in installed:
        app.removeTranslator(translator)
    qt_i18n._installed.pop(id(app), None)


@pytest.fixture
def documents(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DESK_DOCUMENTS_DIR", str(tmp_path / "Documents"))
    monkeypatch.setenv("DESK_QT_FILE_DIALOG", "1")  # Qt's own dialog, the one these translations serve
    files.forget()
    yield tmp_path / "Documents" / "OneStopDesk"
    files.forget()


def _plain(text: str) -> str:
    return text.split("\t")[0]


def test_message_box_buttons_are_vietnamese(qtbot, vietnamese_qt):
    buttons = SB.Ok | SB.Cancel | SB.Yes | SB.No | SB.Save | SB.Close | SB.Apply | SB.Discard | SB.Retry | SB.Ignore
    box = QMessageBox(QMessageBox.Icon.Question, "Tiêu đề", "Nội dung", buttons)
    qtbot.addWidget(box)
    texts = {box.standardButton(b): b.text() for b in box.buttons()}
    assert texts[SB.Ok] == "Đồng ý" and texts[SB.Cancel] == "Hủy"
    assert texts[SB.Yes] == "&Có" and texts[SB.No] == "&Không"
    assert texts[SB.Save] == "Lưu" and texts[SB.Close] == "Đóng"
    assert not set(texts.values()) & ENGLISH_BUTTONS


def test_message_box_details_button(qtbot, vietnamese_qt):
    box = QMessageBox(QMessageBox.Icon.Warning, "Lỗi", "Không ghi được tệp", SB.Ok)
    box.setDetailedText("chi tiết")
    qtbot.addWidget(box)
    box.show()
    labels = {b.text() for b in box.buttons()}
    assert "Xem chi tiết..." in labels and "Show Details..." not in labels


@pytest.mark.parametrize("make", [
    lambda: NewPasswordDialog("Lần chạy đầu tiên", "Chọn mật khẩu quản trị"),
    lambda: LoginDialog("UBND phường Trần Phú", "admin"),
], ids=["first-start", "log-in"])
def test_login_dialogs_show_no_english_button(qtbot, make, vietnamese_qt):
    dialog = make()
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    assert texts and not set(texts) & ENGLISH_BUTTONS, texts


def test_password_dialog_buttons_are_named_even_without_qt_translations(qtbot):
    dialog = NewPasswordDialog("Lần chạy đầu tiên", "Chọn mật khẩu quản trị")
    qtbot.addWidget(dialog)
    box = dialog.findChild(QDialogButtonBox)
    assert box.button(QDialogButtonBox.StandardButton.Ok).text() == "Đặt mật khẩu"
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "Hủy"


def test_line_edit_and_text_menus_are_vietnamese(qtbot, vietnamese_qt):
    edit = QLineEdit("Nguyễn Văn An")
    qtbot.addWidget(edit)
    menu = edit.createStandardContextMenu()
    texts = [_plain(a.text()) for a in menu.actions() if not a.isSeparator()]
    for expected in ("&Hoàn tác", "&Làm lại", "Cắ&t", "&Sao chép", "&Dán", "Xóa", "Chọn tất cả"):
        assert expected in texts, texts
    plain = QPlainTextEdit("Số 5, Tổ 2")
    qtbot.addWidget(plain)
    texts = [_plain(a.text()) for a in plain.createStandardContextMenu(QPoint(1, 1)).actions() if not a.isSeparator()]
    assert "&Sao chép" in texts and "Chọn tất cả" in texts


def _with_modal(qtbot, check):
    """Run ``check`` on the file dialog once it is open, then close it."""
    seen: list = []

    def look():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, look)
            return
        try:
            seen.append(check(dialog))
        finally:
            dialog.reject()

    QTimer.singleShot(0, look)
    return seen


def test_file_dialog_starts_in_documents_and_speaks_vietnamese(qtbot, documents, vietnamese_qt):
    def check(dialog: QFileDialog):
        labels = {w.objectName(): w.text() for w in dialog.findChildren(QLabel) if w.objectName()}
        buttons = [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible() and b.text()]
        return Path(dialog.directory().absolutePath()), labels, buttons

    seen = _with_modal(qtbot, check)
    assert files.save_file(None, "Xuất báo cáo", "Sổ Excel (*.xlsx)", "bao-cao.xlsx", suffix=".xlsx") is None
    folder, labels, buttons = seen[0]
    assert folder == documents and documents.is_dir()  # created on demand, not the program folder
    assert labels["lookInLabel"] == "&Tìm trong:"
    assert labels["fileNameLabel"] == "&Tên tệp:" and labels["fileTypeLabel"] == "&Loại tệp:"
    assert "&Lưu" in buttons and "Hủy" in buttons
    assert not set(buttons) & {"&Save", "Cancel", "&Open"}


def test_file_dialog_remembers_the_last_folder(qtbot, documents, tmp_path, vietnamese_qt):
    other = tmp_path / "usb"
    other.mkdir()
    (other / "danh-muc.xlsx").write_bytes(b"x")

    def choose(dialog: QFileDialog):
        started = Path(dialog.directory().absolutePath())
        dialog.selectFile(str(other / "danh-muc.xlsx"))
        QTimer.singleShot(0, dialog.accept)
        return started

    seen: list = []

    def look():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, look)
            return
        seen.append(choose(dialog))

    QTimer.singleShot(0, look)
    chosen = files.open_file(None, "Nhập danh mục", "Sổ Excel (*.xlsx)")
    assert seen == [documents] and chosen == other / "danh-muc.xlsx"
    assert files.start_folder() == other
    second = _with_modal(qtbot, lambda d: Path(d.directory().absolutePath()))
    files.open_file(None, "Nhập danh mục", "Sổ Excel (*.xlsx)")
    assert second == [other]


class _Recorder(QTranslator):
    """Notes what Qt asks to translate (asked before ours: installed last)."""

    def __init__(self):
        super().__init__()
        self.asked: set[tuple[str, str]] = set()

    def translate(self, context, source, disambiguation=None, n=-1):
        self.asked.add((context or "", source or ""))
        return None

    def isEmpty(self):  # noqa: N802
        return False


def test_every_string_qt_asks_in_our_contexts_is_translated(qtbot, tmp_path, vietnamese_qt):
    """Qt 6 changes its strings now and then: fail when a dialog asks for one we do not have."""
    app = QApplication.instance()
    recorder = _Recorder()
    app.installTranslator(recorder)
    try:
        for mode in (QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave):
            dialog = QFileDialog(None, "t", str(tmp_path))
            dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
            dialog.setAcceptMode(mode)
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.wait(50)  # the dialog asks for its strings as it fills itself in: no one moment says it is done
            dialog.close()
        all_buttons = SB(0)
        for button in (SB.Ok, SB.Save, SB.SaveAll, SB.Open, SB.Yes, SB.YesToAll, SB.No, SB.NoToAll, SB.Abort,
                       SB.Retry, SB.Ignore, SB.Close, SB.Cancel, SB.Discard, SB.Help, SB.Apply, SB.Reset,
                       SB.RestoreDefaults):
            all_buttons |= button
        box = QMessageBox(QMessageBox.Icon.Warning, "t", "x", all_buttons)
        box.setDetailedText("d")
        qtbot.addWidget(box)
        box.show()
        for widget in (QLineEdit("x"), QPlainTextEdit("x")):
            qtbot.addWidget(widget)
            menu = widget.createStandardContextMenu() if isinstance(widget, QLineEdit) \
                else widget.createStandardContextMenu(QPoint(1, 1))
            menu.deleteLater()
        spin = QSpinBox()
        qtbot.addWidget(spin)
        wizard = QWizard()
        wizard.addPage(QWizardPage())
        wizard.addPage(QWizardPage())
        qtbot.addWidget(wizard)
        wizard.show()
        wizard.next()
        from PyQt6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog

        printer = QPrinter()  # outlives both dialogs
        print_dialogs = [QPrintDialog(printer), QPrintPreviewDialog(printer)]
        for dialog in print_dialogs:
            dialog.show()
            qtbot.wait(20)  # as for the file dialogs
            dialog.close()
            dialog.deleteLater()
        qtbot.waitUntil(lambda: all(sip.isdeleted(d) for d in print_dialogs), timeout=2000)  # before the printer
    finally:
        app.removeTranslator(recorder)
    ours = {pair for pair in recorder.asked if pair[0] in COVERED_CONTEXTS}
    missing = sorted(ours - set(QT_MESSAGES) - KEPT_AS_IS)
    assert missing == []
    assert {("QPlatformTheme", "OK"), ("QFileDialog", "File &name:"), ("QPrintDialog", "&Print"),
            ("QPrintPreviewDialog", "Print Preview")} <= ours  # the recorder heard Qt


def test_qt_placeholders_survive_translation():
    catalog = {m.id: m.string for m in read_catalog(po_path("vi")) if m.id and not m.fuzzy}
    for msgid in set(QT_MESSAGES.values()):
        assert catalog.get(msgid), msgid
        assert sorted(re.findall(r"%\d", msgid)) == sorted(re.findall(r"%\d", catalog[msgid])), msgid
        assert msgid.count("&") == catalog[msgid].count("&"), msgid  # an accelerator stays an accelerator


def test_print_dialog_is_vietnamese(qtbot, vietnamese_qt):
    from PyQt6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter()  # the dialog keeps a pointer: the printer must outlive it
    dialog = QPrintDialog(printer)
    dialog.show()
    buttons = {b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible() and b.text()}
    assert "&In" in buttons and "Hủy" in buttons and not buttons & {"&Print", "Cancel", "&Options >>"}
    dialog.close()
    dialog.deleteLater()
    qtbot.waitUntil(lambda: sip.isdeleted(dialog), timeout=2000)  # gone before the printer is


def test_english_desk_installs_nothing_and_official_files_are_found():
    assert install_qt_translations(QApplication.instance(), "en") == []
    assert qt_i18n._official_qm("de") is not None  # Qt ships German: it would be loaded and asked first
    assert qt_i18n._official_qm("vi") is None  # no Vietnamese in PyQt6: our catalog answers
    assert gettext("&Yes") == "&Có"


def test_the_gui_start_installs_the_translations(qtbot, sqlite_url, monkeypatch):
    import logging
    import sys

    from PyQt6.QtCore import QCoreApplication

    from desk import app as desk_app
    from desk.models import db as dbmod

    dbmod.connect(sqlite_url)  # an existing database: the windows create only the default one
    dbmod.close()
    qapp = QApplication.instance()
    for translator in qt_i18n._installed.pop(id(qapp), []):  # start from an untranslated Qt
        qapp.removeTranslator(translator)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # the start path installs its own
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        assert desk_app._start_qt(sqlite_url) is not None
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Hủy"
        assert QCoreApplication.translate("QFileDialog", "File &name:") == "&Tên tệp:"
        assert QCoreApplication.translate("QShortcut", "Ctrl") == "Ctrl"  # key names stay as printed on keys
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
            handler.close()
        root.setLevel(level)
        for translator in qt_i18n._installed.pop(id(qapp), []):
            qapp.removeTranslator(translator)
