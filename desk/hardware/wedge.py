"""USB "keyboard wedge" barcode/QR scanners: tell a scanner's burst from a person typing.

A handheld scanner plugged into the desk behaves as a keyboard: it types the whole code within a
few milliseconds and ends with Enter (or Tab). Left alone, those characters would land in whatever
field has focus — a scanned CCCD would fill the "phone" box of the intake form and its Enter would
save the form. :class:`WedgeDetector` sits in front of every widget as an application-wide event
filter and

- holds printable key presses while they *could* be the start of a burst (each within
  ``max_gap_ms`` of the previous one), at most ``hold_ms`` after the last one;
- when Enter/Return/Tab follows a run of at least ``min_length`` such characters *and* the run is
  a code (``accepts``, given by the views from the scan service: a slip or CCCD payload), swallows
  the whole run with its Enter and emits :attr:`WedgeDetector.scanned` with the text;
- otherwise replays the held key events, in order, to the widget that had focus when each was
  pressed (even if the focus has moved since), so a fast typist, a password manager or an IME
  loses nothing and waits at most ``hold_ms`` (40 ms by default) for a key. A shortcut, an input
  method commit or any other key pressed during a burst is delivered only after the held keys.

Timing comes from ``clock`` (milliseconds) when given — tests drive it — else from the events'
timestamps, else from a monotonic clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from PyQt6 import sip
from PyQt6.QtCore import QEvent, QObject, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QKeyEvent, QWindow
from PyQt6.QtWidgets import QApplication

log = logging.getLogger("desk.hardware.wedge")

MAX_GAP_MS = 30.0
MIN_LENGTH = 6
HOLD_MS = 40

TERMINATORS = frozenset({Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab})
# Keys that only change what the next key means; scanners press Shift around capitals.
MODIFIER_KEYS = frozenset({
    Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_AltGr, Qt.Key.Key_Meta,
    Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock,
})
# Printable text typed with these held is a shortcut (Ctrl+C, Alt+F), not input.
_COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                      | Qt.KeyboardModifier.MetaModifier)
_WATCHED = frozenset({QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride,
                      QEvent.Type.InputMethod})


@dataclass
class _Held:
    target: QObject
    event: QKeyEvent  # a copy we own; the original is gone once the filter returns
    text: str  # the printable text of a press, "" for releases and modifier keys
    focus: QObject | None = None  # for a window target: the object that had the focus at the press


def _focus_of(obj: QObject) -> QObject | None:
    """The object a key sent to ``obj`` ends in: a window forwards it to its focus object."""
    if isinstance(obj, QWindow):
        return obj.focusObject()
    return None


def _monotonic_ms() -> float:
    return time.monotonic() * 1000.0


class WedgeDetector(QObject):
    """Application-wide event filter that turns scanner bursts into :attr:`scanned` signals.

    Install with ``QApplication.instance().installEventFilter(detector)``; deleting the detector
    (e.g. with its parent window) uninstalls it.
    """

    scanned = pyqtSignal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_gap_ms: float = MAX_GAP_MS,
        min_length: int = MIN_LENGTH,
        hold_ms: int = HOLD_MS,
        clock: Callable[[], float] | None = None,
    ):
        super().__init__(parent)
        self.max_gap_ms = max_gap_ms
        self.min_length = min_length
        self.clock = clock
        self.enabled = True
        # Which held runs are codes: given by the views (the scan service decides); None takes every
        # run that looks like a burst (the detector alone, as in its unit tests).
        self.accepts: Callable[[str], bool] | None = None
        # Optional "am I in charge now?" check, e.g. the main window's isVisible: a closed window's
        # detector must not eat keys meant for another window.
        self.gate: Callable[[], bool] | None = None
        self._held: list[_Held] = []
        self._chars = 0  # printable presses in _held
        self._last_at: float | None = None  # time of the last held printable press
        self._replaying = False
        self._passed: tuple | None = None  # the event last let through (seen again while it propagates)
        self._swallow_release: set[int] = set()  # keys whose press was swallowed: drop their release too
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(hold_ms)
        self._timer.timeout.connect(self.flush)
        # Scans are announced from the event loop, not from inside the filter: handlers may open dialogs.
        self._scans: list[str] = []
        self._announce = QTimer(self)
        self._announce.setSingleShot(True)
        self._announce.setInterval(0)
        self._announce.timeout.connect(self._emit_scans)

    # -- public -----------------------------------------------------------------------------
    @property
    def holding(self) -> bool:
        """Key events are held back right now (tests and the status bar may ask)."""
        return bool(self._held)

    def flush(self) -> None:
        """Replay the held key events, in order, to the widgets they were meant for."""
        self._timer.stop()
        held, self._held = self._held, []
        self._chars = 0
        self._last_at = None
        if not held:
            return
        self._replaying = True
        try:
            for item in held:
                target = item.target
                if item.focus is not None and not sip.isdeleted(item.focus) and not sip.isdeleted(target) \
                        and _focus_of(target) is not item.focus:
                    target = item.focus  # the focus moved while the key was held: it goes where it was typed
                if sip.isdeleted(target):
                    continue
                QApplication.sendEvent(target, item.event)
        finally:
            self._replaying = False

    def _emit_scans(self) -> None:
        scans, self._scans = self._scans, []
        for code in scans:
            self.scanned.emit(code)

    # -- the filter -------------------------------------------------------------------------
    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:  # noqa: N802 - Qt's name
        if obj is None or event is None:
            return False
        kind = event.type()
        if kind not in _WATCHED:
            return False
        if self._replaying or not self.enabled:
            return False
        try:
            if self.gate is not None and not self.gate():
                self.flush()
                return False
            if kind == QEvent.Type.InputMethod:
                self.flush()  # an IME commit comes after the keys typed before it
                return False
            if not isinstance(event, QKeyEvent):  # PyQt hands key events over as QKeyEvent
                return False
            if kind == QEvent.Type.ShortcutOverride:
                return self._shortcut_override(event)
            # The C++ address (sip's stub says unwrapinstance returns None; it returns an int).
            address = sip.unwrapinstance(event)  # type: ignore[func-returns-value]
            signature = (address, kind, event.key(), event.text(), event.timestamp())
            if signature == self._passed:
                return False  # the same event on its way from the window to the focus widget and its parents
            swallow = self._key_press(obj, event) if kind == QEvent.Type.KeyPress else self._key_release(obj, event)
            self._passed = None if swallow else signature
            return swallow
        except Exception:  # noqa: BLE001 - a broken filter must never eat the keyboard
            log.exception("keyboard-wedge filter failed; passing keys through")
            try:
                self.flush()
            except Exception:  # noqa: BLE001
                self._held, self._chars, self._last_at, self._replaying = [], 0, None, False
            return False

    def _now(self, event: QKeyEvent) -> float:
        if self.clock is not None:
            return float(self.clock())
        stamp = event.timestamp()
        return float(stamp) if stamp else _monotonic_ms()

    def _hold(self, obj: QObject, event: QKeyEvent, text: str = "") -> bool:
        copy = event.clone()
        assert copy is not None  # Qt's clone() always copies; the stub allows None
        self._held.append(_Held(obj, copy, text, _focus_of(obj)))
        return True

    @staticmethod
    def _printable(event: QKeyEvent) -> bool:
        """A key that may be part of a burst: text, no auto-repeat, no Ctrl/Alt/Meta."""
        text = event.text()
        return (bool(text) and text.isprintable() and not event.isAutoRepeat()
                and not event.modifiers() & _COMMAND_MODIFIERS)

    def _fast(self, event: QKeyEvent) -> bool:
        return self._last_at is not None and self._now(event) - self._last_at <= self.max_gap_ms

    def _ends_scan(self, event: QKeyEvent) -> bool:
        """This key is the Enter/Tab of a scanner's burst of a code (not of fast typing)."""
        if event.key() not in TERMINATORS or event.modifiers() & _COMMAND_MODIFIERS:
            return False
        if not self._fast(event) or self._chars < self.min_length:
            return False
        code = "".join(item.text for item in self._held)
        return self.accepts is None or bool(self.accepts(code))

    def _shortcut_override(self, event: QKeyEvent) -> bool:
        """Qt asks the focus widget before it fires a shortcut: deliver the held keys first.

        The Enter/Tab that ends a scan is claimed here, so no shortcut acts on it either.
        """
        if not self._held or event.key() in MODIFIER_KEYS:
            return False
        if self._printable(event):
            if not self._fast(event):
                self.flush()  # a pause: what was held was typed by a person
            return False
        if self._ends_scan(event):
            event.accept()
            return True
        self.flush()
        return False

    def _key_press(self, obj: QObject, event: QKeyEvent) -> bool:
        key = event.key()
        if key in MODIFIER_KEYS:
            return self._hold(obj, event) if self._held else False
        now = self._now(event)
        fast = self._last_at is not None and now - self._last_at <= self.max_gap_ms
        text = event.text()
        printable = self._printable(event)
        if printable:
            if self._held and not fast:
                self.flush()  # a pause: what was held was typed by a person
            self._hold(obj, event, text)
            self._chars += 1
            self._last_at = now
            self._timer.start()
            return True
        if self._ends_scan(event):
            code = "".join(item.text for item in self._held)
            self._swallow_release.update(self._unreleased())
            self._swallow_release.add(key)
            self._timer.stop()
            self._held = []
            self._chars = 0
            self._last_at = None
            self._scans.append(code)
            self._announce.start()
            return True
        # Any other key (or a terminator after typing): first the held keys, then this one, in order.
        self.flush()
        return False

    def _unreleased(self) -> set[int]:
        """Keys pressed in the held run whose release has not come yet (it will, after the burst)."""
        down: set[int] = set()
        for item in self._held:
            if item.event.type() == QEvent.Type.KeyPress:
                down.add(item.event.key())
            else:
                down.discard(item.event.key())
        return down

    def _key_release(self, obj: QObject, event: QKeyEvent) -> bool:
        key = event.key()
        if key in self._swallow_release:
            self._swallow_release.discard(key)
            return True
        if self._held:
            return self._hold(obj, event)
        return False
