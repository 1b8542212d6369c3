"""The dossier list: filters, free text without accents, a paged table coloured by urgency.

The table model asks the search service for one page (200 rows) at a time and the next one only
when the clerk scrolls to the end (canFetchMore/fetchMore with the service's keyset cursor), so
the screen opens as fast over a million dossiers as over a hundred. Clicking a header re-queries
in that order; the total is counted off the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from PyQt6.QtCore import (
    QAbstractTableModel,
    QDate,
    QEvent,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    pyqtSignal,
)
from PyQt6.QtGui import QBrush, QColor, QFont, QKeyEvent, QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.i18n import N_, _, ngettext
from desk.services import search
from desk.services.accounts import Actor
from desk.services.clock import LOCAL_TZ, Clock
from desk.services.dossiers import CHANNELS, OPEN_STATUSES, Status
from desk.services.search import Cursor, DossierFilter, DossierListRow, Sort, Urgency
from desk.views.common import error_text, present, word_label
from desk.views.context import AppContext
from desk.views.ops import Operation

PAGE_SIZE = 200
DEBOUNCE_MS = 250


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sort: str | None  # the service's sort column, or None when the column cannot be sorted
    width: int


COLUMNS = (  # what a clerk looks at first comes first: the screen is narrower than the columns
    Column("code", N_("Dossier code"), "code", 200),
    Column("applicant", N_("Applicant"), "applicant", 165),
    Column("procedure", N_("Procedure"), "procedure", 260),
    Column("received", N_("Received at"), "received_at", 118),
    Column("due", N_("Due"), "due_at", 118),
    Column("status", N_("Status"), "status", 130),
    Column("appointment", N_("Return appointment"), None, 118),
    Column("field", N_("Field"), None, 110),
    Column("channel", N_("Channel"), None, 80),
    Column("point", N_("Reception point"), None, 200),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}

# Soft backgrounds that keep black text readable; closed dossiers are greyed out.
URGENCY_BACKGROUND = {
    Urgency.OVERDUE: QColor("#f8d4d4"),
    Urgency.DUE_TODAY: QColor("#fde0bd"),
    Urgency.DUE_SOON: QColor("#fdf3b8"),
}
CLOSED_TEXT = QColor("#8a8a8a")
OVERDUE_TEXT = QColor("#9b1111")


def _when(moment: datetime | None) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M") if moment else ""


class DossierTableModel(QAbstractTableModel):
    """Rows of the search service, a page at a time; sorting re-queries the database."""

    failed = pyqtSignal(str)  # a message the clerk can act on
    reloaded = pyqtSignal()

    def __init__(self, ctx: AppContext, parent: QObject | None = None, page_size: int = PAGE_SIZE):
        super().__init__(parent)
        self.ctx = ctx
        self.page_size = page_size
        self.rows: list[DossierListRow] = []
        self.cursor: Cursor | None = None
        self.filter = DossierFilter()
        self.order = Sort("received_at", True)

    # -- queries --------------------------------------------------------------------------
    def set_query(self, flt: DossierFilter | None = None, order: Sort | None = None) -> None:
        if flt is not None:
            self.filter = flt
        if order is not None:
            self.order = order
        self.reload()

    def reload(self) -> None:
        """First page again (after a filter change, a new order, or a change elsewhere)."""
        try:
            page = search.search(self.filter, self.order, limit=self.page_size, clock=self.ctx.clock,
                                 actor=self.ctx.actor)
        except DeskError as exc:
            page = search.Page([])
            self.failed.emit(error_text(exc))
        except Exception as exc:  # noqa: BLE001 - a broken query must not take the screen down
            page = search.Page([])
            self.failed.emit(error_text(exc))
        self.beginResetModel()
        self.rows, self.cursor = list(page.rows), page.next_cursor
        self.endResetModel()
        self.reloaded.emit()

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: B008 - Qt signature
        return not parent.isValid() and self.cursor is not None

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: B008 - Qt signature
        if parent.isValid() or self.cursor is None:
            return
        try:
            page = search.search(self.filter, self.order, limit=self.page_size, after=self.cursor,
                                 clock=self.ctx.clock, actor=self.ctx.actor)
        except Exception as exc:  # noqa: BLE001
            self.cursor = None
            self.failed.emit(error_text(exc))
            return
        self.cursor = page.next_cursor
        if page.rows:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self.rows.extend(page.rows)
            self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column].sort if 0 <= column < len(COLUMNS) else None
        if key is None:
            return
        self.set_query(order=Sort(key, order == Qt.SortOrder.DescendingOrder))

    # -- Qt model -------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section].title)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            if COLUMNS[section].sort is None:
                return _("This column cannot be sorted")
            return _("Click to sort by this column; click again to reverse")
        return None

    def row_at(self, row: int) -> DossierListRow | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def code_at(self, row: int) -> str | None:
        found = self.row_at(row)
        return found.code if found else None

    def row_of(self, code: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.code == code), -1)

    def _text(self, row: DossierListRow, key: str) -> str:
        if key == "code":
            return row.code
        if key == "applicant":
            return row.applicant_name
        if key == "procedure":
            return row.procedure_name
        if key == "field":
            return row.field_name
        if key == "received":
            return _when(row.received_at)
        if key == "due":
            return _when(row.due_at)
        if key == "appointment":
            return _when(row.appointment_at)
        if key == "status":
            return row.status.label
        if key == "channel":
            return word_label(CHANNELS, row.channel)
        if key == "point":
            return row.reception_point
        return ""

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        key = COLUMNS[index.column()].key
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, key)
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = URGENCY_BACKGROUND.get(row.urgency)
            return QBrush(colour) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.urgency == Urgency.CLOSED:
                return QBrush(CLOSED_TEXT)
            if row.urgency == Urgency.OVERDUE and key in ("due", "status"):
                return QBrush(OVERDUE_TEXT)
            return None
        if role == Qt.ItemDataRole.FontRole and key == "code":
            font = QFont()
            font.setFamily("monospace")
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.code} — {row.status.label} — {row.urgency.label}"
        if role == Qt.ItemDataRole.UserRole:
            return row.code
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class DossierTable(QTableView):
    """Enter or a double-click asks to open the current dossier (whatever the style's single-click
    habits); Ctrl+End also reaches rows not loaded yet (up to a few pages)."""

    open_requested = pyqtSignal(QModelIndex)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.doubleClicked.connect(self.open_requested)

    def keyPressEvent(self, event: QKeyEvent | None) -> None:
        if event is None:  # never from Qt; PyQt's stub allows it
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            event.accept()
            return
        if event.key() == Qt.Key.Key_End and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            model = present(self.model())
            while model.canFetchMore(QModelIndex()) and model.rowCount() < 5 * PAGE_SIZE:
                model.fetchMore(QModelIndex())
        super().keyPressEvent(event)


def _status_choices() -> list[tuple[str, str]]:
    from desk.services.dossiers import STATUS_LABELS

    choices = [("", _("All statuses")), ("open", _("Still being processed"))]
    choices += [(s.value, _(STATUS_LABELS[s])) for s in Status]
    return choices


class DossierListView(QWidget):
    """The "Hồ sơ" screen: find any dossier in a few keys, open it with Enter."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._count_generation = 0
        self._stale = False
        self.printing = None  # the receipt being printed (a desk.views.common.PrintRun)
        self.count_value: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.setSpacing(6)
        # First line: free text, status, field; second: procedure, point, channel, refresh; third: dates,
        # overdue, due within, clear. Three short rows: the list fits beside the sidebar even at 1024 pixels.
        layout.addLayout(self._build_search_row())
        layout.addLayout(self._build_choice_row())
        layout.addLayout(self._build_range_row())
        layout.addWidget(self._build_table(), 1)
        self._build_footer(layout)
        self._connect()
        self._sort = Sort("received_at", True)
        self._loading_choices = False
        self._load_choices()
        self._set_tab_order()
        self.apply_filters()

    # -- building ---------------------------------------------------------------------------
    def _build_search_row(self) -> QHBoxLayout:
        """The free text, the status and the field."""
        top = QHBoxLayout()
        self.text = QLineEdit()
        self.text.setObjectName("search_text")
        self.text.setClearButtonEnabled(True)
        self.text.setPlaceholderText(_("Code or number, name (accents optional), ID number, phone"))
        self.text.setMinimumWidth(200)
        self.text.setMaxLength(200)
        find_label = QLabel(_("&Find:"))
        find_label.setBuddy(self.text)
        top.addWidget(find_label)
        top.addWidget(self.text, 3)
        self.status = QComboBox()
        self.status.setObjectName("status_filter")
        for value, label in _status_choices():
            self.status.addItem(label, value)
        status_label = QLabel(_("&Status:"))
        status_label.setBuddy(self.status)
        top.addWidget(status_label)
        top.addWidget(self.status, 1)
        self.field = QComboBox()
        self.field.setObjectName("field_filter")
        for combo, letters in ((self.status, 14), (self.field, 16)):  # long names are elided, not widening the row
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(letters)
        field_label = QLabel(_("F&ield:"))
        field_label.setBuddy(self.field)
        top.addWidget(field_label)
        top.addWidget(self.field, 1)
        return top

    def _build_choice_row(self) -> QHBoxLayout:
        """The procedure, the reception point, the channel and Refresh."""
        self.procedure = QComboBox()
        self.procedure.setObjectName("procedure_filter")
        self.procedure.setMinimumWidth(180)
        self.procedure.setMaximumWidth(420)
        self.procedure.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.procedure.setMinimumContentsLength(20)
        procedure_label = QLabel(_("&Procedure:"))
        procedure_label.setBuddy(self.procedure)
        second = QHBoxLayout()
        second.addWidget(procedure_label)
        second.addWidget(self.procedure, 2)
        self.point = QComboBox()
        self.point.setObjectName("point_filter")
        self.point.setMinimumContentsLength(16)
        self.point.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        point_label = QLabel(_("Reception p&oint:"))
        point_label.setBuddy(self.point)
        second.addWidget(point_label)
        second.addWidget(self.point, 2)
        self.channel = QComboBox()
        self.channel.setObjectName("channel_filter")
        self.channel.addItem(_("All channels"), "")
        for key, label in CHANNELS.items():
            self.channel.addItem(_(label), str(key))  # the plain word: Qt's findData matches it
        channel_label = QLabel(_("C&hannel:"))
        channel_label.setBuddy(self.channel)
        second.addWidget(channel_label)
        second.addWidget(self.channel, 1)
        self.refresh_button = QPushButton(_("Refresh (F5)"))
        self.refresh_button.setObjectName("refresh")
        second.addWidget(self.refresh_button)
        return second

    def _build_range_row(self) -> QHBoxLayout:
        """The dates received, overdue, due within, and Clear."""
        third = QHBoxLayout()
        self.use_dates = QCheckBox(_("Recei&ved from"))
        self.use_dates.setObjectName("use_dates")
        day = self.ctx.clock.today()  # the app's clock decides the list's "today", never the desk's
        today = QDate(day.year, day.month, day.day)
        self.date_from = QDateEdit(today.addMonths(-1))
        self.date_from.setObjectName("date_from")
        self.date_to = QDateEdit(today)
        self.date_to.setObjectName("date_to")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setEnabled(False)
        third.addWidget(self.use_dates)
        third.addWidget(self.date_from)
        third.addWidget(QLabel(_("to")))
        third.addWidget(self.date_to)
        self.overdue = QCheckBox(_("&Overdue"))
        self.overdue.setObjectName("overdue_filter")
        third.addSpacing(8)
        third.addWidget(self.overdue)
        self.use_due = QCheckBox(_("&Due within"))
        self.use_due.setObjectName("use_due_within")
        self.due_days = QSpinBox()
        self.due_days.setObjectName("due_within_days")
        self.due_days.setRange(0, 60)
        self.due_days.setValue(2)
        self.due_days.setSuffix(" " + _("working days"))
        self.due_days.setEnabled(False)
        self.due_days.setMinimumWidth(110)
        third.addWidget(self.use_due)
        third.addWidget(self.due_days)
        third.addStretch(1)
        self.clear_button = QPushButton(_("C&lear filters"))
        self.clear_button.setObjectName("clear_filters")
        third.addWidget(self.clear_button)
        return third

    def _build_table(self) -> DossierTable:
        self.model = DossierTableModel(self.ctx, self)
        self.table = DossierTable()
        self.table.setObjectName("dossier_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(False)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        present(self.table.verticalHeader()).setVisible(False)
        present(self.table.verticalHeader()).setDefaultSectionSize(26)
        header = present(self.table.horizontalHeader())
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for i, column in enumerate(COLUMNS):
            self.table.setColumnWidth(i, column.width)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSortIndicator(COLUMN_INDEX["received"], Qt.SortOrder.DescendingOrder)
        return self.table

    def _build_footer(self, layout: QVBoxLayout) -> None:
        """The count, the colours' legend, the error line and the keys."""
        footer = QHBoxLayout()
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        footer.addWidget(self.count_label)
        footer.addStretch(1)
        for text, colour in ((_("Overdue"), URGENCY_BACKGROUND[Urgency.OVERDUE]),
                             (_("Due today"), URGENCY_BACKGROUND[Urgency.DUE_TODAY]),
                             (_("Due within 2 days"), URGENCY_BACKGROUND[Urgency.DUE_SOON])):
            chip = QLabel(f" {text} ")
            chip.setStyleSheet(f"background: {colour.name()}; border: 1px solid #d0d0d0; padding: 1px 6px;")
            footer.addWidget(chip)
        closed = QLabel(" " + _("Closed") + " ")
        closed.setStyleSheet(f"color: {CLOSED_TEXT.name()}; border: 1px solid #d0d0d0; padding: 1px 6px;")
        footer.addWidget(closed)
        layout.addLayout(footer)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        hint = QLabel(_("Enter or double-click: open the dossier  ·  Ctrl+F: find  ·  F5: refresh  ·  "
                        "click a column title to sort"))
        hint.setStyleSheet("color: #666")
        layout.addWidget(hint)

    def _connect(self) -> None:
        """Typing searches after a pause, every filter at once; other desks' changes refresh."""
        self.debounce = QTimer(self)
        self.debounce.setSingleShot(True)
        self.debounce.setInterval(DEBOUNCE_MS)
        self.debounce.timeout.connect(self.apply_filters)
        self.text.textChanged.connect(lambda _t: self.debounce.start())
        self.text.returnPressed.connect(self._text_entered)
        self.text.installEventFilter(self)
        for combo in (self.status, self.point, self.channel, self.procedure):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.field.currentIndexChanged.connect(lambda _i: self._field_changed())
        self.use_dates.toggled.connect(self._dates_toggled)
        self.date_from.dateChanged.connect(lambda _d: self._dates_changed())
        self.date_to.dateChanged.connect(lambda _d: self._dates_changed())
        self.overdue.toggled.connect(lambda _c: self.apply_filters())
        self.use_due.toggled.connect(self._due_toggled)
        self.due_days.valueChanged.connect(lambda _v: self.apply_filters() if self.use_due.isChecked() else None)
        self.clear_button.clicked.connect(self.clear_filters)
        self.refresh_button.clicked.connect(self.refresh)
        present(self.table.horizontalHeader()).sortIndicatorChanged.connect(self._sort_changed)
        self.table.open_requested.connect(self._open_index)
        self.model.failed.connect(self._show_error)
        self.model.reloaded.connect(self._after_reload)
        self.model.rowsInserted.connect(lambda *_a: self._update_count_label())
        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(self.refresh)
        self.ctx.bus.dossier_changed.connect(self._dossier_changed)
        self.ctx.bus.catalog_changed.connect(self._load_choices)
        self.ctx.bus.calendar_changed.connect(search.forget_calendar)
        self.ctx.bus.office_changed.connect(self._load_choices)

    def _set_tab_order(self) -> None:
        """Tab walks the filters as they read, then the list."""
        self.setTabOrder(self.text, self.status)
        self.setTabOrder(self.status, self.field)
        self.setTabOrder(self.field, self.procedure)
        self.setTabOrder(self.procedure, self.point)
        self.setTabOrder(self.point, self.channel)
        self.setTabOrder(self.channel, self.use_dates)
        self.setTabOrder(self.use_dates, self.date_from)
        self.setTabOrder(self.date_from, self.date_to)
        self.setTabOrder(self.date_to, self.overdue)
        self.setTabOrder(self.overdue, self.use_due)
        self.setTabOrder(self.use_due, self.due_days)
        self.setTabOrder(self.due_days, self.clear_button)
        self.setTabOrder(self.clear_button, self.refresh_button)
        self.setTabOrder(self.refresh_button, self.table)

    # -- choices ----------------------------------------------------------------------------
    def _load_choices(self) -> None:
        """Fields, procedures and points from the services (again after the catalog changed)."""
        from desk.services import catalog, points

        self._loading_choices = True
        try:
            field = self.field.currentData()
            point = self.point.currentData()
            self.field.clear()
            self.field.addItem(_("All fields"), "")
            self.point.clear()
            self.point.addItem(_("All reception points"), None)
            try:
                for f in catalog.list_fields():
                    self.field.addItem(f.name, f.code)
                for p in points.list_points(active_only=False):
                    self.point.addItem(p.name, p.id)
            except DeskError as exc:
                self._show_error(error_text(exc))
            self.field.setCurrentIndex(max(0, self.field.findData(field)))
            self.point.setCurrentIndex(max(0, self.point.findData(point)))
            self._fill_procedures()
        finally:
            self._loading_choices = False

    def _fill_procedures(self) -> None:
        from desk.services import catalog

        current = self.procedure.currentData()
        blocked = self.procedure.blockSignals(True)
        try:
            self.procedure.clear()
            self.procedure.addItem(_("All procedures"), "")
            try:
                procedures = catalog.list_procedures(active_only=False, field_code=self.field.currentData() or None)
            except DeskError as exc:
                self._show_error(error_text(exc))
                procedures = []
            for p in sorted(procedures, key=lambda p: p.name):
                self.procedure.addItem(p.name, p.code)
                self.procedure.setItemData(self.procedure.count() - 1, f"{p.code} — {p.name}",
                                           Qt.ItemDataRole.ToolTipRole)
            self.procedure.setCurrentIndex(max(0, self.procedure.findData(current)))
        finally:
            self.procedure.blockSignals(blocked)

    def _field_changed(self) -> None:
        self._fill_procedures()
        self.apply_filters()

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.apply_filters()

    def _dates_changed(self) -> None:
        if self.use_dates.isChecked():
            self.apply_filters()

    def _due_toggled(self, on: bool) -> None:
        self.due_days.setEnabled(on)
        self.apply_filters()

    # -- querying ---------------------------------------------------------------------------
    def current_filter(self) -> DossierFilter:
        """What the filter bar says, as the service's filter."""
        status = self.status.currentData() or ""
        statuses = None
        if status == "open":
            statuses = {s.value for s in OPEN_STATUSES}
        elif status:
            statuses = {status}
        dates: tuple[date | None, date | None] = (None, None)
        if self.use_dates.isChecked():
            start, end = self.date_from.date().toPyDate(), self.date_to.date().toPyDate()
            dates = (min(start, end), max(start, end))
        return DossierFilter(
            statuses=statuses,
            field_code=self.field.currentData() or None,
            procedure_code=self.procedure.currentData() or None,
            reception_point=self.point.currentData(),
            channel=self.channel.currentData() or None,
            received_from=dates[0],
            received_to=dates[1],
            overdue=self.overdue.isChecked(),
            due_within_days=self.due_days.value() if self.use_due.isChecked() else None,
            text=self.text.text(),
        )

    def apply_filters(self) -> None:
        """Run the query for the filter bar now (the text box calls this after a short pause)."""
        if self._loading_choices:
            return
        self.debounce.stop()
        self._hide_error()
        self.model.set_query(self.current_filter(), self._sort)

    def refresh(self) -> None:
        """Same filters, fresh rows (F5); the selected dossier stays selected when still listed."""
        code = self.selected_code()
        self.apply_filters()
        if code:
            self.select_code(code)

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        key = COLUMNS[column].sort if 0 <= column < len(COLUMNS) else None
        header = present(self.table.horizontalHeader())
        if key is None:
            # not sortable: put the indicator back where the rows really are
            blocked = header.blockSignals(True)
            header.setSortIndicator(COLUMN_INDEX[_sort_column_key(self._sort.column)],
                                    Qt.SortOrder.DescendingOrder if self._sort.descending
                                    else Qt.SortOrder.AscendingOrder)
            header.blockSignals(blocked)
            return
        self._sort = Sort(key, order == Qt.SortOrder.DescendingOrder)
        self.apply_filters()

    def sort_by(self, column_key: str, descending: bool) -> None:
        """Sort as if the clerk clicked the column's title."""
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        present(self.table.horizontalHeader()).setSortIndicator(COLUMN_INDEX[column_key], order)

    def _after_reload(self) -> None:
        if self.model.rowCount():
            self.table.selectRow(0)
            self.table.scrollToTop()
        self._start_count()

    # -- counting off the UI thread -------------------------------------------------------
    def _start_count(self) -> None:
        self._count_generation += 1
        generation = self._count_generation
        self.count_value = None
        self._update_count_label()
        if self.model.cursor is None:  # everything is already loaded: no need to ask the database
            self.count_value = self.model.rowCount()
            self._update_count_label()
            return
        (Operation(self, _count, self.model.filter, self.ctx.clock, self.ctx.actor, label="count dossiers")
         .on_success(lambda n: self._count_done(generation, n))
         .on_failure(lambda _exc: self._count_done(generation, None))
         .start())

    def _count_done(self, generation: int, value: int | None) -> None:
        if generation != self._count_generation:
            return  # an older filter's count
        self.count_value = value
        self._update_count_label()

    def _update_count_label(self) -> None:
        shown = self.model.rowCount()
        if self.count_value is None:
            text = ngettext("{shown} dossier shown, counting…", "{shown} dossiers shown, counting…", shown).format(
                shown=f"{shown:,}".replace(",", "."))
            if self.model.cursor is None:
                text = ngettext("{total} dossier", "{total} dossiers", shown).format(total=f"{shown:,}".replace(",", "."))
        elif self.count_value == shown:
            text = ngettext("{total} dossier", "{total} dossiers", shown).format(total=f"{shown:,}".replace(",", "."))
        else:
            text = ngettext("{shown} of {total} dossier shown (scroll down for more)",
                            "{shown} of {total} dossiers shown (scroll down for more)", self.count_value).format(
                shown=f"{shown:,}".replace(",", "."), total=f"{self.count_value:,}".replace(",", "."))
        self.count_label.setText(text)

    # -- opening ----------------------------------------------------------------------------
    def selected_code(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.code_at(index.row()) if index.isValid() else None

    def select_code(self, code: str) -> bool:
        row = self.model.row_of(code)
        if row < 0:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def _open_index(self, index: QModelIndex) -> None:
        code = self.model.code_at(index.row())
        if code:
            self.ctx.bus.open_dossier.emit(code)

    def _text_entered(self) -> None:
        """Enter in the search box: search now; a single hit opens, otherwise go to the rows."""
        self.apply_filters()
        if self.model.rowCount() == 1 and self.model.cursor is None:
            self.ctx.bus.open_dossier.emit(self.model.rows[0].code)
        elif self.model.rowCount():
            self.table.setFocus()

    def eventFilter(self, watched: QObject | None, event: QEvent | None) -> bool:
        if (watched is self.text and isinstance(event, QKeyEvent) and event.type() == QKeyEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown)):
            if self.debounce.isActive():
                self.apply_filters()
            if self.model.rowCount():
                self.table.setFocus()
                self.table.selectRow(0)
                return True
        return super().eventFilter(watched, event)

    # -- screen protocol --------------------------------------------------------------------
    def focus_search(self) -> None:
        """Ctrl+F: the search box, its text selected so typing replaces it."""
        self.text.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.text.selectAll()

    def activate(self) -> None:
        if self._stale:
            self._stale = False
            self.refresh()

    def clear_filters(self) -> None:
        self._loading_choices = True
        try:
            self.text.clear()
            for combo in (self.status, self.field, self.point, self.channel):
                combo.setCurrentIndex(0)
            self._fill_procedures()
            self.procedure.setCurrentIndex(0)
            self.use_dates.setChecked(False)
            self.overdue.setChecked(False)
            self.use_due.setChecked(False)
        finally:
            self._loading_choices = False
        self.apply_filters()
        self.focus_search()

    def print_current(self):
        """Ctrl+P: print the selected dossier's receipt (Mẫu 01) again, written and printed in the background.

        The answer is one line in the main window's status line (and here when it failed); a second
        Ctrl+P while one prints does nothing. Returns the run, or None when nothing was started.
        """
        from desk.services import documents
        from desk.views.common import PrintRun

        code = self.selected_code()
        if not code or (self.printing is not None and self.printing.running):
            return None
        actor, paper = self.ctx.actor, self.ctx.settings.paper
        out = self.ctx.slip_path(f"mau01_{code}.docx")
        self._hide_error()
        self.printing = PrintRun(self.ctx, code=code, title=_("Receipt (Mẫu 01)"), screen=self,
                                 write=lambda: documents.render_form(code, "01", out, actor=actor, paper=paper),
                                 on_done=self._printed)
        return self.printing.start()

    def _printed(self, outcome) -> None:
        self.printing = None
        if not outcome.sent:
            self._show_error(outcome.message())

    def _dossier_changed(self, _code: str) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _hide_error(self) -> None:
        self.error.clear()
        self.error.hide()


def _sort_column_key(sort_column: str) -> str:
    return next(c.key for c in COLUMNS if c.sort == sort_column)


def _count(flt: DossierFilter, clock: Clock, actor: Actor) -> int:
    """Runs on a worker thread (the helper gives the thread's database connection back)."""
    return search.count(flt, clock=clock, actor=actor)


__all__ = ["COLUMNS", "DossierListView", "DossierTableModel", "Urgency"]
