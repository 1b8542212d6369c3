"""New files from the desk's scanner folder, offered for the open dossier (D47).

:class:`ScanInbox` shows what :class:`~desk.hardware.scan_folder.ScanFolderWatcher` finds: one row per new,
finished file, with the component it goes to (or the result) and an Attach button. It attaches nothing
itself: the button's press becomes :attr:`ScanInbox.attach_requested`, which the dossier's screen runs in
the background like any attachment, then takes the row away (:meth:`ScanInbox.remove`). Hidden when the
desk has no scanner folder.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QSize, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.hardware.scan_folder import ScanFolderWatcher
from desk.i18n import _
from desk.views.common import CompactTable, present

MUTED = "color: #555"
WARNING = "color: #b00020"


class ScanInbox(QWidget):
    """The tab "New files from the scanner" of one open dossier; watches while the dossier is shown."""

    attach_requested = pyqtSignal(str, int)  # the file's path, the component (1-based; 0 = the result)
    count_changed = pyqtSignal(int)  # how many files are offered now

    def __init__(self, folder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scan_inbox")
        self.folder = folder
        self.watcher: ScanFolderWatcher | None = ScanFolderWatcher(folder, self) if folder else None
        self.choices: list[tuple[str, int]] = [(_("Result"), 0)]
        self.default = 0
        self.rows: list[str] = []  # the offered files' paths, in the table's order
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        self.status = QLabel()
        self.status.setObjectName("scan_status")
        self.status.setStyleSheet(MUTED)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.table = CompactTable(0, 3)
        self.table.setObjectName("scan_files")
        self.table.setHorizontalHeaderLabels([_("File"), _("Attach to"), ""])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        present(self.table.verticalHeader()).setVisible(False)
        header = present(self.table.horizontalHeader())
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)  # a cell's button does not size its column
        self.table.setColumnWidth(1, 220)
        self.table.setColumnWidth(2, QPushButton(_("Attach")).sizeHint().width() + 8)
        self.table.setMinimumHeight(54)  # its header and one row: the dossier still fits a 1280×720 laptop at 125 %
        layout.addWidget(self.table, 1)
        if self.watcher is None:
            self.hide()
            return
        self.status.setToolTip(folder)
        self._reachable(True, "")
        self.watcher.found.connect(self.add)
        self.watcher.gone.connect(self.remove)
        self.watcher.reachable_changed.connect(self._reachable)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """As little as it needs (its header and one row): the dossier fits a 1280×720 laptop at 125 %."""
        return self.minimumSizeHint()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        # the wrapped status line must not make the dialog ask for its wrapped height: the list gives it room
        return False

    # -- watching -------------------------------------------------------------------------------
    def start(self) -> None:
        if self.watcher is not None:
            self.watcher.start()

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()

    def _reachable(self, reachable: bool, error: str) -> None:
        if reachable:
            self.status.setStyleSheet(MUTED)
            self.status.setText(_("Watching the folder “{name}”").format(name=Path(self.folder).name or self.folder))
        else:
            self.status.setStyleSheet(WARNING)
            self.status.setText(_("The scanner folder {folder} cannot be reached ({error}); new scans will show "
                                  "here when it is back.").format(folder=self.folder, error=error))

    # -- the rows -------------------------------------------------------------------------------
    def set_choices(self, choices: list[tuple[str, int]], default: int) -> None:
        """What a file can be attached to (label, component; 0 = the result) and the choice for new rows;
        the rows keep what the clerk chose."""
        self.choices, self.default = list(choices), default
        for row in range(self.table.rowCount()):
            combo = self.table.cellWidget(row, 1)
            if isinstance(combo, QComboBox):
                self._fill(combo, combo.currentData())

    def _fill(self, combo: QComboBox, chosen: int | None) -> None:
        combo.clear()
        for label, number in self.choices:
            combo.addItem(label, number)
        combo.setCurrentIndex(max(0, combo.findData(self.default if chosen is None else chosen)))

    def add(self, path: str) -> None:
        """Offer one file (newest last)."""
        if path in self.rows:
            return
        row = len(self.rows)
        self.rows.append(path)
        self.table.insertRow(row)
        item = QTableWidgetItem(Path(path).name)
        item.setToolTip(path)
        self.table.setItem(row, 0, item)
        combo = QComboBox()
        combo.setObjectName("scan_attach_to")
        self._fill(combo, None)
        self.table.setCellWidget(row, 1, combo)
        button = QPushButton(_("Attach"))
        button.setObjectName("scan_attach")
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False, p=path: self.request(p))
        self.table.setCellWidget(row, 2, button)
        self.count_changed.emit(len(self.rows))

    def remove(self, path: str) -> None:
        """Take a file off the list (attached, or no longer in the folder)."""
        if path not in self.rows:
            return
        self.table.removeRow(self.rows.index(path))
        self.rows.remove(path)
        self.count_changed.emit(len(self.rows))

    def chosen(self, path: str) -> int:
        """The component chosen for a listed file (0: the result)."""
        combo = self.table.cellWidget(self.rows.index(path), 1)
        return int(combo.currentData() or 0) if isinstance(combo, QComboBox) else 0

    def combo(self, path: str) -> QComboBox:
        combo = self.table.cellWidget(self.rows.index(path), 1)
        assert isinstance(combo, QComboBox)
        return combo

    def button(self, path: str) -> QPushButton:
        button = self.table.cellWidget(self.rows.index(path), 2)
        assert isinstance(button, QPushButton)
        return button

    def request(self, path: str) -> None:
        if path in self.rows:
            self.attach_requested.emit(path, self.chosen(path))
