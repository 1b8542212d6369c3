"""The clerk's pickup screen: scan or type the slip's code, see at a glance whether the result is ready, hand it over.

Built to be read from a step away: one big input, a big coloured banner that says what to do,
the applicant's name large enough to call out, and one big "Return result" button that is only
enabled when there is a result to return.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.i18n import _
from desk.services import lifecycle
from desk.services.clock import LOCAL_TZ
from desk.services.dossiers import CHANNELS, DossierInfo, Status, get_dossier, history
from desk.services.kinds import Role
from desk.services.scan import CCCD, DOSSIER, ScanResult, interpret
from desk.views.common import error_text, present, word_label
from desk.views.context import AppContext
from desk.views.ops import Operation
from desk.views.widgets import StatusBanner

if TYPE_CHECKING:
    from desk.views.rating import CitizenRatingWindow
    from desk.views.scan_dialog import ScanDialog  # imported when F9 first opens it, at run time

# Banner colours: background, text. Strong contrast, readable across the desk.
COLOURS = {
    "ready": ("#1e7b34", "#ffffff"),
    "waiting": ("#f4b400", "#1f1f1f"),
    "overdue": ("#e37400", "#1f1f1f"),
    "supplement": ("#e37400", "#1f1f1f"),
    "returned": ("#5f6368", "#ffffff"),
    "closed": ("#a50e0e", "#ffffff"),
    "error": ("#a50e0e", "#ffffff"),
}

BIG = 34  # px: banner headline
NAME = 30  # px: applicant name, called out to the waiting room
TEXT = 20  # px: everything else on the screen


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone(LOCAL_TZ):%H:%M %d/%m/%Y}" if moment else ""


def _day(moment: datetime | None) -> str:
    return f"{moment.astimezone(LOCAL_TZ):%d/%m/%Y}" if moment else ""


class ReturnDialog(QDialog):
    """Who takes the result: the applicant (default) or a representative, by name."""

    def __init__(self, info: DossierInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.info = info
        self.setWindowTitle(_("Return the result"))
        self.setObjectName("return_dialog")
        self.setStyleSheet(f"QWidget {{ font-size: {TEXT}px; }}")
        layout = QVBoxLayout(self)
        title = QLabel(_("Return the result of dossier {code} — {procedure}").format(
            code=info.code, procedure=info.procedure_name))
        title.setWordWrap(True)
        layout.addWidget(title)
        self.applicant = QRadioButton(_("The applicant: {name}").format(name=info.applicant_name))
        self.applicant.setObjectName("return_applicant")
        self.representative = QRadioButton(_("A representative (authorised person)"))
        self.representative.setObjectName("return_representative")
        self.applicant.setChecked(True)
        layout.addWidget(self.applicant)
        layout.addWidget(self.representative)
        form = QFormLayout()
        self.name = QLineEdit(info.applicant_name)
        self.name.setObjectName("return_recipient")
        self.name.setMinimumWidth(380)
        form.addRow(_("Recipient's full name"), self.name)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("return_error")
        self.error.setStyleSheet("color: #a50e0e; font-weight: bold;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok = present(buttons.addButton(_("Return result"), QDialogButtonBox.ButtonRole.AcceptRole))
        self.ok.setObjectName("return_ok")
        self.ok.setDefault(True)
        cancel = present(buttons.addButton(_("Cancel"), QDialogButtonBox.ButtonRole.RejectRole))
        cancel.setObjectName("return_cancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.applicant.toggled.connect(self._who_changed)
        self.name.setFocus()
        self.name.selectAll()

    def _who_changed(self, applicant: bool) -> None:
        if applicant:
            self.name.setText(self.info.applicant_name)
        elif self.name.text().strip() == self.info.applicant_name:
            self.name.clear()
        self.name.setFocus()
        self.name.selectAll()

    def recipient(self) -> str:
        return " ".join(self.name.text().split())

    def is_representative(self) -> bool:
        """A representative, or a name other than the applicant's typed in."""
        return self.representative.isChecked() or self.recipient().casefold() != self.info.applicant_name.casefold()

    def accept(self) -> None:
        if not self.recipient():
            self.error.setText(_("Type the full name of the person who takes the result"))
            self.error.show()
            self.name.setFocus()
            return
        super().accept()


