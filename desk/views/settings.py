"""Settings screen: this desk, its printer, the office, reception points, staff accounts and one's own password.

Desk-local choices (reception point, language, camera, scanner folder, database, printer) go to the settings
file of this machine; everything else is office-wide and lives in the database, changed through the
services, which let only leaders and administrators change it. Clerks see the office and its
points read-only and can change their own password.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk.config import PAPERS
from desk.errors import DeskError, PermissionDenied, ValidationError
from desk.hardware import printing
from desk.hardware.scan_folder import ATTACHED_FOLDER, check_folder
from desk.i18n import N_, _
from desk.redaction import redact
from desk.services import accounts, office
from desk.services.kinds import ROLE_LABELS, Role
from desk.services.office import OfficeSettings, PointInfo
from desk.views.common import error_text, present, push_button, word_label
from desk.views.context import AppContext
from desk.views.files import choose_folder
from desk.views.ops import Operation
from desk.views.session import MAX_IDLE_MINUTES, idle_minutes

ERROR_STYLE = "color: #b00020"
OK_STYLE = "color: #1b5e20"
NOTE_STYLE = "color: #555"
INVALID_STYLE = "border: 1px solid #b00020; border-radius: 2px;"

WEEKDAY_SHORT = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
POINT_KINDS = (("office", N_("Office desk")), ("e_point", N_("Neighbourhood e-point")),
               ("postal", N_("Postal service")))
LANGUAGES = (("vi", "Tiếng Việt"), ("en", "English"))


def weekdays_text(days: Iterable[int]) -> str:
    """(0, 1, 2, 3, 4) → "T2, T3, T4, T5, T6"."""
    return ", ".join(_(WEEKDAY_SHORT[day]) for day in sorted(days))


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(NOTE_STYLE)
    return label


def _field(widget: QWidget, *notes: QLabel) -> QVBoxLayout:
    """An input with its explanation right under it (a wrapped label as its own form row gets odd gaps)."""
    box = QVBoxLayout()
    box.setSpacing(2)
    box.addWidget(widget)
    for note in notes:
        box.addWidget(note)
    return box


def _message_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _say(label: QLabel, text: str, ok: bool) -> None:
    label.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
    label.setText(text)


def _show_problems(label: QLabel, widgets: dict[str, QWidget], titles: dict[str, str],
                   problems: dict[str, str]) -> None:
    """Problems next to the form: the offending inputs framed in red, one line per problem."""
    for key, widget in widgets.items():
        widget.setStyleSheet(INVALID_STYLE if key in problems else "")
    lines = [f"{titles[key]}: {message}" if key in titles else message for key, message in problems.items()]
    _say(label, "\n".join(lines), ok=not problems)
    for key in problems:
        if key in widgets:
            widgets[key].setFocus()
            break


def _save_point(point_id: int | None, active: bool, values: dict, *, by: accounts.Actor) -> PointInfo:
    """Runs on a worker thread: add the point (closed at once when so asked) or update it."""
    if point_id is None:
        saved = office.add_point(by=by, **values)
        if not active:
            saved = office.update_point(saved.id, active=False, by=by)
        return saved
    return office.update_point(point_id, active=active, by=by, **values)


def _save_staff(person: accounts.StaffInfo | None, username: str, full_name: str, role: str, active: bool,
                password: str, *, by: accounts.Actor) -> str:
    """Runs on a worker thread: create the account, or save the changed name, role and state. The user name."""
    if person is None:
        created = accounts.create_staff(username, full_name, role, password, by=by)
        # The leader knows this password: the person must choose their own at the first log-in.
        accounts.change_password(by, password, username=created.username)
        return created.username
    changes: dict[str, Any] = {}  # update_staff's keywords: only what changed
    if full_name.strip() != person.full_name:
        changes["full_name"] = full_name
    if role != person.role:
        changes["role"] = role
    if active != person.active:
        changes["active"] = active
    accounts.update_staff(person.username, by=by, **changes)
    return person.username


class _WrongCurrentPassword(PermissionDenied):
    """The log-in check of the current password refused it."""


def _change_own_password(actor: accounts.Actor, current: str, new: str) -> None:
    """Runs on a worker thread: check the current password, then set the new one."""
    try:
        accounts.login(actor.username, current)
    except PermissionDenied as exc:
        raise _WrongCurrentPassword(str(exc)) from exc
    accounts.change_password(actor, new)


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    present(table.verticalHeader()).setVisible(False)
    return table


def _fill_and_select(table: QTableWidget, rows: Sequence[tuple[str, ...]], keys: list, select: object,
                     show_row: Callable[[int], None]) -> None:
    """Fill a read-only list table, then select the row whose key is ``select`` (else the first)."""
    table.blockSignals(True)
    table.setRowCount(len(rows))
    for row, values in enumerate(rows):
        for column, value in enumerate(values):
            table.setItem(row, column, QTableWidgetItem(value))
    table.blockSignals(False)
    if keys:
        row = keys.index(select) if select in keys else 0
        table.selectRow(row)
        show_row(row)

class WeekdayPicker(QWidget):
    """Seven checkboxes, Monday first; value() is the stored "0,1,2" form."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[QCheckBox] = []
        for index, label in enumerate(WEEKDAY_SHORT):
            box = QCheckBox(_(label))
            box.setObjectName(f"{name}_{index}")
            self.boxes.append(box)
            layout.addWidget(box)
        layout.addStretch(1)

    def value(self) -> str:
        return office.format_weekdays(i for i, box in enumerate(self.boxes) if box.isChecked())

    def set_value(self, text: str) -> None:
        chosen = office.parse_weekdays(text, lenient=True)
        for index, box in enumerate(self.boxes):
            box.setChecked(index in chosen)

    def set_editable(self, editable: bool) -> None:
        for box in self.boxes:
            box.setEnabled(editable)


