"""Wiring: database, services and the main window, in one place."""

from __future__ import annotations

import logging
import os
import re
import sys
from logging.handlers import RotatingFileHandler

from desk.config import Settings, data_dir, resolve_database_url
from desk.i18n import _, set_language

log = logging.getLogger("desk")


class RedactingFormatter(logging.Formatter):
    """Personal data never reaches the log: 12-digit ID numbers and 9-digit old ID numbers are masked,
    and so are URL passwords (Decree 13/2023 on personal data)."""

    _ID = re.compile(r"(?<!\d)(\d{5})(\d{4})(\d{3})(?!\d)|(?<!\d)(\d{5})(\d{4})(?!\d)")
    _URL_PASSWORD = re.compile(r"://([^:/@\s]+):[^@\s]*@")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        text = self._ID.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)
        return self._URL_PASSWORD.sub(r"://\1:***@", text)


def setup_logging() -> None:
    """Tracebacks go to a rotating file in the user data folder, never into the clerk's face."""
    handler = RotatingFileHandler(data_dir() / "desk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def open_database(url: str | None):
    """Connect and, on a new database, set up the office and the shipped catalog."""
    from desk.models.db import connect, redact
    from desk.services.errors import NotFound
    from desk.services.office import current_office
    from desk.services.setup import initialize

    resolved = resolve_database_url(url)
    connect(resolved)
    try:
        office = current_office()
    except NotFound:
        initialize()
        office = current_office()
    return office, redact(resolved)


def _install_excepthook() -> None:
    """An unexpected error is logged and explained; the window and the form being filled stay open."""
    from PyQt6.QtWidgets import QApplication, QMessageBox

    def hook(kind, value, tb) -> None:
        log.error("unexpected error", exc_info=(kind, value, tb))
        if QApplication.instance() is not None:
            QMessageBox.warning(None, _("Cannot do that"), _(
                "An unexpected error occurred. Nothing you typed was lost; please try again. "
                "Details were written to the log file."))

    sys.excepthook = hook


def build_main_window(ctx):
    """The main window with the scanner dispatcher listening application-wide."""
    from desk.views.main_window import MainWindow

    window = MainWindow(ctx)
    from desk.views.common import ChangePoller

    window.change_poller = ChangePoller(ctx.bus, window)  # other desks' changes appear without restart
    try:
        from desk.views.scanning import install_scanner
    except ImportError:  # scanning arrives with the hardware layer
        return window
    install_scanner(window, ctx)
    return window


def _start_qt(url: str | None, *, read_only: bool = False):
    """Logging, settings, language, the Qt application and the database; None (after telling why) on failure."""
    from PyQt6.QtWidgets import QApplication, QMessageBox

    from desk.services.errors import DeskError

    setup_logging()
    settings = Settings.load()
    set_language(settings.language)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("OneStop Desk")
    _install_excepthook()
    try:
        office, shown_url = open_database(url)
        if read_only:
            from desk.services.kiosk import enforce_read_only

            enforce_read_only()
    except DeskError as exc:
        log.exception("cannot open database")
        QMessageBox.critical(None, _("OneStop Desk"), str(exc))
        return None
    return app, settings, office, shown_url


def run_gui(url: str | None = None) -> int:
    from desk.services.clock import Clock
    from desk.views.context import AppContext
    from desk.views.login import ask_login

    started = _start_qt(url)
    if started is None:
        return 2
    app, settings, office, shown_url = started
    actor = ask_login(office.name, settings.username)
    if actor is None:
        return 0
    settings.username = actor.username
    settings.save()
    ctx = AppContext(actor=actor, clock=Clock(), settings=settings, office_name=office.name,
                     database_label=shown_url)
    window = build_main_window(ctx)
    window.show()
    start_daily_backup(window)
    code = app.exec()
    close_cleanly(app, window)
    return code


def start_daily_backup(window) -> None:
    """Once a day, the first desk to start copies the SQLite database to the backups folder (30 days kept).

    It runs off the UI thread; a failure is shown in the status bar and logged, never blocking work.
    """
    from desk.services.backup import auto_backup
    from desk.views.common import Worker, error_text, run_in_background

    worker = Worker(auto_backup, actor=window.ctx.actor, keep_days=window.ctx.settings.keep_days)
    worker.finished.connect(lambda path: path and log.info("daily backup written: %s", path))
    worker.failed.connect(lambda exc: window.statusBar().showMessage(
        _("The daily backup failed: {error}").format(error=error_text(exc)), 15_000))
    run_in_background(window, worker)


def close_cleanly(app, window) -> None:
    """Destroy the window (and the application-wide scanner filter) while Qt is still alive.

    Left to Python's shutdown, the objects die in no particular order and the process can crash
    after the last window closed.
    """
    import time

    from PyQt6.QtCore import QCoreApplication, QEvent, QThread

    from desk.views.common import running_threads

    deadline = time.monotonic() + 10
    for thread in {*window.findChildren(QThread), *running_threads()}:  # background work finishes first
        try:
            thread.quit()
            finished = thread.wait(max(0, int((deadline - time.monotonic()) * 1000)))
        except RuntimeError:  # already deleted, so finished
            continue
        if not finished:
            # A long read cannot be interrupted; destroying its thread would abort the process.
            log.warning("a background task did not finish within 10 s; leaving without waiting for it")
            logging.shutdown()
            os._exit(0)
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()


def run_kiosk(url: str | None = None, camera: str | None = None, timeout: float = 20) -> int:
    """The citizen pickup kiosk, full screen, on a connection that refuses writes."""
    from desk.views.kiosk import KioskWindow

    started = _start_qt(url, read_only=True)
    if started is None:
        return 2
    app, _settings, office, _shown_url = started
    window = KioskWindow(scanner_spec=camera, timeout_s=timeout, office_name=office.name)
    window.showFullScreen()
    code = app.exec()
    close_cleanly(app, window)
    return code
