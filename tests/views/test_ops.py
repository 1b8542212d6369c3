"""The background-operation helper: work off the UI thread, outcome on it, nothing released elsewhere."""

from __future__ import annotations

import logging
import threading
import time

from PyQt6 import sip
from PyQt6.QtCore import QCoreApplication, QObject, QThread, QTimer
from PyQt6.QtWidgets import QWidget

from desk.errors import DeskError
from desk.views import ops
from desk.views.ops import Operation


def test_result_and_error_arrive_on_the_ui_thread(qtbot, finish):
    seen: list[tuple[str, object, threading.Thread]] = []
    where: list[threading.Thread] = []

    def work(a: int, *, b: int) -> int:
        where.append(threading.current_thread())
        return a + b

    def fail() -> None:
        raise DeskError("không được")

    good = Operation(None, work, 2, b=3).on_success(
        lambda result: seen.append(("ok", result, threading.current_thread()))).start()
    bad = Operation(None, fail).on_failure(
        lambda exc: seen.append(("failed", exc, threading.current_thread()))).start()
    assert good.running and not good.done  # start() returns at once
    finish(good)
    finish(bad)
    assert where and where[0] is not threading.main_thread()
    outcomes = {kind: (value, thread) for kind, value, thread in seen}
    assert outcomes["ok"] == (5, threading.main_thread())
    assert str(outcomes["failed"][0]) == "không được" and outcomes["failed"][1] is threading.main_thread()
    assert good.succeeded and good.result == 5 and not bad.succeeded and isinstance(bad.error, DeskError)
    assert ops.running() == []


def test_progress_comes_in_order_before_the_result_and_cancel_is_seen(qtbot, finish):
    progress: list[tuple[int, int]] = []
    results: list[str] = []
    go_on = threading.Event()

    def export(*, progress, cancel) -> str:
        for done in range(1, 4):
            progress(done, 3)
        go_on.wait(5)
        return "cancelled" if cancel() else "finished"

    op = (Operation(None, export).with_progress(lambda done, total: progress.append((done, total)))
          .with_cancel().on_success(results.append).start())
    op.cancel()
    go_on.set()
    finish(op)
    assert progress == [(1, 3), (2, 3), (3, 3)] and results == ["cancelled"]


def test_callbacks_to_a_deleted_screen_are_dropped(qtbot, finish, caplog):
    screen = QWidget()
    called: list[object] = []
    release = threading.Event()
    op = (Operation(screen, lambda: release.wait(5) and "done", label="slow read")
          .on_success(called.append).on_failure(called.append).start())
    screen.deleteLater()
    QCoreApplication.sendPostedEvents(None, 52)  # QEvent.DeferredDelete: the window closed meanwhile
    assert sip.isdeleted(screen)
    release.set()
    with caplog.at_level(logging.INFO, logger="desk.views.ops"):
        finish(op)
    assert called == [] and op.result == "done"
    assert "slow read finished after its screen was closed" in caplog.text


def test_everything_the_operation_held_is_released_on_the_ui_thread(qtbot, finish):
    """The function, its arguments and the callbacks go away on the UI thread, never on the worker's:
    a widget or Qt object released on a worker thread is how the old workers deadlocked and crashed."""
    released: list[threading.Thread] = []

    class Held:
        def __del__(self) -> None:
            released.append(threading.current_thread())

    def work(thing: Held) -> int:
        return 1

    held, in_callback = Held(), Held()
    op = Operation(QObject(), work, held).on_success(lambda _r, kept=in_callback: None).start()
    del held, in_callback
    finish(op)
    QCoreApplication.processEvents()
    del op
    import gc

    gc.collect()
    assert len(released) == 2 and set(released) == {threading.main_thread()}


def test_no_qthread_is_made(qtbot, finish):
    parent = QObject()
    finish(Operation(parent, time.sleep, 0.05).start())
    assert parent.findChildren(QThread) == []


def test_a_callback_that_raises_is_reported_not_fatal(qtbot, finish):
    def broken(_result) -> None:
        raise RuntimeError("callback bug")

    with qtbot.captureExceptions() as exceptions:
        finish(Operation(None, lambda: 1).on_success(broken).start())
    assert [str(e[1]) for e in exceptions] == ["callback bug"]
    assert ops.running() == []


def test_exit_waits_for_running_operations_with_a_bound_and_says_so(qtbot, caplog):
    release = threading.Event()
    quick = Operation(None, time.sleep, 0.3, label="quick write").start()
    with caplog.at_level(logging.INFO, logger="desk.views.ops"):
        assert ops.wait_for_all(5)
    assert "waited" in caplog.text and "quick write" in caplog.text
    assert not quick._thread.is_alive()

    stuck = Operation(None, release.wait, 30, label="long read").start()
    caplog.clear()
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="desk.views.ops"):
        assert ops.wait_for_all(0.3) is False
    assert time.monotonic() - started < 2  # bounded
    assert "still running after" in caplog.text and "long read" in caplog.text
    release.set()
    assert ops.wait_for_all(5) and stuck.cancel_requested() is False  # not cancellable: left alone


def test_exit_cancels_what_can_be_cancelled(qtbot):
    def export(*, cancel) -> str:
        while not cancel():
            time.sleep(0.01)
        return "stopped"

    op = Operation(None, export, label="export").with_cancel().start()
    started = time.monotonic()
    assert ops.wait_for_all(5)
    assert time.monotonic() - started < 1 and op.cancel_requested()


def test_started_from_the_ui_thread_only(qtbot, finish):
    problems: list[BaseException] = []

    def from_worker() -> None:
        try:
            Operation(None, lambda: None).start()
        except RuntimeError as exc:
            problems.append(exc)

    thread = threading.Thread(target=from_worker)
    thread.start()
    thread.join(5)
    assert problems
    timer_fired: list[bool] = []
    QTimer.singleShot(0, lambda: timer_fired.append(True))
    finish(Operation(None, lambda: None).start())
    assert timer_fired