class FormTab(QWidget):
    """A settings tab: a form, the message line under it and a row of buttons, with one way to report.

    A save runs in the background through :meth:`start_save` (the button waits, the message says so, a
    second press does nothing); a refused one frames the offending inputs in red through
    :meth:`show_problems`. Subclasses fill ``inputs`` and ``titles`` (key → widget, key → caption).
    """

    def __init__(self, ctx: AppContext, message_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.saving: Operation | None = None  # the save on its way
        self.inputs: dict[str, QWidget] = {}
        self.titles: dict[str, str] = {}
        self.body = QVBoxLayout(self)
        self.message = _message_label(message_name)

    @staticmethod
    def new_form() -> QFormLayout:
        form = QFormLayout()
        form.setVerticalSpacing(9)
        return form

    def add_list(self, name: str, headers: list[str], *, stretch: int,
                 on_row: Callable[[int], None]) -> QTableWidget:
        """The tab's list above its form: columns fit their contents but ``stretch``, which takes the rest;
        the row made current goes to ``on_row``."""
        table = _table(name, headers)
        header = present(table.horizontalHeader())
        for column in range(len(headers)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        table.currentCellChanged.connect(lambda row, *_a: on_row(row))
        self.body.addWidget(table, 1)
        return table

    def add_form(self, form: QFormLayout, buttons: list[QPushButton], *, note: str = "",
                 stretch: bool = True) -> None:
        """The form, the message line and the buttons (right-aligned, after ``note``), in that order."""
        self.body.addLayout(form)
        self.body.addWidget(self.message)
        row = QHBoxLayout()
        if note:
            row.addWidget(_note(note))
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        self.body.addLayout(row)
        if stretch:
            self.body.addStretch(1)

    def say(self, text: str, ok: bool) -> None:
        _say(self.message, text, ok)

    def show_problems(self, problems: dict[str, str]) -> None:
        _show_problems(self.message, self.inputs, self.titles, problems)

    def start_save(self, button: QPushButton, fn: Callable, *args: object, label: str, success: Callable,
                   failure: Callable | None = None, **kwargs: object) -> Operation | None:
        """One save, in the background; None when one is on its way. A failure goes to :meth:`refused`
        unless ``failure`` is given."""
        if self.saving is not None:
            return None
        enabled = button.isEnabled()
        button.setEnabled(False)
        self.message.setStyleSheet(NOTE_STYLE)
        self.message.setText(_("Saving…"))
        on_failure = failure or self.refused

        def finish() -> None:
            self.saving = None
            button.setEnabled(enabled)

        def succeeded(result: object) -> None:
            finish()
            success(result)

        def failed(exc: BaseException) -> None:
            finish()
            on_failure(exc)

        self.saving = (Operation(self, fn, *args, label=label, **kwargs)
                       .on_success(succeeded).on_failure(failed).start())
        return self.saving

    def refused(self, exc: BaseException) -> None:
        """A refused save: the problems next to the form (everything typed stays), or the one message."""
        if isinstance(exc, ValidationError):
            self.show_problems(exc.problems)
        else:
            self.say(error_text(exc), ok=False)


class DeskTab(FormTab):
    """This machine: its reception point, language, camera and database."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, "desk_message", parent)
        self._saved_point = ctx.settings.reception_point
        form = self.new_form()
        self._add_place_rows(form)
        self._add_queue_rows(form)
        self._add_database_rows(form)
        self.save_button = push_button(_("Save"), "save_desk", self.save)
        self.add_form(form, [self.save_button])
        if not ctx.can(Role.LEADER):
            self.database_url.setReadOnly(True)
            self.database_url.setToolTip(_("Only leaders and administrators can change the database."))
        self.reload()

    def _add_place_rows(self, form: QFormLayout) -> None:
        """Where the desk stands and how it behaves: point, language, camera, backups, idle lock."""
        self.point = QComboBox()
        self.point.setObjectName("reception_point")
        form.addRow(_("Reception point of this desk"), _field(self.point, _note(
            _("Dossiers received at this desk are recorded as received at this point."))))
        self.language = QComboBox()
        self.language.setObjectName("language")
        for code, label in LANGUAGES:
            self.language.addItem(label, code)
        form.addRow(_("Language"), _field(self.language, _note(
            _("A new language takes effect the next time the program starts."))))
        self.camera = QLineEdit()
        self.camera.setObjectName("camera")
        self.camera.setPlaceholderText(_("e.g. 0 for the first webcam"))
        form.addRow(_("Camera"), self.camera)
        self._add_scan_folder_row(form)
        self.keep_days = QSpinBox()
        self.keep_days.setObjectName("backup_keep_days")
        self.keep_days.setRange(1, 3650)
        self.keep_days.setSuffix(_(" days"))
        form.addRow(_("Keep daily backups for"), _field(self.keep_days, _note(
            _("Each day the first start of the program copies the database to the backups folder of this "
              "computer; older copies are deleted."))))
        self.idle_lock = QSpinBox()
        self.idle_lock.setObjectName("idle_lock_minutes")
        self.idle_lock.setRange(0, MAX_IDLE_MINUTES)
        self.idle_lock.setSuffix(_(" minutes"))
        self.idle_lock.setSpecialValueText(_("Never lock"))
        form.addRow(_("Lock the screen after"), _field(self.idle_lock, _note(
            _("Without keyboard or mouse use for this long the screen locks; the clerk's password opens it."))))

    def _add_scan_folder_row(self, form: QFormLayout) -> None:
        """The folder this desk's scanner saves into (D47): typed or chosen, checked when saved."""
        self.scan_folder = QLineEdit()
        self.scan_folder.setObjectName("scan_folder")
        self.scan_folder.setPlaceholderText(_("Empty: no scanner folder"))
        choose = push_button(_("Choose…"), "choose_scan_folder", self._choose_scan_folder)
        choose.setAutoDefault(False)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.scan_folder, 1)
        row.addWidget(choose)
        line = QWidget()
        line.setLayout(row)
        form.addRow(_("Scanner folder"), _field(line, _note(
            _("New files the scanner saves here are offered on the scanner tab of an open dossier; once "
              "attached they move to its sub-folder “{folder}”.").format(folder=ATTACHED_FOLDER))))
        self.inputs["scan_folder"] = self.scan_folder

    def _choose_scan_folder(self) -> None:
        chosen = choose_folder(self, _("The scanner's folder"), self.scan_folder.text().strip() or None)
        if chosen is not None:
            self.scan_folder.setText(str(chosen))
    def _add_queue_rows(self, form: QFormLayout) -> None:
        """The waiting room on this machine (D50): the counter it calls to; the kiosk's paper; the display's sound."""
        self.queue_counter = QSpinBox()
        self.queue_counter.setObjectName("queue_counter")
        self.queue_counter.setRange(1, 99)
        self.ticket_paper = QComboBox()
        self.ticket_paper.setObjectName("ticket_paper")
        for paper, label in (("80mm", _("80 mm receipt roll")), ("A6", "A6")):
            self.ticket_paper.addItem(label, paper)
        self.queue_sound = QCheckBox(_("Calling display: chime and voice"))
        self.queue_sound.setObjectName("queue_sound")
        row = QHBoxLayout()
        row.addWidget(self.queue_counter)
        row.addWidget(QLabel(_("Ticket paper")))
        row.addWidget(self.ticket_paper)
        row.addWidget(self.queue_sound, 1)
        form.addRow(_("Counter number"), row)

    def _add_database_rows(self, form: QFormLayout) -> None:
        """The database in use and the address for the next start (with the environment's override)."""
        self.database_shown = QLabel(self.ctx.database_label or _("(unknown)"))
        self.database_shown.setObjectName("database_label")
        self.database_shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.database_shown.setWordWrap(True)
        form.addRow(_("Database in use"), self.database_shown)
        self.database_url = QLineEdit()
        self.database_url.setObjectName("database_url")
        self.database_url.setPlaceholderText(_("Empty: the default database file of this computer"))
        note = _("sqlite:///path/to/file.db for one desk, or postgresql://user:password@server/database for "
                 "several desks sharing one database. The change takes effect after a restart. When the "
                 "DESK_DATABASE_URL environment variable is set, it is used instead of this setting.")
        notes = [_note(note)]
        if os.environ.get("DESK_DATABASE_URL"):
            warning = QLabel(_("DESK_DATABASE_URL is set on this computer, so this setting is not used now."))
            warning.setObjectName("env_warning")
            warning.setWordWrap(True)
            warning.setStyleSheet(ERROR_STYLE)
            notes.append(warning)
        form.addRow(_("Database address"), _field(self.database_url, *notes))

    def reload_points(self, chosen: str | None = None) -> None:
        """The office's open points; keeps ``chosen`` (default: the one picked now) selected.

        A choice the person has not changed follows the settings (e.g. after the point was renamed).
        """
        if chosen is None:
            picked = self.point.currentData()
            chosen = self.ctx.settings.reception_point if picked == self._saved_point else picked
        self._saved_point = self.ctx.settings.reception_point
        self.point.clear()
        self.point.addItem(_("(not chosen)"), "")
        try:
            points = office.points_overview(include_inactive=False)
        except DeskError as exc:
            points = []
            self.say(error_text(exc), ok=False)
        for point in points:
            self.point.addItem(point.name, point.name)
        if chosen and self.point.findData(chosen) < 0:
            self.point.addItem(_("{name} (no longer active)").format(name=chosen), chosen)
        self.point.setCurrentIndex(max(0, self.point.findData(chosen or "")))

    def reload(self) -> None:
        settings = self.ctx.settings
        self.reload_points(settings.reception_point)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language or "vi")))
        self.camera.setText(settings.camera)
        self.scan_folder.setText(settings.scan_folder)
        self.scan_folder.setStyleSheet("")
        self.keep_days.setValue(settings.keep_days)
        self.idle_lock.setValue(idle_minutes(settings))
        self.queue_counter.setValue(settings.queue_counter)
        self.ticket_paper.setCurrentIndex(max(0, self.ticket_paper.findData(settings.ticket_paper)))
        self.queue_sound.setChecked(settings.queue_sound)
        self._shown_url = redact(settings.database_url)
        self.database_url.setText(self._shown_url)

    def save(self) -> bool:
        settings = self.ctx.settings
        url = self.database_url.text().strip()
        changed_url = url != self._shown_url
        if changed_url and url and not re.match(r"^(sqlite:///.+|postgres(ql)?://.+)$", url):
            self.database_url.setStyleSheet(INVALID_STYLE)
            self.say(_("The database address must start with sqlite:/// or postgresql://"), ok=False)
            self.database_url.setFocus()
            return False
        self.database_url.setStyleSheet("")
        folder = self.scan_folder.text().strip()
        if folder and folder != settings.scan_folder:  # a share away now does not block saving the rest
            try:
                folder = str(check_folder(folder))
            except DeskError as exc:
                self.show_problems({"scan_folder": str(exc)})
                return False
        self.scan_folder.setStyleSheet("")
        restart = self.language.currentData() != (settings.language or "vi")
        if changed_url and self.ctx.can(Role.LEADER):
            restart = True
            settings.database_url = url
        settings.reception_point = self.point.currentData() or ""
        settings.language = self.language.currentData()
        settings.camera = self.camera.text().strip()
        settings.scan_folder = folder
        settings.backup_keep_days = self.keep_days.value()
        settings.idle_lock_minutes = self.idle_lock.value()
        settings.queue_counter = self.queue_counter.value()
        settings.ticket_paper = self.ticket_paper.currentData()
        settings.queue_sound = self.queue_sound.isChecked()
        try:
            settings.save()
        except OSError as exc:
            self.say(error_text(exc), ok=False)
            return False
        self._shown_url = redact(settings.database_url)
        self.database_url.setText(self._shown_url)
        text = _("Saved.")
        if restart:
            text += " " + _("Restart the program to use the new language or database.")
        self.say(text, ok=True)
        self.ctx.bus.office_changed.emit()
        return True


