"""Procedure catalog screen (leaders and admins): find, edit, retire, import and export procedures.

The list is on the left (filter by field, search without accents, show retired ones), the
editor on the right. Saving goes through desk.services.catalog_edit, which applies the same
checks as the Excel import; problems are shown next to the form and nothing typed is lost.
Import and export run off the UI thread; a refused import lists every bad row and changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desk.errors import ValidationError
from desk.i18n import N_, _, ngettext
from desk.services import catalog, catalog_edit
from desk.services.calendar import processing_time_label
from desk.services.catalog import CatalogImportError, DocumentItem, ImportProblem, ProcedureInfo
from desk.services.kinds import DayUnit, OnlineLevel, Role
from desk.views import files
from desk.views.common import confirm, error_text, present, scrolling
from desk.views.context import AppContext
from desk.views.ops import Operation

ERROR_STYLE = "color: #b00020"
OK_STYLE = "color: #1b5e20"
INVALID_STYLE = "border: 1px solid #b00020; border-radius: 2px;"

DAY_UNITS = ((DayUnit.WORKING, N_("working days")), (DayUnit.CALENDAR, N_("calendar days")))
ONLINE_LEVELS = ((OnlineLevel.NONE, N_("Not online")), (OnlineLevel.PARTIAL, N_("Partly online")),
                 (OnlineLevel.FULL, N_("Fully online")))
DOCUMENT_KINDS = (("original", N_("original")), ("copy", N_("copy")))


class DocumentsEditor(QWidget):
    """The documents a citizen submits: one row per document (name, count, original/copy)."""

    changed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.rows: list[tuple[QWidget, QLineEdit, QSpinBox, QComboBox, QToolButton]] = []
        self.marks: list[QCheckBox] = []  # per row: the component needs no digitisation (D43)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        self._rows_box = QVBoxLayout()
        self._rows_box.setSpacing(4)
        outer.addLayout(self._rows_box)
        self.add_button = QPushButton(_("Add document"))
        self.add_button.setObjectName("add_document")
        self.add_button.clicked.connect(lambda: self.add_row(focus=True))
        bar = QHBoxLayout()
        bar.addWidget(self.add_button)
        bar.addStretch(1)
        outer.addLayout(bar)
        self._editable = True
        self._anchor: QWidget | None = None

    def set_tab_anchor(self, widget: QWidget) -> None:
        """The widget Tab leaves before the first document row (rows added later join the chain there)."""
        self._anchor = widget

    def _chain(self, widgets: list[QWidget]) -> None:
        previous = self.rows[-2][-1] if len(self.rows) > 1 else self._anchor
        if previous is None:
            return
        for widget in [*widgets, self.add_button]:
            QWidget.setTabOrder(previous, widget)
            previous = widget

    def add_row(self, item: DocumentItem | None = None, *, focus: bool = False) -> None:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        name = QLineEdit(item.name if item else "")
        name.setCursorPosition(0)
        name.setToolTip(item.name if item else "")
        name.setObjectName(f"document_name_{len(self.rows)}")
        name.setPlaceholderText(_("Document name, e.g. Tờ khai đăng ký khai sinh"))
        count = QSpinBox()
        count.setRange(1, 99)
        count.setValue(item.count if item else 1)
        count.setObjectName(f"document_count_{len(self.rows)}")
        count.setToolTip(_("Number of copies"))
        kind = QComboBox()
        for key, label in DOCUMENT_KINDS:
            kind.addItem(_(label), key)
        kind.setCurrentIndex(max(0, kind.findData(item.kind if item else "original")))
        kind.setObjectName(f"document_kind_{len(self.rows)}")
        mark = QCheckBox(_("No scan"))
        mark.setChecked(bool(item and item.no_digitisation))
        mark.setObjectName(f"document_no_scan_{len(self.rows)}")
        mark.setToolTip(_("This component needs no digitisation (Circular 03/2025 Art. 5)"))
        remove = QToolButton()
        remove.setText("✕")
        remove.setToolTip(_("Remove this document"))
        remove.setObjectName(f"remove_document_{len(self.rows)}")
        remove.clicked.connect(lambda: self.remove_row(self._index_of(row)))
        layout.addWidget(name, 1)
        layout.addWidget(count)
        layout.addWidget(kind)
        layout.addWidget(mark)
        layout.addWidget(remove)
        for widget in (name, count, kind, mark, remove):
            widget.setEnabled(self._editable)
        name.textChanged.connect(self.changed)
        count.valueChanged.connect(self.changed)
        kind.currentIndexChanged.connect(self.changed)
        mark.toggled.connect(self.changed)
        self._rows_box.addWidget(row)
        row.show()  # at once, not on the next event loop turn: Tab and setFocus need it visible
        self.rows.append((row, name, count, kind, remove))
        self.marks.append(mark)
        self._chain([name, count, kind, mark, remove])
        if focus:
            name.setFocus()
            self.changed.emit()

    def _index_of(self, row: QWidget) -> int:
        return next(i for i, entry in enumerate(self.rows) if entry[0] is row)

    def remove_row(self, index: int) -> None:
        row = self.rows.pop(index)[0]
        self.marks.pop(index)
        self._rows_box.removeWidget(row)
        row.deleteLater()
        if self.rows:
            self.rows[min(index, len(self.rows) - 1)][1].setFocus()
        else:
            self.add_button.setFocus()
        self.changed.emit()

    def set_documents(self, documents: list[DocumentItem]) -> None:
        self.marks.clear()
        while self.rows:
            row = self.rows.pop()[0]
            self._rows_box.removeWidget(row)
            row.deleteLater()
        for item in documents:
            self.add_row(item)

    def documents(self) -> list[DocumentItem]:
        """Rows with a name (an empty row left by mistake is not a document)."""
        return [DocumentItem(name.text().strip(), count.value(), kind.currentData(), mark.isChecked())
                for (_row, name, count, kind, _remove), mark in zip(self.rows, self.marks, strict=True)
                if name.text().strip()]

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        self.add_button.setEnabled(editable)
        for _row, *widgets in self.rows:
            for widget in widgets:
                widget.setEnabled(editable)
        for mark in self.marks:
            mark.setEnabled(editable)


class ImportProblemsDialog(QDialog):
    """Why an import was refused: every problem with its sheet, row and column, scrollable."""

    def __init__(self, file_name: str, issues: list[ImportProblem], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("import_problems")
        self.setWindowTitle(_("The catalog was not imported"))
        self.issues = list(issues)
        layout = QVBoxLayout(self)
        intro = QLabel(ngettext("Nothing was changed. Correct this problem in {name} and import it again:",
                                "Nothing was changed. Correct these {count} problems in {name} and import it again:",
                                len(self.issues)).format(
            count=len(self.issues), name=file_name))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(len(self.issues), 4)
        self.table.setObjectName("problem_list")
        self.table.setHorizontalHeaderLabels([_("Sheet"), _("Row"), _("Column"), _("Problem")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        present(self.table.verticalHeader()).setVisible(False)
        for row, issue in enumerate(self.issues):
            values = (issue.sheet, "" if issue.row is None else str(issue.row), issue.column, issue.message)
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        header = present(self.table.horizontalHeader())
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.resizeRowsToContents()
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        present(buttons.button(QDialogButtonBox.StandardButton.Close)).setText(_("Close"))
        copy = present(buttons.addButton(_("Copy the list"), QDialogButtonBox.ButtonRole.ActionRole))
        copy.setObjectName("copy_problems")
        copy.clicked.connect(self.copy_to_clipboard)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(900, 480)

    def text(self) -> str:
        return "\n".join(issue.describe() if issue.row is not None else f"{issue.sheet}: {issue.message}"
                         for issue in self.issues)

    def copy_to_clipboard(self) -> None:
        present(QApplication.clipboard()).setText(self.text())


class FieldsDialog(QDialog):
    """Fields (lĩnh vực): add one, rename one or change the order the statistics use."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.changed = False
        self.saving: Operation | None = None
        self.setObjectName("fields_dialog")
        self.setWindowTitle(_("Fields"))
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("field_list")
        self.table.setHorizontalHeaderLabels([_("Code"), _("Field"), _("Order")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        present(self.table.verticalHeader()).setVisible(False)
        present(self.table.horizontalHeader()).setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.currentCellChanged.connect(lambda row, *_a: self._fill(row))
        layout.addWidget(self.table, 1)
        form = QFormLayout()
        self.code = QLineEdit()
        self.code.setObjectName("field_code")
        self.name = QLineEdit()
        self.name.setObjectName("field_name")
        self.order = QSpinBox()
        self.order.setRange(0, 999)
        self.order.setObjectName("field_order")
        form.addRow(_("Code"), self.code)
        form.addRow(_("Field"), self.name)
        form.addRow(_("Order"), self.order)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("field_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.new_button = present(buttons.addButton(_("New field"), QDialogButtonBox.ButtonRole.ResetRole))
        self.save_button = present(buttons.addButton(_("Save field"), QDialogButtonBox.ButtonRole.ApplyRole))
        self.save_button.setObjectName("save_field")
        self.save_button.setDefault(True)
        close = present(buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.RejectRole))
        close.clicked.connect(self.accept)
        self.new_button.clicked.connect(self.new_field)
        self.save_button.clicked.connect(self.save)
        layout.addWidget(buttons)
        self.resize(560, 460)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        self.fields = catalog.list_fields()
        self.table.setRowCount(len(self.fields))
        for row, field in enumerate(self.fields):
            for column, value in enumerate((field.code, field.name, str(field.sort_order))):
                self.table.setItem(row, column, QTableWidgetItem(value))
        codes = [f.code for f in self.fields]
        if select in codes:
            self.table.selectRow(codes.index(select))

    def _fill(self, row: int) -> None:
        if 0 <= row < len(self.fields):
            field = self.fields[row]
            self.code.setText(field.code)
            self.code.setReadOnly(True)
            self.name.setText(field.name)
            self.order.setValue(field.sort_order)
            self.error.clear()

    def new_field(self) -> None:
        self.table.clearSelection()
        self.code.setReadOnly(False)
        self.code.clear()
        self.name.clear()
        self.order.setValue(max((f.sort_order for f in self.fields), default=0) + 1)
        self.error.clear()
        self.code.setFocus()

    def save(self) -> Operation | None:
        """Save the field in the background; None when a save is already on its way."""
        if self.saving is not None:
            return None
        self.save_button.setEnabled(False)
        self.error.setText(_("Saving…"))
        self.saving = (Operation(self, catalog_edit.save_field, self.code.text(), self.name.text(),
                                 self.order.value(), by=self.ctx.actor, label="save field")
                       .on_success(self._saved).on_failure(self._save_failed).start())
        return self.saving

    def _saved(self, field) -> None:
        self.saving = None
        self.save_button.setEnabled(True)
        self.error.clear()
        self.changed = True
        self.reload(select=field.code)

    def _save_failed(self, exc: BaseException) -> None:
        self.saving = None
        self.save_button.setEnabled(True)
        self.error.setText(error_text(exc))


class CatalogView(QWidget):
    """The procedure catalog: list and filters on the left, the editor on the right."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.editable = ctx.can(Role.LEADER)
        self.procedures: list[ProcedureInfo] = []
        self.current: ProcedureInfo | None = None  # None while a new procedure is typed
        self.dirty = False
        self._loading = False
        self.problem_dialog: ImportProblemsDialog | None = None
        self.busy_work: Operation | None = None  # the running import or export
        self.saving: Operation | None = None  # the running save of the form
        self._import_path = self._export_path = Path()

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_editor())
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)
        splitter.setSizes([420, 650])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(splitter, 1)

        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.save)
        new = QShortcut(QKeySequence("Ctrl+N"), self)
        new.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new.activated.connect(self.new_procedure)
        revert = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.editor)
        revert.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        revert.activated.connect(self.revert)

        self._apply_role()
        self.reload_fields()
        self.refresh()
        if self.procedures:
            self.table.selectRow(0)
        else:
            self._clear_form()

    # -- building -------------------------------------------------------------------------------
    def _build_list(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 4, 0)
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(_("Search by name or code (accents optional)"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self.refresh())
        self.search.returnPressed.connect(self._focus_list)
        layout.addWidget(self.search)
        filters = QHBoxLayout()
        self.field_filter = QComboBox()
        self.field_filter.setObjectName("field_filter")
        self.field_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.show_inactive = QCheckBox(_("Show retired"))
        self.show_inactive.setObjectName("show_inactive")
        self.show_inactive.toggled.connect(lambda _b: self.refresh())
        filters.addWidget(self.field_filter, 1)
        filters.addWidget(self.show_inactive)
        layout.addLayout(filters)

        self.table = QTableWidget(0, 3)
        self.table.setObjectName("procedures")
        self.table.setHorizontalHeaderLabels([_("Code"), _("Procedure"), _("Processing time")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        present(self.table.verticalHeader()).setVisible(False)
        present(self.table.verticalHeader()).setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = present(self.table.horizontalHeader())
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.currentCellChanged.connect(self._row_changed)
        self.table.activated.connect(lambda _index: self.name.setFocus())  # Enter: go and edit it
        layout.addWidget(self.table, 1)
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        layout.addWidget(self.count_label)

        buttons = QHBoxLayout()
        self.new_button = QPushButton(_("New procedure (Ctrl+N)"))
        self.new_button.setObjectName("new_procedure")
        self.new_button.clicked.connect(self.new_procedure)
        self.fields_button = QPushButton(_("Fields…"))
        self.fields_button.setObjectName("edit_fields")
        self.fields_button.clicked.connect(self.edit_fields)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.fields_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        excel = QHBoxLayout()
        self.import_button = QPushButton(_("Import from Excel…"))
        self.import_button.setObjectName("import_excel")
        self.import_button.clicked.connect(self.choose_import_file)
        self.export_button = QPushButton(_("Export to Excel…"))
        self.export_button.setObjectName("export_excel")
        self.export_button.clicked.connect(self.choose_export_file)
        self.busy = QProgressBar()
        self.busy.setObjectName("busy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)
        self.busy.hide()
        excel.addWidget(self.import_button)
        excel.addWidget(self.export_button)
        excel.addWidget(self.busy)
        excel.addStretch(1)
        layout.addLayout(excel)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        return panel

    def _build_editor(self) -> QWidget:
        """The selected procedure's form (scrolling), its error line, Save and Undo."""
        self.editor = QWidget()
        self.editor.setObjectName("editor")
        self.editor.setStyleSheet('QLineEdit[readOnly="true"], QPlainTextEdit[readOnly="true"] '
                                  '{ background: #f2f2f2; }')
        self.title = QLabel()
        self.title.setObjectName("editor_title")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.title.setFont(font)
        form = self._build_form()
        actions = self._build_editor_actions()
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addWidget(self.title)
        inner.addLayout(form)
        inner.addStretch(1)
        outer = QVBoxLayout(self.editor)
        outer.setContentsMargins(4, 0, 0, 0)
        outer.addWidget(scrolling(body), 1)
        outer.addWidget(self.error)
        outer.addLayout(actions)
        self._watch_edits()
        return self.editor

    def _build_form(self) -> QFormLayout:
        """One row per attribute of a procedure; ``titles`` name them in the problems of a refused save."""
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.code = QLineEdit()
        self.code.setObjectName("code")
        self.code.setPlaceholderText(_("e.g. 1.001193"))
        self.name = QPlainTextEdit()
        self.name.setObjectName("name")
        self.name.setTabChangesFocus(True)
        self.name.setFixedHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.field = QComboBox()
        self.field.setObjectName("field")
        time_row, cutoff_row = self._build_time_rows()
        self.fee = QLineEdit()
        self.fee.setObjectName("fee")
        self.fee.setPlaceholderText(_("e.g. Miễn phí; 10.000 đồng/bản"))
        self.documents = DocumentsEditor()
        self.documents.setObjectName("documents")
        self.documents.set_tab_anchor(self.fee)
        self.online = QComboBox()
        self.online.setObjectName("online_level")
        for key, label in ONLINE_LEVELS:
            self.online.addItem(_(label), str(key))
        self.legal = QPlainTextEdit()
        self.legal.setObjectName("legal_basis")
        self.legal.setTabChangesFocus(True)
        self.legal.setPlaceholderText(_("One legal document per line"))
        self.legal.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.no_appointment = QCheckBox(_("Resolved the same day on the office's no-appointment weekday"))
        self.no_appointment.setObjectName("no_appointment_day")
        self.active = QCheckBox(_("In use (shown at intake)"))
        self.active.setObjectName("active")

        self.titles = {
            "code": _("Code"), "name": _("Name"), "field_code": _("Field"), "processing_days": _("Processing time"),
            "day_unit": _("Processing time"), "cutoff": _("Cut-off hour"), "fee": _("Fee"),
            "documents": _("Documents"), "online_level": _("Online submission"), "legal_basis": _("Legal basis"),
            "no_appointment_day": _("No-appointment day"), "active": _("In use"),
        }
        form.addRow(self.titles["code"], self.code)
        form.addRow(self.titles["name"], self.name)
        form.addRow(self.titles["field_code"], self.field)
        form.addRow(self.titles["processing_days"], time_row)
        form.addRow(self.titles["cutoff"], cutoff_row)
        form.addRow(self.titles["fee"], self.fee)
        documents_title = QLabel(self.titles["documents"])
        form.addRow(documents_title)
        form.addRow(self.documents)
        form.addRow(self.titles["online_level"], self.online)
        form.addRow(self.titles["legal_basis"], self.legal)
        form.addRow("", self.no_appointment)
        form.addRow("", self.active)
        return form

    def _build_time_rows(self) -> tuple[QHBoxLayout, QHBoxLayout]:
        """The processing time (days and their unit) and the same-day cut-off hour with its hint."""
        self.days = QSpinBox()
        self.days.setObjectName("processing_days")
        self.days.setRange(0, 365)
        self.days.setSpecialValueText(_("same day"))
        self.days.setMinimumWidth(110)
        self.day_unit = QComboBox()
        self.day_unit.setObjectName("day_unit")
        for key, label in DAY_UNITS:
            self.day_unit.addItem(_(label), str(key))  # the plain word: Qt's findData matches it
        time_row = QHBoxLayout()
        time_row.addWidget(self.days)
        time_row.addWidget(self.day_unit)
        time_row.addStretch(1)
        self.cutoff = QLineEdit()
        self.cutoff.setObjectName("cutoff")
        self.cutoff.setPlaceholderText("hh:mm")
        self.cutoff.setMaximumWidth(80)
        cutoff_row = QHBoxLayout()
        cutoff_row.addWidget(self.cutoff)
        cutoff_hint = QLabel(_("Same-day work received after this hour is due the next working day; "
                               "leave empty for none."))
        cutoff_hint.setWordWrap(True)
        cutoff_hint.setStyleSheet("color: #555")
        cutoff_row.addWidget(cutoff_hint, 1)
        return time_row, cutoff_row

    def _build_editor_actions(self) -> QHBoxLayout:
        """The error line (added by the caller), the role note, Undo and Save."""
        self.error = QLabel()
        self.error.setObjectName("form_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.role_note = QLabel(_("Only leaders and administrators can change the catalog."))
        self.role_note.setObjectName("role_note")
        self.role_note.setStyleSheet("color: #555")
        self.save_button = QPushButton(_("Save (Ctrl+S)"))
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton(_("Undo changes (Esc)"))
        self.revert_button.setObjectName("revert")
        self.revert_button.clicked.connect(self.revert)
        actions = QHBoxLayout()
        actions.addWidget(self.role_note)
        actions.addStretch(1)
        actions.addWidget(self.revert_button)
        actions.addWidget(self.save_button)
        return actions

    def _watch_edits(self) -> None:
        """Any edit marks the form changed."""
        for edit in (self.code, self.fee, self.cutoff):
            edit.textChanged.connect(self._mark_dirty)
        for text in (self.name, self.legal):
            text.textChanged.connect(self._mark_dirty)
        for combo in (self.field, self.day_unit, self.online):
            combo.currentIndexChanged.connect(self._mark_dirty)
        self.days.valueChanged.connect(self._mark_dirty)
        self.days.valueChanged.connect(self._update_time_widgets)
        for box in (self.no_appointment, self.active):
            box.toggled.connect(self._mark_dirty)
        self.documents.changed.connect(self._mark_dirty)

    def _inputs(self) -> dict[str, QWidget]:
        """Form widgets by the attribute names the service uses in ValidationError.problems."""
        return {"code": self.code, "name": self.name, "field_code": self.field, "processing_days": self.days,
                "day_unit": self.day_unit, "cutoff": self.cutoff, "fee": self.fee, "documents": self.documents,
                "online_level": self.online, "legal_basis": self.legal}

    def _apply_role(self) -> None:
        for widget in (self.code, self.fee, self.cutoff):
            widget.setReadOnly(not self.editable)
        for text in (self.name, self.legal):
            text.setReadOnly(not self.editable)
        for control in (self.field, self.days, self.day_unit, self.online, self.no_appointment, self.active,
                        self.save_button, self.revert_button, self.new_button, self.fields_button,
                        self.import_button, self.export_button):
            control.setEnabled(self.editable)
        self.documents.set_editable(self.editable)
        self.role_note.setVisible(not self.editable)

    # -- list -----------------------------------------------------------------------------------
    def activate(self) -> None:
        """Shown again: pick up catalog changes made elsewhere unless the form holds unsaved work."""
        if not self.dirty:
            self.reload_fields()
            self.refresh(keep=self.current.code if self.current else None)

    def reload_fields(self) -> None:
        fields = catalog.list_fields()
        chosen = self.field_filter.currentData()
        editing = self.field.currentData()
        self._loading = True
        try:
            self.field_filter.blockSignals(True)
            self.field_filter.clear()
            self.field_filter.addItem(_("All fields"), None)
            self.field.clear()
            for field in fields:
                self.field_filter.addItem(field.name, field.code)
                self.field.addItem(field.name, field.code)
            self.field_filter.setCurrentIndex(max(0, self.field_filter.findData(chosen)))
            self.field_filter.blockSignals(False)
            self.field.setCurrentIndex(max(0, self.field.findData(editing)))
        finally:
            self._loading = False

    def refresh(self, keep: str | None = None) -> None:
        """Fill the list from the filters; keeps the selected procedure selected when it is still listed."""
        keep = keep or (self.current.code if self.current else None)
        text = self.search.text().strip()
        field_code = self.field_filter.currentData()
        active_only = not self.show_inactive.isChecked()
        if text:
            found = catalog.search_procedures(text, limit=10_000, active_only=active_only)
            found = [p for p in found if not field_code or p.field_code == field_code]
        else:
            found = catalog.list_procedures(active_only=active_only, field_code=field_code)
        self.procedures = found
        self.table.blockSignals(True)
        self.table.setRowCount(len(found))
        retired = QBrush(QColor("#888888"))
        for row, procedure in enumerate(found):
            name = procedure.name if procedure.active else _("{name} (retired)").format(name=procedure.name)
            items = (QTableWidgetItem(procedure.code), QTableWidgetItem(name),
                     QTableWidgetItem(processing_time_label(procedure.processing_days, procedure.day_unit)))
            items[1].setToolTip(f"{procedure.name}\n{procedure.field_name}")
            items[2].setToolTip(processing_time_label(procedure.processing_days, procedure.day_unit, procedure.cutoff))
            for column, item in enumerate(items):
                if not procedure.active:
                    item.setForeground(retired)
                    font = QFont(item.font())
                    font.setItalic(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)
        codes = [p.code for p in found]
        if keep in codes:
            self.table.setCurrentCell(codes.index(keep), 0)
        else:
            self.table.clearSelection()
            self.table.setCurrentCell(-1, -1)
        self.table.blockSignals(False)
        self.count_label.setText(ngettext("{count} procedure", "{count} procedures", len(found)).format(count=len(found)))

    def _focus_list(self) -> None:
        if self.table.rowCount():
            if self.table.currentRow() < 0:
                self.table.selectRow(0)
            self.table.setFocus()

    def _row_changed(self, row: int, _column: int, previous_row: int, _previous_column: int) -> None:
        if not 0 <= row < len(self.procedures):
            return
        procedure = self.procedures[row]
        if self.current is not None and procedure.code == self.current.code and not self.dirty:
            return
        if self.dirty and not self._may_discard():
            self.table.blockSignals(True)
            self.table.setCurrentCell(previous_row, 0)
            self.table.blockSignals(False)
            return
        self.show_procedure(procedure)

    def _may_discard(self) -> bool:
        return confirm(self, _("Unsaved changes"),
                       _("The procedure you are editing has unsaved changes. Discard them?"))

    def select_procedure(self, code: str) -> bool:
        """Select ``code`` in the list (clearing filters if needed); True when it is shown in the editor."""
        codes = [p.code for p in self.procedures]
        if code not in codes:
            self.search.clear()
            self.field_filter.setCurrentIndex(0)
            self.show_inactive.setChecked(True)
            codes = [p.code for p in self.procedures]
        if code not in codes:
            return False
        self.table.setCurrentCell(codes.index(code), 0)
        return self.current is not None and self.current.code == code

    # -- form -----------------------------------------------------------------------------------
    def show_procedure(self, procedure: ProcedureInfo) -> None:
        self._loading = True
        try:
            self.current = procedure
            self.title.setText(_("{field} · procedure {code}").format(field=procedure.field_name,
                                                                       code=procedure.code))
            self.code.setText(procedure.code)
            self.code.setReadOnly(True)
            self.code.setToolTip(_("The code identifies the procedure; it cannot be changed."))
            self.name.setPlainText(procedure.name)
            index = self.field.findData(procedure.field_code)
            if index < 0:
                self.field.addItem(procedure.field_name, procedure.field_code)
                index = self.field.count() - 1
            self.field.setCurrentIndex(index)
            self.days.setValue(procedure.processing_days)
            self.day_unit.setCurrentIndex(max(0, self.day_unit.findData(str(procedure.day_unit))))
            self.cutoff.setText(procedure.cutoff or "")
            self.fee.setText(procedure.fee)
            self.fee.setCursorPosition(0)
            self.fee.setToolTip(procedure.fee)
            self.documents.set_documents(procedure.documents)
            self.online.setCurrentIndex(max(0, self.online.findData(str(procedure.online_level))))
            self.legal.setPlainText(procedure.legal_basis)
            self.no_appointment.setChecked(procedure.no_appointment_day)
            self.active.setChecked(procedure.active)
        finally:
            self._loading = False
        self._set_dirty(False)
        self._show_problems({})
        self._update_time_widgets()

    def _clear_form(self) -> None:
        self._loading = True
        try:
            self.current = None
            self.title.setText(_("New procedure"))
            self.code.clear()
            self.code.setReadOnly(not self.editable)
            self.code.setToolTip("")
            self.name.clear()
            filter_field = self.field_filter.currentData()
            self.field.setCurrentIndex(max(0, self.field.findData(filter_field)))
            self.days.setValue(0)
            self.day_unit.setCurrentIndex(0)
            self.cutoff.clear()
            self.fee.clear()
            self.documents.set_documents([])
            self.documents.add_row()
            self.online.setCurrentIndex(0)
            self.legal.clear()
            self.no_appointment.setChecked(False)
            self.active.setChecked(True)
        finally:
            self._loading = False
        self._set_dirty(False)
        self._show_problems({})
        self._update_time_widgets()

    def new_procedure(self) -> None:
        """Start a new procedure in the editor (Ctrl+N)."""
        if not self.editable or (self.dirty and not self._may_discard()):
            return
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setCurrentCell(-1, -1)
        self.table.blockSignals(False)
        self._clear_form()
        self.code.setFocus()

    def revert(self) -> None:
        """Escape: throw away the unsaved edits (after asking) and show the stored procedure again."""
        if not self.dirty or not self._may_discard():
            return
        if self.current is not None:
            self.show_procedure(catalog.get_procedure(self.current.code))
        else:
            self._clear_form()

    def _update_time_widgets(self) -> None:
        same_day = self.days.value() == 0
        self.day_unit.setEnabled(self.editable and not same_day)

    def _mark_dirty(self, *_args) -> None:
        if not self._loading:
            self._set_dirty(True)

    def _set_dirty(self, dirty: bool) -> None:
        self.dirty = dirty
        self.save_button.setEnabled(self.editable and (dirty or self.current is None))
        self.revert_button.setEnabled(self.editable and dirty)

    def form_values(self) -> dict:
        """What the form says, in the service's terms."""
        return {
            "code": self.code.text().strip(),
            "name": self.name.toPlainText().strip(),
            "field_code": self.field.currentData(),
            "processing_days": self.days.value(),
            "day_unit": self.day_unit.currentData(),
            "cutoff": self.cutoff.text().strip() or None,
            "fee": self.fee.text().strip(),
            "documents": self.documents.documents(),
            "online_level": self.online.currentData(),
            "legal_basis": self.legal.toPlainText(),
            "no_appointment_day": self.no_appointment.isChecked(),
            "active": self.active.isChecked(),
        }

    def save(self) -> Operation | None:
        """Ctrl+S: save the procedure in the background; on problems keep everything typed and point at
        the fields. None when nothing started (read-only, or a save already on its way)."""
        if not self.editable or self.saving is not None:
            return None
        creating = self.current is None
        self._set_saving(True)
        self.saving = (Operation(self, catalog_edit.save_procedure, by=self.ctx.actor, create=creating,
                                 label="save procedure", **self.form_values())
                       .on_success(self._saved).on_failure(self._save_failed).start())
        return self.saving

    def _set_saving(self, saving: bool) -> None:
        """While a save runs the form and the list stay as they are: what is being saved is on screen."""
        self.editor.setEnabled(not saving)
        self.table.setEnabled(not saving)
        if saving:
            self.status.setStyleSheet("")
            self.status.setText(_("Saving…"))
        elif self.status.text() == _("Saving…"):
            self.status.clear()

    def _save_failed(self, exc: BaseException) -> None:
        self.saving = None
        self._set_saving(False)
        if isinstance(exc, ValidationError):
            self._show_problems(exc.problems)
        else:
            self._show_problems({"": error_text(exc)})

    def _saved(self, saved: ProcedureInfo) -> None:
        self.saving = None
        self._set_saving(False)
        self._show_problems({})
        self.current = saved
        self._set_dirty(False)
        self.refresh(keep=saved.code)
        if saved.code not in [p.code for p in self.procedures]:
            self.select_procedure(saved.code)
        self.show_procedure(saved)
        self.status.setStyleSheet(OK_STYLE)
        self.status.setText(_("Saved {code}.").format(code=saved.code))
        self.ctx.bus.catalog_changed.emit()

    def _show_problems(self, problems: dict[str, str]) -> None:
        inputs = self._inputs()
        for key, widget in inputs.items():
            widget.setStyleSheet(INVALID_STYLE if key in problems and key != "documents" else "")
        lines = []
        for key, message in problems.items():
            title = self.titles.get(key, "")
            lines.append(f"{title}: {message}" if title else message)
        self.error.setText("\n".join(lines))
        for key in problems:
            if key in inputs:
                inputs[key].setFocus()
                break

    # -- fields -----------------------------------------------------------------------------
    def edit_fields(self) -> None:
        dialog = FieldsDialog(self.ctx, self)
        dialog.exec()
        if dialog.changed:
            self.reload_fields()
            self.refresh()
            self.ctx.bus.catalog_changed.emit()

    # -- Excel ------------------------------------------------------------------------------
    def choose_import_file(self) -> None:
        path = files.open_file(self, _("Import the catalog from Excel"), _("Excel workbooks (*.xlsx)"))
        if path is not None:
            self.import_file(path)

    def choose_export_file(self) -> None:
        path = files.save_file(self, _("Export the catalog to Excel"), _("Excel workbooks (*.xlsx)"),
                               f"danh-muc-tthc-{self.ctx.clock.today():%Y%m%d}.xlsx", suffix=".xlsx")
        if path is not None:
            self.export_file(path)

    def _start(self, message: str, fn, *args, label: str) -> Operation:
        self.busy.show()
        for button in (self.import_button, self.export_button):
            button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(message)
        op = Operation(self, fn, *args, by=self.ctx.actor, label=label)
        self.busy_work = op
        return op

    def _stop(self) -> None:
        self.busy.hide()
        self.busy_work = None
        for button in (self.import_button, self.export_button):
            button.setEnabled(self.editable)

    def import_file(self, path: str | Path) -> Operation:
        """Import in the background; the list reloads when it is done, a refusal lists every problem."""
        path = Path(path)
        self._import_path = path
        op = self._start(_("Importing {name}…").format(name=path.name), catalog_edit.import_catalog, path,
                         label="import catalog")
        return op.on_success(self._import_done).on_failure(self._import_failed).start()

    def _import_done(self, summary: catalog.ImportSummary) -> None:
        self._stop()
        self.status.setStyleSheet(OK_STYLE)
        self.status.setText(_("Imported: {created} new, {updated} changed and {unchanged} unchanged procedures; "
                              "{fields} new fields.").format(
            created=summary.procedures_created, updated=summary.procedures_updated,
            unchanged=summary.procedures_unchanged, fields=summary.fields_created))
        self.reload_fields()
        keep = self.current.code if self.current else None
        self.refresh(keep=keep)
        if keep and not self.dirty:
            self.show_procedure(catalog.get_procedure(keep))
        if summary.changed:
            self.ctx.bus.catalog_changed.emit()

    def _import_failed(self, exc: BaseException) -> None:
        path = self._import_path
        self._stop()
        self.status.setStyleSheet(ERROR_STYLE)
        if isinstance(exc, CatalogImportError):
            self.status.setText(ngettext("Nothing was imported: the file has {count} problem.",
                                         "Nothing was imported: the file has {count} problems.", len(exc.issues)).format(
                count=len(exc.issues)))
            self.problem_dialog = ImportProblemsDialog(path.name, exc.issues, self)
            self.problem_dialog.open()
        else:
            self.status.setText(error_text(exc))

    def export_file(self, path: str | Path) -> Operation:
        path = Path(path)
        self._export_path = path
        op = self._start(_("Exporting to {name}…").format(name=path.name), catalog_edit.export_catalog, path,
                         label="export catalog")
        return op.on_success(self._export_done).on_failure(self._export_failed).start()

    def _export_done(self, count: int) -> None:
        path = self._export_path
        self._stop()
        self.status.setStyleSheet(OK_STYLE)
        self.status.setText(ngettext("Exported {count} procedure to {path}", "Exported {count} procedures to {path}",
                                     count).format(count=count, path=str(path)))

    def _export_failed(self, exc: BaseException) -> None:
        self._stop()
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(error_text(exc))
