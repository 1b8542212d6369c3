"""Open and save dialogs for every screen: one place, one starting folder, Vietnamese labels.

A file dialog starting in the program's folder (where Windows shortcuts start it) invites the
clerk to save reports next to the executable, or inside a bundle that an update replaces. Every
view asks here instead: the dialog opens in the last folder used in this session, else in
Documents/OneStopDesk (created on demand). ``DESK_DOCUMENTS_DIR`` overrides the Documents folder
(tests, or a desk whose documents live on a shared drive).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from platformdirs import user_documents_dir
from PyQt6.QtWidgets import QFileDialog, QWidget

log = logging.getLogger("desk.views.files")

APP_FOLDER = "OneStopDesk"
_last_folder: Path | None = None


def documents_folder() -> Path:
    """Documents/OneStopDesk, created if missing (the home folder when it cannot be)."""
    base = Path(os.environ.get("DESK_DOCUMENTS_DIR") or user_documents_dir())
    folder = base / APP_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        log.warning("cannot create %s; file dialogs start in the home folder", folder)
        return Path.home()
    return folder


def start_folder() -> Path:
    """Where the next file dialog opens: the last folder used, if it is still there."""
    if _last_folder is not None and _last_folder.is_dir():
        return _last_folder
    return documents_folder()


def remember(path: str | Path) -> None:
    """The folder of a chosen file becomes the next dialog's starting point."""
    global _last_folder
    chosen = Path(path)
    _last_folder = chosen if chosen.is_dir() else chosen.parent


def forget() -> None:
    """Back to Documents/OneStopDesk (tests; a clerk switching)."""
    global _last_folder
    _last_folder = None


def _options() -> QFileDialog.Option:
    # DESK_QT_FILE_DIALOG=1 forces Qt's own dialog (translated by desk.views.qt_i18n), e.g. where
    # the platform's dialog is missing or in another language.
    if os.environ.get("DESK_QT_FILE_DIALOG") == "1":
        return QFileDialog.Option.DontUseNativeDialog
    return QFileDialog.Option(0)


def _initial(suggested: str | Path | None) -> str:
    """A bare file name goes into the start folder; a path is kept as given."""
    if not suggested:
        return str(start_folder())
    suggested = Path(suggested)
    if suggested.is_absolute():
        return str(suggested)
    return str(start_folder() / suggested)


def open_file(parent: QWidget | None, title: str, filters: str, suggested: str | Path | None = None) -> Path | None:
    """Ask for a file to read; None when the clerk cancels."""
    path, _filter = QFileDialog.getOpenFileName(parent, title, _initial(suggested), filters, options=_options())
    if not path:
        return None
    remember(path)
    return Path(path)


def choose_folder(parent: QWidget | None, title: str, current: str | Path | None = None) -> Path | None:
    """Ask for a folder (starting at ``current`` when it is there); None when the clerk cancels."""
    start = Path(current) if current and Path(current).is_dir() else start_folder()
    path = QFileDialog.getExistingDirectory(parent, title, str(start),
                                            options=_options() | QFileDialog.Option.ShowDirsOnly)
    return Path(path) if path else None


def save_file(parent: QWidget | None, title: str, filters: str, suggested: str | Path | None = None,
              suffix: str = "") -> Path | None:
    """Ask where to write; ``suffix`` (".xlsx") is added when the clerk left it out. None on cancel."""
    path, _filter = QFileDialog.getSaveFileName(parent, title, _initial(suggested), filters, options=_options())
    if not path:
        return None
    if suffix and not path.lower().endswith(suffix.lower()):
        path += suffix
    remember(path)
    return Path(path)


__all__ = ["choose_folder", "documents_folder", "forget", "open_file", "remember", "save_file", "start_folder"]
