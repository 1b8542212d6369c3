"""Main window. For now: the latest dossiers, read-only; the full desk UI builds on it."""

from __future__ import annotations

from PyQt6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PyQt6.QtWidgets import QHeaderView, QLabel, QMainWindow, QTableView, QVBoxLayout, QWidget

from desk.i18n import N_, _
from desk.services.dossiers import DossierRow


class RecentDossiersModel(QAbstractTableModel):
    HEADERS = (N_("Code"), N_("Applicant"), N_("Procedure"), N_("Received"), N_("Due"), N_("Status"))

    def __init__(self, rows: list[DossierRow]):
        super().__init__()
        self.rows = rows

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(self.HEADERS[section])
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        row = self.rows[index.row()]
        return (row.code, row.applicant_name, row.procedure_name, f"{row.received_at:%H:%M %d/%m/%Y}",
                f"{row.due_at:%H:%M %d/%m/%Y}", row.status.label)[index.column()]


class MainWindow(QMainWindow):
    def __init__(self, office_name: str, database: str, rows: list[DossierRow]):
        super().__init__()
        self.setWindowTitle(_("OneStop Desk — {office}").format(office=office_name))
        central = QWidget()
        layout = QVBoxLayout(central)
        self.title = QLabel(_("Latest dossiers ({count})").format(count=len(rows)))
        layout.addWidget(self.title)
        self.table = QTableView()
        self.table.setModel(RecentDossiersModel(rows))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # long procedure names elide
        self.table.setWordWrap(False)
        layout.addWidget(self.table)
        self.setCentralWidget(central)
        self.statusBar().showMessage(_("Database: {db}").format(db=database))
        self.resize(1200, 700)