class PickupView(QWidget):
    """Scan or type a slip's code → the dossier with a big status banner and the "Return result" action."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.info: DossierInfo | None = None
        self.returning: Operation | None = None  # the return being recorded
        self.scan_dialog: ScanDialog | None = None  # the webcam ScanDialog while it is open (F9)
        self.setStyleSheet(f"PickupView QLabel, PickupView QPushButton {{ font-size: {TEXT}px; }}")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 20, 28, 20)
        outer.setSpacing(14)
        title = QLabel(_("Return results to citizens"))
        title.setObjectName("pickup_title")
        title.setStyleSheet("font-size: 24px; font-weight: bold;")
        outer.addWidget(title)
        outer.addLayout(self._build_search())
        self.hint = QLabel(_("F9: scan  ·  Enter: find  ·  Ctrl+Enter: return the result"))
        self.hint.setObjectName("pickup_hint")
        self.hint.setStyleSheet("color: #5f6368; font-size: 15px;")
        outer.addWidget(self.hint)
        self.error = QLabel()
        self.error.setObjectName("pickup_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {COLOURS['error'][0]}; font-size: 20px; font-weight: bold;")
        self.error.hide()
        outer.addWidget(self.error)
        outer.addWidget(self._build_panel())
        outer.addStretch(1)
        self._connect()
        self._clear()

    def _build_search(self) -> QHBoxLayout:
        """The big input for the slip's code and its Find button."""
        row = QHBoxLayout()
        self.input = QLineEdit()
        self.input.setObjectName("pickup_input")
        self.input.setPlaceholderText(_("Scan or type the code on the appointment slip"))
        self.input.setClearButtonEnabled(True)
        self.input.setMinimumHeight(56)
        self.input.setStyleSheet("font-size: 24px; padding: 4px 10px;")
        self.find_button = QPushButton(_("Find (Enter)"))
        self.find_button.setObjectName("pickup_find")
        self.find_button.setMinimumHeight(56)
        self.find_button.setAutoDefault(False)
        row.addWidget(self.input, 1)
        row.addWidget(self.find_button)
        return row

    def _build_panel(self) -> QFrame:
        """What a found dossier shows: the banner, the details and the actions (hidden while empty)."""
        self.panel = QFrame()
        self.panel.setObjectName("pickup_panel")
        panel = QVBoxLayout(self.panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.setSpacing(14)
        self.banner = StatusBanner("pickup_banner", "pickup_headline", "pickup_detail", radius=8, headline_px=BIG,
                                   detail_px=TEXT + 1, margins=(20, 10, 20, 14), spacing=2)
        self.banner.setMinimumHeight(120)
        self.banner.plain_text(10, 10)
        self.headline, self.detail = self.banner.headline, self.banner.detail
        panel.addWidget(self.banner)
        panel.addLayout(self._build_details())
        panel.addLayout(self._build_actions())
        return self.panel

    def _build_details(self) -> QFormLayout:
        details = QFormLayout()
        details.setHorizontalSpacing(24)
        details.setVerticalSpacing(8)
        details.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("applicant", _("Applicant")),
            ("id_number", _("ID number")),
            ("code", _("Dossier code")),
            ("procedure", _("Procedure")),
            ("received", _("Received at")),
            ("appointment", _("Return appointment")),
            ("return_point", _("Where to collect")),
            ("returned", _("Returned to")),
        ):
            value = QLabel()
            value.setObjectName(f"pickup_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            caption = QLabel(label)
            caption.setStyleSheet("color: #5f6368;")
            details.addRow(caption, value)
            self.fields[key] = value
        self.fields["applicant"].setStyleSheet(f"font-size: {NAME}px; font-weight: bold;")
        self.fields["applicant"].setContentsMargins(0, 8, 0, 0)  # room for marks above capitals (Ánh, Ỷ)
        self.fields["code"].setStyleSheet(f"font-size: {TEXT + 2}px; font-family: monospace; font-weight: bold;")
        self._details = details
        return details

    def _build_actions(self) -> QHBoxLayout:
        actions = QHBoxLayout()
        self.return_button = QPushButton(_("Return result"))
        self.return_button.setObjectName("pickup_return")
        self.return_button.setMinimumHeight(60)
        self.return_button.setMinimumWidth(260)
        self.return_button.setStyleSheet(
            "QPushButton { font-size: 22px; font-weight: bold; color: white; background: #1e7b34;"
            " border-radius: 6px; padding: 6px 24px; }"
            "QPushButton:focus { border: 3px solid #0b3d17; }"
            "QPushButton:disabled { background: #c4c7c5; color: #5f6368; }")
        self.open_button = QPushButton(_("Open the full dossier"))
        self.open_button.setObjectName("pickup_open_detail")
        self.open_button.setMinimumHeight(60)
        self.open_button.setStyleSheet(f"QPushButton {{ font-size: {TEXT}px; padding: 6px 20px; }}")
        actions.addWidget(self.return_button)
        actions.addWidget(self.open_button)
        actions.addStretch(1)
        actions.addWidget(self._build_citizen_button())
        return actions

    # -- the citizen-facing rating screen (D49) ----------------------------------------------------
    def _build_citizen_button(self) -> QPushButton:
        """Opens the citizen-facing window (second monitor or tablet screen) where, after each return, the
        citizen rates the service."""
        self.citizen_screen: CitizenRatingWindow | None = None
        button = QPushButton(_("Citizen rating screen"))
        button.setObjectName("pickup_citizen_screen")
        button.setMinimumHeight(60)
        button.setToolTip(_("Open the window the citizen rates the service on (on the second monitor if there is "
                            "one); it shows the rating buttons after each return"))
        button.setStyleSheet(f"QPushButton {{ font-size: {TEXT - 4}px; padding: 6px 14px; }}")
        button.clicked.connect(self.open_citizen_screen)
        return button

    def open_citizen_screen(self) -> CitizenRatingWindow:
        """The citizen-facing rating window, opened (once) and brought to the front."""
        from desk.views.rating import CitizenRatingWindow

        if self.citizen_screen is None:
            self.citizen_screen = CitizenRatingWindow(self.ctx.office_name, clock=self.ctx.clock, parent=self)
            self.citizen_screen.destroyed.connect(self._citizen_screen_gone)
            self.citizen_screen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.citizen_screen.place()
        return self.citizen_screen

    def _citizen_screen_gone(self) -> None:
        self.citizen_screen = None

    def _offer_rating(self, code: str) -> None:
        if self.citizen_screen is not None:
            self.citizen_screen.offer(code)

    def _connect(self) -> None:
        """Enter finds, Ctrl+Enter returns; a change made elsewhere to the shown dossier refreshes it."""
        self.input.returnPressed.connect(self._find_typed)
        self.find_button.clicked.connect(self._find_typed)
        self.return_button.clicked.connect(self.return_result)
        self.open_button.clicked.connect(self.open_detail)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.return_result)
        self.ctx.bus.dossier_changed.connect(self._changed_elsewhere)
        self.setTabOrder(self.input, self.find_button)
        self.setTabOrder(self.find_button, self.return_button)
        self.setTabOrder(self.return_button, self.open_button)

    # -- what the main window calls ---------------------------------------------------------
    def activate(self) -> None:
        self.input.setFocus()
        self.input.selectAll()

    def scan(self) -> None:
        """F9: with a camera set in the desk settings, open the webcam scan dialog; else ready for the next slip."""
        if not (self.ctx.settings.camera or "").strip():
            self.activate()
            return
        from desk.views.scan_dialog import ScanDialog

        dialog = ScanDialog(self.ctx, self)
        dialog.setObjectName("pickup_scan_dialog")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.close_on_scan = True  # the banner here shows the result
        dialog.scanned.connect(self._scanned)
        self.scan_dialog = dialog
        dialog.destroyed.connect(lambda *_args: setattr(self, "scan_dialog", None))
        dialog.show()  # not modal: the window's scan dispatcher refuses scans while a modal dialog is open

    def _scanned(self, text: str) -> None:
        """A webcam scan goes the same way as a USB scanner's: the window's dispatcher, else this screen."""
        dispatcher = getattr(self.window(), "scan_dispatcher", None)
        if dispatcher is not None:
            dispatcher.handle(text)
        else:
            self.show_code(text)

    # -- showing ----------------------------------------------------------------------------
    @property
    def status(self) -> str:
        """What the banner shows: a Status value, "error", or "" when empty (tests read this)."""
        return self.banner.property("status") or ""

    def show_code(self, text: str, result: ScanResult | None = None) -> None:
        """Show what a scanned or typed text points to; a bad slip shows why, in red."""
        text = (text or "").strip()
        if not text:
            self._show_error(_("Scan or type the code on the appointment slip"))
            return
        result = result or interpret(text, clock=self.ctx.clock)
        if result.kind == DOSSIER and result.code:
            self.input.setText(result.code)
            self.show_dossier(result.code)
            return
        self.input.setText(text)
        if result.kind == CCCD:
            self._show_error(_("This is a citizen ID card (CCCD) QR code, not a dossier slip"))
        else:
            self._show_error(result.message)

    def show_dossier(self, code: str) -> None:
        try:
            info = get_dossier(code, actor=self.ctx.actor)
        except DeskError as exc:
            self._show_error(error_text(exc))
            return
        self._show(info)
        if self.return_button.isEnabled():
            self.return_button.setFocus()  # Enter hands the result over
        else:
            self.input.setFocus()
            self.input.selectAll()

    def _find_typed(self) -> None:
        self.show_code(self.input.text())

    def _changed_elsewhere(self, code: str) -> None:
        if self.info is not None and code == self.info.code:
            try:
                self._show(get_dossier(code, actor=self.ctx.actor))
            except DeskError as exc:
                self._show_error(error_text(exc))

    def _clear(self) -> None:
        self.info = None
        self.error.hide()
        self.panel.hide()
        self.banner.setProperty("status", "")
        self.return_button.setEnabled(False)
        self.open_button.setEnabled(False)

    def _show_error(self, message: str) -> None:
        self._clear()
        self.banner.setProperty("status", "error")
        self.error.setText(message)
        self.error.show()
        self.input.setFocus()
        self.input.selectAll()

    def _set_banner(self, colour: str, headline: str, detail: str = "") -> None:
        background, foreground = COLOURS[colour]
        self.banner.show_status(background, foreground, headline, detail)

    def _last_note(self, info: DossierInfo, to_status: Status) -> str:
        try:
            events = history(info.code, actor=self.ctx.actor)
        except DeskError:
            return ""
        notes = [e.note for e in events if e.to_status == to_status and e.note]
        return notes[-1] if notes else ""

    def _show(self, info: DossierInfo) -> None:
        self.info = info
        self.error.hide()
        status = info.status
        now = self.ctx.clock.now()
        appointment = _when(info.appointment_at)
        if status == Status.RESOLVED:
            self._set_banner("ready", _("RESULT READY — hand it to the citizen"),
                             _("Result ready since {time}").format(time=_when(info.resolved_at)))
        elif status in (Status.RECEIVED, Status.PROCESSING):
            if now > info.appointment_at:
                self._set_banner("overdue", _("NO RESULT YET — the appointment {time} has passed").format(
                    time=appointment), _("Apologise and give a new date (Form 04) from the dossier's detail"))
            else:
                self._set_banner("waiting", _("NO RESULT YET — return appointment {time}").format(time=appointment),
                                 _("Ask the citizen to come back on the appointment day"))
        elif status == Status.NEEDS_SUPPLEMENT:
            note = self._last_note(info, Status.NEEDS_SUPPLEMENT)
            self._set_banner("supplement", _("DOSSIER NEEDS SUPPLEMENT"),
                             _("To add: {items}").format(items=note) if note
                             else _("See the request to supplement (Form 02) in the dossier's detail"))
        elif status == Status.RETURNED:
            self._set_banner("returned", _("RESULT ALREADY RETURNED at {time}").format(time=_when(info.returned_at)),
                             _("Taken by {name}").format(name=info.returned_to) if info.returned_to else "")
        elif status == Status.REFUSED:
            note = self._last_note(info, Status.REFUSED)
            self._set_banner("closed", _("DOSSIER REFUSED on {day}").format(day=_day(info.closed_at)),
                             _("Reason: {reason}").format(reason=note) if note else "")
        elif status == Status.STOPPED:
            note = self._last_note(info, Status.STOPPED)
            self._set_banner("closed", _("HANDLING STOPPED on {day}").format(day=_day(info.closed_at)),
                             _("Reason: {reason}").format(reason=note) if note else "")
        else:
            self._set_banner("closed", _("DOSSIER WITHDRAWN on {day}").format(day=_day(info.closed_at)))
        self.banner.setProperty("status", str(status))

        self.fields["applicant"].setText(info.applicant_name)
        self.fields["id_number"].setText(info.id_number or "—")
        self.fields["code"].setText(info.code)
        self.fields["procedure"].setText(f"{info.procedure_name} ({info.field_name})")
        received = [_when(info.received_at), word_label(CHANNELS, info.channel).lower()]
        if info.reception_point:
            received.append(info.reception_point)
        self.fields["received"].setText(" · ".join(received))
        appointment_text = appointment
        if info.due_at != info.appointment_at:
            appointment_text += "  " + _("(legal due date {time})").format(time=_when(info.due_at))
        self.fields["appointment"].setText(appointment_text)
        self.fields["return_point"].setText(info.return_point or info.reception_point or "—")
        returned = status == Status.RETURNED
        self.fields["returned"].setText(f"{info.returned_to} — {_when(info.returned_at)}" if returned else "")
        self._details.setRowVisible(self.fields["returned"], returned)
        self.return_button.setEnabled(status == Status.RESOLVED and self.ctx.can(Role.CLERK) and self.returning is None)
        self.open_button.setEnabled(True)
        self.panel.show()

    # -- actions ----------------------------------------------------------------------------
    def open_detail(self) -> None:
        if self.info is not None:
            self.ctx.bus.open_dossier.emit(self.info.code)

    def ask_recipient(self, info: DossierInfo) -> tuple[str, bool] | None:
        """(recipient's name, is a representative), or None when the clerk cancels."""
        dialog = ReturnDialog(info, self)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.recipient(), dialog.is_representative()
        finally:
            dialog.deleteLater()

    def return_result(self) -> Operation | None:
        """Hand the result over: ask who takes it, record it with the audit event in the background.
        The running record, or None when nothing started (nothing to return, the clerk cancelled)."""
        info = self.info
        if (info is None or info.status != Status.RESOLVED or not self.return_button.isEnabled()
                or self.returning is not None):
            return None
        answer = self.ask_recipient(info)
        if answer is None:
            return None
        recipient, representative = answer
        return self.mark_returned(recipient, representative=representative)

    def mark_returned(self, recipient: str, *, representative: bool = False) -> Operation | None:
        """Record the return of the shown dossier's result to ``recipient`` in the background; errors show
        in red. While it is recorded the button waits, so a second press cannot return it twice."""
        info = self.info
        if info is None or self.returning is not None:
            return None
        note = _("Taken by a representative of the applicant") if representative else ""
        self.return_button.setEnabled(False)
        self.return_button.setText(_("Recording…"))
        self.returning = (Operation(self, lifecycle.advance, info.code, Status.RETURNED, returned_to=recipient,
                                    note=note, actor=self.ctx.actor, expected_version=info.version,
                                    clock=self.ctx.clock, label="return a result")
                          .on_success(self._returned)
                          .on_failure(lambda exc: self._return_failed(info.code, exc))
                          .start())
        return self.returning

    def _return_done(self) -> None:
        self.returning = None
        self.return_button.setText(_("Return result"))

    def _returned(self, updated: DossierInfo) -> None:
        self._return_done()
        if self.info is not None and self.info.code == updated.code:  # not when the next slip was scanned
            self._show(updated)
            self.input.setFocus()
            self.input.selectAll()
        self.ctx.bus.dossier_changed.emit(updated.code)
        if updated.status == Status.RETURNED:
            self._offer_rating(updated.code)

    def _return_failed(self, code: str, exc: BaseException) -> None:
        self._return_done()
        message = error_text(exc)
        if self.info is None or self.info.code != code:  # the clerk has moved on to the next slip
            self.error.setText(_("The return of dossier {code} was not recorded: {error}").format(
                code=code, error=message))
            self.error.show()
            return
        # Another desk may have returned it meanwhile: show what it is now; the message says what happened.
        self._changed_elsewhere(code)
        self.error.setText(message)
        self.error.show()
