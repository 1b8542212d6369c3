"""The citizen pickup kiosk: full screen, large type, a slip's QR code in → plain words out.

Three screens: idle ("hold the QR code of your slip to the camera", with the live preview or a
hint to use the handheld scanner), the result (status in big coloured letters, masked name,
procedure, appointment, where and when to collect) and an error. It returns to idle by itself
after ``timeout_s`` seconds, or on the big "Done" button.

Input comes from the camera (:class:`desk.hardware.camera.Scanner`) or a USB keyboard-wedge
scanner, which types into an invisible, always-focused line edit ending with Enter — the kiosk has
no other input, but for the rating of a returned dossier (three buttons that take no focus and an optional
comment line, desk.views.rating, D49). Leaving kiosk mode needs a staff login: Ctrl+Alt+Q, or a three-second press in the
top-left corner, opens the login dialog; Escape and Alt+F4 do nothing.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PyQt6.QtCore import QEvent, Qt, QTimer
from PyQt6.QtGui import QCloseEvent, QImage, QKeySequence, QPixmap, QShortcut
from PyQt6.QtWidgets import (
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desk.i18n import _, ngettext
from desk.services.clock import Clock
from desk.services.kinds import RatingChannel
from desk.services.kiosk import (
    CLOSED,
    ERROR,
    PAUSED,
    READY,
    RETURNED,
    SUPPLEMENT,
    WAITING,
    KioskAnswer,
    KioskLookup,
)
from desk.services.ratings import RatingForm, RatingResult
from desk.views.ops import Operation
from desk.views.rating import RatingPanel
from desk.views.widgets import StatusBanner

if TYPE_CHECKING:  # imported when the kiosk starts its camera, at run time
    from desk.hardware.camera import Scanner

log = logging.getLogger("desk.views.kiosk")

# Banner colours (background, text): strong contrast, readable from a metre away.
COLOURS = {
    READY: ("#1e7b34", "#ffffff"),
    WAITING: ("#f4b400", "#1f1f1f"),
    SUPPLEMENT: ("#e37400", "#1f1f1f"),
    RETURNED: ("#5f6368", "#ffffff"),
    CLOSED: ("#a50e0e", "#ffffff"),
    ERROR: ("#a50e0e", "#ffffff"),
    PAUSED: ("#a50e0e", "#ffffff"),
}

HEADLINE = 52  # px
LABEL = 26
VALUE = 32
HINT = 24
CORNER = 96  # px: the top-left hot spot for staff
LONG_PRESS_MS = 3000
PARTIAL_INPUT_MS = 1500  # a scan without Enter is forgotten after this
MAX_QUEUED_SCANS = 5  # scans waiting for the lookup before them; more than a person makes, dropped


def try_camera(spec: str | None, folder: Path, clock: Clock, *,
               samples: Callable[[], list[str]]) -> tuple[str | None, str]:
    """The camera a kiosk started with a test camera (``fake:DIR``) should play, and a line for its screen.

    The shipped sample frames are slips of a test office: on any other database they read as
    invalid slips, which only confuses whoever tries the kiosk. So when none of the folder's codes is
    a slip of this database, the kiosk plays slips of its demo dossiers instead (written to ``folder``),
    or, on a database without demo data (a fresh one), turns the test camera off and says how to try
    it. A real camera, or test frames of this database's own slips, are left as they are. ``samples``
    gives the demo slips (desk.services.demo.sample_slips, wired by desk.app: this module imports no
    service that can write).
    """
    from desk.errors import DeskError
    from desk.hardware.camera import FAKE, IMAGE_SUFFIXES, fake_spec, write_code_frames
    from desk.hardware.decoder import decode_file
    from desk.services.kiosk import lookup as kiosk_lookup

    if not spec or not spec.startswith(FAKE):
        return spec, ""

    source = Path(spec[len(FAKE):])
    try:
        images = sorted(p for p in source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    except OSError:
        images = []
    if any(kiosk_lookup(d.text, clock=clock).ok for image in images for d in decode_file(image)):
        return spec, ""
    try:
        slips = samples()
    except DeskError:
        slips = []
    if not slips:
        return None, _("The test camera's sample slips belong to no dossier of this database, so it is off. "
                       "To try the kiosk, fill a new database with demo dossiers first "
                       "(python main.py demo --user admin), then start the kiosk again.")
    write_code_frames(slips, folder)
    return fake_spec(folder), ngettext("Test camera: it shows the slip of {count} demo dossier of this database.",
                                   "Test camera: it shows the slips of {count} demo dossiers of this database.",
                                   len(slips)).format(count=len(slips))


def _kiosk_form(text: str, *, clock: Clock) -> RatingForm:
    """The rating form of a scanned slip (runs on a worker thread; reads only)."""
    from desk.services.ratings import rating_form_for

    return rating_form_for(text, clock=clock)


def _kiosk_rate(code: str, token: str, level: str, comment: str, channel: str, *,
                clock: Clock | None = None) -> RatingResult:
    """The citizen's rating, the kiosk's one write besides a staff login (runs on a worker thread)."""
    from desk.services.kiosk import rating_writes
    from desk.services.ratings import rate

    with rating_writes():
        return rate(code, token, level, comment, channel, clock=clock)


def _page(name: str, spacing: int = -1) -> tuple[QWidget, QVBoxLayout]:
    """One of the kiosk's screens and its column."""
    page = QWidget()
    page.setObjectName(name)
    box = QVBoxLayout(page)
    if spacing >= 0:
        box.setSpacing(spacing)
    return page, box


