"""Working calendar screen (leaders and admins): the office's days off and make-up working days.

A month calendar colours weekends, public holidays (from the ``holidays`` package), the
office's own days off and make-up working days; the office's marks for the year are listed
beside it, and a small "try a deadline" box shows the due moment a procedure gets for a
receipt time, so leaders can check the rules before the desk relies on them.
"""

from __future__ import annotations

from datetime import date, datetime

from PyQt6.QtCore import QDate, QDateTime, QLocale, QPointF, QRect, Qt, QTime
from PyQt6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QPen,
    QPolygonF,
    QShortcut,
)
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.i18n import N_, _, current_language
from desk.services import calendar as calendar_service
from desk.services import catalog
from desk.services.calendar import WorkCalendar, processing_time_label
from desk.services.clock import LOCAL_TZ
from desk.services.kinds import Role
from desk.views.common import error_text, present
from desk.views.context import AppContext
from desk.views.ops import Operation

WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))

# kind → (background, label); office marks get a corner flag on top of their colour
KINDS = {
    "holiday": ("#f4c7c3", N_("Public holiday")),
    "office_off": ("#ffcc80", N_("Office day off")),
    "makeup": ("#b7e1b0", N_("Make-up working day")),
    "weekend": ("#e3e3e3", N_("Weekend")),
}
OFFICE_FLAG = "#6a1b9a"
SELECTED = "#1565c0"
ERROR_STYLE = "color: #b00020"
OK_STYLE = "color: #1b5e20"


def day_text(day: date) -> str:
    """"Thứ Tư, 02/09/2026"."""
    return f"{_(WEEKDAYS[day.weekday()])}, {day:%d/%m/%Y}"


def moment_text(moment: datetime) -> str:
    """"17:00 Thứ Sáu, 04/09/2026" in office time."""
    local = moment.astimezone(LOCAL_TZ)
    return f"{local:%H:%M} {day_text(local.date())}"


def classify(cal: WorkCalendar, day: date) -> tuple[str, str, bool]:
    """(kind, reason, marked by the office) of a day; kind is "" for an ordinary working day."""
    override = cal.overrides.get(day)
    if override is not None:
        kind = "office_off" if override[0] == "off" else "makeup"
        return kind, override[1] or _(KINDS[kind][1]), True
    info = cal.describe(day)
    if not info.working:
        weekend = day.weekday() >= 5 and info.reason == _("weekend")
        return ("weekend" if weekend else "holiday"), info.reason, False
    if day.weekday() >= 5:
        return "makeup", info.reason, False
    return "", "", False


