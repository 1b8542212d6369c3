"""The dashboard's satisfaction figures and "Bộ chỉ số 766" scorecard (D49), as two panels of the reports screen.

Each panel loads its figures in a background operation (desk.views.ops) when the reports screen asks
(:meth:`load`), and only renders the service's dataclasses (desk.services.ratings.Satisfaction,
desk.services.scorecard.Scorecard): the numbers are the workbook's and the report JSON's.
"""

from __future__ import annotations

import logging

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desk.i18n import _
from desk.services.accounts import Actor
from desk.services.clock import Clock
from desk.services.kinds import RatingLevel
from desk.services.ratings import Satisfaction, SatisfactionRow
from desk.services.scorecard import Scorecard
from desk.views.common import error_text
from desk.views.ops import Operation

log = logging.getLogger("desk.views.scorecard_panels")

_COUNT_KEYS = ("overdue", "ratings")


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def _count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _item(text: str, *, bold: bool = False, left: bool = False, tip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    item.setTextAlignment((Qt.AlignmentFlag.AlignLeft if left else Qt.AlignmentFlag.AlignRight)
                          | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    if tip:
        item.setToolTip(tip)
    return item


def _table(name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)  # type: ignore[union-attr]
    header = table.horizontalHeader()
    assert header is not None
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for col in range(1, len(headers)):
        header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
    table.setMinimumHeight(120)
    return table


def load_satisfaction(period: str, cutoff: str, by: Actor) -> Satisfaction:
    """The satisfaction figures of the period (runs on a worker thread)."""
    from desk.services.ratings import satisfaction

    return satisfaction(period, cutoff, by=by)


def load_scorecard(period: str, cutoff: str, by: Actor, clock: Clock) -> Scorecard:
    """The 12 months ending with the period (runs on a worker thread)."""
    from desk.services.scorecard import compute_scorecard

    return compute_scorecard(period, cutoff, by=by, clock=clock)


class _Panel(QWidget):
    """A panel that loads its figures in the background; the latest request wins."""

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(name)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel("")
        self.title.setObjectName(f"{name}_title")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold;")
        self.layout_.addWidget(self.title)
        self.error = QLabel("")
        self.error.setObjectName(f"{name}_error")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        self.error.hide()
        self.layout_.addWidget(self.error)
        self.loading: Operation | None = None
        self.loads = 0
        self._generation = 0

    def _start(self, fn, *args) -> Operation:  # noqa: ANN001 - a loader of this module and its arguments
        self._generation += 1
        generation = self._generation

        def done(result: object) -> None:
            if generation == self._generation:
                self.loading = None
                self.error.hide()
                self.show_result(result)
                self.loads += 1

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.loading = None
                self.error.setText(error_text(exc))
                self.error.show()

        self.loading = Operation(self, fn, *args, label=self.objectName()).on_success(done).on_failure(failed).start()
        return self.loading

    def show_result(self, result: object) -> None:
        raise NotImplementedError


class SatisfactionPanel(_Panel):
    """Ratings of the period per field and per clerk who returned the result: the levels, number, rate."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("satisfaction_panel", parent)
        self.satisfaction: Satisfaction | None = None
        levels = [level.label for level in RatingLevel]
        row = QHBoxLayout()
        self.fields = _table("satisfaction_fields", [_("Field"), *levels, _("Ratings"), _("Satisfaction rate")])
        self.clerks = _table("satisfaction_clerks", [_("Clerk who returned the result"), *levels, _("Ratings"),
                                                     _("Satisfaction rate")])
        row.addWidget(self.fields, 1)
        row.addWidget(self.clerks, 1)
        self.layout_.addLayout(row, 1)
        note = QLabel(_("Satisfaction rate = (very satisfied + satisfied) / ratings; one rating per dossier, after "
                        "its result was returned; counted by the day of the rating."))
        note.setObjectName("satisfaction_note")
        note.setWordWrap(True)
        note.setStyleSheet("color: #6a737d;")
        self.layout_.addWidget(note)

    def load(self, period: str, cutoff: str, by: Actor) -> Operation:
        return self._start(load_satisfaction, period, cutoff, by)

    def show_result(self, result: object) -> None:
        assert isinstance(result, Satisfaction)
        self.satisfaction = result
        self.title.setText(_("Citizen satisfaction — {period}").format(period=result.period.describe()))
        self._fill(self.fields, result.by_field, result.total)
        clerks_total = SatisfactionRow("", _("Total"), *(sum(r.count(level) for r in result.by_clerk)
                                                         for level in RatingLevel))
        self._fill(self.clerks, result.by_clerk, clerks_total)

    def _fill(self, table: QTableWidget, rows: tuple[SatisfactionRow, ...], total: SatisfactionRow) -> None:
        table.setRowCount(len(rows) + 1)
        for r, row in enumerate((*rows, total)):
            last = r == len(rows)
            values = [_count(row.count(level)) for level in RatingLevel] + [_count(row.ratings), _rate(row.rate)]
            table.setItem(r, 0, _item(_("Total") if last else row.name, bold=last, left=True))
            for c, text in enumerate(values, 1):
                table.setItem(r, c, _item(text, bold=last))

    def cell_text(self, table: QTableWidget, row: int, col: int) -> str:
        item = table.item(row, col)
        return item.text() if item is not None else ""


class ScorecardPanel(_Panel):
    """The "Bộ chỉ số 766" indicators over the 12 months ending with the chosen period, with their definitions."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("scorecard_panel", parent)
        self.scorecard: Scorecard | None = None
        self.table = _table("scorecard_table", [_("Indicator")])
        self.layout_.addWidget(self.table, 1)
        self.definitions = QLabel("")
        self.definitions.setObjectName("scorecard_definitions")
        self.definitions.setWordWrap(True)
        self.definitions.setTextFormat(Qt.TextFormat.PlainText)
        self.definitions.setStyleSheet("color: #404850;")
        self.layout_.addWidget(self.definitions)

    def load(self, period: str, cutoff: str, by: Actor, clock: Clock) -> Operation:
        return self._start(load_scorecard, period, cutoff, by, clock)

    def show_result(self, result: object) -> None:
        assert isinstance(result, Scorecard)
        self.scorecard = result
        self.title.setText(_("Decision 766 scorecard (Bộ chỉ số 766) — {period}").format(period=result.describe()))
        months = result.months
        table = self.table
        table.setColumnCount(1 + len(months))
        table.setHorizontalHeaderLabels([_("Indicator"), *(m.period.label for m in months)])
        header = table.horizontalHeader()
        assert header is not None
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 1 + len(months)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        table.setRowCount(len(result.indicators))
        for r, indicator in enumerate(result.indicators):
            tip = f"{indicator.criterion}: {indicator.definition}"
            table.setItem(r, 0, _item(indicator.name, bold=True, left=True, tip=tip))
            for c, month in enumerate(months, 1):
                value = month.value(indicator.key)
                text = _count(int(value or 0)) if indicator.key in _COUNT_KEYS else _rate(
                    None if value is None else float(value))
                table.setItem(r, c, _item(text, tip=tip))
        self.definitions.setText("\n".join(f"• {i.name} ({i.criterion}): {i.definition}" for i in result.indicators))

    def value_text(self, key: str, month: str) -> str:
        """The text shown for indicator ``key`` in month "2026-10" (for tests and screen readers)."""
        assert self.scorecard is not None
        row = [i.key for i in self.scorecard.indicators].index(key)
        col = 1 + [m.period.text for m in self.scorecard.months].index(month)
        item = self.table.item(row, col)
        return item.text() if item is not None else ""
