"""The waiting room's figures for the leaders' dashboard (D50): a table per field for a period.

A panel of its own, so the reports screen places it (``QueueFiguresPanel(ctx)`` and ``load(date_from,
date_to)``) without its own code changing here: average and 90th-percentile waiting and service times per
field, and the tickets that left without being served. Read in the background.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PyQt6.QtWidgets import (
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.i18n import _
from desk.services.queue_report import QUEUE_HEADERS, queue_rows
from desk.views.common import error_text, present
from desk.views.context import AppContext
from desk.views.ops import Operation


def _text(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


class QueueFiguresPanel(QGroupBox):
    """Waiting and service times per field for the chosen period, with the period's total row."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(_("Waiting room: waiting and service times"), parent)
        self.ctx = ctx
        self.setObjectName("queue_figures")
        self.loading: Operation | None = None
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(QUEUE_HEADERS) - 1)
        self.table.setObjectName("queue_figures_table")
        self.table.setHorizontalHeaderLabels(list(QUEUE_HEADERS[1:]))
        present(self.table.verticalHeader()).setVisible(False)
        header = present(self.table.horizontalHeader())
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.note = QLabel()
        self.note.setObjectName("queue_figures_note")
        self.note.setWordWrap(True)
        layout.addWidget(self.table)
        layout.addWidget(self.note)

    def load(self, date_from: date, date_to: date) -> Operation:
        """Read the figures of the period in the background; the table fills when they are back."""
        self.note.setText(_("Loading…"))
        self.loading = (Operation(self, queue_rows, date_from, date_to, clock=self.ctx.clock, label="queue figures")
                        .on_success(self._show).on_failure(self._failed).start())
        return self.loading

    def _show(self, rows: list[list[Any]]) -> None:
        self.loading = None
        period = [row for row in rows if row[0] in ("Cả kỳ", "Tổng cộng")]  # the per-field period rows and total
        self.table.setRowCount(len(period))
        for r, row in enumerate(period):
            for c, value in enumerate(row[1:]):
                self.table.setItem(r, c, QTableWidgetItem(_text(value)))
        total = period[-1] if period else None
        self.note.setText(_("{n} tickets; {left} left without being served.").format(
            n=total[2], left=int(total[4] or 0) + int(total[5] or 0)) if total else "")

    def _failed(self, exc: BaseException) -> None:
        self.loading = None
        self.note.setText(error_text(exc))
