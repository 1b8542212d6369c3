"""The intake form: the screen a clerk lives in all day (receive a dossier, print Mẫu 01).

Built for few keystrokes: a CCCD scan fills the applicant (``ctx.bus.fill_intake`` or Ctrl+Shift+V for a
pasted QR payload), the procedure box shows the clerk's recent procedures when empty (F3, Down, Enter),
and Ctrl+S saves, writes the receipt and prints it in one action. The service decides what is valid;
the form shows each problem next to its field and never loses what the clerk typed. The receipt is
written and printed in the background (desk.views.common.PrintRun) for the dossier code captured when
the save came back, while the clerk already types the next citizen.
"""

from __future__ import annotations

import html
import logging
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import cast

from PyQt6 import sip
from PyQt6.QtCore import (
    QDate,
    QDateTime,
    QEvent,
    QObject,
    QPoint,
    QRegularExpression,
    Qt,
    QTime,
    QTimer,
    pyqtSignal,
)
from PyQt6.QtGui import QColor, QKeyEvent, QKeySequence, QRegularExpressionValidator, QShortcut
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, ValidationError
from desk.i18n import N_, _
from desk.services import catalog, documents, dossiers, intake, points, queue
from desk.services import office as office_service
from desk.services.attachments import missing_components
from desk.services.calendar import WorkCalendar, load_calendar, processing_time_label
from desk.services.catalog import ProcedureInfo
from desk.services.clock import LOCAL_TZ
from desk.services.dossiers import CHANNELS, DocumentItem, DossierInfo
from desk.services.identity import CitizenIdentity, parse_cccd, province_name, validate_id_number
from desk.services.intake import Applicant, IntakeRequest
from desk.services.kinds import Channel, Role
from desk.text import is_digits
from desk.views.common import PrintOutcome, PrintRun, confirm, error_text, open_document, present, scrolling
from desk.views.context import AppContext
from desk.views.ops import Operation
from desk.views.queue_bar import QueueBar

WEEKDAYS = (N_("on Monday"), N_("on Tuesday"), N_("on Wednesday"), N_("on Thursday"), N_("on Friday"),
            N_("on Saturday"), N_("on Sunday"))
KINDS = {"original": N_("Original"), "copy": N_("Copy")}
GENDERS = (("", "—"), ("Nam", N_("Male")), ("Nữ", N_("Female")))
MAX_RECENT = 8
MAX_RESULTS = 30
VISIBLE_RESULTS = 10
LONG_NAME = 70  # longer names do not fit the search box: the card repeats them

STYLE = """
QWidget { font-size: 14px; }
QGroupBox { font-weight: 600; margin-top: 10px; padding-top: 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; color: #1f3b57; }
QComboBox, QSpinBox, QDateTimeEdit { min-height: 28px; padding: 0 5px; font-weight: normal; }
QLineEdit { min-height: 28px; padding: 0 5px; font-weight: normal; border: 1px solid #a9b4bf; border-radius: 3px;
            background: white; }
QLineEdit:focus, QTableWidget#documents:focus { border: 2px solid #2f6fab; background: #f2f7fd; }
QLineEdit#procedure { min-height: 36px; font-size: 16px; border: 2px solid #2f6fab; border-radius: 4px; }
QLineEdit#procedure:focus { background: #f2f7fd; }
QTableWidget#documents { border: 1px solid #a9b4bf; gridline-color: #d5dce3; }
QTableWidget#documents:!focus { selection-background-color: #e3ecf5; selection-color: #26323d; }
QCheckBox:focus { color: #0b4f8a; text-decoration: underline; }
QLabel[role="error"] { color: #b00020; font-size: 13px; font-weight: normal; }
QLabel[role="hint"] { color: #5f6b76; font-size: 12px; font-weight: normal; }
QLabel#procedure_card { color: #26323d; font-weight: normal; }
QLabel#cccd_problems { color: #7a4300; background: #fff4e0; border: 1px solid #f0c27b; border-radius: 4px;
                       padding: 4px 6px; font-size: 13px; font-weight: normal; }
QLabel#due { font-size: 20px; font-weight: 700; color: #0b4f8a; }
QLabel#general_error { color: #b00020; font-weight: 600; }
QPushButton#save { font-size: 16px; font-weight: 700; min-height: 44px; padding: 0 18px; color: white;
                   background: #1f6f3f; border: none; border-radius: 5px; }
QPushButton#save:focus { background: #17572f; outline: 3px solid #9bd3ae; }
QPushButton#save:disabled { background: #8aa796; }
QFrame#saved_banner { background: #e8f5ec; border: 1px solid #8cc7a0; border-radius: 6px; }
QLabel#saved_code { font-size: 24px; font-weight: 700; color: #145a2e; }
QLabel#saved_due { font-size: 15px; font-weight: 600; color: #145a2e; }
QTreeWidget#procedure_results { border: 1px solid #2f6fab; background: white; font-size: 14px; }
QTreeWidget#procedure_results::item { padding: 3px 2px; }
QTreeWidget#procedure_results::item:selected { background: #2f6fab; color: white; }
"""


log = logging.getLogger(__name__)


# -- small pure helpers (tested through the view) ---------------------------------------------------
def _checked_register(request: IntakeRequest, local: dict[str, str], *, actor, clock,
                      ticket_id: int | None = None) -> DossierInfo:
    """Runs on a worker thread: every problem at once (the form's own and the service's), or the saved dossier.

    With ``ticket_id`` (the ticket called to this counter) the dossier is linked to it; the dossier stands
    even if the link is refused (the ticket was finished at another desk meanwhile), which is logged.
    """
    try:
        intake.validate(request, clock.now())
    except ValidationError as exc:
        problems = {**exc.problems, **local}
    else:
        problems = dict(local)
    if problems:
        raise ValidationError(problems)
    info = intake.register(request, actor=actor, clock=clock)
    if ticket_id is not None:
        try:
            queue.link_to_dossier(ticket_id, info.code, actor=actor, clock=clock)
        except DeskError:
            log.warning("the dossier %s was not linked to ticket %s", info.code, ticket_id, exc_info=True)
    return info


def format_due(moment: datetime) -> str:
    """"17:00 thứ Sáu 27/11/2026": how a clerk says the appointment to a citizen."""
    local = moment.astimezone(LOCAL_TZ)
    return f"{local:%H:%M} {_(WEEKDAYS[local.weekday()])} {local:%d/%m/%Y}"


def processing_time_text(procedure: ProcedureInfo) -> str:
    """"trong ngày", "3 ngày làm việc" or "30 ngày": the calendar service's one wording."""
    return processing_time_label(procedure.processing_days, procedure.day_unit)


def parse_birth_date(text: str) -> date | None:
    """dd/mm/yyyy (also with - or . or none, as on the card); None when empty, ValueError when not a day."""
    text = text.strip()
    if not text:
        return None
    for sep in "-.":
        text = text.replace(sep, "/")
    if "/" in text:
        parts = text.split("/")
        if len(parts) != 3 or not all(is_digits(p) for p in parts) or len(parts[2]) != 4:
            raise ValueError(text)
        day, month, year = (int(p) for p in parts)
    elif is_digits(text) and len(text) == 8:
        day, month, year = int(text[:2]), int(text[2:4]), int(text[4:])
    else:
        raise ValueError(text)
    return date(year, month, day)


