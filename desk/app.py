"""Wiring: database, services and the main window, in one place."""

from __future__ import annotations

import logging
import os
import re
import sys
from logging.handlers import RotatingFileHandler

from desk.config import Settings, data_dir, default_database_url, resolve_database_url
from desk.i18n import _, set_language
from desk.redaction import redact
from desk.services.kinds import Role

log = logging.getLogger("desk")


class RedactingFormatter(logging.Formatter):
    """Personal data never reaches the log: 12-digit ID numbers and 9-digit old ID numbers are masked
    (Decree 13/2023 on personal data), and database passwords are hidden by :func:`desk.redaction.redact`
    in the message and in the traceback alike."""

    _ID = re.compile(r"(?<!\d)(\d{5})(\d{4})(\d{3})(?!\d)|(?<!\d)(\d{5})(\d{4})(?!\d)")

    def format(self, record: logging.LogRecord) -> str:
        text = redact(super().format(record))
        return self._ID.sub(lambda m: "*" * (len(m.group(0)) - 4) + m.group(0)[-4:], text)


def setup_logging() -> None:
    """Tracebacks go to a rotating file in the user data folder, never into the clerk's face."""
    handler = RotatingFileHandler(data_dir() / "desk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    if not any(isinstance(h, RotatingFileHandler) for h in root.handlers):
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def open_database(url: str | None, *, new_only_if_default: bool = False):
    """Connect and, on a new database, set up the office and the shipped catalog.

    ``new_only_if_default`` (the windows): only the default file is made on a first start; any other
    address must name an existing database (``init`` makes one), so a mistyped path creates nothing.
    """
    from desk.errors import NotFound
    from desk.models.db import connect
    from desk.services.office import current_office
    from desk.services.setup import initialize

    resolved = resolve_database_url(url)
    connect(resolved, allow_new=not new_only_if_default or resolved == default_database_url())
    try:
        office = current_office()
    except NotFound:  # a new database: the first start then asks for the administrator's password
        initialize(actor=None)
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
    from desk.views.scanning import install_scanner

    window.change_poller = ChangePoller(ctx.bus, window)  # other desks' changes appear without restart
    dispatcher = install_scanner(window, ctx)
    _uninstall_on_quit(dispatcher.detector)
    return window


def _uninstall_on_quit(detector) -> None:
    """The application-wide scanner filter goes when the event loop ends.

    Left installed, it runs Python code for the events of widgets PyQt destroys at interpreter exit,
    while PyQt walks its wrappers: the process dies with SIGSEGV after the window closed (seen in
    every run of bench/bench_startup.py under xvfb-run). close_cleanly removes it too.
    """
    from PyQt6 import sip
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None or detector is None:
        return

    def remove() -> None:
        if not sip.isdeleted(detector) and not sip.isdeleted(app):
            app.removeEventFilter(detector)

    app.aboutToQuit.connect(remove)


def _start_qt(url: str | None, *, read_only: bool = False):
    """Logging, settings, language, the Qt application and the database; None (after telling why) on failure."""
    from PyQt6.QtWidgets import QApplication, QMessageBox

    from desk.errors import DeskError
    from desk.views.qt_i18n import install_qt_translations

    setup_logging()
    settings = Settings.load()
    set_language(settings.language)
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("OneStop Desk")
    install_qt_translations(app)  # OK/Cancel, file dialogs, context menus in the desk's language
    _install_excepthook()
    arm_smoke_quit(app)
    try:
        office, shown_url = open_database(url, new_only_if_default=True)
        if read_only:
            from desk.services.kiosk import enforce_read_only

            enforce_read_only()
    except DeskError as exc:
        log.exception("cannot open database")
        QMessageBox.critical(None, _("OneStop Desk"), redact(str(exc)))
        return None
    return app, settings, office, shown_url


SMOKE_QUIT_ENV = "DESK_SMOKE_QUIT_MS"


def arm_smoke_quit(app) -> bool:
    """``DESK_SMOKE_QUIT_MS=N``: the bundle's smoke test starts the GUI unattended and needs it to end.

    The application quits N ms after start from whatever is open, the first-start or log-in dialog
    included (``exit(0)`` ends every running event loop; ``quit()`` would wait for the main one), so the
    run ends with exit code 0. The first
    window shown is reported on stderr with its time stamp (seconds since the epoch), which the smoke
    script turns into the start-up time. :func:`smoke_checks` runs first, so a module or library missing
    from a bundle fails the smoke test instead of a clerk's first log-in. Unset: nothing happens.
    """
    raw = os.environ.get(SMOKE_QUIT_ENV, "").strip()
    if not raw:
        return False
    try:
        delay = max(0, int(raw))
    except ValueError:
        log.warning("%s=%r is not a number of milliseconds; ignored", SMOKE_QUIT_ENV, raw)
        return False
    import time

    from PyQt6.QtCore import QEvent, QObject, QTimer

    class FirstShown(QObject):
        def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Show and getattr(obj, "isWindow", lambda: False)():
                print(f"smoke: first window shown at {time.time():.3f}: {obj.windowTitle()}",
                      file=sys.stderr, flush=True)
                app.removeEventFilter(self)
            return False

    app._smoke_filter = FirstShown(app)  # kept alive with the application
    app.installEventFilter(app._smoke_filter)
    QTimer.singleShot(delay, lambda: app.exit(0))
    started = time.monotonic()
    checked = smoke_checks()
    print(f"smoke: {checked} in {(time.monotonic() - started) * 1000:.0f} ms", file=sys.stderr, flush=True)
    return True


def smoke_checks() -> str:
    """What a bundle must carry beyond the first dialog: every screen's module, QtCharts, Qt's print
    support, and the code reader with OpenCV reading a QR code made here. Raises when something is missing."""
    import importlib
    import io
    import pkgutil

    import cv2
    import numpy as np
    import segno

    import desk.views
    from desk.hardware.decoder import decode_image

    screens = [m.name for m in pkgutil.iter_modules(desk.views.__path__, "desk.views.")]
    for name in screens:
        importlib.import_module(name)
    importlib.import_module("PyQt6.QtCharts")
    importlib.import_module("PyQt6.QtPrintSupport")
    png = io.BytesIO()
    segno.make_qr("SMOKE-TEST-0001", error="m").save(png, kind="png", scale=4)
    image = cv2.imdecode(np.frombuffer(png.getvalue(), dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise RuntimeError("OpenCV could not read the test QR code's PNG")
    texts = [d.text for d in decode_image(image)]
    if texts != ["SMOKE-TEST-0001"]:
        raise RuntimeError(f"the code reader did not read the test QR code: {texts}")
    return f"{len(screens)} view modules, QtCharts, QtPrintSupport, QR read"


def run_gui(url: str | None = None) -> int:
    from desk.services.clock import Clock
    from desk.services.office import is_set_up
    from desk.views.context import AppContext
    from desk.views.login import ask_login

    started = _start_qt(url)
    if started is None:
        return 2
    app, settings, office, shown_url = started
    clock = Clock()  # the program's one clock, passed down to every screen and service call
    actor = ask_login(office.name, settings.username, clock=clock)
    if actor is None:
        return 0
    settings.username = actor.username
    settings.save()
    office_name = office.name
    if not is_set_up() and actor.can(Role.ADMIN):  # who the office is, before its first dossier (D27)
        from desk.views.office_wizard import run_office_wizard

        saved = run_office_wizard(actor, clock=clock)  # Cancel: the program opens, the intake says what is missing
        office_name = saved.name if saved is not None else office_name
    ctx = AppContext(actor=actor, clock=clock, settings=settings, office_name=office_name,
                     database_label=shown_url)
    from desk.views.session import Session

    session = Session(ctx, build_main_window)  # log out / switch clerk and the idle lock rebuild or cover it
    window = session.start()
    start_daily_backup(window)
    code = app.exec()
    session.stop()
    close_cleanly(app, session.window)
    return code


def start_daily_backup(window):
    """Once a day, the first desk to start copies the SQLite database to the backups folder (30 days kept).

    It runs off the UI thread; a failure is shown in the status bar and logged, never blocking work.
    Returns the running operation.
    """
    from desk.services.backup import auto_backup
    from desk.views.common import error_text
    from desk.views.ops import Operation

    def failed(exc: BaseException) -> None:
        window.statusBar().showMessage(_("The daily backup failed: {error}").format(error=error_text(exc)), 15_000)

    return (Operation(window, auto_backup, actor=window.ctx.actor, keep_days=window.ctx.settings.keep_days,
                      clock=window.ctx.clock, label="daily backup")
            .on_success(lambda path: path and log.info("daily backup written: %s", path))
            .on_failure(failed)
            .start())


def close_cleanly(app, window) -> None:
    """Wait for background work, then destroy the window while Qt is still alive.

    Left to Python's shutdown, the window and its children die in no particular order while PyQt
    walks its wrappers, and the process crashes after the last window closed (SIGSEGV in
    ``sip_api_get_address``); a window destroyed here, with the application-wide scanner filter,
    cannot. Running operations finish first (bounded wait, one log line); their results find their
    screens gone and are dropped. An operation still running after the wait (a long read on a slow
    network cannot be interrupted) would use objects destroyed under it, so the process then leaves
    at once, without destroying anything.
    """
    import time

    from PyQt6 import sip
    from PyQt6.QtCore import QCoreApplication, QEvent, QThread

    from desk.views import ops

    if not ops.wait_for_all(ops.EXIT_WAIT_S):
        logging.shutdown()
        os._exit(0)
    deadline = time.monotonic() + 5
    for thread in window.findChildren(QThread):  # the camera's capture and decoder threads
        try:
            thread.quit()
            finished = thread.wait(max(0, int((deadline - time.monotonic()) * 1000)))
        except RuntimeError:  # already deleted, so finished
            continue
        if not finished:
            log.warning("exit: a camera thread did not stop within 5 s; leaving without waiting for it")
            logging.shutdown()
            os._exit(0)
    detector = getattr(getattr(window, "scan_dispatcher", None), "detector", None)
    if detector is not None and not sip.isdeleted(detector):
        app.removeEventFilter(detector)
    idle = getattr(window, "idle_watch", None)  # the session's idle-lock filter, application-wide too
    if idle is not None and not sip.isdeleted(idle):
        idle.remove()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()  # outcomes that arrived meanwhile: their screens are gone, so they are dropped


def run_kiosk(url: str | None = None, camera: str | None = None, timeout: float = 20) -> int:
    """The citizen pickup kiosk, full screen, on a connection that refuses writes."""
    from desk.services.clock import Clock
    from desk.services.demo import sample_slips
    from desk.views.kiosk import KioskWindow, try_camera

    started = _start_qt(url, read_only=True)
    if started is None:
        return 2
    app, _settings, office, _shown_url = started
    # A test camera's sample slips are of a test office: on this database the kiosk plays its demo
    # dossiers' slips instead, or says how to get some (a fresh database has none).
    clock = Clock()  # the kiosk's one clock
    camera, notice = try_camera(camera, data_dir() / "kiosk-sample-frames", clock, samples=sample_slips)
    window = KioskWindow(scanner_spec=camera, timeout_s=timeout, office_name=office.name, notice=notice, clock=clock)
    window.showFullScreen()
    code = app.exec()
    close_cleanly(app, window)
    return code


def run_ticket_kiosk(url: str | None = None) -> int:
    """The ticket kiosk, full screen: takes queue numbers (the queue tables only) and prints the tickets (D50)."""
    from desk.services.clock import Clock
    from desk.views.ticket_kiosk import TicketKiosk

    started = _start_qt(url, read_only=True)  # the queue is its one write (kiosk.take_ticket)
    if started is None:
        return 2
    app, settings, office, _shown_url = started
    window = TicketKiosk(clock=Clock(), settings=settings, office_name=office.name)
    window.showFullScreen()
    code = app.exec()
    close_cleanly(app, window)
    return code


def run_queue_display(url: str | None = None, quiet: bool = False) -> int:
    """The calling display, full screen: counters, last calls, a chime and the Vietnamese voice (D50)."""
    from desk.hardware.speech import Announcer
    from desk.services.clock import Clock
    from desk.views.queue_display import QueueDisplay

    started = _start_qt(url, read_only=True)
    if started is None:
        return 2
    app, settings, office, _shown_url = started
    window = QueueDisplay(clock=Clock(), announcer=Announcer(enabled=settings.queue_sound and not quiet),
                          office_name=office.name)
    window.showFullScreen()
    code = app.exec()
    window.stop()
    close_cleanly(app, window)
    return code


def run_lookup_server(url: str | None, host: str, port: int, proxies: int = 0) -> int:
    """The citizens' look-up pages (D48) served by waitress until stopped, on a connection that refuses
    writes (as the kiosk's). Returns 2 after one line on stderr when the database cannot be opened."""
    from desk.errors import DeskError
    from desk.models.db import connect
    from desk.services.kiosk import enforce_read_only
    from desk.services.office import get_office_settings
    from desk.web import create_app
    from desk.web.server import create_server

    setup_logging()
    logging.getLogger("waitress").setLevel(logging.WARNING)
    try:
        resolved = resolve_database_url(url)
        connect(resolved, allow_new=False)  # never makes a database: an office's must exist
        enforce_read_only()
        office = get_office_settings()
        server = create_server(create_app(proxies=proxies), host, port)
    except (DeskError, OSError) as exc:
        print(f"{_('error')}: {redact(str(exc))}", file=sys.stderr)
        return 2
    where = f"http://{host}:{server.effective_port}/"
    print(_("Look-up pages of {office} on {address} (database {db}); Ctrl+C stops.").format(
        office=office.name or "—", address=where, db=redact(resolved)), flush=True)
    if not office.lookup_url:
        print(_("The office has no public look-up address yet: slips keep the bare QR payload. Set it with "
                "office set --lookup-url URL."), flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0