class PrinterTab(FormTab):
    """This desk's printer, the receipt's paper and whether a preview comes first: for every user, since
    they belong to the machine at hand, not to the office (a small local file, written at once)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, "printer_message", parent)
        form = self.new_form()
        self.printer = QComboBox()
        self.printer.setObjectName("printer")
        self.printer.setMinimumWidth(320)
        self.printer.setMaximumWidth(560)
        self.found = _note("")
        self.found.setObjectName("printers_found")
        form.addRow(_("Printer"), _field(self.printer, self.found))
        self.paper = QComboBox()
        self.paper.setObjectName("receipt_paper")
        self.paper.setMaximumWidth(160)
        for paper in PAPERS:
            self.paper.addItem(paper, paper)
        form.addRow(_("Paper for the receipt (Mẫu 01)"), _field(self.paper, _note(
            _("A5 is half an A4 sheet: put A5 paper in the printer's tray when you choose it."))))
        self.preview = QCheckBox(_("Show a print preview before printing"))
        self.preview.setObjectName("print_preview")
        form.addRow("", _field(self.preview, _note(
            _("Without it, Ctrl+S and Ctrl+P print at once; Ctrl+Shift+P shows the preview whenever you want."))))
        self.refresh_button = push_button(_("Look for printers again"), "refresh_printers",
                                          lambda: self.reload_printers(self.printer.currentData()))
        self.save_button = push_button(_("Save"), "save_printer", self.save)
        self.add_form(form, [self.refresh_button, self.save_button])
        self.reload()

    def reload_printers(self, chosen: str | None = None) -> None:
        """The printers the print system knows now; ``chosen`` stays selected (marked when it is gone)."""
        chosen = self.ctx.settings.printer if chosen is None else chosen
        try:
            names = printing.available_printers()
            default = printing.default_printer()
        except Exception as exc:  # noqa: BLE001 - the tab must open even when the print system does not answer
            names, default = [], ""
            self.say(error_text(exc), ok=False)
        self.printer.clear()
        self.printer.addItem(_("The system's default printer") + (f" ({default})" if default else ""), "")
        for name in names:
            self.printer.addItem(name, name)
        if chosen and self.printer.findData(chosen) < 0:
            self.printer.addItem(_("{name} (not found on this computer)").format(name=chosen), chosen)
        self.printer.setCurrentIndex(max(0, self.printer.findData(chosen or "")))
        self.found.setText(_("Printers found on this computer: {count}.").format(count=len(names)) if names else
                           _("No printer was found on this computer: set one up in the system's printer settings, "
                             "then press \"Look for printers again\"."))

    def reload(self) -> None:
        settings = self.ctx.settings
        self.reload_printers(settings.printer)
        self.paper.setCurrentIndex(max(0, self.paper.findData(settings.paper)))
        self.preview.setChecked(settings.preview_first)

    def save(self) -> bool:
        """Written at once (a few bytes through the atomic writer); the next print uses it."""
        settings = self.ctx.settings
        before = (settings.printer, settings.receipt_paper, settings.print_preview)
        settings.printer = self.printer.currentData() or ""
        settings.receipt_paper = self.paper.currentData() or "A4"
        settings.print_preview = self.preview.isChecked()
        try:
            settings.save()
        except OSError as exc:
            settings.printer, settings.receipt_paper, settings.print_preview = before
            self.say(error_text(exc), ok=False)
            return False
        shown = settings.printer or _("the system's default printer")
        self.say(_("Saved. The next print goes to {printer}.").format(printer=shown), ok=True)
        return True


class OfficeTab(FormTab):
    """The office identity, office hours and the no-appointment weekday rule (leaders edit)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, "office_message", parent)
        self.editable = ctx.can(Role.LEADER)
        form = self.new_form()
        self.titles = {
            "code": _("Office code"), "name": _("Office name"), "parent_name": _("Superior body"),
            "address": _("Address"), "place_name": _("Place name on documents"), "phone": _("Phone"),
            "hours": _("Office hours"), "no_appointment_weekdays": _("No-appointment weekdays"),
            "lookup_url": _("Public look-up address"),
        }
        placeholders = {  # the shape of an answer, nobody's identity (the sample ward is not a default: D27)
            "code": office.CODE_EXAMPLE, "name": "UBND xã/phường …", "parent_name": "UBND TỈNH …",
            "place_name": "Tên tỉnh …", "hours": "07:30-11:30,13:30-17:00",
            "lookup_url": "https://tracuu.example.gov.vn",
        }
        for key in ("code", "name", "parent_name", "address", "place_name", "phone", "hours", "lookup_url"):
            edit = QLineEdit()
            edit.setObjectName(f"office_{key}")
            edit.setPlaceholderText(placeholders.get(key, ""))
            edit.setReadOnly(not self.editable)
            self.inputs[key] = edit
            notes = []
            if key == "code":
                notes.append(_note(_("The identifier code of the office (Decision 20/2020/QĐ-TTg) begins every "
                                     "dossier code. A new code is used only for dossiers received from now on; "
                                     "dossiers already received keep their codes.")))
            if key == "hours":
                notes.append(_note(_("Periods separated by commas, e.g. 07:30-11:30,13:30-17:00. Due times "
                                     "are the closing time of the last day.")))
            if key == "lookup_url":
                notes.append(_note(_("Where the office serves the look-up page (lookup-server) over HTTPS. When set, "
                                     "the slip's QR code opens the dossier's state on a phone; empty: the QR code "
                                     "holds the code for the desk and the kiosk only.")))
            form.addRow(self.titles[key], _field(edit, *notes))
        self.weekdays = WeekdayPicker("office_no_appointment")
        self.weekdays.set_editable(self.editable)
        self.inputs["no_appointment_weekdays"] = self.weekdays
        form.addRow(self.titles["no_appointment_weekdays"], _field(self.weekdays, _note(
            _("On these weekdays the procedures marked “no-appointment day” in the catalog are resolved the same "
              "day when the dossier is complete."))))
        self.save_button = push_button(_("Save office settings"), "save_office", self.save)
        self.save_button.setEnabled(self.editable)
        self.add_form(form, [self.save_button], note="" if self.editable else
                      _("Only leaders and administrators can change the office settings."))
        self.reload()

    def reload(self) -> None:
        try:
            current = office.get_office_settings()
        except DeskError as exc:
            self.say(error_text(exc), ok=False)
            return
        for key, edit in self.inputs.items():
            if isinstance(edit, QLineEdit):
                edit.setText(getattr(current, key))
                edit.setCursorPosition(0)
        self.weekdays.set_value(current.no_appointment_weekdays)
        if not office.is_set_up():
            self.say(office.not_set_up_message(), ok=False)

    def values(self) -> OfficeSettings:
        texts = {key: edit.text() for key, edit in self.inputs.items() if isinstance(edit, QLineEdit)}
        return OfficeSettings(no_appointment_weekdays=self.weekdays.value(), **texts)

    def save(self) -> Operation | None:
        """Save in the background; None when nothing started (read-only, or a save on its way)."""
        if not self.editable:
            return None
        return self.start_save(self.save_button, office.update_office, self.values(), by=self.ctx.actor,
                               clock=self.ctx.clock, label="save office settings", success=self._saved)

    def _saved(self, saved) -> None:
        self.show_problems({})
        self.reload()
        self.ctx.office_name = saved.name
        self.say(_("The office settings were saved."), ok=True)
        self.ctx.bus.office_changed.emit()


