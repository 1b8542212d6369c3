"""One dossier: everything about it, its audit timeline, and the moves its status allows.

Each action says in plain words what will happen, asks for what the slip needs (what to add,
the reasons, the recipient, the new date), moves the dossier through ``lifecycle`` with the
version shown on screen (so a change made meanwhile at another desk is refused, not
overwritten), prints the matching official form, reloads and tells the other screens.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PyQt6.QtCore import QDateTime, Qt, QTimer
from PyQt6.QtGui import QColor, QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.hardware.scan_folder import ATTACHED_FOLDER, move_attached
from desk.i18n import N_, _, ngettext
from desk.services import documents, lifecycle
from desk.services.accounts import Actor
from desk.services.attachments import AttachmentInfo, attach, list_attachments, open_attachment
from desk.services.calendar import processing_time_label
from desk.services.clock import LOCAL_TZ
from desk.services.dossiers import (
    CHANNELS,
    OPEN_STATUSES,
    STATUS_LABELS,
    DossierInfo,
    EventInfo,
    Outcome,
    Status,
    get_dossier,
    history,
)
from desk.services.kinds import StopCase
from desk.services.lifecycle import ConcurrentChange
from desk.services.search import Urgency, urgency_of
from desk.views.common import (
    CompactTable,
    PrintOutcome,
    PrintRun,
    confirm,
    error_text,
    open_document,
    present,
    resize_within_screen,
    scrolling,
    word_label,
)
from desk.views.context import AppContext
from desk.views.files import open_file as choose_file
from desk.views.ops import Operation
from desk.views.page_scan_dialog import PageScanDialog
from desk.views.scan_inbox import ScanInbox
from desk.views.widgets import message_and_buttons

KINDS = {"original": N_("original"), "copy": N_("copy")}
BANNER_COLOURS = {  # background, text
    Urgency.OVERDUE: ("#f8d4d4", "#7a0b0b"),
    Urgency.DUE_TODAY: ("#fde0bd", "#6b3a00"),
    Urgency.DUE_SOON: ("#fdf3b8", "#5a4a00"),
    Urgency.NORMAL: ("#dcefdc", "#1d4d1d"),
    Urgency.CLOSED: ("#e6e6e6", "#333333"),
}
OUTCOME_COLOURS = {Outcome.EARLY: ("#cfe9d4", "#114d1f"), Outcome.ON_TIME: ("#dcefdc", "#1d4d1d"),
                   Outcome.LATE: ("#f8d4d4", "#7a0b0b")}
ACTION_LABELS = {"receive": N_("Received"), "advance": N_("Status change"), "apology": N_("Extension request, new date"),
                 "stop": N_("Handling stopped")}
# The cases of Decree 118/2025 Art. 21 the clerk picks from when stopping a dossier.
STOP_CASES = {StopCase.APPLICANT_REQUEST: N_("The applicant asks to stop handling or to withdraw the dossier"),
              StopCase.CANNOT_CONTINUE: N_("The dossier cannot lawfully be handled further")}


def _when(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y") if moment else ""


def _label(status: str | None) -> str:
    if not status:
        return ""
    try:
        return _(STATUS_LABELS[Status(status)])
    except ValueError:
        return status


# -- small input dialogs (module functions so tests can answer them) --------------------------------
class NoteDialog(QDialog):
    """Explains the action and asks for the text the slip needs (required or optional)."""

    def __init__(self, title: str, explanation: str, prompt: str, *, required: bool, default: str = "",
                 ok_text: str = "", parent: QWidget | None = None, multiline: bool = True):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.required = required
        layout = QVBoxLayout(self)
        text = QLabel(explanation)
        text.setWordWrap(True)
        layout.addWidget(text)
        label = QLabel(prompt)
        layout.addWidget(label)
        if multiline:
            self.editor: QPlainTextEdit | QLineEdit = QPlainTextEdit(default)
            self.editor.setTabChangesFocus(True)
            self.editor.setMinimumHeight(90)
        else:
            self.editor = QLineEdit(default)
            self.editor.selectAll()
        self.editor.setObjectName("note")
        label.setBuddy(self.editor)
        layout.addWidget(self.editor)
        self.message = message_and_buttons(layout, self, ok_text or _("Confirm"), _("Cancel"))
        hint = QLabel(_("Ctrl+Enter: confirm  ·  Esc: cancel"))
        hint.setStyleSheet("color: #666")
        layout.addWidget(hint)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self).activated.connect(self.accept)
        self.resize(480, 280 if multiline else 180)
        self.editor.setFocus()

    def value(self) -> str:
        """The text; lines become "; "-separated items (the slips list each item on its own line)."""
        if isinstance(self.editor, QPlainTextEdit):
            return _items(self.editor.toPlainText())
        return self.editor.text().strip()

    def accept(self) -> None:
        if self.required and not self.value():
            self.message.setText(_("Please fill this in: it is printed on the slip"))
            self.editor.setFocus()
            return
        super().accept()


class ApologyDialog(QDialog):
    """The reason for the delay and the new return date (Mẫu 04)."""

    def __init__(self, info: DossierInfo, now: datetime, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Extension request and new return date — {code}").format(code=info.code))
        layout = QVBoxLayout(self)
        text = QLabel(_("The citizen was told to come back at {appointment}. Record why the result will be late "
                        "and the new date; the apology and extension request (form 04) is printed. The legal due date stays "
                        "{due} for the statistics.").format(appointment=_when(info.appointment_at),
                                                            due=_when(info.due_at)))
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setMinimumHeight(80)
        form.addRow(_("Reason for the delay"), self.reason)
        start = max(info.appointment_at, now).astimezone(LOCAL_TZ) + timedelta(days=1)
        try:  # the next working day, not a Saturday or a holiday (the clerk may still pick another)
            from desk.services.calendar import load_calendar

            day = load_calendar().next_working_day(start.date() - timedelta(days=1))
            start = start.replace(year=day.year, month=day.month, day=day.day)
        except DeskError:
            pass
        start = start.replace(hour=max(8, min(start.hour, 16)), minute=0, second=0, microsecond=0)
        self.when = QDateTimeEdit(QDateTime(start.date(), start.time().replace(tzinfo=None)))
        self.when.setObjectName("new_appointment")
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("HH:mm dd/MM/yyyy")
        form.addRow(_("New return date"), self.when)
        layout.addLayout(form)
        self.message = message_and_buttons(layout, self, _("Record and print"), _("Cancel"))
        self.reason.setFocus()

    def value(self) -> tuple[str, datetime]:
        moment = self.when.dateTime().toPyDateTime().replace(tzinfo=LOCAL_TZ)
        return self.reason.toPlainText().strip(), moment

    def accept(self) -> None:
        if not self.value()[0]:
            self.message.setText(_("Please write the reason for the delay (it is printed on the slip)"))
            self.reason.setFocus()
            return
        super().accept()


class StopDialog(QDialog):
    """The case of Decree 118/2025 Art. 21 and the reason for stopping the handling of a dossier."""

    def __init__(self, info: DossierInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Stop handling — {code}").format(code=info.code))
        layout = QVBoxLayout(self)
        text = QLabel(_("Handling of dossier {code} stops and the dossier is closed as stopped (Decree 118/2025 "
                        "Art. 21); the notice to the applicant gives the reason below. This cannot be undone.")
                      .format(code=info.code))
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.case = QComboBox()
        self.case.setObjectName("case")
        for case, label in STOP_CASES.items():
            self.case.addItem(_(label), case.value)
        form.addRow(_("Case"), self.case)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setTabChangesFocus(True)
        self.reason.setMinimumHeight(80)
        form.addRow(_("Reason for stopping"), self.reason)
        layout.addLayout(form)
        self.message = message_and_buttons(layout, self, _("Stop handling"), _("Cancel"))
        self.resize(520, 280)
        self.reason.setFocus()

    def value(self) -> tuple[StopCase, str]:
        return StopCase(self.case.currentData()), _items(self.reason.toPlainText())

    def accept(self) -> None:
        if not self.value()[1]:
            self.message.setText(_("Please write the reason for stopping (it is printed on the notice)"))
            self.reason.setFocus()
            return
        super().accept()


def ask_stop(parent: QWidget | None, info: DossierInfo) -> tuple[StopCase, str] | None:
    """(case, reason) or None when cancelled."""
    dialog = StopDialog(info, parent)
    return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_note(parent: QWidget | None, title: str, explanation: str, prompt: str, *, required: bool,
             default: str = "", ok_text: str = "", multiline: bool = True) -> str | None:
    """The text typed, or None when the clerk cancelled."""
    dialog = NoteDialog(title, explanation, prompt, required=required, default=default, ok_text=ok_text,
                        parent=parent, multiline=multiline)
    return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_apology(parent: QWidget | None, info: DossierInfo, now: datetime) -> tuple[str, datetime] | None:
    """(reason, new appointment) or None when cancelled."""
    dialog = ApologyDialog(info, now, parent)
    return dialog.value() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_reload(parent: QWidget | None, message: str) -> bool:
    """Someone else changed the dossier: say so, and offer to show the current state."""
    box = QMessageBox(QMessageBox.Icon.Warning, _("Changed at another desk"), message, parent=parent)
    reload = box.addButton(_("Reload"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(_("Close"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(reload)
    box.exec()
    return box.clickedButton() is reload


# -- the dialog ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    key: str
    label: str  # with a mnemonic
    allowed: Callable[[DossierInfo], bool]


def _can(target: Status) -> Callable[[DossierInfo], bool]:
    return lambda info: target in lifecycle.allowed_moves(info.status)


ACTIONS = (
    Action("processing", N_("Send to &processing"), _can(Status.PROCESSING)),
    Action("supplement", N_("Request &supplement (form 02)"), _can(Status.NEEDS_SUPPLEMENT)),
    Action("resolved", N_("Result &ready"), _can(Status.RESOLVED)),
    Action("returned", N_("Re&turn to citizen"), _can(Status.RETURNED)),
    Action("refused", N_("Re&fuse (form 03)"), _can(Status.REFUSED)),
    Action("withdrawn", N_("&Withdraw"), _can(Status.WITHDRAWN)),
    Action("stop", N_("Stop &handling"), _can(Status.STOPPED)),
    Action("apology", N_("&Extension request, new date (form 04)"), lambda info: info.status in OPEN_STATUSES),
)
PRINTS = (
    Action("receipt", N_("Print re&ceipt (form 01)"), lambda info: True),
    Action("control", N_("Print c&ontrol slip (form 06)"), lambda info: True),
)


class DossierDetailDialog(QDialog):
    """Non-modal: several dossiers can stay open side by side while the clerk works."""

    def __init__(self, ctx: AppContext, code: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.info: DossierInfo = get_dossier(code,
                                             actor=ctx.actor)  # NotFound goes to the caller (main window shows it)
        self.code = self.info.code
        self.events: list[EventInfo] = []
        self.last_slip: Path | None = None
        self.printing: dict[str, PrintRun] = {}  # form → its slip being written/printed (one per form)
        self.moving: Operation | None = None  # the change on its way to the database
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.setObjectName("dossier_detail")
        resize_within_screen(self, 1100, 760)

        outer = QVBoxLayout(self)
        outer.setSpacing(8)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.banner)
        body = QHBoxLayout()
        body.addWidget(self._build_info_pane(), 5)  # a long address or note scrolls on a small screen
        body.addLayout(self._build_tables(), 6)
        outer.addLayout(body, 1)
        self._build_messages(outer)
        self._build_actions(outer)
        QShortcut(QKeySequence("F5"), self).activated.connect(self.reload)
        QShortcut(QKeySequence("Ctrl+Shift+P"), self).activated.connect(self.preview_receipt)
        self.show_info(self.info, history(self.code, actor=self.ctx.actor))

    # -- building ---------------------------------------------------------------------------
    def _build_info_pane(self) -> QWidget:
        """The applicant and the dossier's facts, in a pane that scrolls."""
        left = QVBoxLayout()
        self.applicant_box = QGroupBox(_("Applicant"))
        self.applicant_form = _info_label("applicant")
        QVBoxLayout(self.applicant_box).addWidget(self.applicant_form)
        left.addWidget(self.applicant_box)
        self.dossier_box = QGroupBox(_("Dossier"))
        self.dossier_form = _info_label("dossier_info")
        QVBoxLayout(self.dossier_box).addWidget(self.dossier_form)
        left.addWidget(self.dossier_box)
        left.addStretch(1)
        left_pane = QWidget()
        left_pane.setLayout(left)
        left.setContentsMargins(0, 0, 0, 0)
        return scrolling(left_pane)

    def _build_tables(self) -> QVBoxLayout:
        """The documents handed in and the dossier's history."""
        right = QVBoxLayout()
        self.documents_box = QGroupBox(_("Documents"))
        docs_layout = QVBoxLayout(self.documents_box)
        self.documents = CompactTable(0, 3)
        self.documents.setObjectName("documents")
        self.documents.setHorizontalHeaderLabels([_("Document"), _("Original or copy"), _("Count")])
        self._setup_table(self.documents, (QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.ResizeToContents,
                                           QHeaderView.ResizeMode.ResizeToContents))
        # the files on a second tab, not a third box: the dialog still fits a 1280×720 laptop at 125 %
        self.paper_tabs = QTabWidget()
        self.paper_tabs.setObjectName("paper_tabs")
        self.paper_tabs.addTab(self.documents, _("Handed in"))
        self.paper_tabs.addTab(self._build_files(), _("Digitised files"))
        if self.scan_inbox.watcher is not None:
            self.paper_tabs.addTab(self.scan_inbox, _("New files from the scanner"))
        docs_layout.addWidget(self.paper_tabs)
        right.addWidget(self.documents_box, 2)
        timeline_box = QGroupBox(_("History"))
        timeline_layout = QVBoxLayout(timeline_box)
        self.timeline = CompactTable(0, 4)
        self.timeline.setObjectName("timeline")
        self.timeline.setHorizontalHeaderLabels([_("Time"), _("By"), _("Change"), _("Note")])
        self._setup_table(self.timeline, (QHeaderView.ResizeMode.ResizeToContents,
                                          QHeaderView.ResizeMode.ResizeToContents,
                                          QHeaderView.ResizeMode.Interactive, QHeaderView.ResizeMode.Stretch))
        self.timeline.setColumnWidth(2, 175)
        self.timeline.setWordWrap(True)
        present(self.timeline.horizontalHeader()).sectionResized.connect(
            lambda *_a: self.timeline.resizeRowsToContents())
        present(self.documents.horizontalHeader()).sectionResized.connect(
            lambda *_a: self.documents.resizeRowsToContents())
        timeline_layout.addWidget(self.timeline)
        right.addWidget(timeline_box, 3)
        return right

    def _build_files(self) -> QWidget:
        """The dossier's digitised files (D43): which component, the file, its size; opened on request."""
        pane = QWidget()
        layout = QHBoxLayout(pane)  # the button beside the table: no extra row of height
        layout.setContentsMargins(0, 4, 0, 0)
        self.files = CompactTable(0, 3)
        self.files.setObjectName("files")
        self.files.setHorizontalHeaderLabels([_("Component"), _("File"), _("Size")])
        self._setup_table(self.files, (QHeaderView.ResizeMode.Interactive, QHeaderView.ResizeMode.Stretch,
                                       QHeaderView.ResizeMode.ResizeToContents))
        self.files.setColumnWidth(0, 180)
        self.files.cellDoubleClicked.connect(lambda row, _column: self.open_attached(row))
        self.open_attached_button = QPushButton(_("Open the selected file"))
        self.open_attached_button.setObjectName("open_attached")
        self.open_attached_button.setAutoDefault(False)
        self.open_attached_button.clicked.connect(lambda: self.open_attached(self.files.currentRow()))
        self.attach_to = QComboBox()  # which component a new file belongs to, or the result
        self.attach_to.setObjectName("attach_to")
        self.attach_button = QPushButton(_("Attach a file…"))
        self.attach_button.setObjectName("attach_file")
        self.attach_button.setAutoDefault(False)
        self.attach_button.clicked.connect(self.attach_file)
        self.scan_button = QPushButton(_("Scan with the webcam…"))
        self.scan_button.setObjectName("scan_pages")
        self.scan_button.setAutoDefault(False)
        self.scan_button.clicked.connect(self.scan_pages)
        self.page_scan: PageScanDialog | None = None
        side = QVBoxLayout()
        for widget in (self.open_attached_button, self.attach_to, self.attach_button, self.scan_button):
            side.addWidget(widget)
        side.addStretch(1)
        # the scanner folder's new files (D47), on a tab of their own when the desk has a folder
        self.scan_inbox = ScanInbox(self.ctx.settings.scan_folder)
        self.scan_inbox.attach_requested.connect(self.attach_scanned)
        self.scan_inbox.count_changed.connect(lambda _count: self._name_files_tab())
        layout.addWidget(self.files, 1)
        layout.addLayout(side)
        self.attached: list[AttachmentInfo] = []
        self._opened_dir: tempfile.TemporaryDirectory[str] | None = None
        return pane

    def _show_files(self) -> None:
        try:
            self.attached = list_attachments(self.code, actor=self.ctx.actor)
        except DeskError as exc:
            self.attached = []
            self._error(error_text(exc))
        self._name_files_tab()
        self.files.setRowCount(len(self.attached))
        for r, item in enumerate(self.attached):
            which = f"{item.component}. {item.component_name}" if item.component else _("Result")
            for c, text in enumerate((which, item.file_name, f"{item.size / 1024:.0f} KB")):
                self.files.setItem(r, c, QTableWidgetItem(text))
        self.open_attached_button.setEnabled(bool(self.attached))
        chosen = self.attach_to.currentData()
        self.attach_to.clear()
        for number, document in enumerate(self.info.documents, start=1):
            self.attach_to.addItem(f"{number}. {document.name}", number)
        self.attach_to.addItem(_("Result"), 0)
        self.attach_to.setCurrentIndex(max(0, self.attach_to.findData(chosen)))
        have = {item.component for item in self.attached}
        first_missing = next((n for n in range(1, len(self.info.documents) + 1) if n not in have), 0)
        self.scan_inbox.set_choices([(self.attach_to.itemText(i), int(self.attach_to.itemData(i)))
                                     for i in range(self.attach_to.count())], first_missing)
        if self.attached and self.files.currentRow() < 0:
            self.files.setCurrentCell(0, 1)

    def _name_files_tab(self) -> None:
        """"Digitised files (2)", and the scanner's tab with how many files wait there, in colour when some do."""
        self.paper_tabs.setTabText(1, _("Digitised files ({count})").format(count=len(self.attached)))
        if self.scan_inbox.watcher is None:
            return
        waiting = len(self.scan_inbox.rows)
        self.paper_tabs.setTabText(2, _("New files from the scanner ({count})").format(count=waiting))
        tab_bar = present(self.paper_tabs.tabBar())
        tab_bar.setTabTextColor(2, QColor("#b35900") if waiting else tab_bar.tabTextColor(0))

    def open_attached(self, row: int) -> Path | None:
        """Write one file (its checksum checked) to a temporary folder of this dialog and open it with the
        desk's viewer; the folder goes when the dialog closes. Returns the file written."""
        if not 0 <= row < len(self.attached):
            return None
        item = self.attached[row]
        try:
            _info, content = open_attachment(item.id, actor=self.ctx.actor)
            if self._opened_dir is None:
                self._opened_dir = tempfile.TemporaryDirectory(prefix="onestop-files-", ignore_cleanup_errors=True)
            path = Path(self._opened_dir.name) / f"{item.id}-{item.file_name}"
            path.write_bytes(content)
        except (DeskError, OSError) as exc:
            self._error(error_text(exc) if isinstance(exc, DeskError) else str(exc))
            return None
        open_document(path)
        return path

    def attach_file(self) -> Operation | None:
        """Ask for a PDF, JPEG or PNG and attach it to the chosen component (or the result) in the
        background; a refused file leaves the dossier as it was, with the reason."""
        path = choose_file(self, _("Attach a scanned file"), _("Scans (*.pdf *.jpg *.jpeg *.png);;All files (*)"))
        if path is None:
            return None
        number = self.attach_to.currentData() or None
        clock = self.ctx.clock
        return self._move(lambda: attach(self.code, path, component=number, result=number is None,
                                         actor=self.ctx.actor, clock=clock), _("Attaching a file"))

    def attach_scanned(self, path: str, number: int) -> Operation | None:
        """Attach a file of the scanner folder to component ``number`` (0: the result) in the background,
        with the limits of any file, then move it into the folder's "đã đính kèm" so it is not offered again.
        A refused file stays offered, with the reason; one attached but not moved is said so."""
        clock = self.ctx.clock
        moved: list[OSError] = []  # the move's failure, filled on the worker thread before ``then`` runs

        def work() -> AttachmentInfo:
            info = attach(self.code, Path(path), component=number or None, result=not number,
                          actor=self.ctx.actor, clock=clock)
            try:
                move_attached(Path(path))
            except OSError as exc:
                moved.append(exc)
            return info

        return self._move(work, _("Attaching a scanned file"), then=lambda: self._scanned_attached(path, moved))

    def _scanned_attached(self, path: str, failures: list[OSError]) -> None:
        self.scan_inbox.remove(path)
        name = Path(path).name
        if failures:
            self.notice.setText(_("{name} is attached, but it could not be moved to the folder “{folder}” "
                                  "({error}): move or delete it yourself.").format(
                                      name=name, folder=ATTACHED_FOLDER, error=failures[0].strerror or failures[0]))
        else:
            self.notice.setText(_("{name} is attached and moved to the folder “{folder}”.").format(
                name=name, folder=ATTACHED_FOLDER))

    def scan_pages(self) -> PageScanDialog:
        """Photograph pages for the chosen component (or the result); the list is read again once saved."""
        number = self.attach_to.currentData() or None
        dialog = PageScanDialog(self.ctx, self.code, number, self.attach_to.currentText(), self)
        dialog.accepted.connect(self.reload)
        dialog.accepted.connect(lambda: self.ctx.bus.dossier_changed.emit(self.code))
        self.page_scan = dialog
        dialog.open()  # window-modal, never exec(): the desk keeps turning
        return dialog

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.scan_inbox.stop()  # a closed detail stays a (hidden) child of the window: it stops watching
        super().hideEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self._opened_dir is not None:
            self._opened_dir.cleanup()
            self._opened_dir = None
        super().closeEvent(event)

    def _build_messages(self, outer: QVBoxLayout) -> None:
        """The error line and the notice of the last print (with its file)."""
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020; font-weight: bold")
        self.error.setWordWrap(True)
        self.error.hide()
        outer.addWidget(self.error)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setStyleSheet("color: #1d4d1d")
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_file = QPushButton(_("Open the file"))
        self.open_file.setObjectName("open_file")
        self.open_file.setAutoDefault(False)
        self.open_file.clicked.connect(lambda: self.last_slip and open_document(self.last_slip))
        self.open_file.hide()
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.notice, 1)
        notice_row.addWidget(self.open_file)
        outer.addLayout(notice_row)

    def _build_actions(self, outer: QVBoxLayout) -> None:
        """The moves the status allows (hidden ones take no room), then printing and closing."""
        moves = QHBoxLayout()
        moves.setSpacing(6)
        prints = QHBoxLayout()
        prints.setSpacing(6)
        self.buttons: dict[str, QPushButton] = {}
        handlers = {
            "processing": self.send_to_processing, "supplement": self.request_supplement,
            "resolved": self.mark_resolved, "returned": self.return_to_citizen, "refused": self.refuse,
            "withdrawn": self.withdraw, "stop": self.stop_handling, "apology": self.apologize, "receipt": self.print_receipt,
            "control": self.print_control_slip,
        }
        for row, actions in ((moves, ACTIONS), (prints, PRINTS)):
            for action in actions:
                button = QPushButton(_(action.label))
                button.setObjectName(f"action_{action.key}")
                button.setAutoDefault(False)
                button.setMinimumHeight(32)
                button.clicked.connect(handlers[action.key])
                self.buttons[action.key] = button
                row.addWidget(button)
        moves.addStretch(1)
        prints.addStretch(1)
        reload = QPushButton(_("Re&load"))
        reload.setObjectName("reload")
        reload.setAutoDefault(False)
        reload.clicked.connect(self.reload)
        self.reload_button = reload
        prints.addWidget(reload)
        close = QPushButton(_("Close (Esc)"))
        close.setObjectName("close")
        close.setAutoDefault(False)
        close.clicked.connect(self.close)
        prints.addWidget(close)
        outer.addLayout(moves)
        outer.addLayout(prints)

    # -- showing ----------------------------------------------------------------------------
    @staticmethod
    def _setup_table(table: QTableWidget, modes: Sequence[QHeaderView.ResizeMode]) -> None:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        present(table.verticalHeader()).setVisible(False)
        table.setTabKeyNavigation(False)
        header = present(table.horizontalHeader())
        for i, mode in enumerate(modes):
            header.setSectionResizeMode(i, mode)

    def reload(self) -> None:
        """Read the dossier again (after a change here or at another desk)."""
        if self.moving is not None:
            return  # the change on its way brings the dossier back as it is then
        try:
            info, events = get_dossier(self.code, actor=self.ctx.actor), history(self.code, actor=self.ctx.actor)
        except DeskError as exc:
            self._error(error_text(exc))
            return
        self.show_info(info, events)

    def show_info(self, info: DossierInfo, events: list[EventInfo]) -> None:
        self.info, self.events = info, events
        self.setWindowTitle(_("Dossier {code} — {name}").format(code=info.code, name=info.applicant_name))
        self._show_banner(info)
        self._show_facts(info)
        self._show_documents(info)
        self._show_files()
        self._show_timeline(events)
        for action in ACTIONS + PRINTS:
            button = self.buttons[action.key]
            allowed = action.allowed(info)
            button.setVisible(allowed)
            button.setEnabled(allowed)

    def _show_banner(self, info: DossierInfo) -> None:
        """The state and the outcome in the colour of its urgency, with the code and the dates."""
        now = self.ctx.clock.now()
        urgency = urgency_of(info.status, info.due_at, now)
        outcome = info.outcome(now)
        background, foreground = OUTCOME_COLOURS.get(outcome) or BANNER_COLOURS[urgency]
        if info.status in (Status.REFUSED, Status.WITHDRAWN, Status.STOPPED):
            background, foreground = BANNER_COLOURS[Urgency.CLOSED]
        headline = f"{info.status.label} — {outcome.label}"
        if urgency in (Urgency.DUE_TODAY, Urgency.DUE_SOON):
            headline += f" ({urgency.label.lower()})"
        detail = _("{code}  ·  due {due}  ·  appointment {appointment}").format(
            code=info.code, due=_when(info.due_at), appointment=_when(info.appointment_at))
        self.banner.setText(f"<div style='font-size:20px; font-weight:bold'>{_esc(headline)}</div>"
                            f"<div style='font-size:13px'>{_esc(detail)}</div>")
        self.banner.setStyleSheet(f"background: {background}; color: {foreground}; padding: 10px 14px; "
                                  "border-radius: 4px;")
        self.banner.setProperty("status", info.status.value)
        self.banner.setProperty("outcome", outcome.value)

    def _show_facts(self, info: DossierInfo) -> None:
        _fill_form(self.applicant_form, [
            (_("Full name"), info.applicant_name),
            (_("ID number"), info.id_number),
            (_("Date of birth"), info.birth_date.strftime("%d/%m/%Y") if info.birth_date else ""),
            (_("Gender"), info.gender),
            (_("Address"), info.address),
            (_("Phone"), info.phone),
            (_("Email"), info.email),
        ])
        days = processing_time_label(info.processing_days, info.day_unit, info.cutoff)
        rows = [
            (_("Procedure"), f"{info.procedure_name} ({info.procedure_code})"),
            (_("Field"), info.field_name),
            (_("Processing time"), days),
            (_("Channel"), word_label(CHANNELS, info.channel)),
            (_("Received at (point)"), info.reception_point),
            (_("Result returned at"), info.return_point),
            (_("Received"), _("{time} by {name}").format(time=_when(info.received_at), name=info.received_by or "—")),
            (_("Legal due date"), _when(info.due_at)),
            (_("Return appointment"), _when(info.appointment_at)),
            (_("Handler"), info.handler),
            (_("Number of sets"), str(info.sets)),
        ]
        if info.writing_assistance:
            rows.append((_("Writing assistance"), _("Yes")))
        if info.resolved_at:
            rows.append((_("Result ready at"), _when(info.resolved_at)))
        if info.returned_at:
            rows.append((_("Returned"), _("{time} to {name}").format(time=_when(info.returned_at),
                                                                     name=info.returned_to)))
        if info.closed_at:
            rows.append((_("Closed at"), _when(info.closed_at)))
        if info.notes:
            rows.append((_("Notes"), info.notes))
        _fill_form(self.dossier_form, rows)

    def _show_documents(self, info: DossierInfo) -> None:
        total = sum(d.count for d in info.documents)
        kinds = len(info.documents)
        self.documents_box.setTitle(_("Documents ({kinds}, {papers})").format(
            kinds=ngettext("{n} kind", "{n} kinds", kinds).format(n=kinds),
            papers=ngettext("{n} paper", "{n} papers", total).format(n=total)))
        self.documents.setRowCount(len(info.documents))
        for r, item in enumerate(info.documents):
            for c, text in enumerate((item.name, _(KINDS.get(item.kind, item.kind)), str(item.count))):
                cell = QTableWidgetItem(text)
                if c == 2:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.documents.setItem(r, c, cell)
        self.documents.resizeRowsToContents()

    def _show_timeline(self, events: list[EventInfo]) -> None:
        self.timeline.setRowCount(len(events))
        for r, event in enumerate(events):
            change, note = self._event_line(event)
            for c, text in enumerate((_when(event.at), event.actor, change, note)):
                self.timeline.setItem(r, c, QTableWidgetItem(text))
        self.timeline.resizeRowsToContents()
        self.timeline.scrollToBottom()

    @staticmethod
    def _event_line(event: EventInfo) -> tuple[str, str]:
        """What one history row says: the change and its note (an apology's new date, who took a result)."""
        note = event.note
        if event.action == "attach":
            return _("File attached"), str(event.data.get("file_name", ""))
        if event.action == "apology":
            new = event.data.get("new_appointment")
            if new:
                note = _("New return date {when}. Reason: {reason}").format(
                    when=_when(datetime.fromisoformat(new)), reason=event.note)
            return _(ACTION_LABELS["apology"]), note
        if event.action == "stop":
            case = event.data.get("case", "")
            if case in STOP_CASES:
                note = f"{_(STOP_CASES[StopCase(case)])}: {note}" if note else _(STOP_CASES[StopCase(case)])
        if not event.from_status:
            return _label(event.to_status), note
        if event.to_status == Status.RETURNED and event.data.get("returned_to"):
            note = (note + " " if note else "") + _("Received by: {name}").format(name=event.data["returned_to"])
        return f"{_label(event.from_status)} → {_label(event.to_status)}", note

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.scan_inbox.start()
        # rows can only take their wrapped height once the columns have their real widths
        QTimer.singleShot(0, self.timeline.resizeRowsToContents)
        QTimer.singleShot(0, self.documents.resizeRowsToContents)

    # -- helpers ----------------------------------------------------------------------------
    def _error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _clear_messages(self) -> None:
        self.error.clear()
        self.error.hide()
        self.notice.clear()
        self.open_file.hide()

    def _move(self, work: Callable[[], object], label: str, then: Callable[[], object] | None = None
              ) -> Operation | None:
        """Run one change in the background; then show the dossier as it is, tell the other screens and
        run ``then`` (print the slip that goes with the change). None when a change is already on its way.

        While it runs the buttons wait (a second press cannot record the change twice) and the notice
        says so; a refused change leaves the dialog as it was, with the reason.
        """
        if self.moving is not None:
            return None
        self._clear_messages()
        self._set_busy(True)
        self.notice.setText(_("Saving…"))
        self.moving = (Operation(self, _change_and_read, work, self.code, self.ctx.actor, label=label)
                       .on_success(lambda shown: self._moved(shown, then))
                       .on_failure(self._move_failed)
                       .start())
        return self.moving

    def _set_busy(self, busy: bool) -> None:
        for key, button in self.buttons.items():
            action = next(a for a in ACTIONS + PRINTS if a.key == key)
            button.setEnabled(not busy and action.allowed(self.info))
        self.reload_button.setEnabled(not busy)

    def _moved(self, shown: tuple[DossierInfo, list[EventInfo]], then: Callable[[], object] | None) -> None:
        self.notice.clear()
        self.show_info(*shown)
        self.ctx.bus.dossier_changed.emit(self.code)
        try:
            if then is not None:
                then()  # still "moving": a press during a printer message box does nothing
        finally:
            self.moving = None
            self.reload_button.setEnabled(True)

    def _move_failed(self, exc: BaseException) -> None:
        self.moving = None
        self._set_busy(False)
        self.notice.clear()
        if isinstance(exc, ConcurrentChange):
            self._error(str(exc))
            if ask_reload(self, str(exc)):
                self.reload()
                self.error.setText(str(exc))
                self.error.show()
            return
        self._error(error_text(exc))  # a DeskError says what to do; anything else is logged

    def _advance(self, to: Status, *, note: str = "", returned_to: str = "",
                 then: Callable[[], object] | None = None) -> Operation | None:
        version = self.info.version
        return self._move(lambda: lifecycle.advance(self.code, to, actor=self.ctx.actor, note=note,
                                                    returned_to=returned_to, expected_version=version,
                                                    clock=self.ctx.clock),
                          f"move dossier to {to}", then)

    def _print_form(self, form: str, title: str, *, preview: bool | None = None) -> PrintRun | None:
        """Write form ``form`` of this dossier and print it, both in the background; None while one prints.

        The outcome is one line under the dossier (and in the main window's status line): "sent" only
        for a job the printer accepted, otherwise the saved file's path and how to try again.
        """
        running = self.printing.get(form)
        if running is not None and running.running:
            self.notice.setText(_("{title} is still being printed; wait for the answer.").format(title=title))
            return None
        code, actor = self.code, self.ctx.actor
        out = self.ctx.slip_path(f"mau{form}_{code}.docx")
        extra: dict[str, Any] = {"paper": self.ctx.settings.paper} if form == "01" else {}
        retry = "" if form == "01" else _("Press the print button again to try again.")
        self.open_file.hide()
        self.notice.setText(_("Printing {title}…").format(title=title))
        run = PrintRun(self.ctx, code=code, title=title, screen=self, preview=preview, retry=retry,
                       write=lambda: documents.render_form(code, form, out, actor=actor, **extra),
                       on_done=lambda outcome: self._printed(form, outcome))
        self.printing[form] = run
        return run.start()

    def _printed(self, form: str, outcome: PrintOutcome) -> None:
        self.printing.pop(form, None)
        if outcome.path is not None:
            self.last_slip = outcome.path
        if outcome.sent:
            self.notice.setText(outcome.message())
            return
        self.notice.clear()
        self._error(outcome.message())
        self.open_file.setVisible(outcome.path is not None)

    def _confirm(self, title: str, text: str) -> bool:
        return confirm(self, title, text)

    # -- actions ----------------------------------------------------------------------------
    def send_to_processing(self) -> None:
        if self.moving is not None:  # a change is on its way: nothing is asked, nothing done
            return
        if self.info.status == Status.NEEDS_SUPPLEMENT:
            text = _("The applicant has supplied what was missing. Send dossier {code} back to processing?")
        else:
            text = _("Hand dossier {code} over for processing? You become its handler.")
        if self._confirm(_("Send to processing"), text.format(code=self.code)):
            self._advance(Status.PROCESSING)

    def request_supplement(self) -> None:
        if self.moving is not None:
            return
        note = ask_note(self, _("Request to supplement — {code}").format(code=self.code),
                        _("The dossier waits for the applicant, and the request to supplement (form 02) is "
                          "printed for them with the list below."),
                        _("What must the applicant add or correct? One item per line:"), required=True,
                        ok_text=_("Record and print"))
        if note is not None:
            self._advance(Status.NEEDS_SUPPLEMENT, note=_items(note),
                          then=lambda: self._print_form("02", _("Request to supplement (form 02)")))

    def refuse(self) -> None:
        if self.moving is not None:
            return
        note = ask_note(self, _("Refuse the dossier — {code}").format(code=self.code),
                        _("The dossier is closed as refused and the refusal slip (form 03) with these reasons is "
                          "printed. This cannot be undone."),
                        _("Reasons for refusing, one per line:"), required=True, ok_text=_("Refuse and print"))
        if note is not None:
            self._advance(Status.REFUSED, note=_items(note),
                          then=lambda: self._print_form("03", _("Refusal slip (form 03)")))

    def mark_resolved(self) -> None:
        if self.moving is not None:
            return
        if self._confirm(_("Result ready"), _("Record that the result of dossier {code} is ready for the citizen "
                                              "to collect?").format(code=self.code)):
            self._advance(Status.RESOLVED)

    def return_to_citizen(self) -> None:
        if self.moving is not None:
            return
        name = ask_note(self, _("Return the result — {code}").format(code=self.code),
                        _("The result is handed over and the dossier is closed as returned. Write the name of "
                          "the person who receives it (the applicant, or their representative)."),
                        _("Recipient's full name:"), required=True, default=self.info.applicant_name,
                        ok_text=_("Return the result"), multiline=False)
        if name is not None:
            self._advance(Status.RETURNED, returned_to=name)

    def withdraw(self) -> None:
        if self.moving is not None:
            return
        note = ask_note(self, _("Withdraw the dossier — {code}").format(code=self.code),
                        _("The applicant takes the dossier back and it is closed as withdrawn. This cannot be "
                          "undone."),
                        _("Note (optional):"), required=False, ok_text=_("Withdraw"), multiline=False)
        if note is not None:
            self._advance(Status.WITHDRAWN, note=note)

    def stop_handling(self) -> None:
        """Decree 118/2025 Art. 21: the case and the reason, then the dossier is closed as stopped."""
        if self.moving is not None:
            return
        answer = ask_stop(self, self.info)
        if answer is None:
            return
        case, reason = answer
        version = self.info.version
        self._move(lambda: lifecycle.stop(self.code, reason=reason, case=case, actor=self.ctx.actor,
                                          expected_version=version, clock=self.ctx.clock),
                   "stop handling", then=lambda: self._print_form("05", _("Stop notice (form 05)")))

    def apologize(self) -> None:
        if self.moving is not None:
            return
        answer = ask_apology(self, self.info, self.ctx.clock.now())
        if answer is None:
            return
        reason, new_appointment = answer
        version = self.info.version
        self._move(lambda: lifecycle.apologize(self.code, new_appointment, reason=reason, actor=self.ctx.actor,
                                               expected_version=version, clock=self.ctx.clock),
                   "apologise", then=lambda: self._print_form("04", _("Apology and extension request (form 04)")))

    def print_receipt(self) -> PrintRun | None:
        if not self.printing:
            self._clear_messages()
        return self._print_form("01", _("Receipt (form 01)"))

    def preview_receipt(self) -> PrintRun | None:
        """Ctrl+Shift+P: the receipt in a print preview first; printing from there goes to the desk's printer."""
        if not self.printing:
            self._clear_messages()
        return self._print_form("01", _("Receipt (form 01)"), preview=True)

    def print_control_slip(self) -> PrintRun | None:
        if not self.printing:
            self._clear_messages()
        return self._print_form(documents.CONTROL_SLIP, _("Process control slip (form 06)"))

    def print_current(self) -> None:
        """Ctrl+P from the main window while this dialog is active: the receipt."""
        self.print_receipt()


