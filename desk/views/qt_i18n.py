"""Qt's own strings (OK/Cancel, file dialogs, context menus) in the desk's language.

PyQt6's wheel ships no Vietnamese ``qtbase_vi.qm``, so without help every QMessageBox button, the
Qt file dialog and the Undo/Copy/Paste menu of each text field stay English on a Vietnamese desk.
:class:`CatalogTranslator` answers Qt's ``tr()`` calls from our own gettext catalog
(resources/locale/<lang>/LC_MESSAGES/desk.po, read compiled as desk.mo through desk.i18n), for the
(context, source) pairs listed in
:data:`QT_MESSAGES`; tools/messages.py extracts them like every other string and tests/test_i18n.py
keeps them translated. When an official ``qtbase_<lang>.qm`` exists (Qt's translations folder, or
resources/locale/<lang>/), it is installed as well and asked first.

Key names in shortcuts ("Ctrl", "Shift", "Alt+Left") are left alone: Vietnamese keyboards are
labelled in English.
"""

from __future__ import annotations

import logging
from importlib.resources.abc import Traversable
from pathlib import Path

from PyQt6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from desk.i18n import LOCALE_DIR, N_, current_language, gettext

log = logging.getLogger("desk.views.qt_i18n")

# Qt's source texts by context, accelerators (&) included; each is its own msgid in our catalog.
# A test records what Qt really asks for and fails when one of these contexts asks for a new string.
# Left in English on purpose: key names, units and layout placeholders ("Form", "...", "%1%", "mm").
_SAME_TEXT: dict[str, tuple[str, ...]] = {
    # Standard buttons (QMessageBox, QDialogButtonBox)
    "QPlatformTheme": (
        N_("OK"),
        N_("Save"),
        N_("Save All"),
        N_("Open"),
        N_("&Yes"),
        N_("Yes to &All"),
        N_("&No"),
        N_("N&o to All"),
        N_("Abort"),
        N_("Retry"),
        N_("Ignore"),
        N_("Close"),
        N_("Cancel"),
        N_("Discard"),
        N_("Help"),
        N_("Apply"),
        N_("Reset"),
        N_("Restore Defaults"),
    ),
    "QGnomeTheme": (
        N_("&OK"),
        N_("&Save"),
        N_("&Cancel"),
        N_("&Close"),
        N_("Close without Saving"),
    ),
    "QDialogButtonBox": (
        N_("OK"),
    ),
    "QMessageBox": (
        N_("Show Details..."),
        N_("Hide Details..."),
    ),
    "QErrorMessage": (
        N_("&OK"),
        N_("&Show this message again"),
    ),
    "QInputDialog": (
        N_("Enter a value:"),
    ),
    "QProgressDialog": (
        N_("Cancel"),
    ),
    "QDialog": (
        N_("What's This?"),
    ),
    # Context menus of text fields and spin boxes
    "QLineEdit": (
        N_("&Undo"),
        N_("&Redo"),
        N_("Cu&t"),
        N_("&Copy"),
        N_("&Paste"),
        N_("Delete"),
        N_("Select All"),
    ),
    "QWidgetTextControl": (
        N_("&Undo"),
        N_("&Redo"),
        N_("Cu&t"),
        N_("&Copy"),
        N_("Copy &Link Location"),
        N_("&Paste"),
        N_("Delete"),
        N_("Select All"),
    ),
    "QAbstractSpinBox": (
        N_("&Select All"),
        N_("&Step up"),
        N_("Step &down"),
    ),
    # Qt's own file dialog (Linux desks, and wherever the native one is not used)
    "QFileDialog": (
        N_("Open"),
        N_("Save As"),
        N_("Find Directory"),
        N_("&Open"),
        N_("&Save"),
        N_("&Choose"),
        N_("&Look in:"),
        N_("Look in:"),
        N_("File &name:"),
        N_("Files of &type:"),
        N_("Files of type:"),
        N_("Directory:"),
        N_("Directories"),
        N_("Files"),
        N_("All Files (*)"),
        N_("All files (*)"),
        N_("&New Folder"),
        N_("New Folder"),
        N_("Create New Folder"),
        N_("Create a New Folder"),
        N_("&Rename"),
        N_("&Delete"),
        N_("Delete"),
        N_("Remove"),
        N_("Show &hidden files"),
        N_("Show "),
        N_("Back"),
        N_("Forward"),
        N_("Go back"),
        N_("Go forward"),
        N_("Parent Directory"),
        N_("Go to the parent directory"),
        N_("List View"),
        N_("Detail View"),
        N_("Change to list view mode"),
        N_("Change to detail view mode"),
        N_("Sidebar"),
        N_("List of places and bookmarks"),
        N_("Recent Places"),
        N_("My Computer"),
        N_("Could not delete directory."),
        N_("Are you sure you want to delete '%1'?"),
        N_("'%1' is write protected.\nDo you want to delete it anyway?"),
        N_("%1 already exists.\nDo you want to replace it?"),
        N_("%1\nFile not found.\nPlease verify the correct file name was given."),
        N_("%1\nDirectory not found.\nPlease verify the correct directory name was given."),
    ),
    "QFileSystemModel": (
        N_("Name"),
        N_("Size"),
        N_("Type"),
        N_("Kind"),
        N_("Date Modified"),
        N_("Computer"),
        N_("My Computer"),
    ),
    "QAbstractFileIconProvider": (
        N_("Drive"),
        N_("Folder"),
        N_("File Folder"),
        N_("File"),
        N_("Shortcut"),
        N_("Alias"),
        N_("Unknown"),
    ),
    # QWizard (the office set-up wizard)
    "QWizard": (
        N_("< &Back"),
        N_("Go Back"),
        N_("&Next >"),
        N_("&Next"),
        N_("Continue"),
        N_("Commit"),
        N_("&Finish"),
        N_("Done"),
        N_("Cancel"),
        N_("&Help"),
        N_("Help"),
    ),
    # Printing: Qt's print, preview and page set-up dialogs, CUPS job options
    "QPrintDialog": (
        N_("Print"),
        N_("&Print"),
        N_("&Options >>"),
        N_("&Options <<"),
        N_("All Pages"),
        N_("Odd Pages"),
        N_("Even Pages"),
        N_("Left to Right, Top to Bottom"),
        N_("Left to Right, Bottom to Top"),
        N_("Right to Left, Top to Bottom"),
        N_("Right to Left, Bottom to Top"),
        N_("Top to Bottom, Left to Right"),
        N_("Top to Bottom, Right to Left"),
        N_("Bottom to Top, Left to Right"),
        N_("Bottom to Top, Right to Left"),
        N_("Local file"),
        N_("Write PDF file"),
        N_("Print to File (PDF)"),
        N_("Print To File ..."),
        N_("%1 already exists.\nDo you want to overwrite it?"),
        N_("%1 is a directory.\nPlease choose a different file name."),
        N_("File %1 is not writable.\nPlease choose a different file name."),
        N_("Invalid Pages Definition"),
        N_("%1 does not follow the correct syntax. Please use ',' to separate ranges and pages, '-' to "
           "define ranges and make sure ranges do not intersect with each other."),
        N_("The 'From' value cannot be greater than the 'To' value."),
        N_("Duplex Settings Conflicts"),
        N_("There are conflicts in duplex settings. Do you want to fix them?"),
        N_("Options 'Pages Per Sheet' and 'Page Set' cannot be used together.\nPlease turn one of those "
           "options off."),
    ),
    "QPrintPreviewDialog": (
        N_("Print Preview"),
        N_("Print"),
        N_("Page Setup"),
        N_("Page setup"),
        N_("First page"),
        N_("Previous page"),
        N_("Next page"),
        N_("Last page"),
        N_("Fit width"),
        N_("Fit page"),
        N_("Zoom in"),
        N_("Zoom out"),
        N_("Portrait"),
        N_("Landscape"),
        N_("Show single page"),
        N_("Show facing pages"),
        N_("Show overview of all pages"),
        N_("Export to PDF"),
    ),
    "QPageSetupWidget": (
        N_("Paper"),
        N_("Page size:"),
        N_("Width:"),
        N_("Height:"),
        N_("Paper source:"),
        N_("Orientation"),
        N_("Portrait"),
        N_("Landscape"),
        N_("Reverse landscape"),
        N_("Reverse portrait"),
        N_("Margins"),
        N_("top margin"),
        N_("bottom margin"),
        N_("left margin"),
        N_("right margin"),
        N_("Page Layout"),
        N_("Page &order:"),
        N_("Pages &per sheet:"),
        N_("Custom"),
        N_("Millimeters (mm)"),
        N_("Inches (in)"),
        N_("Points (pt)"),
        N_("Pica (P̸)"),
        N_("Didot (DD)"),
        N_("Cicero (CC)"),
    ),
    "QPrintSettingsOutput": (
        N_("Copies"),
        N_("Copies:"),
        N_("Collate"),
        N_("Reverse"),
        N_("Print range"),
        N_("Print all"),
        N_("Pages from"),
        N_("to"),
        N_("Pages"),
        N_("Specify pages or ranges separated by commas. Ranges are specified by two numbers separated by "
           "a hyphen. E.g: 3,5-7,9 prints pages 3, 5, 6, 7 and 9."),
        N_("Current Page"),
        N_("Selection"),
        N_("Page &Set:"),
        N_("Output Settings"),
        N_("Options"),
        N_("Color Mode"),
        N_("Color"),
        N_("Grayscale"),
        N_("Double Sided Printing"),
        N_("Off"),
        N_("Long side binding"),
        N_("Short side binding"),
    ),
    "QPrintWidget": (
        N_("Printer"),
        N_("&Name:"),
        N_("P&roperties"),
        N_("Location:"),
        N_("Preview"),
        N_("Type:"),
        N_("Output &file:"),
    ),
    "QPrintPropertiesDialog": (
        N_("Printer Properties"),
        N_("Job Options"),
        N_("Page Setup Conflicts"),
        N_("There are conflicts in page setup options. Do you want to fix them?"),
        N_("Advanced Option Conflicts"),
        N_("There are conflicts in some advanced options. Do you want to fix them?"),
    ),
    "QPrintPropertiesWidget": (
        N_("Page"),
        N_("Advanced"),
        N_("There are conflicts in some options. Please fix them."),
    ),
    "QCupsJobWidget": (
        N_("Job"),
        N_("Job Control"),
        N_("Scheduled &printing:"),
        N_("Print Immediately"),
        N_("Hold Indefinitely"),
        N_("Day (06:00 to 17:59)"),
        N_("Night (18:00 to 05:59)"),
        N_("Second Shift (16:00 to 23:59)"),
        N_("Third Shift (00:00 to 07:59)"),
        N_("Weekend (Saturday to Sunday)"),
        N_("Specific Time"),
        N_("&Billing information:"),
        N_("Job &priority:"),
        N_("Banner Pages"),
        N_("&Start:"),
        N_("&End:"),
        N_("None"),
        N_("Standard"),
        N_("Unclassified"),
        N_("Confidential"),
        N_("Classified"),
        N_("Secret"),
        N_("Top Secret"),
    ),
    "QCupsPrinterSupport": (
        N_("Authentication Needed"),
        N_("Authentication needed to use %1."),
        N_("Authentication needed to use %1 on %2."),
        N_("Username:"),
        N_("Password:"),
    ),
}