# -- the procedure type-ahead -------------------------------------------------------------------------
class ProcedureEdit(QLineEdit):
    """The search box: arrows move in the result list, Enter picks, Escape closes the list."""

    navigate = pyqtSignal(int)
    accepted = pyqtSignal()
    cancelled = pyqtSignal()
    entered = pyqtSignal()
    left = pyqtSignal(object)  # Qt.FocusReason

    _STEPS = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: VISIBLE_RESULTS,
              Qt.Key.Key_PageUp: -VISIBLE_RESULTS}

    def keyPressEvent(self, event: QKeyEvent | None) -> None:  # noqa: N802 - Qt API
        if event is None:  # never from Qt; PyQt's stub allows it
            return
        key = Qt.Key(event.key())
        if key in self._STEPS and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.navigate.emit(self._STEPS[key])
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accepted.emit()
        elif key == Qt.Key.Key_Escape:
            self.cancelled.emit()
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().focusInEvent(event)
        self.entered.emit()

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().focusOutEvent(event)
        self.left.emit(event.reason())


class ProcedureResults(QTreeWidget):
    """The result list floating under the search box; it never takes focus, the box keeps typing."""

    picked = pyqtSignal(object)  # ProcedureInfo

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("procedure_results")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setColumnCount(3)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = present(self.header())
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.itemClicked.connect(lambda item, _col: self._pick(item))
        self.hide()

    def fill(self, title: str, procedures: list[ProcedureInfo], *, preselect: bool) -> None:
        self.clear()
        self.setHeaderLabels([title, _("Field"), _("Processing time")])
        for p in procedures:
            item = QTreeWidgetItem([p.name, p.field_name, processing_time_text(p)])
            item.setData(0, Qt.ItemDataRole.UserRole, p)
            item.setToolTip(0, f"{p.code} — {p.name}")
            item.setForeground(1, QColor("#5f6b76"))
            item.setForeground(2, QColor("#5f6b76"))
            self.addTopLevelItem(item)
        if not procedures:
            item = QTreeWidgetItem([_("No procedure matches; try other words or the procedure code"), "", ""])
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addTopLevelItem(item)
        self.setCurrentItem(self.topLevelItem(0) if preselect and procedures else None)

    def step(self, step: int) -> None:
        count = self.topLevelItemCount()
        current = self.currentItem()
        if not count or current is None and step < 0:
            return
        if current is None or not current.flags() & Qt.ItemFlag.ItemIsEnabled:
            row = 0
        else:
            row = max(0, min(count - 1, self.indexOfTopLevelItem(current) + step))
        item = present(self.topLevelItem(row))  # 0 <= row < count
        if item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.setCurrentItem(item)
            self.scrollToItem(item)

    def current_procedure(self) -> ProcedureInfo | None:
        item = self.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def first_procedure(self) -> ProcedureInfo | None:
        item = self.topLevelItem(0)
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def _pick(self, item: QTreeWidgetItem) -> None:
        procedure = item.data(0, Qt.ItemDataRole.UserRole)
        if procedure is not None:
            self.picked.emit(procedure)


# -- the documents checklist --------------------------------------------------------------------------
class DocumentTable(QTableWidget):
    """One row per required document: tick (received?), count, original or copy.

    One tab stop for the whole list: Space ticks/unticks (on the "form" column it switches original/copy),
    a digit sets the count, + and − change it, Enter goes on to the next field.
    """

    changed = pyqtSignal()
    MAX_HEIGHT = 290

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 3, parent)
        self.setObjectName("documents")
        self.setHorizontalHeaderLabels([_("Documents received"), _("Count"), _("Original/copy")])
        present(self.verticalHeader()).hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked)
        self.setWordWrap(True)
        self.setTabKeyNavigation(False)
        header = present(self.horizontalHeader())
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.cellDoubleClicked.connect(self._double_clicked)
        self.itemChanged.connect(self._item_changed)

    def set_documents(self, items: Iterable[DocumentItem]) -> None:
        self.blockSignals(True)
        self.setRowCount(0)
        for item in items:
            row = self.rowCount()
            self.insertRow(row)
            name = QTableWidgetItem(item.name)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            name.setCheckState(Qt.CheckState.Checked)
            name.setToolTip(item.name)
            count = QTableWidgetItem()
            count.setData(Qt.ItemDataRole.EditRole, int(item.count))
            count.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            kind = QTableWidgetItem(_(KINDS.get(item.kind, KINDS["original"])))
            kind.setData(Qt.ItemDataRole.UserRole, item.kind if item.kind in KINDS else "original")
            kind.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.setItem(row, 0, name)
            self.setItem(row, 1, count)
            self.setItem(row, 2, kind)
        self.blockSignals(False)
        self.fit_height()
        if self.rowCount():
            self.setCurrentCell(0, 0)
        self.changed.emit()

    def fit_height(self) -> None:
        """As tall as its rows (up to about eight), so the applicant stays in view below."""
        self.resizeRowsToContents()
        rows = (sum(self.rowHeight(r) for r in range(self.rowCount()))
                or 2 * present(self.verticalHeader()).defaultSectionSize())
        height = present(self.horizontalHeader()).height() + rows + 2 * self.frameWidth() + 2
        self.setFixedHeight(max(90, min(height, self.MAX_HEIGHT)))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.fit_height()  # wrapped names change height with the width

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        """The row's item in ``column``: set_documents gives every row its three."""
        return present(self.item(row, column))

    def items(self) -> list[DocumentItem]:  # type: ignore[override]  # hides items(QMimeData), unused here
        """The documents ticked as received, with their counts and forms."""
        return [DocumentItem(self._cell(r, 0).text(), self.count(r), self.kind(r))
                for r in range(self.rowCount()) if self.is_checked(r)]

    def is_checked(self, row: int) -> bool:
        return self._cell(row, 0).checkState() == Qt.CheckState.Checked

    def count(self, row: int) -> int:
        return int(self._cell(row, 1).data(Qt.ItemDataRole.EditRole) or 0)

    def kind(self, row: int) -> str:
        return self._cell(row, 2).data(Qt.ItemDataRole.UserRole)

    def toggle(self, row: int) -> None:
        item = self._cell(row, 0)
        item.setCheckState(Qt.CheckState.Unchecked if self.is_checked(row) else Qt.CheckState.Checked)

    def toggle_kind(self, row: int) -> None:
        item = self._cell(row, 2)
        kind = "copy" if item.data(Qt.ItemDataRole.UserRole) == "original" else "original"
        item.setData(Qt.ItemDataRole.UserRole, kind)
        item.setText(_(KINDS[kind]))
        self.changed.emit()

    def set_count(self, row: int, value: int) -> None:
        self._cell(row, 1).setData(Qt.ItemDataRole.EditRole, max(1, min(1000, value)))

    def keyPressEvent(self, event: QKeyEvent | None) -> None:  # noqa: N802 - Qt API
        if event is None:  # never from Qt; PyQt's stub allows it
            return
        row, column, key, text = self.currentRow(), self.currentColumn(), event.key(), event.text()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state() != QAbstractItemView.State.EditingState:
            self.focusNextChild()
        elif row < 0:
            super().keyPressEvent(event)
        elif key == Qt.Key.Key_Space:
            self.toggle_kind(row) if column == 2 else self.toggle(row)
        elif text in ("+", "-", "−"):
            self.set_count(row, self.count(row) + (1 if text == "+" else -1))
        elif is_digits(text) and text != "0":
            self.set_count(row, int(text))
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().focusInEvent(event)
        if self.rowCount() and self.currentRow() < 0:
            self.setCurrentCell(0, 0)

    def _double_clicked(self, row: int, column: int) -> None:
        if column == 2:
            self.toggle_kind(row)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0:
            color = QColor("#26323d") if item.checkState() == Qt.CheckState.Checked else QColor("#9aa4ad")
            self.blockSignals(True)
            for column in range(self.columnCount()):
                self._cell(item.row(), column).setForeground(color)
            self.blockSignals(False)
        self.changed.emit()