def _centred(text: str, name: str, style: str, *, wrap: bool = True) -> QLabel:
    """A centred kiosk line in its own size and colour, readable from a metre away."""
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setStyleSheet(style)
    return label


class _CornerHotspot(QWidget):
    """An invisible square: pressing it for three seconds asks for a staff login."""

    def __init__(self, on_long_press: Callable[[], object], parent: QWidget):
        super().__init__(parent)
        self.setObjectName("corner")
        self.setFixedSize(CORNER, CORNER)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LONG_PRESS_MS)
        self._timer.timeout.connect(on_long_press)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._timer.start()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._timer.stop()


class KioskWindow(QWidget):
    """The kiosk. ``lookup(text, clock=...)`` answers a scan (default: the rate-limited service lookup);
    ``scanner_spec`` ("0", "fake:DIR", ...) turns on the camera, None means a handheld scanner only."""

    def __init__(self, lookup: Callable[..., KioskAnswer] | None = None, scanner_spec: str | None = None,
                 timeout_s: float = 20, parent: QWidget | None = None, *, clock: Clock | None = None,
                 office_name: str = "", notice: str = ""):
        super().__init__(parent)
        self.setObjectName("kiosk")
        self.lookup = lookup or KioskLookup()
        self.clock = clock or Clock()
        self.office_name = office_name
        self.timeout_ms = max(1, int(timeout_s * 1000))
        self.answer: KioskAnswer | None = None
        self.looking: Operation | None = None  # the lookup on its way to the database
        self.rating_form: Operation | None = None  # a returned dossier's rating form on its way
        self._looked_up = ""  # the text of the answer on screen (for its rating form)
        self._scans: deque[str] = deque()  # scans waiting for it, answered in order
        self.scanner: Scanner | None = None
        self._unlocked = False
        self._unlocking = False
        self.setWindowTitle(_("Dossier result lookup"))
        self.setStyleSheet("QWidget#kiosk { background: #f7f7f2; } QLabel { color: #1f1f1f; }")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 24, 48, 32)
        layout.setSpacing(16)
        layout.addWidget(_centred(office_name or _("One-stop reception desk"), "office",
                                  f"font-size: {LABEL}px; font-weight: 600; color: #1a4c8b;", wrap=False))

        self.pages = QStackedWidget()
        self.idle_page = self._build_idle()
        self.result_page = self._build_result()
        self.error_page = self._build_error()
        for page in (self.idle_page, self.result_page, self.error_page):
            self.pages.addWidget(page)
        layout.addWidget(self.pages, 1)

        self.done_button = QPushButton(_("Done"))
        self.done_button.setObjectName("done")
        self.done_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch only: the scan input keeps focus
        self.done_button.setMinimumSize(320, 96)
        self.done_button.setStyleSheet(
            f"QPushButton {{ font-size: {VALUE}px; font-weight: 700; background: #1a4c8b; color: white;"
            " border-radius: 16px; padding: 12px 48px; }")
        self.done_button.clicked.connect(self.show_idle)
        layout.addWidget(self.done_button, 0, Qt.AlignmentFlag.AlignHCenter)

        # The keyboard-wedge scanner types here; 1x1 and transparent, but visible so it can hold focus.
        self.scan_input = QLineEdit(self)
        self.scan_input.setObjectName("scan_input")
        self.scan_input.setMaxLength(500)
        self.scan_input.setFixedSize(1, 1)
        self.scan_input.setFrame(False)
        self.scan_input.setStyleSheet("background: transparent; color: transparent; border: none;")
        self.scan_input.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.scan_input.returnPressed.connect(self._scan_entered)
        self.scan_input.textEdited.connect(lambda _text: self._partial.start())
        self.scan_input.move(0, 0)
        self._partial = QTimer(self)
        self._partial.setSingleShot(True)
        self._partial.setInterval(PARTIAL_INPUT_MS)
        self._partial.timeout.connect(self.scan_input.clear)

        self.corner = _CornerHotspot(self.request_exit, self)
        self.corner.move(0, 0)
        self.corner.raise_()
        self.exit_shortcut = QShortcut(QKeySequence("Ctrl+Alt+Q"), self)
        self.exit_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.exit_shortcut.activated.connect(self.request_exit)

        self.back_timer = QTimer(self)
        self.back_timer.setSingleShot(True)
        self.back_timer.setInterval(self.timeout_ms)
        self.back_timer.timeout.connect(self.show_idle)

        self._start_scanner(scanner_spec)
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self.show_idle()

    # -- screens --------------------------------------------------------------------------------
    def _build_idle(self) -> QWidget:
        page, box = _page("idle_page", spacing=20)
        self.idle_title = _centred(_("Hold the QR code on your appointment slip to the camera"), "idle_title",
                                   f"font-size: {HEADLINE}px; font-weight: 700; color: #1a4c8b;")
        box.addWidget(self.idle_title)
        self.preview = QLabel()
        self.preview.setObjectName("preview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(480, 270)
        self.preview.setStyleSheet("background: #202124; border-radius: 12px; color: white;"
                                   f" font-size: {HINT}px;")
        box.addWidget(self.preview, 1, Qt.AlignmentFlag.AlignHCenter)
        self.idle_hint = _centred("", "idle_hint", f"font-size: {VALUE}px; color: #3c4043;")
        box.addWidget(self.idle_hint)
        self.camera_status = _centred("", "camera_status", f"font-size: {HINT}px; color: #a50e0e;", wrap=False)
        self.camera_status.hide()
        box.addWidget(self.camera_status)
        # how to try the kiosk with the test camera (see try_camera)
        self.notice = _centred("", "try_notice", f"font-size: {HINT}px; color: #5f4b00; background: #fff4d6;"
                               " padding: 8px; border-radius: 8px;")
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()
        box.addWidget(self.notice)
        box.addWidget(_centred(_("Your full name and ID number are never shown on this screen."), "privacy",
                               f"font-size: {HINT}px; color: #5f6368;"))
        return page

    def _build_result(self) -> QWidget:
        page, box = _page("result_page", spacing=18)
        self.banner = StatusBanner("banner", "headline", "advice", radius=18, headline_px=HEADLINE, detail_px=VALUE,
                                   margins=(32, 20, 32, 20))
        self.headline, self.advice = self.banner.headline, self.banner.detail
        box.addWidget(self.banner)

        grid = QGridLayout()
        grid.setHorizontalSpacing(28)
        grid.setVerticalSpacing(14)
        grid.setColumnStretch(1, 1)
        self.fields: dict[str, QLabel] = {}
        rows = (("name", _("Applicant")), ("procedure", _("Procedure")), ("appointment", _("Appointment")),
                ("where", _("Where to collect")), ("when", _("Opening hours")))
        for i, (key, caption) in enumerate(rows):
            label = QLabel(caption)
            label.setObjectName(f"field_{key}_caption")
            label.setStyleSheet(f"font-size: {LABEL}px; color: #5f6368;")
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            value = QLabel()
            value.setObjectName(f"field_{key}")
            value.setWordWrap(True)
            value.setStyleSheet(f"font-size: {VALUE}px; font-weight: 600;")
            grid.addWidget(label, i, 0)
            grid.addWidget(value, i, 1)
            self.fields[key] = value
            self.fields[f"{key}_caption"] = label
        box.addLayout(grid)
        # after a returned dossier's scan: rate the service (D49)
        self.rating = RatingPanel(RatingChannel.KIOSK, clock=self.clock, submit=_kiosk_rate)
        self.rating.activity.connect(lambda: self.back_timer.start())
        self.rating.done.connect(lambda _result: self.back_timer.start())
        box.addWidget(self.rating)
        box.addStretch(1)
        return page

    def _build_error(self) -> QWidget:
        page, box = _page("error_page")
        box.addStretch(1)
        self.error_banner = StatusBanner("error_banner", "error_text", radius=18, headline_px=HEADLINE,
                                         margins=(40, 40, 40, 40))
        self.error_text = self.error_banner.headline
        box.addWidget(self.error_banner)
        box.addSpacing(16)
        box.addWidget(_centred(_("Please hold the QR code on your appointment slip to the camera, or ask the staff."),
                               "error_hint", f"font-size: {HINT}px; color: #3c4043;"))
        box.addStretch(1)
        return page

    @property
    def screen(self) -> str:  # type: ignore[override]  # hides QWidget.screen(): the kiosk's own word for its page
        """"idle", "result" or "error": what the citizen sees now."""
        pages: dict[QWidget | None, str] = {self.idle_page: "idle", self.result_page: "result",
                                            self.error_page: "error"}
        return pages[self.pages.currentWidget()]

    def show_idle(self) -> None:
        self.back_timer.stop()
        self.answer = None
        for label in self.fields.values():
            if not label.objectName().endswith("_caption"):
                label.clear()
        self.headline.clear()
        self.advice.clear()
        self.error_text.clear()
        self.rating.clear()
        self.pages.setCurrentWidget(self.idle_page)
        self.done_button.hide()
        self._refocus()

    def show_answer(self, answer: KioskAnswer) -> None:
        """Show a lookup's answer and come back to idle after the timeout."""
        self.answer = answer
        self.rating.clear()
        if answer.ok:
            background, foreground = COLOURS.get(answer.state, COLOURS[WAITING])
            self.banner.show_status(background, foreground, answer.status_text, answer.advice, weight=800)
            values = {"name": answer.masked_name, "procedure": answer.procedure_name,
                      "appointment": answer.appointment_text, "where": answer.where_to_collect,
                      "when": answer.collect_when}
            for key, text in values.items():
                self.fields[key].setText(text)
                self.fields[key].setVisible(bool(text))
                self.fields[f"{key}_caption"].setVisible(bool(text))
            self.pages.setCurrentWidget(self.result_page)
        else:
            background, foreground = COLOURS.get(answer.state, COLOURS[ERROR])
            self.error_banner.show_status(background, foreground, answer.message, weight=700)
            self.pages.setCurrentWidget(self.error_page)
        self.done_button.show()
        self.back_timer.start()
        self._refocus()

    # -- input ----------------------------------------------------------------------------------
    def handle_scan(self, text: str) -> None:
        """One scanned text, from the camera or the USB scanner."""
        text = (text or "").strip()
        if not text or self._unlocking or len(self._scans) >= MAX_QUEUED_SCANS:
            return
        self._scans.append(text)
        self._next_lookup()

    @property
    def looking_up(self) -> bool:
        """A scan is being looked up or waits for it."""
        return self.looking is not None or bool(self._scans)

    def _next_lookup(self) -> None:
        """One lookup at a time, off the UI thread (the rate limit counts them in order; a slow database
        never freezes the screen)."""
        if self.looking is not None or not self._scans:
            return
        text = self._scans.popleft()
        self._looked_up = text
        self.looking = (Operation(self, self.lookup, text, clock=self.clock, label="kiosk lookup")
                        .on_success(self._answered).on_failure(self._lookup_failed).start())

    def _answered(self, answer: KioskAnswer) -> None:
        self.looking = None
        self.show_answer(answer)
        if answer.ok and answer.state == RETURNED and not self._scans:
            self._offer_rating(self._looked_up)
        self._next_lookup()

    def _offer_rating(self, text: str) -> None:
        """A returned dossier's slip: its rating form below the answer, when it may still be rated."""
        answer = self.answer

        def loaded(form: RatingForm) -> None:
            self.rating_form = None
            if self.answer is answer and self.screen == "result":  # not after "Done" or the next scan
                self.show_rating(form)

        def failed(exc: BaseException) -> None:
            self.rating_form = None
            log.warning("kiosk rating form not loaded: %s", exc)

        self.rating_form = (Operation(self, _kiosk_form, text, clock=self.clock, label="kiosk rating form")
                            .on_success(loaded).on_failure(failed).start())

    def _lookup_failed(self, exc: BaseException) -> None:
        log.error("kiosk lookup failed", exc_info=exc)  # a public kiosk must never show a traceback
        self.looking = None
        self.show_answer(KioskAnswer(False, ERROR, message=_(
            "The information cannot be shown right now. Please ask the staff at the desk.")))
        self._next_lookup()

    def show_rating(self, form: RatingForm) -> None:
        """The rating form below a returned dossier's answer; the appointment, long past, gives it the room."""
        self.rating.offer(form)
        if not self.rating.isHidden():
            for key in ("appointment", "appointment_caption"):
                self.fields[key].hide()

    def _scan_entered(self) -> None:
        self._partial.stop()
        text = self.scan_input.text()
        self.scan_input.clear()
        self.handle_scan(text)

    def _refocus(self) -> None:
        if not self._unlocking:
            self.scan_input.setFocus(Qt.FocusReason.OtherFocusReason)

    def _start_scanner(self, spec: str | None) -> None:
        if not spec:
            self.preview.hide()
            self.idle_hint.setText(_("Use the handheld scanner: hold the QR code of your slip under it."))
            return
        from desk.hardware.camera import Scanner  # here, not at the top: OpenCV loads only for a camera kiosk

        self.idle_hint.setText(_("Hold the slip about 20 cm from the camera until the result appears."))
        self.preview.setText(_("Starting the camera…"))
        self.scanner = Scanner(spec, self)
        self.scanner.preview.connect(self._show_frame)
        self.scanner.decoded.connect(self.handle_scan)
        self.scanner.status.connect(self._camera_status)
        self.scanner.start()

    def _show_frame(self, image: QImage) -> None:
        if self.screen != "idle" or not self.preview.isVisible():
            return
        pixmap = QPixmap.fromImage(image).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation)
        self.preview.setPixmap(pixmap)
        self.camera_status.hide()

    def _camera_status(self, message: str) -> None:
        self.camera_status.setText(message)
        self.camera_status.setVisible(bool(message))

    # -- leaving kiosk mode ---------------------------------------------------------------------
    def request_exit(self) -> bool:
        """A staff login closes the kiosk; anything else leaves it running."""
        from desk.services.kiosk import staff_login_writes
        from desk.views.login import LoginDialog

        if self._unlocking:
            return False
        self._unlocking = True
        try:
            dialog = LoginDialog(self.office_name or _("One-stop reception desk"), "", self)
            try:
                with staff_login_writes():
                    accepted = dialog.exec()
            except Exception:  # noqa: BLE001 - e.g. the database is unreachable: stay in kiosk mode
                log.exception("kiosk unlock failed")
                accepted = False
            actor = dialog.actor if accepted else None
            dialog.deleteLater()
        finally:
            self._unlocking = False
        if actor is None:
            self._refocus()
            return False
        log.info("kiosk closed by %s", actor.username)
        self._unlocked = True
        self.close()
        return True

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.key() == Qt.Key.Key_Escape:
            event.accept()  # ignored on purpose: only a staff login leaves the kiosk
            return
        self._refocus()
        super().keyPressEvent(event)

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.WindowActivate:
            self._refocus()
        return super().event(event)

    def closeEvent(self, event: QCloseEvent | None) -> None:  # noqa: N802 - Qt's name
        if event is None:  # never from Qt; PyQt's stub allows it
            return
        if not self._unlocked:
            event.ignore()
            return
        self.back_timer.stop()
        if self.scanner is not None:
            self.scanner.stop()
        super().closeEvent(event)
