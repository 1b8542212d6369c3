"""The office set-up wizard: who the office is, before its first dossier (D27).

Shown at the first start right after the administrator's password, and from the intake screen while
the office is not set up. Nothing is prefilled from the sample ward: name, superior authority and the
identifier code are typed by the person; suggestions only start the typing. Finish saves through
``office.set_up_office`` in the background; Cancel leaves the office not set up (the intake says so).
Everything stays editable under Settings → Office and Reception points.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from desk.errors import DeskError, ValidationError
from desk.i18n import _
from desk.services import office
from desk.services.accounts import Actor
from desk.services.clock import Clock
from desk.services.office import DEFAULT_HOURS, OfficeSettings, PointSpec
from desk.views.common import error_text, resize_within_screen
from desk.views.ops import Operation
from desk.views.settings import POINT_KINDS, WeekdayPicker

# Starts of the typing, never a whole name: since 1 July 2025 communes and wards answer to the province.
NAME_SUGGESTIONS = ("UBND xã ", "UBND phường ", "UBND đặc khu ", "Trung tâm Phục vụ hành chính công xã ",
                    "Trung tâm Phục vụ hành chính công phường ")
PARENT_SUGGESTIONS = ("UBND TỈNH ", "UBND THÀNH PHỐ ", "UBND XÃ ", "UBND PHƯỜNG ")
ERROR_STYLE = "color: #b00020;"


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet("color: #555;")
    return label


def _with_note(widget: QWidget, text: str) -> QWidget:
    """An input with its explanation right under it (a wrapped label as its own form row gets odd gaps)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(3)
    layout.addWidget(widget)
    layout.addWidget(_note(text))
    return box


def _suggesting(name: str, suggestions: tuple[str, ...], placeholder: str) -> QComboBox:
    """An editable field that starts empty; its list offers the beginnings of usual names."""
    box = QComboBox()
    box.setObjectName(name)
    box.setEditable(True)
    box.addItems(suggestions)
    box.setCurrentIndex(-1)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    line = box.lineEdit()
    assert line is not None
    line.setPlaceholderText(placeholder)
    line.clear()
    return box


class _IntroPage(QWizardPage):
    def __init__(self, status: office.OfficeStatus | None):
        super().__init__()
        self.setTitle(_("Set up the office"))
        self.setSubTitle(_("Name, superior authority and identifier code of the office."))
        layout = QVBoxLayout(self)
        layout.addWidget(_note(_(
            "Before the first dossier the program needs to know which office it serves: its name, its superior "
            "authority and its identifier code are printed on every receipt and slip, and the code begins every "
            "dossier code. It takes a minute; everything can be changed later under Settings → Office.")))
        if status is not None and status.dossiers and status.settings.code:
            layout.addWidget(_note(_(
                "This database already holds {count} dossiers received under the code {code}; they keep their "
                "codes. Give the office's real identity (the same values if they are right).").format(
                count=status.dossiers, code=status.settings.code)))
        layout.addStretch(1)


