"""Qt's own strings (OK/Cancel, file dialogs, context menus) in the desk's language.

PyQt6's wheel ships no Vietnamese ``qtbase_vi.qm``, so without help every QMessageBox button, the
Qt file dialog and the Undo/Copy/Paste menu of each text field stay English on a Vietnamese desk.
:class:`CatalogTranslator` answers Qt's ``tr()`` calls from our own gettext catalog
(resources/locale/<lang>/LC_MESSAGES/desk.po), for the (context, source) pairs listed in
:data:`QT_MESSAGES`; tools/messages.py extracts them like every other string and tests/test_i18n.py
keeps them translated. When an official ``qtbase_<lang>.qm`` exists (Qt's translations folder, or
resources/locale/<lang>/), it is installed as well and asked first.

Key names in shortcuts ("Ctrl", "Shift", "Alt+Left") are left alone: Vietnamese keyboards are
labelled in English.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PyQt6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from desk.i18n import LOCALE_DIR, N_, current_language, gettext

log = logging.getLogger("desk.views.qt_i18n")

# (Qt context, Qt source text) -> our msgid. Sources are Qt 6's, accelerators (&) included; a
# test records what Qt really asks for and fails when one of these contexts asks for a new string.
QT_MESSAGES: dict[tuple[str, str], str] = {
    # Standard buttons (QMessageBox, QDialogButtonBox)
    ("QPlatformTheme", "OK"): N_("OK"),
    ("QPlatformTheme", "Save"): N_("Save"),
    ("QPlatformTheme", "Save All"): N_("Save All"),
    ("QPlatformTheme", "Open"): N_("Open"),
    ("QPlatformTheme", "&Yes"): N_("&Yes"),
    ("QPlatformTheme", "Yes to &All"): N_("Yes to &All"),
    ("QPlatformTheme", "&No"): N_("&No"),
    ("QPlatformTheme", "N&o to All"): N_("N&o to All"),
    ("QPlatformTheme", "Abort"): N_("Abort"),
    ("QPlatformTheme", "Retry"): N_("Retry"),
    ("QPlatformTheme", "Ignore"): N_("Ignore"),
    ("QPlatformTheme", "Close"): N_("Close"),
    ("QPlatformTheme", "Cancel"): N_("Cancel"),
    ("QPlatformTheme", "Discard"): N_("Discard"),
    ("QPlatformTheme", "Help"): N_("Help"),
    ("QPlatformTheme", "Apply"): N_("Apply"),
    ("QPlatformTheme", "Reset"): N_("Reset"),
    ("QPlatformTheme", "Restore Defaults"): N_("Restore Defaults"),
    ("QGnomeTheme", "&OK"): N_("&OK"),
    ("QGnomeTheme", "&Save"): N_("&Save"),
    ("QGnomeTheme", "&Cancel"): N_("&Cancel"),
    ("QGnomeTheme", "&Close"): N_("&Close"),
    ("QGnomeTheme", "Close without Saving"): N_("Close without Saving"),
    ("QDialogButtonBox", "OK"): N_("OK"),
    ("QMessageBox", "Show Details..."): N_("Show Details..."),
    ("QMessageBox", "Hide Details..."): N_("Hide Details..."),
    ("QErrorMessage", "&OK"): N_("&OK"),
    ("QErrorMessage", "&Show this message again"): N_("&Show this message again"),
    ("QInputDialog", "Enter a value:"): N_("Enter a value:"),
    ("QProgressDialog", "Cancel"): N_("Cancel"),
    ("QDialog", "What's This?"): N_("What's This?"),
    # Context menus of text fields and spin boxes
    ("QLineEdit", "&Undo"): N_("&Undo"),
    ("QLineEdit", "&Redo"): N_("&Redo"),
    ("QLineEdit", "Cu&t"): N_("Cu&t"),
    ("QLineEdit", "&Copy"): N_("&Copy"),
    ("QLineEdit", "&Paste"): N_("&Paste"),
    ("QLineEdit", "Delete"): N_("Delete"),
    ("QLineEdit", "Select All"): N_("Select All"),
    ("QWidgetTextControl", "&Undo"): N_("&Undo"),
    ("QWidgetTextControl", "&Redo"): N_("&Redo"),
    ("QWidgetTextControl", "Cu&t"): N_("Cu&t"),
    ("QWidgetTextControl", "&Copy"): N_("&Copy"),
    ("QWidgetTextControl", "Copy &Link Location"): N_("Copy &Link Location"),
    ("QWidgetTextControl", "&Paste"): N_("&Paste"),
    ("QWidgetTextControl", "Delete"): N_("Delete"),
    ("QWidgetTextControl", "Select All"): N_("Select All"),
    ("QAbstractSpinBox", "&Select All"): N_("&Select All"),
    ("QAbstractSpinBox", "&Step up"): N_("&Step up"),
    ("QAbstractSpinBox", "Step &down"): N_("Step &down"),
    # Qt's own file dialog (Linux desks, and wherever the native one is not used)
    ("QFileDialog", "Open"): N_("Open"),
    ("QFileDialog", "Save As"): N_("Save As"),
    ("QFileDialog", "Find Directory"): N_("Find Directory"),
    ("QFileDialog", "&Open"): N_("&Open"),
    ("QFileDialog", "&Save"): N_("&Save"),
    ("QFileDialog", "&Choose"): N_("&Choose"),
    ("QFileDialog", "&Look in:"): N_("&Look in:"),
    ("QFileDialog", "Look in:"): N_("Look in:"),
    ("QFileDialog", "File &name:"): N_("File &name:"),
    ("QFileDialog", "Files of &type:"): N_("Files of &type:"),
    ("QFileDialog", "Files of type:"): N_("Files of type:"),
    ("QFileDialog", "Directory:"): N_("Directory:"),
    ("QFileDialog", "Directories"): N_("Directories"),
    ("QFileDialog", "Files"): N_("Files"),
    ("QFileDialog", "All Files (*)"): N_("All Files (*)"),
    ("QFileDialog", "All files (*)"): N_("All files (*)"),
    ("QFileDialog", "&New Folder"): N_("&New Folder"),
    ("QFileDialog", "New Folder"): N_("New Folder"),
    ("QFileDialog", "Create New Folder"): N_("Create New Folder"),
    ("QFileDialog", "Create a New Folder"): N_("Create a New Folder"),
    ("QFileDialog", "&Rename"): N_("&Rename"),
    ("QFileDialog", "&Delete"): N_("&Delete"),
    ("QFileDialog", "Delete"): N_("Delete"),
    ("QFileDialog", "Remove"): N_("Remove"),
    ("QFileDialog", "Show &hidden files"): N_("Show &hidden files"),
    ("QFileDialog", "Show "): N_("Show "),
    ("QFileDialog", "Back"): N_("Back"),
    ("QFileDialog", "Forward"): N_("Forward"),
    ("QFileDialog", "Go back"): N_("Go back"),
    ("QFileDialog", "Go forward"): N_("Go forward"),
    ("QFileDialog", "Parent Directory"): N_("Parent Directory"),
    ("QFileDialog", "Go to the parent directory"): N_("Go to the parent directory"),
    ("QFileDialog", "List View"): N_("List View"),
    ("QFileDialog", "Detail View"): N_("Detail View"),
    ("QFileDialog", "Change to list view mode"): N_("Change to list view mode"),
    ("QFileDialog", "Change to detail view mode"): N_("Change to detail view mode"),
    ("QFileDialog", "Sidebar"): N_("Sidebar"),
    ("QFileDialog", "List of places and bookmarks"): N_("List of places and bookmarks"),
    ("QFileDialog", "Recent Places"): N_("Recent Places"),
    ("QFileDialog", "My Computer"): N_("My Computer"),
    ("QFileDialog", "Could not delete directory."): N_("Could not delete directory."),
    ("QFileDialog", "Are you sure you want to delete '%1'?"): N_("Are you sure you want to delete '%1'?"),
    ("QFileDialog", "'%1' is write protected.\nDo you want to delete it anyway?"):
        N_("'%1' is write protected.\nDo you want to delete it anyway?"),
    ("QFileDialog", "%1 already exists.\nDo you want to replace it?"):
        N_("%1 already exists.\nDo you want to replace it?"),
    ("QFileDialog", "%1\nFile not found.\nPlease verify the correct file name was given."):
        N_("%1\nFile not found.\nPlease verify the correct file name was given."),
    ("QFileDialog", "%1\nDirectory not found.\nPlease verify the correct directory name was given."):
        N_("%1\nDirectory not found.\nPlease verify the correct directory name was given."),
    ("QFileSystemModel", "Name"): N_("Name"),
    ("QFileSystemModel", "Size"): N_("Size"),
    ("QFileSystemModel", "Type"): N_("Type"),
    ("QFileSystemModel", "Kind"): N_("Kind"),
    ("QFileSystemModel", "Date Modified"): N_("Date Modified"),
    ("QFileSystemModel", "Computer"): N_("Computer"),
    ("QFileSystemModel", "My Computer"): N_("My Computer"),
    ("QAbstractFileIconProvider", "Drive"): N_("Drive"),
    ("QAbstractFileIconProvider", "Folder"): N_("Folder"),
    ("QAbstractFileIconProvider", "File Folder"): N_("File Folder"),
    ("QAbstractFileIconProvider", "File"): N_("File"),
    ("QAbstractFileIconProvider", "Shortcut"): N_("Shortcut"),
    ("QAbstractFileIconProvider", "Alias"): N_("Alias"),
    ("QAbstractFileIconProvider", "Unknown"): N_("Unknown"),
    # QWizard (the office set-up wizard)
    ("QWizard", "< &Back"): N_("< &Back"),
    ("QWizard", "Go Back"): N_("Go Back"),
    ("QWizard", "&Next >"): N_("&Next >"),
    ("QWizard", "&Next"): N_("&Next"),
    ("QWizard", "Continue"): N_("Continue"),
    ("QWizard", "Commit"): N_("Commit"),
    ("QWizard", "&Finish"): N_("&Finish"),
    ("QWizard", "Done"): N_("Done"),
    ("QWizard", "Cancel"): N_("Cancel"),
    ("QWizard", "&Help"): N_("&Help"),
    ("QWizard", "Help"): N_("Help"),
}

# Contexts answered entirely by QT_MESSAGES (the recording test checks that Qt asks nothing else there).
COVERED_CONTEXTS = frozenset(context for context, _source in QT_MESSAGES)


class CatalogTranslator(QTranslator):
    """Serves Qt's own strings from the gettext catalog of the current language.

    Returns None (a null string to Qt) for what it does not know, so Qt falls back to the next
    translator or to its English source; never an empty text on a button.
    """

    def translate(self, context: str | None, source: str | None, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        msgid = QT_MESSAGES.get((context or "", source or ""))
        if msgid is None:
            return None
        text = gettext(msgid)
        return text if text != msgid else None

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


_installed: dict[int, list[QTranslator]] = {}


def _official_qm(language: str) -> Path | None:
    """qtbase_<lang>.qm from Qt's translations folder or our resources, when one exists."""
    folders = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)), LOCALE_DIR / language]
    for folder in folders:
        path = folder / f"qtbase_{language}.qm"
        if path.is_file():
            return path
    return None


def install_qt_translations(app: QCoreApplication, language: str | None = None) -> list[QTranslator]:
    """Make Qt's dialogs speak the desk's language; returns the installed translators (keep them alive).

    Nothing is installed for English. An official qtbase .qm, when there is one, is installed last
    so Qt asks it first; our catalog answers what it lacks.
    """
    language = language or current_language()
    if language == "en":
        return []
    if _installed.get(id(app)):
        return _installed[id(app)]  # once per application: a second set would only be asked later
    installed: list[QTranslator] = []
    ours = CatalogTranslator(app)
    app.installTranslator(ours)
    installed.append(ours)
    official_path = _official_qm(language)
    if official_path is not None:
        official = QTranslator(app)
        if official.load(str(official_path)):
            app.installTranslator(official)
            installed.append(official)
        else:
            log.warning("could not load %s", official_path)
    _installed[id(app)] = installed
    return installed


__all__ = ["COVERED_CONTEXTS", "QT_MESSAGES", "CatalogTranslator", "install_qt_translations"]