# (Qt context, Qt source text) -> our msgid.
QT_MESSAGES: dict[tuple[str, str], str] = {
    (context, source): source for context, sources in _SAME_TEXT.items() for source in sources
}

# Asked by Qt in those contexts but the same in Vietnamese: shortcuts, units, Designer placeholders.
KEPT_AS_IS = frozenset({
    ("QFileDialog", "Alt+Left"), ("QFileDialog", "Alt+Right"), ("QFileDialog", "Alt+Up"),
    ("QPrintWidget", "Form"), ("QPrintWidget", "..."), ("QPrintSettingsOutput", "Form"),
    ("QPageSetupWidget", "Form"), ("QPageSetupWidget", "mm"), ("QPrintPreviewDialog", "%1%"),
    ("QPrintPropertiesWidget", "Form"),
    *(("QPrintDialog", layout) for layout in ("1 (1x1)", "2 (2x1)", "4 (2x2)", "6 (2x3)", "9 (3x3)", "16 (4x4)")),
})

# Contexts answered entirely by QT_MESSAGES (the recording test checks that Qt asks nothing else there).
COVERED_CONTEXTS = frozenset(context for context, _source in QT_MESSAGES)


class CatalogTranslator(QTranslator):
    """Serves Qt's own strings from the gettext catalog of the current language.

    Returns None (a null string to Qt) for what it does not know, so Qt falls back to the next
    translator or to its English source; never an empty text on a button.
    """

    def translate(  # type: ignore[override]  # None reaches Qt as the null string (see above); the stub says str
            self, context: str | None, source: str | None, disambiguation: str | None = None, n: int = -1,
    ) -> str | None:
        msgid = QT_MESSAGES.get((context or "", source or ""))
        if msgid is None:
            return None
        text = gettext(msgid)
        return text if text != msgid else None

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


_installed: dict[int, list[QTranslator]] = {}


def _official_qm(language: str) -> Traversable | None:
    """qtbase_<lang>.qm from Qt's translations folder or our resources, when one exists."""
    folders: list[Traversable] = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)),
                                  LOCALE_DIR / language]
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


__all__ = ["COVERED_CONTEXTS", "KEPT_AS_IS", "QT_MESSAGES", "CatalogTranslator", "install_qt_translations"]
