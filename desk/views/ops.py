"""The one way screens run slow work: a background operation, in the spirit of Anki's aqt/operations.

    Operation(self, intake.register, request, actor=ctx.actor, clock=ctx.clock, label="register dossier")
        .on_success(self._saved)
        .on_failure(self._save_failed)
        .start()

What it guarantees, so that no screen has to think about threads again:

- ``fn`` runs on its own Python thread. No QThread and no QObject lives on that thread, and nothing
  is parented to a widget: a screen that closes (and is deleted with its window) cannot take a
  running thread with it, which is what made the window abort on exit (a QThread parented to a
  widget, deleted with it, then released a second time).
- The result or the error comes back on the UI thread, through the callbacks, after ``fn`` has
  returned or raised. Progress (``with_progress``) arrives on the UI thread too, before the result.
- When ``parent`` was deleted meanwhile (its window closed), the callbacks are dropped, and logged.
- The helper keeps every operation (its function, arguments, callbacks and thread) until the thread
  has ended and the callbacks have run, and lets go of them on the UI thread: no widget or Qt object
  is ever released on a worker thread.
- The worker thread's database connection is closed when ``fn`` ends.
- At exit, :func:`wait_for_all` asks the cancellable operations to stop and waits for every running
  one, at most a bounded time, and says in the log what it waited for or what it left behind.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PyQt6 import sip
from PyQt6.QtCore import QObject, pyqtSignal, pyqtSlot

log = logging.getLogger("desk.views.ops")

T = TypeVar("T")

EXIT_WAIT_S = 10.0  # how long the closing window waits for running operations

_running: set[Operation] = set()  # started and not yet delivered; touched on the UI thread only


class _Relay(QObject):
    """Lives on the UI thread; worker threads emit its signals, so Qt queues the calls to the UI thread."""

    finished = pyqtSignal(object)  # Operation
    progressed = pyqtSignal(object, int, int)  # Operation, done, total

    def __init__(self) -> None:
        super().__init__()
        self.finished.connect(self._finished)
        self.progressed.connect(self._progressed)

    @pyqtSlot(object)
    def _finished(self, op: Operation) -> None:
        op._deliver()

    @pyqtSlot(object, int, int)
    def _progressed(self, op: Operation, done: int, total: int) -> None:
        op._deliver_progress(done, total)


_relay: _Relay | None = None


def _the_relay() -> _Relay:
    global _relay
    if _relay is None or sip.isdeleted(_relay):
        _relay = _Relay()
    return _relay


class Operation(Generic[T]):
    """One call of ``fn(*args, **kwargs)`` off the UI thread, its outcome delivered on the UI thread.

    ``parent`` is the screen the callbacks belong to (or None). Start it with :meth:`start`; it runs once.
    ``label`` names it in the log (so ``fn`` cannot take a keyword argument called ``label``).
    """

    def __init__(self, parent: QObject | None, fn: Callable[..., T], *args: Any, label: str = "",
                 **kwargs: Any) -> None:
        self.parent = parent
        self.label = label or getattr(fn, "__name__", "operation")
        self._fn: Callable[..., T] | None = fn
        self._args: tuple[Any, ...] = args
        self._kwargs: dict[str, Any] = kwargs
        self._success: Callable[[T], Any] | None = None
        self._failure: Callable[[BaseException], Any] | None = None
        self._progress: Callable[[int, int], Any] | None = None
        self._cancel = threading.Event()
        self.cancellable = False
        self._thread: threading.Thread | None = None
        self._outcome: tuple[bool, Any] | None = None
        self.done = False  # the outcome was delivered (or dropped)
        self.result: T | None = None
        self.error: BaseException | None = None
        self.started_at = 0.0

    # -- building -----------------------------------------------------------------------------
    def on_success(self, callback: Callable[[T], Any]) -> Operation[T]:
        """``callback(result)`` on the UI thread when ``fn`` returned."""
        self._success = callback
        return self

    def on_failure(self, callback: Callable[[BaseException], Any]) -> Operation[T]:
        """``callback(exception)`` on the UI thread when ``fn`` raised.

        Without one, the error is logged and shown in a message box over ``parent``.
        """
        self._failure = callback
        return self

    def with_progress(self, callback: Callable[[int, int], Any]) -> Operation[T]:
        """``fn`` gets ``progress=report`` to call as ``report(done, total)`` from its thread;
        ``callback(done, total)`` runs on the UI thread."""
        self._progress = callback
        self._kwargs["progress"] = self._report
        return self

    def with_cancel(self) -> Operation[T]:
        """``fn`` gets ``cancel=asked`` and checks ``asked()`` between steps; :meth:`cancel` and the exit
        of the application set it."""
        self.cancellable = True
        self._kwargs["cancel"] = self.cancel_requested
        return self

    # -- running ------------------------------------------------------------------------------
    def start(self) -> Operation[T]:
        """Run ``fn`` on a new thread and return at once (call on the UI thread)."""
        if threading.current_thread() is not threading.main_thread():
            raise RuntimeError("background operations are started from the UI thread")
        if self._thread is not None:
            raise RuntimeError(f"operation {self.label!r} was already started")
        _the_relay()
        self._thread = threading.Thread(target=_work, args=(self,), name=f"desk-op: {self.label}", daemon=True)
        _running.add(self)
        self.started_at = time.monotonic()
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        """Started and its outcome not delivered yet."""
        return self._thread is not None and not self.done

    @property
    def succeeded(self) -> bool:
        """Delivered, and ``fn`` returned."""
        return self.done and self.error is None

    def cancel(self) -> None:
        """Ask ``fn`` to stop at its next check (only ``with_cancel`` operations look)."""
        self._cancel.set()

    def cancel_requested(self) -> bool:
        """What ``fn`` asks between steps; safe from any thread."""
        return self._cancel.is_set()

    def _report(self, done: int, total: int) -> None:
        """Handed to ``fn`` as ``progress``: runs on the worker thread, queues to the UI thread."""
        relay = _relay
        if relay is not None:
            relay.progressed.emit(self, int(done), int(total))

    # -- delivering (UI thread) ---------------------------------------------------------------
    def _alive(self) -> bool:
        return self.parent is None or not sip.isdeleted(self.parent)

    def _deliver_progress(self, done: int, total: int) -> None:
        if self.done or self._progress is None or not self._alive():
            return
        _call(self._progress, done, total)

    def _deliver(self) -> None:
        thread = self._thread
        if thread is not None:
            thread.join()  # at once: emitting the outcome was the worker's last act
        outcome: tuple[bool, Any] = (self._outcome if self._outcome is not None
                                     else (False, RuntimeError("no outcome")))
        ok, value = outcome  # a T when ok, else the exception
        self._outcome = None
        self.done = True
        self._fn, self._args, self._kwargs = None, (), {}  # released here, on the UI thread
        if ok:
            self.result = value
        else:
            self.error = value
        try:
            if not self._alive():
                log.info("%s finished after its screen was closed; result dropped%s", self.label,
                         "" if ok else f" (it failed: {value!r})")
                return
            if ok:
                if self._success is not None:
                    _call(self._success, value)
            elif self._failure is not None:
                _call(self._failure, value)
            else:
                _show_failure(self.parent, value)
        finally:
            self._success = self._failure = self._progress = None
            _running.discard(self)

    def __repr__(self) -> str:
        state = "done" if self.done else "running" if self._thread is not None else "new"
        return f"<Operation {self.label!r} {state}>"


def _work(op: Operation) -> None:
    """The worker thread: run, give the thread's database connection back, hand the outcome over."""
    try:
        outcome: tuple[bool, Any] = (True, op._fn(*op._args, **op._kwargs))  # type: ignore[misc]
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the UI thread
        outcome = (False, exc)
    finally:
        _release_connection()
    op._outcome = outcome
    del outcome
    relay = _relay
    if relay is not None and not sip.isdeleted(relay):
        relay.finished.emit(op)  # the last thing this thread does with the operation


