"""Wiring: database, services and the main window, in one place."""

from __future__ import annotations

import logging
import sys
from logging.handlers import RotatingFileHandler

from desk.config import data_dir, resolve_database_url
from desk.i18n import _


def setup_logging() -> None:
    """Tracebacks go to a rotating file in the user data folder, never into the clerk's face."""
    handler = RotatingFileHandler(data_dir() / "desk.log", maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
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


def run_gui(url: str | None = None) -> int:
    from PyQt6.QtWidgets import QApplication, QMessageBox

    from desk.services.dossiers import recent
    from desk.services.errors import DeskError
    from desk.views.main_window import MainWindow

    setup_logging()
    app = QApplication.instance() or QApplication(sys.argv)
    try:
        office, shown_url = open_database(url)
    except DeskError as exc:
        logging.getLogger(__name__).exception("cannot open database")
        QMessageBox.critical(None, _("OneStop Desk"), str(exc))
        return 2
    window = MainWindow(office.name, shown_url, recent(500))
    window.show()
    return app.exec()
