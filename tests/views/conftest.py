"""Fixtures for screens whose work runs in background operations (desk.views.ops)."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from PyQt6.QtCore import QCoreApplication

from desk.views import ops


@pytest.fixture
def finish(qtbot):
    """``finish(op)``: wait until the operation's outcome reached its screen, and return the operation.

    The event loop turns while waiting, as it does for a clerk; the test then reads what the screen shows.
    """
    def wait(op: ops.Operation | None, timeout: int = 10_000) -> ops.Operation:
        assert op is not None, "nothing was started"
        qtbot.waitUntil(lambda: op.done, timeout=timeout)
        return op

    return wait


@pytest.fixture
def idle(qtbot):
    """``idle()``: wait until no background operation is running (a save's receipt written and printed)."""
    def wait(timeout: int = 10_000) -> None:
        qtbot.waitUntil(lambda: not ops.running(), timeout=timeout)

    return wait


@pytest.fixture(autouse=True)
def no_operation_left_behind(qtbot):
    """A test's background work ends inside the test: none of it reaches the next test's database."""
    yield
    assert ops.wait_for_all(10), f"background operations still running: {ops.running()}"
    QCoreApplication.sendPostedEvents()  # their outcomes, delivered (or dropped) now


class WriteLock:
    """Another desk's connection holding the SQLite write lock for ``seconds``, on its own thread, so the
    lock goes away on time whatever this desk's UI thread is doing."""

    def __init__(self, path, seconds: float):
        self.held = threading.Event()
        self.released = threading.Event()

        def hold() -> None:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            try:
                conn.execute("BEGIN IMMEDIATE")
                self.held.set()
                self.released.wait(seconds)
                conn.execute("ROLLBACK")
            finally:
                conn.close()
                self.released.set()

        self.thread = threading.Thread(target=hold, daemon=True)
        self.thread.start()
        assert self.held.wait(10)


@pytest.fixture
def write_lock(tmp_path):
    """``write_lock(seconds)``: the test database (the ``db``/``office`` file) is locked for writing meanwhile."""
    locks: list[WriteLock] = []

    def hold(seconds: float) -> WriteLock:
        lock = WriteLock(tmp_path / "desk.db", seconds)
        locks.append(lock)
        return lock

    yield hold
    for lock in locks:
        lock.released.set()
        lock.thread.join(10)