def _release_connection() -> None:
    try:
        from desk.services.search import release_thread_connection

        release_thread_connection()
    except Exception:  # noqa: BLE001 - a connection that will not close is no reason to lose the result
        log.exception("closing a worker thread's database connection failed")


def _call(callback: Callable[..., Any], *args: Any) -> None:
    """A callback that raises goes to sys.excepthook (logged, one message), never aborts the process."""
    try:
        callback(*args)
    except Exception:  # noqa: BLE001
        sys.excepthook(*sys.exc_info())


def _show_failure(parent: QObject | None, exc: BaseException) -> None:
    from PyQt6.QtWidgets import QWidget

    from desk.views.common import error_text, show_error

    if isinstance(parent, QWidget):
        show_error(parent, exc)
    else:
        log.error("%s", error_text(exc))


def running() -> list[Operation]:
    """Operations started and not yet delivered (for the exit and for tests)."""
    return [op for op in _running if not op.done]


def wait_for_all(timeout_s: float = EXIT_WAIT_S) -> bool:
    """Before the window and Qt go away: stop what can stop, wait for the rest; True when none is left.

    Waits at most ``timeout_s`` in all and writes one log line saying what it waited for, or which
    operations were still running when it gave up (a long read on a slow network cannot be
    interrupted; the caller then leaves without destroying anything they use).
    """
    pending = [op for op in _running if op._thread is not None and op._thread.is_alive()]
    if not pending:
        return True
    for op in pending:
        if op.cancellable:
            op.cancel()
    started = time.monotonic()
    deadline = started + timeout_s
    for op in pending:
        assert op._thread is not None
        op._thread.join(max(0.0, deadline - time.monotonic()))
    waited = time.monotonic() - started
    left = [op for op in pending if op._thread is not None and op._thread.is_alive()]
    if left:
        log.warning("exit: %d background operation(s) still running after %.1f s, leaving without them: %s",
                    len(left), waited, ", ".join(op.label for op in left))
        return False
    log.info("exit: waited %.2f s for %d background operation(s) to finish: %s", waited, len(pending),
             ", ".join(op.label for op in pending))
    return True


__all__ = ["EXIT_WAIT_S", "Operation", "running", "wait_for_all"]