class _IdentityPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle(_("Who the office is"))
        self.setSubTitle(_("As it appears at the top left of official documents."))
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        form.setVerticalSpacing(8)
        self.parent_name = _suggesting("wizard_parent", PARENT_SUGGESTIONS, "UBND TỈNH …")
        self.name = _suggesting("wizard_name", NAME_SUGGESTIONS, "UBND xã/phường …")
        self.code = QLineEdit()
        self.code.setObjectName("wizard_code")
        self.code.setPlaceholderText(office.CODE_EXAMPLE)
        self.place = QLineEdit()
        self.place.setObjectName("wizard_place")
        self.place.setPlaceholderText(_("e.g. the province's name"))
        form.addRow(_("Superior authority"), _with_note(self.parent_name, _(
            "The first header line. Since 1 July 2025 communes and wards answer to the province: usually "
            "“UBND TỈNH …”. When the desk is the commune's Trung tâm Phục vụ hành chính công, its superior is the "
            "commune's People's Committee. May stay empty.")))
        form.addRow(_("Office name"), self.name)
        form.addRow(_("Identifier code"), _with_note(self.code, _(
            "The code of Decision 20/2020/QĐ-TTg given to the office (at most 35 characters: 0-9, A-Z and dots), "
            "as the province's system shows it; it begins every dossier code.")))
        form.addRow(_("Place name on documents"), self.place)
        self.problem = QLabel()
        self.problem.setObjectName("wizard_identity_problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        form.addRow(self.problem)

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        problems = []
        if not self.name.currentText().strip():
            problems.append(_("The office name is required"))
        try:
            self.code.setText(office.check_office_code(self.code.text()))
        except ValidationError as exc:
            problems.append(str(exc))
        self.problem.setText("\n".join(problems))
        return not problems


class _ContactPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle(_("Address, phone and office hours"))
        self.setSubTitle(_("Office hours decide the due times; everything here can be changed later."))
        outer = QVBoxLayout(self)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        form.setVerticalSpacing(8)
        self.address = QLineEdit()
        self.address.setObjectName("wizard_address")
        self.phone = QLineEdit()
        self.phone.setObjectName("wizard_phone")
        self.hours = QLineEdit(DEFAULT_HOURS)
        self.hours.setObjectName("wizard_hours")
        self.weekdays = WeekdayPicker("wizard_no_appointment")
        self.weekdays.set_value("2")
        form.addRow(_("Address"), self.address)
        form.addRow(_("Phone"), self.phone)
        form.addRow(_("Office hours"), _with_note(self.hours, _(
            "Periods separated by commas, e.g. 07:30-11:30,13:30-17:00.")))
        form.addRow(_("No-appointment weekdays"), _with_note(self.weekdays, _(
            "On these weekdays the procedures marked “no-appointment day” in the catalog are resolved the same day "
            "when the dossier is complete. Untick all for none.")))
        self.problem = QLabel()
        self.problem.setObjectName("wizard_contact_problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        form.addRow(self.problem)

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        try:
            self.hours.setText(office.format_hours(office.parse_hours(self.hours.text())))
        except ValidationError as exc:
            self.problem.setText(str(exc))
            return False
        self.problem.clear()
        return True


class _PointsPage(QWizardPage):
    def __init__(self, identity: _IdentityPage, contact: _ContactPage):
        super().__init__()
        columns = (_("Name"), _("Kind"), _("Address"), _("Open on"), _("Hours"))
        self.identity, self.contact = identity, contact
        self.setTitle(_("Reception points"))
        self.setSubTitle(_("Where dossiers are received and results returned."))
        layout = QVBoxLayout(self)
        self.one = QRadioButton()
        self.one.setObjectName("wizard_one_point")
        self.many = QRadioButton(_("List the points (the office's desk, neighbourhood e-points, postal service):"))
        self.many.setObjectName("wizard_many_points")
        group = QButtonGroup(self)
        group.addButton(self.one)
        group.addButton(self.many)
        self.one.setChecked(True)
        layout.addWidget(self.one)
        layout.addWidget(self.many)
        self.table = QTableWidget(0, len(columns))
        self.table.setObjectName("wizard_points")
        self.table.setHorizontalHeaderLabels(list(columns))
        header = self.table.horizontalHeader()
        assert header is not None
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((250, 215, 200, 110)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add = QPushButton(_("Add a point"))
        self.add.setObjectName("wizard_add_point")
        self.remove = QPushButton(_("Remove the point"))
        self.remove.setObjectName("wizard_remove_point")
        self.add.clicked.connect(lambda: self.add_row())
        self.remove.clicked.connect(self._remove_row)
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(_note(_("Open on: weekdays, 0 = Monday … 6 = Sunday. More points can be added, changed or "
                                 "closed later under Settings → Reception points.")))
        self.problem = QLabel()
        self.problem.setObjectName("wizard_points_problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.problem)
        self.one.toggled.connect(self._enable)
        self._enable()

    def initializePage(self) -> None:  # noqa: N802 - Qt's name
        name = self.main_name()
        self.one.setText(_("One reception point, the office's own desk: “{name}”").format(name=name))
        if self.table.rowCount() == 0:
            self.add_row(name, "office", self.contact.address.text(), "0,1,2,3,4", self.contact.hours.text())

    def main_name(self) -> str:
        return office.main_point_name(self.identity.name.currentText())

    def _enable(self) -> None:
        for widget in (self.table, self.add, self.remove):
            widget.setEnabled(self.many.isChecked())

    def add_row(self, name: str = "", kind: str = "e_point", address: str = "", weekdays: str = "0,1,2,3,4",
                hours: str = "") -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(name))
        kinds = QComboBox()
        for key, label in POINT_KINDS:
            kinds.addItem(_(label), key)
        kinds.setCurrentIndex(max(0, kinds.findData(kind)))
        self.table.setCellWidget(row, 1, kinds)
        self.table.setItem(row, 2, QTableWidgetItem(address))
        self.table.setItem(row, 3, QTableWidgetItem(weekdays))
        self.table.setItem(row, 4, QTableWidgetItem(hours or self.contact.hours.text() or DEFAULT_HOURS))

    def _remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)

    def points(self) -> list[PointSpec] | None:
        """None: the one main point; otherwise the rows as typed (the service checks them)."""
        if self.one.isChecked():
            return [PointSpec(self.main_name(), "office", self.contact.address.text(), "0,1,2,3,4",
                              self.contact.hours.text())]

        def text(row: int, column: int) -> str:
            item = self.table.item(row, column)
            return item.text() if item is not None else ""

        specs = []
        for row in range(self.table.rowCount()):
            kinds = self.table.cellWidget(row, 1)
            kind = kinds.currentData() if isinstance(kinds, QComboBox) else "office"
            if any(text(row, c).strip() for c in (0, 2)):
                specs.append(PointSpec(text(row, 0), kind, text(row, 2), text(row, 3), text(row, 4)))
        return specs

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        if self.many.isChecked() and not self.points():
            self.problem.setText(_("List at least one reception point, or keep the office's own desk."))
            return False
        self.problem.clear()
        return True


class _FinishPage(QWizardPage):
    def __init__(self):
        super().__init__()
        self.setTitle(_("Check and finish"))
        self.setSubTitle(_("Nothing is saved until Finish."))
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("wizard_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)
        self.message = QLabel()
        self.message.setObjectName("wizard_message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(_note(_("Finish saves the office; dossiers can then be received. Cancel leaves the office "
                                 "not set up: nothing can be received until it is.")))


class OfficeWizard(QWizard):
    """The pages above; ``accept`` (Finish) saves in the background and closes only once it is saved."""

    def __init__(self, actor: Actor, parent: QWidget | None = None, *, clock: Clock | None = None):
        super().__init__(parent)
        self.actor = actor
        self.clock = clock  # the program's clock: the office's set-up time
        self.saving: Operation | None = None
        self.saved: OfficeSettings | None = None
        self.setObjectName("office_wizard")
        self.setWindowTitle(_("Set up the office"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        try:
            status: office.OfficeStatus | None = office.office_status()
        except DeskError:
            status = None
        self.status = status
        self.intro = _IntroPage(status)
        self.identity = _IdentityPage()
        self.contact = _ContactPage()
        self.points_page = _PointsPage(self.identity, self.contact)
        self.finish = _FinishPage()
        for page in (self.intro, self.identity, self.contact, self.points_page, self.finish):
            self.addPage(page)
        self.currentIdChanged.connect(self._page_changed)
        resize_within_screen(self, 1000, 620)  # a 1366×728 desktop; less on a small laptop at 125 %

    def settings(self) -> OfficeSettings:
        return OfficeSettings(
            code=self.identity.code.text(), name=self.identity.name.currentText(),
            parent_name=self.identity.parent_name.currentText(), address=self.contact.address.text(),
            place_name=self.identity.place.text(), phone=self.contact.phone.text(), hours=self.contact.hours.text(),
            no_appointment_weekdays=self.contact.weekdays.value())

    def _page_changed(self, _id: int) -> None:
        if self.currentPage() is not self.finish:
            return
        s = self.settings()
        points = self.points_page.points() or []
        weekdays = ", ".join(box.text() for box in self.contact.weekdays.boxes if box.isChecked()) or "—"
        lines = [f"{_('Superior authority')}: {s.parent_name.strip() or '—'}", f"{_('Office name')}: {s.name}",
                 f"{_('Identifier code')}: {s.code}", f"{_('Place name on documents')}: {s.place_name or '—'}",
                 f"{_('Address')}: {s.address or '—'}", f"{_('Phone')}: {s.phone or '—'}",
                 f"{_('Office hours')}: {s.hours}", f"{_('No-appointment weekdays')}: {weekdays}",
                 f"{_('Reception points')}: " + "; ".join(p.name for p in points)]
        self.finish.summary.setText("\n".join(lines))

    def accept(self) -> None:
        """Finish: save off the UI thread; the wizard closes when the office is set up."""
        if self.saving is not None:
            return
        self.finish.message.setStyleSheet("")
        self.finish.message.setText(_("Saving…"))
        self._finish_enabled(False)
        self.saving = (Operation(self, office.set_up_office, self.settings(), self.points_page.points(),
                                 by=self.actor, clock=self.clock, label="set up the office")
                       .on_success(self._saved).on_failure(self._failed).start())

    def _finish_enabled(self, enabled: bool) -> None:
        button = self.button(QWizard.WizardButton.FinishButton)
        if button is not None:
            button.setEnabled(enabled)

    def _saved(self, saved: OfficeSettings) -> None:
        self.saving = None
        self.saved = saved
        super().accept()

    def _failed(self, exc: BaseException) -> None:
        self.saving = None
        self._finish_enabled(True)
        self.finish.message.setStyleSheet(ERROR_STYLE)
        self.finish.message.setText(error_text(exc))


def run_office_wizard(actor: Actor, parent: QWidget | None = None, *,
                      clock: Clock | None = None) -> OfficeSettings | None:
    """Show the wizard; the saved settings, or None when it was cancelled."""
    wizard = OfficeWizard(actor, parent, clock=clock)
    wizard.exec()
    return wizard.saved