def wrap_lines(metrics: QFontMetrics, text: str, width: int, most: int) -> list[str]:
    """Break ``text`` into at most ``most`` lines of ``width`` pixels; the last one is elided."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < most:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words or (lines and metrics.horizontalAdvance(lines[-1]) > width):
        rest = " ".join([lines[-1], *words])
        lines[-1] = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)
    return lines


class OfficeCalendar(QCalendarWidget):
    """A month calendar that paints each day by its kind, with the reason in small print."""

    def __init__(self, today: date, parent: QWidget | None = None):
        super().__init__(parent)
        self.work_calendar = WorkCalendar()
        self.today = QDate(today.year, today.month, today.day)  # from the app's clock, never the desk's
        self.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        self.setGridVisible(True)
        if current_language() == "vi":
            self.setLocale(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
        self.setMinimumSize(460, 380)  # 7 columns of 65 px: fits a 1024-pixel laptop beside the marks

    def set_work_calendar(self, cal: WorkCalendar) -> None:
        self.work_calendar = cal
        self.updateCells()

    def paintCell(self, painter: QPainter | None, rect: QRect, qdate: QDate | date) -> None:  # noqa: N802 - Qt API
        if painter is None:
            return
        if not isinstance(qdate, QDate):  # Qt passes a QDate; PyQt's stub also allows a date
            qdate = QDate(qdate.year, qdate.month, qdate.day)
        day = qdate.toPyDate()
        kind, reason, office_mark = classify(self.work_calendar, day)
        in_month = qdate.month() == self.monthShown()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        inner = rect.adjusted(1, 1, -1, -1)
        background = QColor(KINDS[kind][0]) if kind else QColor("#ffffff")
        if not in_month:
            background = QColor("#ffffff") if not kind else background.lighter(112)
        painter.fillRect(inner, background)
        if office_mark:
            size = min(14, rect.height() // 4)
            corner = QPolygonF([QPointF(inner.right() - size, inner.top()), QPointF(inner.right(), inner.top()),
                                QPointF(inner.right(), inner.top() + size)])
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor(OFFICE_FLAG)))
            painter.drawPolygon(corner)
        text_colour = QColor("#8b0000") if kind == "holiday" else QColor("#202020")
        if not in_month:
            text_colour = QColor("#a0a0a0")
        font = QFont(self.font())
        font.setBold(in_month)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        painter.setFont(font)
        painter.setPen(text_colour)
        number_box = inner.adjusted(5, 3, -5, -3)
        painter.drawText(number_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, str(qdate.day()))
        if reason and in_month and kind != "weekend" and rect.height() >= 40:
            small = QFont(self.font())
            small.setPointSizeF(max(6.5, small.pointSizeF() * 0.78))
            painter.setFont(small)
            metrics = painter.fontMetrics()
            lines = wrap_lines(metrics, reason, number_box.width(), 2)
            line = metrics.lineSpacing()
            top = number_box.bottom() - len(lines) * line + 1
            for index, text in enumerate(lines):
                painter.drawText(QRect(number_box.left(), top + index * line, number_box.width(), line),
                                 int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        if qdate == self.today and in_month:
            painter.setPen(QPen(QColor("#555555"), 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(inner.adjusted(2, 2, -2, -2))
        if qdate == self.selectedDate():
            painter.setPen(QPen(QColor(SELECTED), 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(inner.adjusted(1, 1, -1, -1))
        painter.restore()


class CalendarView(QWidget):
    """Mark days off and make-up days; see the year's marks; try a deadline."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.editable = ctx.can(Role.LEADER)
        self.saving: Operation | None = None  # the running mark of a day
        self.work_calendar = calendar_service.load_calendar()
        self.marks: list[calendar_service.DayInfo] = []

        self.calendar = OfficeCalendar(ctx.clock.today())
        self.calendar.setObjectName("calendar")
        self.calendar.set_work_calendar(self.work_calendar)
        self.calendar.setSelectedDate(self.calendar.today)
        self.calendar.selectionChanged.connect(self._day_selected)
        self.calendar.currentPageChanged.connect(lambda _y, _m: self._page_changed())

        left = QVBoxLayout()
        left.addWidget(self.calendar, 1)
        left.addLayout(self._legend())
        self.day_label = QLabel()
        self.day_label.setObjectName("day_label")
        font = self.day_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.day_label.setFont(font)
        self.day_label.setWordWrap(True)
        left.addWidget(self.day_label)
        left.addWidget(self._build_marking())

        right = QVBoxLayout()
        self.marks_title = QLabel()
        self.marks_title.setObjectName("marks_title")
        bold = self.marks_title.font()
        bold.setBold(True)
        self.marks_title.setFont(bold)
        self.marks_title.setWordWrap(True)
        right.addWidget(self.marks_title)
        self.marks_table = QTableWidget(0, 3)
        self.marks_table.setObjectName("marks")
        self.marks_table.setHorizontalHeaderLabels([_("Day"), _("Kind"), _("Note")])
        self.marks_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.marks_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.marks_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        present(self.marks_table.verticalHeader()).setVisible(False)
        header = present(self.marks_table.horizontalHeader())
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.marks_table.cellActivated.connect(lambda row, _c: self._jump_to_mark(row))
        self.marks_table.cellClicked.connect(lambda row, _c: self._jump_to_mark(row))
        right.addWidget(self.marks_table, 1)
        right.addWidget(self._build_trial())

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

        go_today = QShortcut(QKeySequence("Ctrl+Home"), self)
        go_today.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        go_today.activated.connect(lambda: self.select_day(self.ctx.clock.today()))
        ctx.bus.catalog_changed.connect(self._fill_trial_procedures)
        ctx.bus.office_changed.connect(self.reload)  # office hours and rule days move due times
        self._apply_role()
        self._refresh_marks()
        self._day_selected()
        self.update_trial()

    # -- building -------------------------------------------------------------------------------
    def _legend(self) -> QGridLayout:
        """The colours in three columns (two short rows, not one long one: the screen fits 1024 pixels)."""
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(2)
        items: list[tuple[QLabel, str]] = []
        for kind in ("holiday", "office_off", "makeup", "weekend"):
            colour, label = KINDS[kind]
            swatch = QLabel()
            swatch.setFixedSize(16, 16)
            swatch.setStyleSheet(f"background: {colour}; border: 1px solid #999;")
            items.append((swatch, _(label)))
        flag = QLabel("◥")
        flag.setStyleSheet(f"color: {OFFICE_FLAG}; font-size: 15px;")
        items.append((flag, _("Marked by the office")))
        for index, (mark, text) in enumerate(items):
            pair = QHBoxLayout()
            pair.setSpacing(5)
            pair.addWidget(mark)
            pair.addWidget(QLabel(text), 1)
            grid.addLayout(pair, index // 3, index % 3)
        grid.setColumnStretch(3, 1)
        return grid

    def _build_marking(self) -> QWidget:
        box = QGroupBox(_("Mark the selected day"))
        box.setObjectName("marking")
        layout = QVBoxLayout(box)
        note_row = QHBoxLayout()
        self.note = QLineEdit()
        self.note.setObjectName("note")
        self.note.setPlaceholderText(_("Note, e.g. Nghỉ bù Quốc khánh theo thông báo của UBND thành phố"))
        self.note.setMaxLength(200)
        note_row.addWidget(QLabel(_("Note")))
        note_row.addWidget(self.note, 1)
        layout.addLayout(note_row)
        buttons = QHBoxLayout()
        self.off_button = QPushButton(_("Day off"))
        self.off_button.setObjectName("mark_off")
        self.off_button.clicked.connect(lambda: self.mark_selected("off"))
        self.work_button = QPushButton(_("Make-up working day"))
        self.work_button.setObjectName("mark_work")
        self.work_button.clicked.connect(lambda: self.mark_selected("work"))
        self.clear_button = QPushButton(_("Remove mark"))
        self.clear_button.setObjectName("clear_mark")
        self.clear_button.clicked.connect(lambda: self.mark_selected(""))
        buttons.addWidget(self.off_button)
        buttons.addWidget(self.work_button)
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        hint = QLabel(_("Marks change the due dates of dossiers received from now on; due dates already "
                        "given to citizens stay as they are."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555")
        layout.addWidget(hint)
        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.note.returnPressed.connect(self._note_entered)
        return box

    def _build_trial(self) -> QWidget:
        box = QGroupBox(_("Try a deadline"))
        box.setObjectName("trial")
        form = QFormLayout(box)
        self.trial_search = QLineEdit()
        self.trial_search.setObjectName("trial_search")
        self.trial_search.setPlaceholderText(_("Type to find a procedure (accents optional)"))
        self.trial_search.setClearButtonEnabled(True)
        self.trial_procedure = QComboBox()
        self.trial_procedure.setObjectName("trial_procedure")
        self.trial_procedure.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.trial_procedure.setMinimumContentsLength(18)
        self.trial_received = QDateTimeEdit()
        self.trial_received.setObjectName("trial_received")
        self.trial_received.setCalendarPopup(True)
        self.trial_received.setDisplayFormat("dd/MM/yyyy HH:mm")
        now = self.ctx.clock.now().astimezone(LOCAL_TZ)
        self.trial_received.setDateTime(QDateTime(QDate(now.year, now.month, now.day), QTime(now.hour, now.minute)))
        use_day = QPushButton(_("Selected day"))
        use_day.setObjectName("trial_use_day")
        use_day.setToolTip(_("Received on the day selected in the calendar"))
        use_day.clicked.connect(self._trial_on_selected_day)
        received_row = QHBoxLayout()  # the date, and the button under it: the column stays narrow
        received_row.addWidget(use_day)
        received_row.addStretch(1)
        self.trial_due = QLabel()
        self.trial_due.setObjectName("trial_due")
        self.trial_due.setWordWrap(True)
        self.trial_due.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(_("Find"), self.trial_search)
        form.addRow(_("Procedure"), self.trial_procedure)
        form.addRow(_("Received at"), self.trial_received)
        form.addRow("", received_row)
        form.addRow(_("Due"), self.trial_due)
        self.trial_search.textChanged.connect(lambda _t: self._fill_trial_procedures())
        self.trial_procedure.currentIndexChanged.connect(lambda _i: self.update_trial())
        self.trial_received.dateTimeChanged.connect(lambda _d: self.update_trial())
        self._fill_trial_procedures()
        return box

    def _apply_role(self) -> None:
        for widget in (self.note, self.off_button, self.work_button, self.clear_button):
            widget.setEnabled(self.editable)
        if not self.editable:
            self.message.setStyleSheet("color: #555")
            self.message.setText(_("Only leaders and administrators can change the working calendar."))

    # -- calendar -------------------------------------------------------------------------------
    def activate(self) -> None:
        """Shown again: another desk may have changed the calendar or the catalog."""
        self.reload()
        self._fill_trial_procedures()

    def reload(self) -> None:
        self.work_calendar = calendar_service.load_calendar()
        self.calendar.set_work_calendar(self.work_calendar)
        self._refresh_marks()
        self._day_selected()
        self.update_trial()

    def selected_day(self) -> date:
        return self.calendar.selectedDate().toPyDate()

    def select_day(self, day: date) -> None:
        qdate = QDate(day.year, day.month, day.day)
        self.calendar.setSelectedDate(qdate)
        self.calendar.setCurrentPage(day.year, day.month)

    def show_month(self, year: int, month: int) -> None:
        self.calendar.setCurrentPage(year, month)

    def _page_changed(self) -> None:
        self._refresh_marks()

    def _day_selected(self) -> None:
        day = self.selected_day()
        kind, reason, office_mark = classify(self.work_calendar, day)
        working = self.work_calendar.is_working_day(day)
        state = _("working day") if working else _("day off")
        text = f"{day_text(day)}: {state}"
        if reason:
            text += f" — {reason}"
        if office_mark:
            text += " " + _("(marked by the office)")
        self.day_label.setText(text)
        if self.editable and self.saving is None:
            self.clear_button.setEnabled(office_mark)
            self.off_button.setEnabled(not (office_mark and kind == "office_off"))
            self.work_button.setEnabled(not (office_mark and kind == "makeup"))
            override = self.work_calendar.overrides.get(day)
            self.note.setText(override[1] if override else "")

    def _note_entered(self) -> None:
        """Enter in the note: mark the day off, or a weekend/holiday as a make-up working day."""
        day = self.selected_day()
        self.mark_selected("off" if self.work_calendar.is_working_day(day) else "work")

    def mark_selected(self, kind: str) -> Operation | None:
        """Mark the selected day ("off", "work", "" to remove) with the note typed."""
        return self.mark_day(self.selected_day(), kind, self.note.text().strip())

    def mark_day(self, day: date, kind: str, note: str = "") -> Operation | None:
        """Record the mark in the background; None when another mark is still being saved."""
        if self.saving is not None:
            return None
        self._set_saving(True)
        self.message.setStyleSheet("")
        self.message.setText(_("Saving…"))
        self.saving = (Operation(self, calendar_service.set_day, day, kind, note, by=self.ctx.actor,
                                 label="mark a calendar day")
                       .on_success(lambda _result: self._marked(day, kind))
                       .on_failure(self._mark_failed).start())
        return self.saving

    def _set_saving(self, saving: bool) -> None:
        for widget in (self.note, self.off_button, self.work_button, self.clear_button):
            widget.setEnabled(self.editable and not saving)

    def _mark_failed(self, exc: BaseException) -> None:
        self.saving = None
        self._set_saving(False)
        self._day_selected()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(error_text(exc))

    def _marked(self, day: date, kind: str) -> None:
        self.saving = None
        self._set_saving(False)
        labels = {"off": _("{day} is now a day off for the office."),
                  "work": _("{day} is now a working day for the office."),
                  "": _("The office's mark on {day} was removed.")}
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(labels[kind].format(day=day_text(day)))
        self.reload()
        self.ctx.bus.calendar_changed.emit()

    def _refresh_marks(self) -> None:
        year = self.calendar.yearShown()
        self.marks_title.setText(_("The office's marks in {year}").format(year=year))
        self.marks = [m for m in calendar_service.list_overrides() if _as_date(m.day).year == year]
        self.marks_table.setRowCount(len(self.marks))
        for row, mark in enumerate(self.marks):
            day = _as_date(mark.day)
            kind = _("Make-up working day") if mark.working else _("Office day off")
            items = (QTableWidgetItem(day_text(day)), QTableWidgetItem(kind), QTableWidgetItem(mark.reason))
            items[1].setBackground(QColor(KINDS["makeup" if mark.working else "office_off"][0]))
            items[2].setToolTip(mark.reason)
            for column, item in enumerate(items):
                self.marks_table.setItem(row, column, item)

    def _jump_to_mark(self, row: int) -> None:
        if 0 <= row < len(self.marks):
            self.select_day(_as_date(self.marks[row].day))

    # -- trying a deadline ------------------------------------------------------------------
    def _fill_trial_procedures(self) -> None:
        chosen = self.trial_procedure.currentData()
        text = self.trial_search.text().strip()
        found = catalog.search_procedures(text, limit=500) if text else catalog.list_procedures()
        self.trial_procedure.blockSignals(True)
        self.trial_procedure.clear()
        for procedure in found:
            self.trial_procedure.addItem(f"{procedure.code} — {procedure.name}", procedure.code)
            self.trial_procedure.setItemData(self.trial_procedure.count() - 1, procedure.name,
                                             Qt.ItemDataRole.ToolTipRole)
        index = self.trial_procedure.findData(chosen)
        self.trial_procedure.setCurrentIndex(index if index >= 0 else (0 if found else -1))
        self.trial_procedure.blockSignals(False)
        self.update_trial()

    def set_trial(self, code: str, received: datetime) -> None:
        """Choose a procedure and a receipt moment (office time) for the trial box."""
        index = self.trial_procedure.findData(code)
        if index < 0:
            self.trial_search.clear()
            index = self.trial_procedure.findData(code)
        self.trial_procedure.setCurrentIndex(index)
        local = received.astimezone(LOCAL_TZ) if received.tzinfo else received
        self.trial_received.setDateTime(QDateTime(QDate(local.year, local.month, local.day),
                                                  QTime(local.hour, local.minute)))
        self.update_trial()

    def _trial_on_selected_day(self) -> None:
        current = self.trial_received.dateTime()
        self.trial_received.setDateTime(QDateTime(self.calendar.selectedDate(), current.time()))

    def trial_moment(self) -> datetime:
        value = self.trial_received.dateTime()
        qdate, qtime = value.date(), value.time()
        return datetime(qdate.year(), qdate.month(), qdate.day(), qtime.hour(), qtime.minute(), tzinfo=LOCAL_TZ)

    def update_trial(self) -> datetime | None:
        """Show the due moment for the chosen procedure and receipt time; returns it."""
        code = self.trial_procedure.currentData()
        if not code:
            self.trial_due.setText(_("Choose a procedure."))
            return None
        try:
            procedure = catalog.get_procedure(code)
            received = self.trial_moment()
            due = self.work_calendar.due_at(procedure, received)
            start = self.work_calendar.effective_receipt(received)
        except DeskError as exc:
            self.trial_due.setText(error_text(exc))
            return None
        rule = processing_time_label(procedure.processing_days, procedure.day_unit, procedure.cutoff)
        lines = [f"<b>{moment_text(due)}</b>", _("Processing time: {rule}").format(rule=rule)]
        if procedure.no_appointment_day and start.weekday() in self.work_calendar.no_appointment_weekdays:
            lines.append(_("No-appointment weekday: resolved the same day when received before the cut-off."))
        if start.replace(second=0, microsecond=0) != received.replace(second=0, microsecond=0):
            lines.append(_("Counted from {moment} (received outside office hours or on a day off).").format(
                moment=moment_text(start)))
        self.trial_due.setText("<br>".join(lines))
        return due


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))

