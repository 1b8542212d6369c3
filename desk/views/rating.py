"""The citizens' rating of the service on a screen (D49): three large buttons and an optional short comment.

:class:`RatingPanel` is the form itself, used by the pickup kiosk after a returned dossier's slip was scanned
and by :class:`CitizenRatingWindow`, the citizen-facing window of the pickup desk (a second monitor or a
tablet-sized screen turned to the citizen), which the pickup screen opens and fills when the clerk records a
return. Touch-friendly: buttons of at least 240×84 pixels, the comment one line. The panel reads the form
and writes the rating in background operations (desk.views.ops); the service checks the token, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PyQt6.QtCore import Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QGuiApplication
from PyQt6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desk.i18n import _
from desk.services.clock import Clock
from desk.services.kinds import RatingChannel, RatingLevel
from desk.services.ratings import MAX_COMMENT_CHARS, RatingForm, RatingResult
from desk.views.common import error_text
from desk.views.ops import Operation

log = logging.getLogger("desk.views.rating")

# (background, text) of each level's button: green, blue, red, readable from a metre away.
LEVEL_COLOURS = {RatingLevel.VERY_SATISFIED: ("#1e7b34", "#ffffff"), RatingLevel.SATISFIED: ("#1a4c8b", "#ffffff"),
                 RatingLevel.DISSATISFIED: ("#a50e0e", "#ffffff")}
BUTTON_SIZE = (240, 84)
QUESTION_PX = 30
BUTTON_PX = 28
HINT_PX = 20
IDLE_AFTER_MS = 20_000  # the citizen window's thank-you or unanswered form gives way to its idle text

Submit = Callable[..., RatingResult]  # (code, token, level, comment, channel, *, clock) → the result


def _submit_rating(code: str, token: str, level: str, comment: str, channel: str, *,
                   clock: Clock | None = None) -> RatingResult:
    """The service's rate(), run in the background."""
    from desk.services.ratings import rate

    return rate(code, token, level, comment, channel, clock=clock)