def _change_and_read(change: Callable[[], object], code: str, actor: Actor
                     ) -> tuple[DossierInfo, list[EventInfo]]:
    """Runs on a worker thread: the change, then the dossier and its history as they are now."""
    change()
    return get_dossier(code, actor=actor), history(code, actor=actor)


def _fill_form(label: QLabel, rows: list[tuple[str, str]]) -> None:
    """Caption / value pairs as one rich-text table: long values wrap inside their cell."""
    cells = "".join(
        f"<tr><td style='color:#555; padding:2px 10px 2px 0; white-space:nowrap'>{_esc(caption)}</td>"
        f"<td style='padding:2px 0'>{_esc(value) if value else '—'}</td></tr>"
        for caption, value in rows)
    label.setText(f"<table cellspacing='0' width='100%'>{cells}</table>")


def _items(text: str) -> str:
    """One line per item → "item; item": the audit note keeps them apart through text.clean(),
    which folds line breaks into spaces, and the forms split them again on ";"."""
    return "; ".join(line.strip(" ;") for line in text.splitlines() if line.strip(" ;"))


def _info_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["ACTIONS", "ApologyDialog", "DossierDetailDialog", "NoteDialog", "StopDialog", "ask_apology", "ask_note",
           "ask_reload", "ask_stop"]