# -- the screen ---------------------------------------------------------------------------------------
def _group_form(title: str) -> tuple[QGroupBox, QFormLayout]:
    """A titled box holding a form whose captions line up on the right."""
    box = QGroupBox(title)
    form = QFormLayout(box)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setVerticalSpacing(6)
    return box, form


class IntakeView(QWidget):
    """Receive a dossier: procedure, documents, applicant, reception details; save and print Mẫu 01."""

    saved = pyqtSignal(str)  # the new dossier code

    FIELD_KEYS = ("procedure", "documents", "name", "id_number", "birth_date", "gender", "address", "phone",
                  "email", "channel", "reception_point", "return_point", "sets", "received_at", "notes")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("intake_view")
        self.setStyleSheet(STYLE)
        self._procedures: dict[str, ProcedureInfo] = {}
        self._procedure: ProcedureInfo | None = None
        self._calendar: WorkCalendar | None = None
        self._points: list[points.PointInfo] = []
        self._recent: list[str] = []  # procedure codes saved in this session, newest first
        self._frequent: list[str] | None = None  # the office's most used, read once
        self._touched: set[str] = set()
        self._received_auto = True  # the received time follows the clock until the clerk edits it
        self._setting_time = False
        self.saving: Operation | None = None  # the registration on its way to the database
        self._pending_card: CitizenIdentity | None = None  # a CCCD scanned while saving, filled in after
        self._focus_before_save: QWidget | None = None
        self.last_code = ""
        self.last_receipt: Path | None = None
        self.printing: PrintRun | None = None  # the receipt being written/printed (one at a time)
        self._print_queue: list[str] = []  # codes saved while another receipt prints, oldest first
        self._errors: dict[str, QLabel] = {}
        self._build()
        self._shortcuts()
        self._load_caches()
        self.refresh_gate()
        self.reset_form(keep_reception=False)
        bus = ctx.bus
        bus.catalog_changed.connect(self.reload_catalog)
        bus.calendar_changed.connect(self.reload_calendar)
        bus.office_changed.connect(self._office_changed)
        bus.fill_intake.connect(self.fill_from_identity)
        self._tick = QTimer(self)
        self._tick.setInterval(30_000)
        self._tick.timeout.connect(self._follow_clock)
        self._tick.start()

    # -- building -------------------------------------------------------------------------------
    def _error_label(self, key: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"error_{key}")
        label.setProperty("role", "error")
        label.setWordWrap(True)
        label.hide()
        self._errors[key] = label
        return label

    def _field(self, *widgets: QWidget, errors: tuple[str, ...] = (), stretch: tuple[int, ...] = ()) -> QWidget:
        """Widgets on one line with their inline error labels under them."""
        box = QWidget()
        outer = QVBoxLayout(box)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        line = QHBoxLayout()
        line.setContentsMargins(0, 0, 0, 0)
        for i, widget in enumerate(widgets):
            line.addWidget(widget, stretch[i] if i < len(stretch) else 0)
        outer.addLayout(line)
        for key in errors:
            outer.addWidget(self._error_label(key))
        return box

    def _build(self) -> None:
        """The form in a scrolling pane: the procedure across the top, documents and applicant on the left,
        reception, due date and save on the right."""
        content = QWidget()
        self._scroll = scrolling(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._scroll)
        page = QVBoxLayout(content)
        page.setContentsMargins(14, 10, 14, 10)
        page.setSpacing(6)
        page.addWidget(self._build_gate())
        self.queue_bar = QueueBar(self.ctx, content)  # the ticket called to this counter (D50)
        page.addWidget(self.queue_bar)
        self._build_procedure(page)
        columns = QHBoxLayout()
        columns.setSpacing(14)
        page.addLayout(columns, 1)
        left = QVBoxLayout()
        right = QVBoxLayout()
        columns.addLayout(left, 11)
        columns.addLayout(right, 9)
        left.addWidget(self._build_documents())
        left.addWidget(self._build_applicant())
        left.addStretch(1)
        right.addWidget(self._build_reception())
        self._build_save(right)
        self._wire_inputs()

    def _build_procedure(self, page: QVBoxLayout) -> None:
        """The procedure search line, the chosen procedure's card and the results list under it."""
        title = QLabel(_("Procedure"))
        title.setStyleSheet("font-weight: 600; color: #1f3b57;")
        self.procedure = ProcedureEdit()
        self.procedure.setObjectName("procedure")
        self.procedure.setPlaceholderText(
            _("Type the procedure name (diacritics optional), its initials or its code — F3; Down shows recent ones"))
        self.procedure.setClearButtonEnabled(True)
        title.setBuddy(self.procedure)
        line = QHBoxLayout()
        line.addWidget(title)
        line.addWidget(self.procedure, 1)
        page.addLayout(line)
        self.procedure_card = QLabel()
        self.procedure_card.setObjectName("procedure_card")
        self.procedure_card.setWordWrap(True)
        self.procedure_card.setTextFormat(Qt.TextFormat.RichText)
        page.addWidget(self.procedure_card)
        page.addWidget(self._error_label("procedure"))
        self.results = ProcedureResults(self)
        self.results.picked.connect(self.choose_procedure)
        self.procedure.textEdited.connect(self._search_typed)
        self.procedure.navigate.connect(self._navigate)
        self.procedure.accepted.connect(self._procedure_enter)
        self.procedure.cancelled.connect(self._procedure_escape)
        self.procedure.entered.connect(self._procedure_focused)
        self.procedure.left.connect(self._procedure_left)
        present(self._scroll.verticalScrollBar()).valueChanged.connect(lambda _v: self.results.hide())

    def _build_documents(self) -> QGroupBox:
        docs_box = QGroupBox(_("Documents submitted"))
        docs_layout = QVBoxLayout(docs_box)
        self.documents = DocumentTable()
        self.documents.changed.connect(lambda: self._clear_error("documents"))
        docs_layout.addWidget(self.documents)
        hint = QLabel(_("Space: tick or untick · digit, + or −: number of copies · Space in the last column: original/copy"))
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        docs_layout.addWidget(hint)
        docs_layout.addWidget(self._error_label("documents"))
        return docs_box

    def _build_applicant(self) -> QGroupBox:
        """Who applies: filled from the citizen ID card's QR code or typed."""
        person, form = _group_form(_("Applicant"))
        self.cccd_button = QPushButton(_("Paste CCCD QR (Ctrl+Shift+V)"))
        self.cccd_button.setObjectName("cccd_paste")
        self.cccd_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.cccd_button.setToolTip(_("Fills the applicant from a citizen ID card QR payload copied to the "
                                      "clipboard. A USB or camera scan fills the form by itself."))
        self.cccd_button.clicked.connect(self.paste_cccd)
        self.cccd_problems = QLabel()
        self.cccd_problems.setObjectName("cccd_problems")
        self.cccd_problems.setWordWrap(True)
        self.cccd_problems.hide()
        scan_hint = QLabel(_("Scan the citizen ID card: the fields fill themselves."))
        scan_hint.setProperty("role", "hint")
        scan_hint.setWordWrap(True)
        form.addRow(self._field(self.cccd_button, scan_hint, stretch=(0, 1)))
        form.addRow(self.cccd_problems)
        self.name = QLineEdit()
        self.name.setObjectName("name")
        form.addRow(_("Full name"), self._field(self.name, errors=("name",)))
        self.id_number = QLineEdit()
        self.id_number.setObjectName("id_number")
        self.id_number.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,12}"), self.id_number))
        self.id_number.setPlaceholderText(_("12 digits"))
        self.id_province = QLabel()
        self.id_province.setObjectName("id_province")
        self.id_province.setProperty("role", "hint")
        self.id_province.setMinimumWidth(110)
        form.addRow(_("ID number"), self._field(self.id_number, self.id_province, errors=("id_number",),
                                                 stretch=(1, 0)))
        self.birth_date = QLineEdit()
        self.birth_date.setObjectName("birth_date")
        self.birth_date.setPlaceholderText(_("dd/mm/yyyy"))
        self.gender = QComboBox()
        self.gender.setObjectName("gender")
        for value, label in GENDERS:
            self.gender.addItem(_(label) if value else label, value)
        gender_label = QLabel(_("Gender"))
        gender_label.setBuddy(self.gender)
        form.addRow(_("Date of birth"), self._field(self.birth_date, gender_label, self.gender,
                                                     errors=("birth_date", "gender"), stretch=(1, 0, 0)))
        self.address = QLineEdit()
        self.address.setObjectName("address")
        form.addRow(_("Address"), self._field(self.address, errors=("address",)))
        self.phone = QLineEdit()
        self.phone.setObjectName("phone")
        self.phone.setPlaceholderText(_("e.g. 0912 345 678"))
        self.email = QLineEdit()
        self.email.setObjectName("email")
        email_label = QLabel(_("Email"))
        email_label.setBuddy(self.email)
        form.addRow(_("Phone"), self._field(self.phone, email_label, self.email, errors=("phone", "email"),
                                             stretch=(1, 0, 1)))
        return person

    def _build_reception(self) -> QGroupBox:
        """How, where and when the dossier is received, and where its result goes back."""
        desk, rform = _group_form(_("Reception"))
        self.channel = QComboBox()
        self.channel.setObjectName("channel")
        for key, label in CHANNELS.items():
            self.channel.addItem(_(label), str(key))  # the plain word: Qt's findData matches it
        rform.addRow(_("Channel"), self._field(self.channel, errors=("channel",)))
        self.reception_point = QComboBox()
        self.reception_point.setObjectName("reception_point")
        self.reception_point.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.reception_point.setMinimumContentsLength(16)
        self.reception_point.currentIndexChanged.connect(self._reception_point_changed)
        rform.addRow(_("Reception point"), self._field(self.reception_point, errors=("reception_point",)))
        self.return_point = QComboBox()
        self.return_point.setObjectName("return_point")
        self.return_point.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.return_point.setMinimumContentsLength(16)
        rform.addRow(_("Result returned at"), self._field(self.return_point, errors=("return_point",)))
        self.sets = QSpinBox()
        self.sets.setObjectName("sets")
        self.sets.setRange(1, 100)
        self.writing_assistance = QCheckBox(_("Writing assistance"))
        self.writing_assistance.setObjectName("writing_assistance")
        rform.addRow(_("Number of sets"), self._field(self.sets, self.writing_assistance, errors=("sets",),
                                                      stretch=(0, 1)))
        self.received_at = QDateTimeEdit()
        self.received_at.setObjectName("received_at")
        self.received_at.setDisplayFormat("HH:mm  dd/MM/yyyy")
        self.received_at.setCalendarPopup(True)
        self.received_at.dateTimeChanged.connect(self._received_edited)
        self.received_now = QPushButton(_("Now"))
        self.received_now.setObjectName("received_now")
        self.received_now.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.received_now.setToolTip(_("Use the current time (change the time only for paper dossiers "
                                       "received earlier)"))
        self.received_now.clicked.connect(self._received_follow_clock)
        rform.addRow(_("Time received"), self._field(self.received_at, self.received_now,
                                                     errors=("received_at",), stretch=(1, 0)))
        self.notes = QLineEdit()
        self.notes.setObjectName("notes")
        rform.addRow(_("Notes"), self._field(self.notes, errors=("notes",)))
        return desk

    def _build_save(self, right: QVBoxLayout) -> None:
        """The due date, the general error, Save and the result of the last save."""
        self.due = QLabel()
        self.due.setObjectName("due")
        self.due.setWordWrap(True)
        right.addWidget(self.due)
        self.general_error = QLabel()
        self.general_error.setObjectName("general_error")
        self.general_error.setWordWrap(True)
        self.general_error.hide()
        self._errors[""] = self.general_error
        right.addWidget(self.general_error)
        self.save_button = QPushButton(_("Save and print receipt (Ctrl+S)"))
        self.save_button.setObjectName("save")
        self.save_button.setAutoDefault(True)
        self.save_button.clicked.connect(self.save)
        right.addWidget(self.save_button)
        right.addWidget(self._build_banner())
        right.addStretch(1)

    def _wire_inputs(self) -> None:
        """The inputs by key, Tab (and Enter) through them in reading order, checks as the clerk leaves one."""
        self._inputs: dict[str, QWidget] = {
            "procedure": self.procedure, "documents": self.documents, "name": self.name,
            "id_number": self.id_number, "birth_date": self.birth_date, "gender": self.gender,
            "address": self.address, "phone": self.phone, "email": self.email, "channel": self.channel,
            "reception_point": self.reception_point, "return_point": self.return_point, "sets": self.sets,
            "received_at": self.received_at, "notes": self.notes,
        }
        chain = [self.procedure, self.documents, self.name, self.id_number, self.birth_date, self.gender,
                 self.address, self.phone, self.email, self.channel, self.reception_point, self.return_point,
                 self.sets, self.writing_assistance, self.received_at, self.notes, self.save_button,
                 self.open_saved, self.reprint]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        for widget in chain[2:16]:
            widget.installEventFilter(self)  # Enter moves on like Tab
        for key in ("name", "id_number", "birth_date", "address", "phone", "email", "notes"):
            edit = cast(QLineEdit, self._inputs[key])  # these seven are line edits
            edit.editingFinished.connect(lambda key=key: self.check_live(key))
            edit.textEdited.connect(lambda _text, key=key: self._clear_error(key))
        self.id_number.textChanged.connect(self._id_typed)
        self.birth_date.textChanged.connect(self._birth_typed)
        self.gender.activated.connect(lambda _i: self.check_live("gender", *self._id_if_typed()))
        self.channel.currentIndexChanged.connect(lambda _i: self._clear_error("channel"))
        self.sets.valueChanged.connect(lambda _v: self._clear_error("sets"))

    def _build_gate(self) -> QFrame:
        """While the office is not set up (D27): what is missing and who fills it in, above the form."""
        gate = QFrame()
        gate.setObjectName("office_gate")
        gate.setStyleSheet("QFrame#office_gate { background: #fff4e5; border: 1px solid #e0a040; border-radius: 4px; }")
        layout = QVBoxLayout(gate)
        layout.setContentsMargins(12, 8, 12, 8)
        self.gate_message = QLabel()
        self.gate_message.setObjectName("office_gate_message")
        self.gate_message.setWordWrap(True)
        layout.addWidget(self.gate_message)
        self.gate_button = QPushButton(_("Set up the office…"))
        self.gate_button.setObjectName("open_office_wizard")
        self.gate_button.clicked.connect(self.open_office_wizard)
        row = QHBoxLayout()
        row.addWidget(self.gate_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.office_gate = gate
        gate.hide()
        return gate

    def refresh_gate(self) -> None:
        """Show the gate message when the office is not set up; the wizard button for administrators."""
        try:
            ready = office_service.is_set_up()
        except DeskError:
            ready = False
        if ready:
            self.office_gate.hide()
            return
        text = office_service.not_set_up_message()
        if not self.ctx.can(Role.LEADER):
            text += " " + _("Please ask the office's administrator to set it up.")
        self.gate_message.setText(text)
        self.gate_button.setVisible(self.ctx.can(Role.ADMIN))
        self.office_gate.show()

    def open_office_wizard(self) -> None:
        from desk.views.office_wizard import run_office_wizard

        saved = run_office_wizard(self.ctx.actor, self, clock=self.ctx.clock)
        if saved is not None:
            self.ctx.office_name = saved.name
            self.ctx.bus.office_changed.emit()

    def _build_banner(self) -> QFrame:
        banner = QFrame()
        banner.setObjectName("saved_banner")
        layout = QVBoxLayout(banner)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(2)
        caption = QLabel(_("Dossier received — code"))
        caption.setStyleSheet("color: #145a2e;")
        self.saved_code = QLabel()
        self.saved_code.setObjectName("saved_code")
        self.saved_code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.saved_due = QLabel()
        self.saved_due.setObjectName("saved_due")
        self.saved_due.setWordWrap(True)
        self.saved_who = QLabel()
        self.saved_who.setObjectName("saved_who")
        self.saved_who.setWordWrap(True)
        self.saved_missing = QLabel()  # the components still to digitise (D43)
        self.saved_missing.setObjectName("saved_missing")
        self.saved_missing.setWordWrap(True)
        self.saved_missing.setStyleSheet("color: #6b3a00;")
        self.saved_print = QLabel()
        self.saved_print.setObjectName("saved_print")
        self.saved_print.setWordWrap(True)
        self.saved_print.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.saved_print.setStyleSheet("font-size: 13px;")
        buttons = QHBoxLayout()
        self.open_saved = QPushButton(_("Open dossier"))
        self.open_saved.setObjectName("open_saved")
        self.open_saved.clicked.connect(
            lambda: self.ctx.bus.open_dossier.emit(self.last_code) if self.last_code else None)
        self.reprint = QPushButton(_("Print again (Ctrl+P)"))
        self.reprint.setObjectName("reprint")
        self.reprint.clicked.connect(self.reprint_last)
        self.preview_button = QPushButton(_("Preview (Ctrl+Shift+P)"))
        self.preview_button.setObjectName("preview_receipt")
        self.preview_button.clicked.connect(self.preview_last)
        self.open_file = QPushButton(_("Open the file"))
        self.open_file.setObjectName("open_file")
        self.open_file.clicked.connect(lambda: self.last_receipt and open_document(self.last_receipt))
        self.open_file.hide()
        buttons.addWidget(self.open_saved)
        buttons.addWidget(self.reprint)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.open_file)
        buttons.addStretch(1)
        for widget in (caption, self.saved_code, self.saved_due, self.saved_who, self.saved_missing, self.saved_print):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        banner.hide()
        self.saved_banner = banner
        return banner

    def _shortcuts(self) -> None:
        bindings = {
            "Ctrl+S": self.save,
            "Ctrl+Shift+V": self.paste_cccd,
            "Ctrl+Shift+P": self.preview_last,
            "F3": self.focus_procedure,
        }
        for keys, slot in bindings.items():
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # -- caches ---------------------------------------------------------------------------------
    def _load_caches(self) -> None:
        for load in (self.reload_catalog, self.reload_calendar, self.reload_points):
            load()

    def reload_catalog(self) -> None:
        """Read the procedure list once (and again when the catalog changes)."""
        try:
            self._procedures = {p.code: p for p in catalog.list_procedures()}
        except Exception as exc:  # noqa: BLE001 - the form must still open
            self._show_general(error_text(exc))
            return
        self._frequent = None  # names may have changed
        if self._procedure is not None and self._procedure.code in self._procedures:
            self._procedure = self._procedures[self._procedure.code]
            self._show_procedure_card()
            self.update_due()

    def reload_calendar(self) -> None:
        try:
            self._calendar = load_calendar()
        except Exception as exc:  # noqa: BLE001
            self._calendar = None
            self._show_general(error_text(exc))
        self.update_due()

    def reload_points(self) -> None:
        """Fill the point lists; keeps the current choice when it still exists."""
        try:
            self._points = points.list_points()
        except Exception as exc:  # noqa: BLE001
            self._show_general(error_text(exc))
            return
        current = self.reception_point.currentData(), self.return_point.currentData()
        for combo in (self.reception_point, self.return_point):
            combo.blockSignals(True)
            combo.clear()
            for point in self._points:
                combo.addItem(point.name, point.id)
                combo.setItemData(combo.count() - 1, point.address, Qt.ItemDataRole.ToolTipRole)
            combo.blockSignals(False)
        self._select_point(self.reception_point, current[0] or self._default_point_id())
        self._select_point(self.return_point, current[1] or self._return_point_for(self.reception_point.currentData()))

    def _office_changed(self) -> None:
        self.refresh_gate()
        self.reload_calendar()
        self.reload_points()

    def _default_point_id(self) -> int | None:
        """The desk's reception point from the settings (name or id), else the office's first point."""
        wanted = (self.ctx.settings.reception_point or "").strip()
        for point in self._points:
            if wanted and wanted in (point.name, str(point.id)):
                return point.id
        return self._points[0].id if self._points else None

    def _return_point_for(self, reception_id: int | None) -> int | None:
        """Results of e-points are collected at the ward office; elsewhere where it was received."""
        by_id: dict[int | None, points.PointInfo] = {p.id: p for p in self._points}
        point = by_id.get(reception_id)
        if point is not None and not point.is_office:
            office_point = next((p for p in self._points if p.is_office), None)
            if office_point is not None:
                return office_point.id
        return reception_id

    @staticmethod
    def _select_point(combo: QComboBox, point_id: int | None) -> None:
        index = combo.findData(point_id) if point_id is not None else -1
        combo.setCurrentIndex(index if index >= 0 else (0 if combo.count() else -1))

    def _reception_point_changed(self, _index: int) -> None:
        self._select_point(self.return_point, self._return_point_for(self.reception_point.currentData()))
        self._clear_error("reception_point")

    # -- procedure search -----------------------------------------------------------------------
    def search(self, text: str) -> list[ProcedureInfo]:
        """The service's unaccented search, then procedures whose initials match ("dkks", "ks")."""
        try:
            found = catalog.search_procedures(text, limit=MAX_RESULTS)
        except Exception:  # noqa: BLE001 - fall back to the cached list
            found = catalog.matching_procedures(text, self._procedures.values())[:MAX_RESULTS]
        return catalog.rank_for_intake(text, found, self._procedures.values(), usual=self.recent_procedures,
                                       limit=MAX_RESULTS)

    def recent_procedures(self) -> list[ProcedureInfo]:
        """What this desk saved last, then what the office received most lately (empty in a new office)."""
        if self._frequent is None:
            try:
                names = Counter(row.procedure_name for row in dossiers.recent(300, actor=self.ctx.actor))
            except Exception:  # noqa: BLE001 - recents are a convenience
                names = Counter()
            by_name = {p.name: p.code for p in self._procedures.values()}
            self._frequent = [by_name[name] for name, _n in names.most_common() if name in by_name]
        codes = list(dict.fromkeys([*self._recent, *self._frequent]))
        return [self._procedures[c] for c in codes if c in self._procedures][:MAX_RECENT]

    def _show_results(self, procedures: list[ProcedureInfo], title: str, *, preselect: bool) -> None:
        self.results.fill(title, procedures, preselect=preselect)
        self._place_results()
        self.results.show()
        self.results.raise_()

    def _place_results(self) -> None:
        box = self.procedure
        top_left = box.mapTo(self, QPoint(0, box.height() + 1))
        rows = max(1, min(VISIBLE_RESULTS, self.results.topLevelItemCount()))
        row_height = max(self.results.sizeHintForRow(0), 24)
        height = present(self.results.header()).sizeHint().height() + rows * row_height + 6
        self.results.setGeometry(top_left.x(), top_left.y(), box.width(), min(height, self.height() - top_left.y()))

    def _show_recent(self) -> None:
        recent = self.recent_procedures()
        if recent:
            self._show_results(recent, _("Recent procedures (Down, Enter)"), preselect=False)
        else:
            self._show_results(list(self._procedures.values()), _("All procedures"), preselect=False)

    def _search_typed(self, text: str) -> None:
        self._clear_error("procedure")
        if text.strip():
            self._show_results(self.search(text), _("Procedure"), preselect=True)
        else:
            self._show_recent()

    def _navigate(self, step: int) -> None:
        if not self.results.isVisible():
            if self._typed_query():
                self._search_typed(self.procedure.text())
            else:
                self._show_recent()
            if self.results.currentItem() is not None:
                return
        self.results.step(step)

    def _typed_query(self) -> str:
        """What the clerk typed, "" while the box just shows the chosen procedure."""
        text = self.procedure.text().strip()
        if self._procedure is not None and text == self._procedure.name:
            return ""
        return text

    def _procedure_enter(self) -> None:
        if self.results.isVisible():
            choice = self.results.current_procedure()
            if choice is None and self._typed_query():
                choice = self.results.first_procedure()
            if choice is not None:
                self.choose_procedure(choice)
            return
        if self._typed_query():
            self._search_typed(self.procedure.text())
        elif self._procedure is not None:
            self._focus_after_procedure()
        else:
            self._show_recent()

    def _procedure_escape(self) -> None:
        if self.results.isVisible():
            self.results.hide()
        elif self._procedure is not None:
            self.procedure.setText(self._procedure.name)
            self.procedure.setCursorPosition(0)

    def _procedure_focused(self) -> None:
        if not self.procedure.text().strip() and self.isVisible():
            self._show_recent()

    def _procedure_left(self, reason: Qt.FocusReason | None = None) -> None:
        highlighted = self.results.current_procedure() if self.results.isVisible() else None
        self.results.hide()
        if reason == Qt.FocusReason.TabFocusReason and highlighted is not None and self._typed_query():
            self.choose_procedure(highlighted)  # Tab takes the highlighted result, as Enter does
            return
        text = self.procedure.text().strip()
        if not text:
            if self._procedure is not None:
                self.choose_procedure(None)
        elif self._procedure is not None and text != self._procedure.name:
            self.procedure.setText(self._procedure.name)
            self.procedure.setCursorPosition(0)
        elif self._procedure is None:
            self._show_errors({"procedure": _("Choose a procedure from the list (Down, Enter)")}, only={"procedure"})

    def choose_procedure(self, procedure: ProcedureInfo | str | None) -> None:
        """Show a procedure's documents, fee and time; ``None`` clears it. Accepts a code too."""
        if isinstance(procedure, str):
            procedure = self._procedures.get(procedure) or catalog.get_procedure(procedure)
        self.results.hide()
        self._procedure = procedure
        self._clear_error("procedure")
        self._clear_error("documents")
        if procedure is None:
            self.procedure.clear()
            self.procedure.setToolTip("")
            self.documents.set_documents([])
        else:
            self.procedure.setText(procedure.name)
            self.procedure.setCursorPosition(0)
            self.procedure.setToolTip(f"{procedure.code} — {procedure.name}")
            self.documents.set_documents(procedure.documents)
            if self.procedure.hasFocus():
                self._focus_after_procedure()
        self._show_procedure_card()
        self.update_due()

    def _focus(self, widget: QWidget) -> None:
        """Focus a field and scroll it into view (small screens scroll the form)."""
        widget.setFocus()
        self._scroll.ensureWidgetVisible(widget, 10, 10)

    def _focus_after_procedure(self) -> None:
        self._focus(self.documents if self.documents.rowCount() else self.name)

    def _show_procedure_card(self) -> None:
        p = self._procedure
        if p is None:
            self.procedure_card.setText(
                "<span style='color:#5f6b76'>"
                + html.escape(_("Choose the procedure first: its documents, fee and return date appear here."))
                + "</span>")
            return
        time_text = processing_time_text(p)
        if p.processing_days == 0 and p.cutoff:
            time_text += " " + _("(received after {time}: next working day)").format(time=p.cutoff)
        parts = [
            f"<b>{html.escape(p.code)}</b>" + (f" {html.escape(p.name)}" if len(p.name) > LONG_NAME else ""),
            html.escape(p.field_name),
            _("Legal time: {time}").format(time=f"<b>{html.escape(time_text)}</b>"),
            _("Fee: {fee}").format(fee=html.escape(p.fee or "—")),
        ]
        self.procedure_card.setText(" &nbsp;·&nbsp; ".join(parts))

    # -- due date -------------------------------------------------------------------------------
    def received_moment(self) -> datetime:
        """The time received: now (from the clock) unless the clerk set it for a paper dossier."""
        if self._received_auto:
            return self.ctx.clock.now().astimezone(LOCAL_TZ)
        return self.received_at.dateTime().toPyDateTime().replace(second=0, microsecond=0, tzinfo=LOCAL_TZ)

    def due_moment(self) -> datetime | None:
        if self._procedure is None or self._calendar is None:
            return None
        return self._calendar.due_at(self._procedure, self.received_moment())

    def update_due(self) -> None:
        """Recompute "Hẹn trả" for the chosen procedure and time received."""
        if not hasattr(self, "due"):
            return
        if self._procedure is None:
            self.due.setText(_("Return appointment: choose a procedure"))
            self.due.setStyleSheet("color: #5f6b76; font-size: 16px; font-weight: 600;")
            return
        self.due.setStyleSheet("")
        try:
            moment = self.due_moment()
        except DeskError as exc:
            self.due.setText(str(exc))
            return
        if moment is None:
            self.due.setText(_("Return appointment: the working calendar could not be read"))
            return
        self.due.setText(_("Return appointment: {when}").format(when=format_due(moment)))

    def _set_received_display(self, moment: datetime) -> None:
        local = moment.astimezone(LOCAL_TZ)
        self._setting_time = True
        self.received_at.setDateTime(QDateTime(QDate(local.year, local.month, local.day),
                                               QTime(local.hour, local.minute)))
        self._setting_time = False

    def _received_edited(self, _value: QDateTime) -> None:
        if self._setting_time:
            return
        self._received_auto = False
        self._clear_error("received_at")
        self.update_due()

    def _received_follow_clock(self) -> None:
        self._received_auto = True
        self._set_received_display(self.ctx.clock.now())
        self._clear_error("received_at")
        self.update_due()

    def _follow_clock(self) -> None:
        if self._received_auto:
            self._set_received_display(self.ctx.clock.now())
            self.update_due()

    # -- applicant ------------------------------------------------------------------------------
    def fill_from_identity(self, card: object) -> None:
        """Fill the applicant from a read CCCD (USB wedge, webcam or pasted); then ask for the phone.

        A card scanned while a save is on its way is filled in when the save is over (into the next,
        empty form, or the kept one when the save failed), never into the form being saved.
        """
        if not isinstance(card, CitizenIdentity):
            return
        if self.saving is not None:
            self._pending_card = card
            return
        # The ID number's cross-check with the birth date and gender is the ID field's own message,
        # refreshed as those fields change; the card box keeps only what could not be read.
        crosscheck = set(validate_id_number(card.id_number, card.birth_date, card.gender or None,
                                            clock=self.ctx.clock)) if card.id_number else set()
        self._show_card_problems(p for p in card.problems if p not in crosscheck)
        if not (card.id_number or card.full_name):
            return
        if card.id_number and card.id_number != self.id_number.text().strip():
            self.phone.clear()  # a different citizen: the previous one's contact details must not stay
            self.email.clear()
        values = {self.name: card.full_name, self.id_number: card.id_number, self.address: card.address,
                  self.birth_date: card.birth_date.strftime("%d/%m/%Y") if card.birth_date else ""}
        for edit, value in values.items():
            if value:
                edit.setText(value)
                edit.setCursorPosition(0)
        if card.gender:
            self.gender.setCurrentIndex(max(0, self.gender.findData(card.gender)))
        for key in ("name", "id_number", "birth_date", "gender", "address"):
            self._clear_error(key)
        self.check_live("name", "id_number", "birth_date", "gender", "address")
        self._focus(self.phone)

    def paste_cccd(self) -> None:
        """Read a CCCD QR payload from the clipboard (Ctrl+Shift+V)."""
        text = present(QApplication.clipboard()).text()
        card = parse_cccd(text, clock=self.ctx.clock)
        self.fill_from_identity(card)

    def _show_card_problems(self, problems: Iterable[str]) -> None:
        problems = list(problems)
        if problems:
            self.cccd_problems.setText(_("Check the card data:") + "\n• " + "\n• ".join(problems))
            self.cccd_problems.show()
        else:
            self.cccd_problems.clear()
            self.cccd_problems.hide()

    def _id_typed(self, text: str) -> None:
        self.id_province.setText(province_name(text) if len(text) >= 3 else "")
        if len(text) == 12:
            self.check_live("id_number")

    def _id_if_typed(self) -> tuple[str, ...]:
        return ("id_number",) if self.id_number.text().strip() else ()

    def _birth_typed(self, text: str) -> None:
        """A whole date typed: the ID number's one cross-check message follows it at once."""
        if len(self.id_number.text().strip()) != 12 or "id_number" not in self._touched:
            return
        try:
            if parse_birth_date(text) is None:
                return
        except ValueError:
            return  # still typing
        self.check_live("id_number")

    # -- request and validation -----------------------------------------------------------------
    def build_request(self) -> tuple[IntakeRequest, dict[str, str]]:
        """The form as a service request, plus what the form itself can tell is wrong."""
        problems: dict[str, str] = {}
        try:
            birth = parse_birth_date(self.birth_date.text())
        except ValueError:
            birth = None
            problems["birth_date"] = _("Write the date of birth as dd/mm/yyyy, e.g. 15/03/1990")
        if self._procedure is None:
            problems["procedure"] = _("Choose a procedure from the list (Down, Enter)")
        elif self.documents.rowCount() and not self.documents.items():
            problems["documents"] = _("Tick at least one document the citizen handed in")
        applicant = Applicant(
            name=self.name.text(), id_number=self.id_number.text().strip(), birth_date=birth,
            gender=self.gender.currentData() or "", address=self.address.text(), phone=self.phone.text(),
            email=self.email.text().strip())
        request = IntakeRequest(
            procedure_code=self._procedure.code if self._procedure else "",
            applicant=applicant,
            channel=self.channel.currentData() or Channel.DIRECT,
            reception_point=self.reception_point.currentData(),
            return_point=self.return_point.currentData(),
            documents=self.documents.items(),
            sets=self.sets.value(),
            writing_assistance=self.writing_assistance.isChecked(),
            received_at=None if self._received_auto else self.received_moment(),
            notes=self.notes.text(),
        )
        return request, problems

    def problems(self) -> dict[str, str]:
        """Every problem with the form now: the form's own and the service's, field → message."""
        return self._validate(*self.build_request())

    def _validate(self, request: IntakeRequest, local: dict[str, str]) -> dict[str, str]:
        try:
            intake.validate(request, self.ctx.clock.now())
        except ValidationError as exc:
            return {**exc.problems, **local}
        return local

    def check_live(self, *keys: str) -> None:
        """Validate as the clerk leaves a field; only fields already visited show their problem."""
        self._touched.update(keys)
        try:
            found = self.problems()
        except Exception:  # noqa: BLE001 - a live check must never get in the way
            return
        self._show_errors(found, only=self._touched - {"procedure"} if self._procedure is None else self._touched)

    def _show_errors(self, problems: dict[str, str], *, only: set[str] | None = None) -> None:
        general = []
        for key, message in problems.items():
            if key not in self._errors or key == "":
                general.append(message)
        for key, label in self._errors.items():
            if key == "" or (only is not None and key not in only):
                continue
            self._set_error(label, problems.get(key, ""))
        if only is None:
            self._set_error(self.general_error, "\n".join(general))

    @staticmethod
    def _set_error(label: QLabel, message: str) -> None:
        label.setText(message)
        label.setVisible(bool(message))

    def _clear_error(self, key: str) -> None:
        label = self._errors.get(key)
        if label is not None and label.isVisible():
            self._set_error(label, "")

    def _show_general(self, message: str) -> None:
        self._set_error(self.general_error, message)

    def _focus_problem(self, problems: dict[str, str]) -> None:
        for key in self.FIELD_KEYS:
            if key in problems:
                widget = self._inputs[key]
                self._focus(widget)
                if key == "procedure" and not self.procedure.text().strip():
                    self._show_recent()
                return

    # -- actions --------------------------------------------------------------------------------
    def has_unsaved_data(self) -> bool:
        edits = (self.name, self.id_number, self.birth_date, self.address, self.phone, self.email, self.notes)
        return self._procedure is not None or any(e.text().strip() for e in edits) or bool(self.gender.currentData())

    def save(self) -> Operation | None:
        """Register the dossier, write Mẫu 01 and print it: one action (Ctrl+S, also Ctrl+P on a filled form).

        The checks and the registration run in the background; the receipt is written and printed
        when the registration is back. Meanwhile the form shows it is saving and does not change: a
        second Ctrl+S does nothing (it can neither register twice nor act on the next, empty form).
        Returns the running save, or None when one is already running.
        """
        if self.saving is not None:
            return None
        self.results.hide()
        try:
            request, local = self.build_request()
        except Exception as exc:  # noqa: BLE001 - keep the form, say what happened
            self._show_general(error_text(exc))
            return None
        self._set_saving(True)
        ticket = self.queue_bar.current  # the citizen called to this counter, if the dossier is theirs
        ticket_id = ticket.id if ticket is not None and ticket.dossier_code is None else None
        self.saving = (Operation(self, _checked_register, request, local, actor=self.ctx.actor, clock=self.ctx.clock,
                                 ticket_id=ticket_id, label="register dossier")
                       .on_success(self._saved).on_failure(self._save_failed).start())
        return self.saving

    def _set_saving(self, saving: bool) -> None:
        """The form as it is being saved: nothing in it can change, the button says what happens."""
        if saving:
            self._focus_before_save = QApplication.focusWidget()
        for widget in (*self._inputs.values(), self.writing_assistance, self.received_now, self.save_button):
            widget.setEnabled(not saving)
        self.save_button.setText(_("Saving…") if saving else _("Save and print receipt (Ctrl+S)"))

    def _save_over(self) -> QWidget | None:
        """The form is the clerk's again; returns where the cursor was when the save started."""
        self.saving = None
        self._set_saving(False)
        focus, self._focus_before_save = self._focus_before_save, None
        return focus if focus is not None and not sip.isdeleted(focus) else None

    def _fill_pending_card(self) -> None:
        card, self._pending_card = self._pending_card, None
        if card is not None:
            self.fill_from_identity(card)

    def _save_failed(self, exc: BaseException) -> None:
        """Nothing was saved: the clerk's input stays, the problems are marked, the cursor goes to the first."""
        focus = self._save_over()
        if isinstance(exc, ValidationError):
            self._touched.update(exc.problems)
            self._show_errors(exc.problems)
            self._focus_problem(exc.problems)
        else:  # DatabaseBusy, lost connection...: nothing lost
            self._show_general(error_text(exc))
            if focus is not None and focus.isVisible():
                focus.setFocus()
        self._fill_pending_card()

    def _saved(self, info: DossierInfo) -> None:
        """The dossier exists: show its code, empty the form for the next citizen, print its receipt.

        The receipt is written and printed in the background for ``info.code`` (captured here); the form
        is the next citizen's at once, and a later Ctrl+S there is that citizen's save, never this one's.
        """
        self._remember(info.procedure_code)
        self.last_code, self.last_receipt = info.code, None
        self.saved_code.setText(info.code)
        self.saved_due.setText(_("Return appointment: {when}").format(when=format_due(info.appointment_at)))
        self.saved_who.setText(f"{info.applicant_name} — {info.procedure_name}")
        self._show_missing(info.code)
        self.saved_banner.show()
        self._print_receipt(info.code, rewrite=True)
        self._save_over()
        self.reset_form()
        self.ctx.bus.dossier_changed.emit(info.code)
        self.queue_bar.refresh()  # the ticket now names its dossier
        self.saved.emit(info.code)
        self.focus_procedure()
        self._fill_pending_card()

    def _show_missing(self, code: str) -> None:
        """Which components of the dossier just received still need a scanned file (none: the line hides)."""
        try:
            missing = missing_components(code, actor=self.ctx.actor)
        except DeskError:
            missing = []
        self.saved_missing.setText(_("Still to digitise: {components}").format(
            components="; ".join(f"{number}. {name}" for number, name in missing)))
        self.saved_missing.setVisible(bool(missing))

    def _say_print(self, text: str, *, failed: bool = False) -> None:
        self.saved_print.setText(text)
        self.saved_print.setStyleSheet("font-size: 13px;" + (" color: #b00020; font-weight: 600;" if failed else ""))
        self.open_file.setVisible(failed and self.last_receipt is not None)

    def _print_receipt(self, code: str, *, rewrite: bool = False, preview: bool | None = None) -> PrintRun | None:
        """Write (when needed) and print Mẫu 01 of ``code`` in the background; queued behind a running print."""
        if self.printing is not None and self.printing.running:
            if code not in self._print_queue and code != self.printing.code:
                self._print_queue.append(code)
                self._say_print(_("Receipt (Mẫu 01) of {code} waits for the previous one to print…").format(code=code))
            return None
        reuse = None if rewrite else self.last_receipt if code == self.last_code else None
        write = None
        if reuse is None or not reuse.exists():
            out, actor, paper = self.ctx.slip_path(f"{code}-mau01.docx"), self.ctx.actor, self.ctx.settings.paper
            write = lambda: documents.receipt(code, out, actor=actor, paper=paper)  # noqa: E731 - runs on a worker
        self._say_print(_("Printing the receipt (Mẫu 01) of {code}…").format(code=code))
        self.printing = PrintRun(self.ctx, code=code, title=_("Receipt (Mẫu 01)"), screen=self, write=write,
                                 path=reuse, on_done=self._printed, preview=preview)
        return self.printing.start()

    def _printed(self, outcome: PrintOutcome) -> None:
        """A receipt's print is over: said for ITS dossier; the next queued receipt starts."""
        if self.printing is not None and not self.printing.running:
            self.printing = None
        if outcome.code == self.last_code:
            if outcome.path is not None:
                self.last_receipt = outcome.path
            self._say_print(outcome.message(), failed=not outcome.sent)
        if self._print_queue and self.printing is None:
            self._print_receipt(self._print_queue.pop(0), rewrite=True)

    def _printing_now(self) -> bool:
        """A print is on its way: Ctrl+P and the preview wait for it (they are not queued twice)."""
        if self.printing is None or not self.printing.running:
            return False
        self._say_print(_("The receipt (Mẫu 01) of {code} is still being printed; wait for the answer.").format(
            code=self.printing.code))
        return True

    def reprint_last(self) -> PrintRun | None:
        """Print the last receipt again (rewritten when its file is gone); nothing while one still prints."""
        if not self.last_code:
            self._show_general(_("Nothing to print yet: fill in the form and press Ctrl+S."))
            return None
        if self._printing_now():
            return None
        return self._print_receipt(self.last_code)

    def preview_last(self) -> PrintRun | None:
        """Ctrl+Shift+P: the last receipt in a print preview; printing from there goes to the desk's printer."""
        if not self.last_code:
            self._show_general(_("Nothing to print yet: fill in the form and press Ctrl+S."))
            return None
        if self.saving is not None or self._printing_now():
            return None
        return self._print_receipt(self.last_code, preview=True)

    def print_current(self) -> None:
        """Ctrl+P: save and print a filled form, otherwise print the last receipt again."""
        if self.has_unsaved_data():
            self.save()
        elif self.saving is None:
            self.reprint_last()

    def call_next_ticket(self) -> None:
        """F4: call the next ticket to this counter; the form is then the called citizen's (it stays as it is
        when something was typed and not saved: the clerk decides with F2)."""
        self.queue_bar.call_next()
        if not self.has_unsaved_data():
            self.focus_procedure()

    def new_dossier(self) -> None:
        """F2: an empty form for the next citizen (asks first when something was typed)."""
        if self.saving is not None:
            return  # the form is being saved; the empty one comes with the result
        if self.has_unsaved_data() and not confirm(
                self, _("New dossier"),
                _("Clear the form? What was entered for this citizen has not been saved and will be lost.")):
            return
        self.reset_form()
        self.focus_procedure()

    def reset_form(self, *, keep_reception: bool = True) -> None:
        """Empty the form; the channel and the points stay as the desk set them."""
        self.choose_procedure(None)
        for edit in (self.name, self.id_number, self.birth_date, self.address, self.phone, self.email, self.notes):
            edit.clear()
        self.gender.setCurrentIndex(0)
        self.sets.setValue(1)
        self.writing_assistance.setChecked(False)
        if not keep_reception:
            self.channel.setCurrentIndex(0)
            self._select_point(self.reception_point, self._default_point_id())
            self._select_point(self.return_point, self._return_point_for(self.reception_point.currentData()))
        self._received_follow_clock()
        self._touched.clear()
        for label in self._errors.values():
            self._set_error(label, "")
        self._show_card_problems(())

    def focus_procedure(self) -> None:
        """F3 (and F2): the cursor in the procedure box, recent procedures listed when it is empty."""
        self._focus(self.procedure)
        self.procedure.selectAll()
        if not self.procedure.text().strip() and self.isVisible():
            self._show_recent()

    def activate(self) -> None:
        """Shown by the main window: pick up what changed elsewhere and put the cursor where work starts."""
        if not self._points:
            self.reload_points()
        QTimer.singleShot(0, self._focus_if_empty)

    def _focus_if_empty(self) -> None:
        # Checked late: a scan that showed this screen may have filled it in the meantime.
        if not self.has_unsaved_data() and self.isVisible():
            self.focus_procedure()

    def _remember(self, code: str) -> None:
        self._recent = [code, *[c for c in self._recent if c != code]][:MAX_RECENT]

    # -- Qt plumbing ----------------------------------------------------------------------------
    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:  # noqa: N802 - Qt API
        """Enter in a field moves to the next one, as clerks expect from paper-form software."""
        if (isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            if isinstance(watched, QComboBox) and present(watched.view()).isVisible():
                return False
            self.focusNextChild()
            return True
        return super().eventFilter(watched, event)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self.results.isVisible():
            self._place_results()

    def sizeHint(self):  # noqa: D102 - Qt API
        hint = super().sizeHint()
        hint.setWidth(max(hint.width(), 1000))
        return hint


__all__ = ["IntakeView", "format_due", "parse_birth_date", "processing_time_text"]