class RatingPanel(QFrame):
    """The rating form for one dossier: ``offer(form)`` shows it, a button sends it once; ``done`` follows.

    ``activity`` is emitted on every touch, so a screen that returns to idle by itself can wait longer.
    """

    done = pyqtSignal(object)  # the RatingResult
    activity = pyqtSignal()

    def __init__(self, channel: RatingChannel, *, clock: Clock | None = None, submit: Submit | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("rating_panel")
        self.channel = channel
        self.clock = clock or Clock()
        self.submit = submit or _submit_rating
        self.form: RatingForm | None = None
        self.sending: Operation | None = None
        self.result: RatingResult | None = None
        self.setStyleSheet("QFrame#rating_panel { background: #ffffff; border: 2px solid #d0d7de; border-radius: 16px; }")
        box = QVBoxLayout(self)
        box.setContentsMargins(24, 10, 24, 10)
        box.setSpacing(8)
        self.question = QLabel("")
        self.question.setObjectName("rating_question")
        self.question.setWordWrap(True)
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.question.setStyleSheet(f"font-size: {QUESTION_PX}px; font-weight: 700; color: #1f1f1f; border: none;")
        box.addWidget(self.question)
        row = QHBoxLayout()
        row.setSpacing(18)
        self.buttons: dict[RatingLevel, QPushButton] = {}
        for level in RatingLevel:
            button = QPushButton(level.label)
            button.setObjectName(f"rate_{level.value}")
            button.setMinimumSize(*BUTTON_SIZE)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch: the kiosk's scan input keeps the focus
            background, foreground = LEVEL_COLOURS[level]
            button.setStyleSheet(f"QPushButton {{ font-size: {BUTTON_PX}px; font-weight: 700; background: {background};"
                                 f" color: {foreground}; border-radius: 16px; padding: 8px 16px; }}"
                                 "QPushButton:disabled { background: #c4c7c5; color: #5f6368; }")
            button.clicked.connect(lambda _checked=False, chosen=level: self.choose(chosen))
            row.addWidget(button, 1)
            self.buttons[level] = button
        box.addLayout(row)
        self.comment = QLineEdit()
        self.comment.setObjectName("rating_comment")
        self.comment.setMaxLength(MAX_COMMENT_CHARS)
        self.comment.setPlaceholderText(_("Comment (optional, do not write personal information)"))
        self.comment.setMinimumHeight(48)
        self.comment.setStyleSheet(f"font-size: {HINT_PX}px; padding: 4px 10px;")
        self.comment.textEdited.connect(lambda _text: self.activity.emit())
        box.addWidget(self.comment)
        self.message = QLabel("")
        self.message.setObjectName("rating_message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet(f"font-size: {HINT_PX + 4}px; color: #1e7b34; font-weight: 600; border: none;")
        box.addWidget(self.message)
        self.clear()

    @property
    def can_rate(self) -> bool:
        """The buttons are offered and nothing was sent yet."""
        return self.form is not None and self.form.can_rate and self.sending is None and self.result is None

    def clear(self) -> None:
        """Hide the form (another dossier, or the screen went idle)."""
        self.form = None
        self.result = None
        self.comment.clear()
        self.hide()

    def offer(self, form: RatingForm) -> None:
        """Show the form when the dossier may be rated, or its one line (already rated) when it may not;
        show nothing for a dossier that is not to be rated at all."""
        self.form, self.result = form, None
        self.comment.clear()
        if not form.can_rate and not form.already_rated:
            self.hide()
            return
        self.question.setText(form.message if form.can_rate else "")
        self.question.setVisible(form.can_rate)
        for button in self.buttons.values():
            button.setVisible(form.can_rate)
            button.setEnabled(form.can_rate)
        self.comment.setVisible(form.can_rate)
        self.message.setText("" if form.can_rate else form.message)
        self.message.setVisible(not form.can_rate)
        self.show()

    def choose(self, level: RatingLevel) -> Operation | None:
        """Send the rating (once); the buttons wait meanwhile. The running send, or None when nothing started."""
        form = self.form
        if form is None or not self.can_rate:
            return None
        self.activity.emit()
        for button in self.buttons.values():
            button.setEnabled(False)
        self.sending = (Operation(self, self.submit, form.code, form.token, level.value, self.comment.text(),
                                  self.channel.value, clock=self.clock, label="rate the service")
                        .on_success(self._sent).on_failure(self._failed).start())
        return self.sending

    def _sent(self, result: RatingResult) -> None:
        self.sending = None
        self.result = result
        self._say(result.message, ok=True)
        self.done.emit(result)

    def _failed(self, exc: BaseException) -> None:
        log.warning("rating not recorded: %s", exc)
        self.sending = None
        self._say(error_text(exc), ok=False)
        for button in self.buttons.values():
            button.setEnabled(True)

    def _say(self, text: str, *, ok: bool) -> None:
        self.question.hide()
        self.comment.setVisible(not ok and self.comment.isVisible())
        for button in self.buttons.values():
            button.setVisible(not ok)
        self.message.setStyleSheet(f"font-size: {HINT_PX + 4}px; font-weight: 600; border: none; "
                                   f"color: {'#1e7b34' if ok else '#a50e0e'};")
        self.message.setText(text)
        self.message.show()


def _load_form(code: str, clock: Clock) -> RatingForm:
    """The rating form of a dossier just returned at the desk (runs on a worker thread)."""
    from desk.services.ratings import rating_form_for_code

    return rating_form_for_code(code, clock=clock)


class CitizenRatingWindow(QWidget):
    """The pickup desk's citizen-facing window: idle thanks, and after the clerk records a return, that
    dossier's rating buttons. Opened by the pickup screen on a second monitor when there is one."""

    def __init__(self, office_name: str = "", *, clock: Clock | None = None, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("citizen_rating")
        self.clock = clock or Clock()
        self.loading: Operation | None = None
        self.setWindowTitle(_("Rate the service"))
        self.setStyleSheet("QWidget#citizen_rating { background: #f7f7f2; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(18)
        header = QLabel(office_name or _("One-stop reception desk"))
        header.setObjectName("citizen_office")
        header.setAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setStyleSheet("font-size: 26px; font-weight: 600; color: #1a4c8b;")
        layout.addWidget(header)
        self.idle = QLabel(_("Thank you for using the services of the one-stop desk."))
        self.idle.setObjectName("citizen_idle")
        self.idle.setWordWrap(True)
        self.idle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.idle.setStyleSheet("font-size: 34px; font-weight: 700; color: #3c4043;")
        layout.addStretch(1)
        layout.addWidget(self.idle)
        self.panel = RatingPanel(RatingChannel.COUNTER_SCREEN, clock=self.clock, parent=self)
        layout.addWidget(self.panel)
        layout.addStretch(1)
        privacy = QLabel(_("Your rating is anonymous: no personal information is asked or kept."))
        privacy.setObjectName("citizen_privacy")
        privacy.setWordWrap(True)
        privacy.setAlignment(Qt.AlignmentFlag.AlignCenter)
        privacy.setStyleSheet(f"font-size: {HINT_PX}px; color: #5f6368;")
        layout.addWidget(privacy)
        self.back_timer = QTimer(self)
        self.back_timer.setSingleShot(True)
        self.back_timer.setInterval(IDLE_AFTER_MS)
        self.back_timer.timeout.connect(self.show_idle)
        self.panel.activity.connect(self.back_timer.start)
        self.panel.done.connect(lambda _result: self.back_timer.start())
        self.show_idle()

    def show_idle(self) -> None:
        self.back_timer.stop()
        self.panel.clear()
        self.idle.show()

    def offer(self, code: str) -> Operation:
        """The clerk just returned dossier ``code``: load its rating form and show the buttons."""
        self.loading = (Operation(self, _load_form, code, self.clock, label="rating form")
                        .on_success(self._loaded).on_failure(self._load_failed).start())
        return self.loading

    def _loaded(self, form: RatingForm) -> None:
        self.loading = None
        self.show_form(form)

    def show_form(self, form: RatingForm) -> None:
        """The rating buttons (or the one line of an already rated dossier) in place of the idle thanks."""
        self.panel.offer(form)
        self.idle.setVisible(self.panel.isHidden())
        self.back_timer.start()

    def _load_failed(self, exc: BaseException) -> None:
        log.warning("rating form not loaded: %s", exc)
        self.loading = None
        self.show_idle()

    def place(self) -> None:
        """Show on the second monitor, full screen, when there is one; else as a window of its own size."""
        screens = QGuiApplication.screens()
        primary = QGuiApplication.primaryScreen()
        others = [s for s in screens if s is not primary]
        if others:
            self.setGeometry(others[0].availableGeometry())
            self.showFullScreen()
        else:
            self.resize(1024, 600)
            self.show()
        self.raise_()

    def closeEvent(self, event: QCloseEvent | None) -> None:  # noqa: N802 - Qt's name
        self.back_timer.stop()
        super().closeEvent(event)
