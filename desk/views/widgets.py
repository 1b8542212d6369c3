"""Small widgets shared by screens and dialogs: the status banner, a dialog's message line and its two buttons.

Kept apart from common.py, which brings in printing: the kiosk and the log-in dialog use these too.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QFrame, QLabel, QVBoxLayout, QWidget

ERROR_COLOUR = "#b00020"


def message_and_buttons(layout: QVBoxLayout, dialog: QDialog, ok_text: str, cancel_text: str, *,
                        on_ok: Callable[[], object] | None = None, wrap: bool = False) -> QLabel:
    """Add a dialog's red message line and its OK/Cancel buttons to ``layout``; returns the line.

    The buttons are named here, so the dialog speaks the desk's language even before Qt's own strings are
    translated. OK runs ``on_ok`` (default: accept); Cancel and Esc reject.
    """
    message = QLabel()
    message.setObjectName("message")
    message.setStyleSheet(f"color: {ERROR_COLOUR}")
    message.setWordWrap(wrap)
    layout.addWidget(message)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert ok is not None and cancel is not None  # both made just above (common.present is not imported here)
    ok.setText(ok_text)
    cancel.setText(cancel_text)
    buttons.accepted.connect(on_ok or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return message


class StatusBanner(QFrame):
    """A box with a big coloured headline and a line under it: what a scan or a dossier's state means,
    readable from a step away (the pickup screen, the kiosk, the scan dialog).

    ``filled`` paints the box in the state's colour with the text in ``text_colour``; otherwise the box
    gets a coloured border and the headline the same colour. ``detail_px`` None leaves the detail line's
    look to the caller. Each call of :meth:`show_status` sets the look and the words together, so a
    banner never shows one state's colour with another's words.
    """

    def __init__(self, name: str, headline_name: str, detail_name: str = "", *, radius: int,
                 headline_px: int, detail_px: int | None = None, filled: bool = True,
                 margins: tuple[int, int, int, int] = (0, 0, 0, 0), spacing: int = -1, centred: bool = True,
                 hide_empty_detail: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.radius, self.headline_px, self.detail_px, self.filled = radius, headline_px, detail_px, filled
        self.hide_empty_detail = hide_empty_detail
        box = QVBoxLayout(self)
        box.setContentsMargins(*margins)
        if spacing >= 0:
            box.setSpacing(spacing)
        self.headline = self._line(headline_name, box, centred)
        self.detail = self._line(detail_name or f"{name}_detail", box, centred)
        if hide_empty_detail:
            self.detail.hide()  # until a state with a detail line is shown

    @staticmethod
    def _line(name: str, box: QVBoxLayout, centred: bool) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        if centred:
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(label)
        return label

    def plain_text(self, room_above: int, detail_room_above: int = 0) -> None:
        """Show the words as typed (a citizen's name is never markup), with ``room_above`` pixels over the
        headline: stacked Vietnamese marks (Ế, Ả, Ỗ) are taller than the font's ascent."""
        for label, room in ((self.headline, room_above), (self.detail, detail_room_above)):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setContentsMargins(0, room, 0, 0)

    def show_status(self, colour: str, text_colour: str, headline: str, detail: str = "", *,
                    headline_px: int | None = None, weight: int | str = "bold") -> None:
        """Paint the banner for one state and put its words in (``detail`` hidden when empty)."""
        if self.filled:
            frame = f"background: {colour}; border-radius: {self.radius}px;"
        else:
            frame = f"border: 2px solid {colour}; border-radius: {self.radius}px;"
        weight_rule = f" font-weight: {weight};" if weight else ""
        style = (f"QFrame#{self.objectName()} {{ {frame} }}"
                 f"QLabel#{self.headline.objectName()} {{ color: {text_colour};"
                 f" font-size: {headline_px or self.headline_px}px;{weight_rule} }}")
        if self.detail_px is not None:
            style += f"QLabel#{self.detail.objectName()} {{ color: {text_colour}; font-size: {self.detail_px}px; }}"
        self.setStyleSheet(style)
        self.headline.setText(headline)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail) or not self.hide_empty_detail)

    def clear(self) -> None:
        self.headline.clear()
        self.detail.clear()