class PointsTab(FormTab):
    """Reception points (the office desk, neighbourhood e-points, postal): list and edit form."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, "point_message", parent)
        self.editable = ctx.can(Role.LEADER)
        self.points: list[PointInfo] = []
        self.current: PointInfo | None = None
        self.table = self.add_list("points", [_("Reception point"), _("Kind"), _("Address"), _("Open on"),
                                              _("Hours"), _("State")], stretch=2, on_row=self._row_changed)
        form = self.new_form()
        self.titles = {"name": _("Name"), "kind": _("Kind"), "address": _("Address"), "weekdays": _("Open on"),
                       "hours": _("Hours")}
        self.name = QLineEdit()
        self.name.setObjectName("point_name")
        self.kind = QComboBox()
        self.kind.setObjectName("point_kind")
        for key, label in POINT_KINDS:
            self.kind.addItem(_(label), key)
        self.address = QLineEdit()
        self.address.setObjectName("point_address")
        self.weekdays = WeekdayPicker("point_weekdays")
        self.hours = QLineEdit()
        self.hours.setObjectName("point_hours")
        self.hours.setPlaceholderText("07:30-11:30,13:30-17:00")
        self.active = QCheckBox(_("Open (receives dossiers)"))
        self.active.setObjectName("point_active")
        self.inputs = {"name": self.name, "kind": self.kind, "address": self.address, "weekdays": self.weekdays,
                       "hours": self.hours}
        for key, widget in self.inputs.items():
            form.addRow(self.titles[key], widget)
        form.addRow("", _field(self.active, _note(
            _("A point that is no longer used is closed rather than deleted: its dossiers keep referring to it."))))
        self.new_button = push_button(_("New point"), "new_point", self.new_point)
        self.save_button = push_button(_("Save point"), "save_point", self.save)
        self.add_form(form, [self.new_button, self.save_button], stretch=False, note="" if self.editable else
                      _("Only leaders and administrators can change the reception points."))
        for widget in (self.name, self.address, self.hours):
            widget.setReadOnly(not self.editable)
        for widget in (self.kind, self.active, self.new_button, self.save_button):
            widget.setEnabled(self.editable)
        self.weekdays.set_editable(self.editable)
        self.reload()

    def reload(self, select: int | None = None) -> None:
        select = select if select is not None else (self.current.id if self.current else None)
        try:
            self.points = office.points_overview()
        except DeskError as exc:
            self.say(error_text(exc), ok=False)
            return
        kinds = dict(POINT_KINDS)
        rows = [(point.name, _(kinds.get(point.kind, point.kind)), point.address, weekdays_text(point.weekdays),
                 point.hours.replace(",", ", "), _("open") if point.active else _("closed")) for point in self.points]
        _fill_and_select(self.table, rows, [p.id for p in self.points], select, self._row_changed)

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(self.points):
            self.show_point(self.points[row])

    def show_point(self, point: PointInfo) -> None:
        self.current = point
        self.name.setText(point.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(point.kind)))
        self.address.setText(point.address)
        self.weekdays.set_value(office.format_weekdays(point.weekdays))
        self.hours.setText(point.hours)
        self.active.setChecked(point.active)
        self.show_problems({})

    def new_point(self) -> None:
        self.current = None
        self.table.clearSelection()
        self.name.clear()
        self.kind.setCurrentIndex(max(0, self.kind.findData("e_point")))
        self.address.clear()
        self.weekdays.set_value("0,1,2,3,4")
        self.hours.setText(office.DEFAULT_HOURS)
        self.active.setChecked(True)
        self.show_problems({})
        self.name.setFocus()

    def save(self) -> Operation | None:
        """Save in the background; None when nothing started (read-only, or a save on its way)."""
        if not self.editable:
            return None
        values = {"name": self.name.text(), "kind": self.kind.currentData(), "address": self.address.text(),
                  "weekdays": self.weekdays.value(), "hours": self.hours.text()}
        previous = self.current
        return self.start_save(self.save_button, _save_point, previous.id if previous else None,
                               self.active.isChecked(), values, by=self.ctx.actor, label="save reception point",
                               success=lambda saved: self._saved(previous, saved))

    def _saved(self, previous: PointInfo | None, saved: PointInfo) -> None:
        self.current = saved
        settings = self.ctx.settings
        if previous is not None and previous.name != saved.name and settings.reception_point == previous.name:
            settings.reception_point = saved.name  # this desk follows the renamed point
            try:
                settings.save()
            except OSError as exc:
                self.say(error_text(exc), ok=False)
        self.reload(select=saved.id)
        self.say(_("Saved {name}.").format(name=saved.name), ok=True)
        self.ctx.bus.office_changed.emit()


class StaffTab(FormTab):
    """Staff accounts (leaders and admins): create, change role, (de)activate, reset a password."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, "staff_message", parent)
        self.staff: list[accounts.StaffInfo] = []
        self.current: accounts.StaffInfo | None = None
        self.table = self.add_list("staff", [_("User name"), _("Full name"), _("Role"), _("State"), _("Password")],
                                   stretch=1, on_row=self._row_changed)
        form = self.new_form()
        self.titles = {"username": _("User name"), "full_name": _("Full name"), "role": _("Role"),
                       "password": _("Password"), "active": _("Active")}
        self.username = QLineEdit()
        self.username.setObjectName("staff_username")
        self.username.setPlaceholderText(_("e.g. hang.nt (letters, digits or _)"))
        self.full_name = QLineEdit()
        self.full_name.setObjectName("staff_full_name")
        self.role = QComboBox()
        self.role.setObjectName("staff_role")
        self._fill_roles()
        self.active = QCheckBox(_("Can log in"))
        self.active.setObjectName("staff_active")
        self.password = QLineEdit()
        self.password.setObjectName("staff_password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(_("At least 8 characters; the person changes it at first log-in"))
        self.inputs = {"username": self.username, "full_name": self.full_name, "role": self.role,
                       "password": self.password}
        form.addRow(self.titles["username"], self.username)
        form.addRow(self.titles["full_name"], self.full_name)
        form.addRow(self.titles["role"], self.role)
        form.addRow("", self.active)
        self.password_label = QLabel(_("Password"))
        form.addRow(self.password_label, self.password)
        self.new_button = push_button(_("New account"), "new_staff", self.new_staff)
        self.reset_button = push_button(_("Set this password"), "reset_password", self.reset_password)
        self.reset_button.setToolTip(_("Give the account the password typed above; the person must choose "
                                       "their own at the next log-in."))
        self.save_button = push_button(_("Save account"), "save_staff", self.save)
        self.add_form(form, [self.new_button, self.reset_button, self.save_button], stretch=False)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        select = select or (self.current.username if self.current else None)
        self.staff = accounts.list_staff(by=self.ctx.actor)
        rows = [(person.username, person.full_name, word_label(ROLE_LABELS, person.role),
                 _("active") if person.active else _("deactivated"),
                 _("must change") if person.must_change_password else "") for person in self.staff]
        _fill_and_select(self.table, rows, [p.username for p in self.staff], select, self._row_changed)

    def _row_changed(self, row: int) -> None:
        if 0 <= row < len(self.staff):
            self.show_staff(self.staff[row])

    def _fill_roles(self, shown: str | None = None) -> None:
        """The roles this actor may hand out (admins only by admins), plus ``shown`` to display it."""
        self.role.clear()
        for role in accounts.ROLES:
            if role != Role.ADMIN or self.ctx.can(Role.ADMIN) or role == shown:
                self.role.addItem(_(ROLE_LABELS[role]), str(role))  # the plain word: Qt matches it
        self.role.setCurrentIndex(max(0, self.role.findData(str(shown or Role.CLERK))))

    def _set_form_enabled(self, enabled: bool) -> None:
        for widget in (self.full_name, self.password):
            widget.setReadOnly(not enabled)
        for control in (self.role, self.active, self.save_button, self.reset_button):
            control.setEnabled(enabled)

    def show_staff(self, person: accounts.StaffInfo) -> None:
        """Show an account; a leader sees an administrator's account but cannot change it."""
        self.current = person
        manageable = self.ctx.can(Role.ADMIN) or person.role != Role.ADMIN
        self.username.setText(person.username)
        self.username.setReadOnly(True)
        self.full_name.setText(person.full_name)
        self._fill_roles(person.role)
        self.active.setChecked(person.active)
        self.password.clear()
        self.password_label.setText(_("New password"))
        self._set_form_enabled(manageable)
        self.show_problems({})
        if not manageable:
            self.say(_("Only an administrator can change an administrator's account."), ok=True)
            self.message.setStyleSheet(NOTE_STYLE)

    def new_staff(self) -> None:
        self.current = None
        self.table.clearSelection()
        self.username.setReadOnly(False)
        for edit in (self.username, self.full_name, self.password):
            edit.clear()
        self._fill_roles()
        self._set_form_enabled(True)
        self.active.setChecked(True)
        self.password_label.setText(_("Password"))
        self.reset_button.setEnabled(False)
        self.show_problems({})
        self.username.setFocus()

    def save(self) -> Operation | None:
        """Create the account being typed, or save the selected one's name, role and state (in the
        background; None when a save is on its way)."""
        creating = self.current is None
        return self.start_save(self.save_button, _save_staff, self.current, self.username.text(),
                               self.full_name.text(), self.role.currentData(), self.active.isChecked(),
                               self.password.text(), by=self.ctx.actor, label="save staff account",
                               success=lambda name: self._saved(name, creating))

    def _saved(self, name: str, created: bool) -> None:
        text = (_("The account {username} was created.") if created
                else _("The account {username} was saved.")).format(username=name)
        self.current = None
        self.reload(select=name)
        self.say(text, ok=True)

    def reset_password(self) -> Operation | None:
        """Give the selected account the typed password (in the background)."""
        if self.current is None:
            return None
        name = self.current.username
        return self.start_save(self.reset_button, accounts.change_password, self.ctx.actor, self.password.text(),
                               username=name, label="set a staff password",
                               success=lambda _result: self._password_set(name))

    def _password_set(self, name: str) -> None:
        self.reload(select=name)
        if name == self.ctx.actor.username:
            self.say(_("Your password was changed."), ok=True)
        else:
            self.say(_("The password of {username} was set; they must choose their own at the next "
                                 "log-in.").format(username=name), ok=True)


class PasswordTab(FormTab):
    """Everyone changes their own password here; the current one is asked first."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, "password_message", parent)
        self.body.addWidget(_note(_("Account: {name} ({username})").format(name=ctx.actor.full_name,
                                                                      username=ctx.actor.username)))
        form = self.new_form()
        self.current = QLineEdit()
        self.current.setObjectName("current_password")
        self.new = QLineEdit()
        self.new.setObjectName("new_password")
        self.repeat = QLineEdit()
        self.repeat.setObjectName("repeat_password")
        for edit in (self.current, self.new, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.returnPressed.connect(self._enter)
        form.addRow(_("Current password"), self.current)
        form.addRow(_("New password"), self.new)
        form.addRow(_("Repeat it"), self.repeat)
        self.save_button = push_button(_("Change password"), "change_password", self.save)
        self.add_form(form, [self.save_button])

    def _enter(self) -> None:
        """Enter moves to the next empty box, then changes the password."""
        for edit in (self.current, self.new, self.repeat):
            if not edit.text():
                edit.setFocus()
                return
        self.save()

    def save(self) -> Operation | None:
        """Check the current password and set the new one, in the background (checking takes a moment
        on purpose); None when the two new ones differ or a change is on its way."""
        if self.new.text() != self.repeat.text():
            self.say(_("The two passwords are different"), ok=False)
            self.repeat.clear()
            self.repeat.setFocus()
            return None
        return self.start_save(self.save_button, _change_own_password, self.ctx.actor, self.current.text(),
                               self.new.text(), label="change own password", success=self._changed,
                               failure=self._wrong_password)

    def _changed(self, _result) -> None:
        for edit in (self.current, self.new, self.repeat):
            edit.clear()
        self.say(_("Your password was changed."), ok=True)

    def _wrong_password(self, exc: BaseException) -> None:
        if isinstance(exc, _WrongCurrentPassword):
            self.say(_("The current password is wrong."), ok=False)
            self.current.clear()
            self.current.setFocus()
            return
        self.say(error_text(exc), ok=False)
        self.new.setFocus()


class SettingsView(QWidget):
    """Tabs: this desk, the office, reception points, staff (leaders), one's own password."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settings_tabs")
        self.desk_tab = DeskTab(ctx)
        self.printer_tab = PrinterTab(ctx)
        self.office_tab = OfficeTab(ctx)
        self.points_tab = PointsTab(ctx)
        self.staff_tab = StaffTab(ctx) if ctx.can(Role.LEADER) else None
        self.password_tab = PasswordTab(ctx)
        self.tabs.addTab(self.desk_tab, _("This desk"))
        self.tabs.addTab(self.printer_tab, _("Printer"))
        self.tabs.addTab(self.office_tab, _("Office"))
        self.tabs.addTab(self.points_tab, _("Reception points"))
        if self.staff_tab is not None:
            self.tabs.addTab(self.staff_tab, _("Staff"))
        self.tabs.addTab(self.password_tab, _("Change password"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.tabs)
        save = QShortcut(QKeySequence.StandardKey.Save, self)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        save.activated.connect(self.save_current)
        for index in range(min(self.tabs.count(), 9)):
            shortcut = QShortcut(QKeySequence(f"Alt+{index + 1}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda i=index: self.tabs.setCurrentIndex(i))
        ctx.bus.office_changed.connect(self._office_changed)

    def activate(self) -> None:
        """Shown again: another desk may have changed the office, its points or staff."""
        self.office_tab.reload()
        self.points_tab.reload()
        self.desk_tab.reload()
        if self.staff_tab is not None:
            self.staff_tab.reload()

    def _office_changed(self) -> None:
        self.desk_tab.reload_points()

    def save_current(self) -> None:
        """Ctrl+S saves what the current tab shows."""
        tab = self.tabs.currentWidget()
        save = getattr(tab, "save", None)
        if save:
            save()
