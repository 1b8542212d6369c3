"""Reports & dashboard (leaders): the official monthly table, charts, headline numbers, Excel export.

Everything heavy runs off the UI thread through desk.views.ops: the statistics and the 12-month
trend are computed by a background operation (one query each on a million dossiers still takes a
moment), and the Excel export streams its detail sheets in one that reports progress and can be
cancelled between chunks. The
numbers come from desk.services.reports only, so the screen, the workbook and the CLI agree.

QtCharts (PyQt6-Charts) is imported when the screen is built, not when the application starts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import cast

from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtGui import QBrush, QColor, QFont, QKeySequence, QPainter, QShortcut
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.i18n import N_, _, current_language, ngettext
from desk.services import accounts, catalog
from desk.services import report_workbook as report_service
from desk.services.accounts import Actor
from desk.services.attachments import DigitisationRow
from desk.services.clock import LOCAL_TZ, Clock
from desk.services.kinds import Role
from desk.services.periods import Period, as_period
from desk.services.report_workbook import DigitisationTable, ReportCancelled
from desk.services.statistics import FieldStats, Statistics, TrendPoint
from desk.views import files
from desk.views.common import confirm, error_text, open_document, present, show_error
from desk.views.context import AppContext
from desk.views.ops import Operation

ERROR_STYLE = "color: #b00020"
OK_STYLE = "color: #1b5e20"
HEADER_FILL = "#dbe8f5"
TOTAL_FILL = "#eef1f4"
RECEIVED_COLOR = "#1f6fb2"
RESOLVED_COLOR = "#2e9d5b"
ON_TIME_COLOR = "#2e9d5b"
ONLINE_COLOR = "#e08a00"
DIGITISED_COLOR = "#6a3d9a"
PERIODS_SHOWN = 24
TREND_MONTHS = 12
REFRESH_DELAY_MS = 3000  # a burst of dossier changes (a busy desk) becomes one recount
TREND_MAX_AGE_S = 300  # after a dossier change the 12-month trend is recomputed at most this often

CUTOFFS = (
    ("calendar", N_("Calendar month")),
    ("15th", N_("Reporting period 15th–14th (Decree 09/2019)")),
)

# The official table, column by column as on Biểu số 06/VPCP/KSTT (the workbook's "Tổng hợp"), then our
# additions: stopped, refused/withdrawn and the rates (D42). Rates are fractions shown as percentages.
COLUMNS = (
    "index", "field_name",
    "received_total", "new_online", "new_direct", "carried_over",
    "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
    "pending_total", "pending_in_time", "pending_overdue",
    "stopped", "refused_or_withdrawn", "on_time_rate", "online_rate", "digitised", "digitisation_rate",
)
RATE_COLUMNS = ("on_time_rate", "online_rate", "digitisation_rate")
DIGITISATION_COLUMNS = ("digitised", "digitisation_rate")  # from the DigitisationTable, not the FieldStats
TOTAL_COLUMNS = ("received_total", "resolved_total", "pending_total")
HEADER_ROWS = 3
CHART_MIN_HEIGHT = 280  # eight fields with two bars each still get readable labels
# (row, column, rows spanned, columns spanned, text) of the three header rows, as on the official form.
HEADER_CELLS = (
    (0, 0, 3, 1, N_("Row no.")),
    (0, 1, 3, 1, N_("Field")),
    (0, 2, 1, 4, N_("Dossiers to resolve")),
    (1, 2, 2, 1, N_("Total number")),
    (1, 3, 1, 2, N_("In the period")),
    (2, 3, 1, 1, N_("Online")),
    (2, 4, 1, 1, N_("In person, by post")),
    (1, 5, 2, 1, N_("Carried over from the previous period")),
    (0, 6, 1, 4, N_("Dossiers resolved")),
    (1, 6, 2, 1, N_("Total number")),
    (1, 7, 2, 1, N_("Before the due date")),
    (1, 8, 2, 1, N_("On time")),
    (1, 9, 2, 1, N_("Late")),
    (0, 10, 1, 3, N_("Dossiers being resolved")),
    (1, 10, 2, 1, N_("Total number")),
    (1, 11, 2, 1, N_("In time")),
    (1, 12, 2, 1, N_("Overdue")),
    (0, 13, 1, 6, N_("Additional columns (not in Form 06)")),
    (1, 13, 2, 1, N_("Stopped")),
    (1, 14, 2, 1, N_("Refused, withdrawn")),
    (1, 15, 2, 1, N_("On-time rate (%)")),
    (1, 16, 2, 1, N_("Online rate (%)")),
    (1, 17, 2, 1, N_("Digitised in full")),
    (1, 18, 2, 1, N_("Digitisation rate (%)")),
)
HEADER_HEIGHTS = (38, 30, 46)  # the first row: a group over three narrow columns takes two lines
INDEX_WIDTH = 40
ROW_HEIGHT = 24
FIELD_WIDTH = 150  # at least, for "Khiếu nại, tố cáo và tiếp công dân" on two lines
NUMBER_WIDTH = (52, 84)  # the count columns share what is left, between these widths
RATE_WIDTH = 62  # "100,0%"; its heading wraps
WIDER = {"new_direct": 10}  # "Trực tiếp, bưu chính" on two lines


# -- formatting ---------------------------------------------------------------------------------
def count_text(value: int) -> str:
    """"12.345" in Vietnamese, "12,345" in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if current_language() == "vi" else text


def rate_text(rate: float | None) -> str:
    """"85,3%" (Vietnamese) or "85.3%"; a dash when there is nothing to divide."""
    if rate is None:
        return "–"
    text = f"{rate * 100:.1f}%"
    return text.replace(".", ",") if current_language() == "vi" else text


def month_label(period: Period) -> str:
    """The period combo's entry: "Tháng 11/2026", with the dates for the 15th–14th cut-off."""
    month, year = int(period.text[5:7]), int(period.text[:4])
    label = _("Month {month}/{year}").format(month=f"{month:02d}", year=year)
    if period.cutoff != "calendar":
        label += f" ({period.first_day:%d/%m}–{period.last_day:%d/%m})"
    return label


def current_period(now: datetime, cutoff: str) -> Period:
    """The period that contains ``now``: for the 15th–14th cut-off, the 15th starts next month's period."""
    local = now.astimezone(LOCAL_TZ)
    year, month = local.year, local.month
    if cutoff == "15th" and local.day >= 15:
        year, month = year + month // 12, month % 12 + 1
    return Period.parse(f"{year:04d}-{month:02d}", cutoff)


def default_file_name(period: Period, field_code: str | None = None) -> str:
    """"bao-cao-TTHC-2026-10.xlsx"; the cut-off and the field are added when they are not the default."""
    name = f"bao-cao-TTHC-{period.text}"
    if period.cutoff != "calendar":
        name += "-ky-15"
    if field_code:
        name += f"-{field_code}"
    return name + ".xlsx"


# -- background work (no widgets touched here) ----------------------------------------------------
OnlineKey = tuple[str, str, str | None]  # (period text, cut-off, field code)


@dataclass(frozen=True)
class TrendData:
    """The 12-month trend and its online rates; ``closed_rates`` are finished periods' rates to remember."""

    points: list[TrendPoint]
    online_rates: list[float | None]
    closed_rates: dict[OnlineKey, float | None]


@dataclass(frozen=True)
class PeriodNumbers:
    """One period's table: the statistics and, beside them, the digitised dossiers of each field."""

    statistics: Statistics
    digitisation: DigitisationTable


@dataclass(frozen=True)
class DashboardData:
    """What the screen shows: the table of the chosen period and the 12-month trend."""

    statistics: Statistics
    trend: list[TrendPoint]
    online_rates: list[float | None]


def load_statistics(period: str, cutoff: str, field_code: str | None, clock: Clock, actor: Actor) -> PeriodNumbers:
    """The official table's numbers and the digitisation figures, read in one snapshot (runs on a worker
    thread)."""
    with report_service.snapshot():
        stats = report_service.compute_statistics(period, cutoff, field_code=field_code, clock=clock)
        return PeriodNumbers(stats, report_service.period_digitisation(stats, actor=actor))


def load_trend(stats: Statistics, clock: Clock, known: dict[OnlineKey, float | None]) -> TrendData:
    """The 12 periods ending with ``stats.period`` (runs on a worker thread)."""
    points = report_service.monthly_trend(stats.period, stats.period.cutoff, TREND_MONTHS,
                                          field_code=stats.field_code)
    closed: dict[OnlineKey, float | None] = {}
    rates = [_online_rate(point, stats, clock, known, closed) for point in points]
    return TrendData(points, rates, closed)


def _online_rate(point: TrendPoint, stats: Statistics, clock: Clock, known: dict[OnlineKey, float | None],
                 closed: dict[OnlineKey, float | None]) -> float | None:
    """Share of a period's new dossiers received online.

    From the trend point when the service gives it (``online_rate``). Otherwise from that period's
    statistics: the chosen period's are at hand, a finished period's rate cannot change and is
    remembered by the screen (``known``), so only the first load pays for the past periods.
    """
    rate = getattr(point, "online_rate", _MISSING)
    if rate is not _MISSING:
        return cast(float | None, rate)
    if point.period.text == stats.period.text:
        return stats.total.online_rate
    key = (point.period.text, point.period.cutoff, stats.field_code)
    if key in known:
        return known[key]
    past = report_service.compute_statistics(point.period, field_code=stats.field_code, clock=clock)
    if past.as_of >= past.period.end:
        closed[key] = past.total.online_rate
    return past.total.online_rate


_MISSING = object()


def export_report(path: Path, period: str, cutoff: str, field_code: str | None, clock: Clock, *,
                  progress, cancel, by: Actor) -> Path:
    """Write the workbook (runs on a worker thread)."""
    return report_service.write_report(path, period, cutoff, field_code=field_code, progress=progress,
                                       cancel=cancel, clock=clock, by=by)


# -- widgets ------------------------------------------------------------------------------------
class NumberCard(QFrame):
    """One headline number: a title, the number in large type, and what it is measured against."""

    def __init__(self, key: str, title: str, color: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName(f"card_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"#card_{key} {{ background: white; border: 1px solid #d0d7de; "
                           f"border-left: 5px solid {color}; border-radius: 4px; }}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 3, 10, 3)
        layout.setSpacing(0)
        self.title = QLabel(title)
        self.title.setObjectName(f"card_{key}_title")
        self.title.setStyleSheet("color: #404850; font-size: 12px; border: none;")
        self.title.setWordWrap(True)  # five cards share a 1024-pixel laptop screen: long titles take two lines
        self.value = QLabel("–")
        self.value.setObjectName(f"card_{key}_value")
        self.value.setStyleSheet(f"color: {color}; font-size: 24px; font-weight: bold; border: none;")
        self.note = QLabel("")
        self.note.setObjectName(f"card_{key}_note")
        self.note.setStyleSheet("color: #6a737d; font-size: 11px; border: none;")
        self.note.setWordWrap(True)
        for label in (self.title, self.value, self.note):
            layout.addWidget(label)
        layout.addStretch(1)
        # As tall as the tallest card of the row, its text at the top: a title on one line beside titles on two
        # then leaves the numbers level.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set(self, value: str, note: str = "") -> None:
        self.value.setText(value)
        self.note.setText(note)


class ReportsView(QWidget):
    """The leaders' dashboard: choose a period, read the official table and charts, export to Excel."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.data: DashboardData | None = None
        self.statistics: Statistics | None = None
        self.digitisation: DigitisationTable | None = None
        self.loading = False
        self.loads = 0  # finished refreshes shown on screen
        self.export_work: Operation | None = None
        self.export_path: Path | None = None
        self.export_cancelled = False
        self._wanted = 0  # generation of the refresh the controls ask for
        self._running = 0  # generation being computed (0: none)
        self._want_trend = True
        self._trend_key: tuple[str, str, str | None] | None = None  # what the trend chart shows
        self._trend_at: float | None = None  # time.monotonic() of that trend
        self._online_known: dict[OnlineKey, float | None] = {}  # finished periods' online rates
        self._stale = True
        self._filling = False
        self._build()
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(lambda: self.refresh(trend=False))
        ctx.bus.dossier_changed.connect(self._dossier_changed)
        ctx.bus.catalog_changed.connect(self._catalog_changed)
        ctx.bus.calendar_changed.connect(self._dossier_changed)
        ctx.bus.office_changed.connect(self._dossier_changed)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop_background_work)

    # -- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.setSpacing(6)
        layout.addLayout(self._build_controls())
        self.export_bar = self._build_export_bar()
        layout.addWidget(self.export_bar)
        self.error = QLabel("")
        self.error.setObjectName("report_error")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

        cards = QHBoxLayout()
        cards.setSpacing(10)
        self.cards = {
            "overdue": NumberCard("overdue", _("Overdue dossiers being resolved"), "#c62828"),
            "on_time": NumberCard("on_time", _("Resolved on time"), ON_TIME_COLOR),
            "online": NumberCard("online", _("Received online"), ONLINE_COLOR),
            "received": NumberCard("received", _("Dossiers received in the period"), RECEIVED_COLOR),
            "digitised": NumberCard("digitised", _("Digitisation rate"), DIGITISED_COLOR),
        }
        for card in self.cards.values():
            cards.addWidget(card)
        layout.addLayout(cards)

        title_row = QHBoxLayout()
        self.title = QLabel("")
        self.title.setObjectName("report_title")
        self.title.setStyleSheet("font-size: 14px; font-weight: bold;")
        self.title.setWordWrap(True)
        title_row.addWidget(self.title, 1)
        self.busy = QProgressBar()
        self.busy.setObjectName("busy")
        self.busy.setRange(0, 0)
        self.busy.setFixedWidth(90)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.busy_label = QLabel("")
        self.busy_label.setObjectName("busy_label")
        self.busy_label.setStyleSheet("color: #6a737d;")
        self.busy_label.hide()
        title_row.addWidget(self.busy_label)
        title_row.addWidget(self.busy)
        # Beside the report it exports, not at the end of the filters: the filter row then fits the
        # 1024 logical pixels of a 1280×720 laptop at 125 % (it needed 937 with the button).
        title_row.addWidget(self.export_button)
        layout.addLayout(title_row)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.table = self._build_table()
        self.splitter.addWidget(self.table)
        charts = QWidget()
        charts_layout = QHBoxLayout(charts)
        charts_layout.setContentsMargins(0, 0, 0, 0)
        charts_layout.setSpacing(8)
        self._build_charts(charts_layout)
        self.splitter.addWidget(self._build_lower_tabs(charts))
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 6)
        layout.addWidget(self.splitter, 1)

        refresh = QShortcut(QKeySequence("F5"), self)
        refresh.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        refresh.activated.connect(lambda: self.refresh())
        export = QShortcut(QKeySequence("Ctrl+E"), self)
        export.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        export.activated.connect(self.choose_export_file)
        cancel = QShortcut(QKeySequence("Escape"), self)
        cancel.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        cancel.activated.connect(self.cancel_export)
        self.setTabOrder(self.period, self.cutoff)
        self.setTabOrder(self.cutoff, self.field)
        self.setTabOrder(self.field, self.refresh_button)
        self.setTabOrder(self.refresh_button, self.export_button)
        self.setTabOrder(self.export_button, self.cancel_export_button)
        self.setTabOrder(self.cancel_export_button, self.table)

    def _build_controls(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.cutoff = QComboBox()
        self.cutoff.setObjectName("cutoff")
        for value, name in CUTOFFS:
            self.cutoff.addItem(_(name), value)
        self.cutoff.setToolTip(_("Calendar month: from the 1st to the last day of the month. Decree 09/2019/NĐ-CP: "
                                 "from the 15th of the previous month to the 14th of this month."))
        self.period = QComboBox()
        self.period.setObjectName("period")
        self.period.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.period.setMaxVisibleItems(PERIODS_SHOWN)
        self.field = QComboBox()
        self.field.setObjectName("field_filter")
        self.field.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.field.setMinimumContentsLength(10)  # the open list shows whole names (below)
        present(self.field.view()).setMinimumWidth(300)  # the list shows whole field names
        self._fill_periods()
        self._fill_fields()
        for text, widget in ((_("&Period:"), self.period), (_("C&ut-off:"), self.cutoff),
                             (_("&Field:"), self.field)):
            label = QLabel(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
        self.refresh_button = QPushButton(_("&Refresh (F5)"))
        self.refresh_button.setObjectName("refresh_button")
        self.refresh_button.clicked.connect(lambda: self.refresh())
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        self.export_button = QPushButton(_("E&xport to Excel"))
        self.export_button.setObjectName("export_button")
        self.export_button.setToolTip(_("Save the official table, charts, detail and overdue lists as an "
                                        "Excel workbook (Ctrl+E)"))
        self.export_button.clicked.connect(self.choose_export_file)
        if not self.ctx.can(Role.LEADER):
            self.export_button.setEnabled(False)
            self.export_button.setToolTip(_("Only leaders and administrators can export the report. "
                                            "Ask your leader if you need the Excel file."))
        self.period.currentIndexChanged.connect(self._controls_changed)
        self.cutoff.currentIndexChanged.connect(self._cutoff_changed)
        self.field.currentIndexChanged.connect(self._controls_changed)
        return row

    def _build_export_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("export_bar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.export_status = QLabel("")
        self.export_status.setObjectName("export_status")
        self.export_status.setWordWrap(True)
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.export_progress = QProgressBar()
        self.export_progress.setObjectName("export_progress")
        self.export_progress.setMinimumWidth(260)
        self.export_progress.setFormat("%p %")
        self.export_progress.hide()
        self.cancel_export_button = QPushButton(_("Cancel export (Esc)"))
        self.cancel_export_button.setObjectName("cancel_export_button")
        self.cancel_export_button.clicked.connect(self.cancel_export)
        self.cancel_export_button.hide()
        self.open_button = QPushButton(_("Open the file"))
        self.open_button.setObjectName("open_report_button")
        self.open_button.clicked.connect(self.open_export)
        self.open_button.hide()
        row.addWidget(self.export_status, 1)
        row.addWidget(self.export_progress)
        row.addWidget(self.cancel_export_button)
        row.addWidget(self.open_button)
        bar.hide()
        return bar

    def _build_table(self) -> QTableWidget:
        table = QTableWidget(HEADER_ROWS, len(COLUMNS))
        table.setObjectName("statistics_table")
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        present(table.horizontalHeader()).hide()
        present(table.verticalHeader()).hide()
        table.setWordWrap(True)
        table.setAlternatingRowColors(False)
        table.setStyleSheet("QTableWidget { font-size: 13px; gridline-color: #b8c2cc; }")
        header = present(table.horizontalHeader())
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setMinimumSectionSize(30)
        table.setColumnWidth(0, INDEX_WIDTH)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in range(2, len(COLUMNS)):
            table.setColumnWidth(col, NUMBER_WIDTH[1])
        present(table.verticalHeader()).setDefaultSectionSize(ROW_HEIGHT)
        for row, col, rows, _cols, text in HEADER_CELLS:
            # The groups in bold; the columns under them in regular type, so narrow columns wrap less.
            item = _cell(_(text), bold=row == 0 and rows == 1, align=Qt.AlignmentFlag.AlignCenter)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = item.font()
            font.setPixelSize(12)
            item.setFont(font)
            item.setBackground(QBrush(QColor(HEADER_FILL)))
            table.setItem(row, col, item)
        _span_headers(table)
        for row, height in enumerate(HEADER_HEIGHTS):
            table.setRowHeight(row, height)
        return table

    def _build_charts(self, layout: QHBoxLayout) -> None:
        from PyQt6.QtCharts import QChart, QChartView  # noqa: PLC0415 - heavy: loaded with this screen only

        self.bar_chart = QChart()
        self.trend_chart = QChart()
        for chart, name in ((self.bar_chart, "bar_chart"), (self.trend_chart, "trend_chart")):
            chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
            legend = present(chart.legend())
            legend.setAlignment(Qt.AlignmentFlag.AlignBottom)
            legend.setFont(_font(11))
            chart.setTitleFont(_font(12, bold=True))
            chart.setMargins(_margins(4))
            chart.setBackgroundRoundness(3)
            view = QChartView(chart)
            view.setObjectName(f"{name}_view")
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumHeight(CHART_MIN_HEIGHT)
            view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            layout.addWidget(view, 1)
        self.bar_chart.setTitle(_("Received and resolved by field"))
        self.trend_chart.setTitle(_("On-time and online rates, last 12 months"))

    # -- satisfaction and the Bộ chỉ số 766 scorecard (issue 13, D49) -----------------------------
    def _build_lower_tabs(self, charts: QWidget) -> QTabWidget:
        """The charts and the waiting room's times (numbers only), then for leaders (the figures name clerks)
        the satisfaction figures and the scorecard, as tabs under the table."""
        from desk.views.queue_figures import QueueFiguresPanel
        from desk.views.scorecard_panels import SatisfactionPanel, ScorecardPanel

        self.lower_tabs = QTabWidget()
        self.lower_tabs.setObjectName("report_lower_tabs")
        self.lower_tabs.addTab(charts, _("Charts"))
        self.queue_panel = QueueFiguresPanel(self.ctx)
        self.lower_tabs.addTab(self.queue_panel, _("Waiting room"))
        self.satisfaction_panel: SatisfactionPanel | None = None
        self.scorecard_panel: ScorecardPanel | None = None
        if self.ctx.can(Role.LEADER):
            self.satisfaction_panel = SatisfactionPanel()
            self.scorecard_panel = ScorecardPanel()
            self.lower_tabs.addTab(self.satisfaction_panel, _("Satisfaction"))
            self.lower_tabs.addTab(self.scorecard_panel, _("Decision 766 scorecard"))
        return self.lower_tabs

    def _load_additions(self, period: str, cutoff: str) -> None:
        chosen = as_period(period, cutoff)
        self.queue_panel.load(chosen.first_day, chosen.last_day)
        if self.satisfaction_panel is None or self.scorecard_panel is None:
            return
        self.satisfaction_panel.load(period, cutoff, self.ctx.actor)
        self.scorecard_panel.load(period, cutoff, self.ctx.actor, self.ctx.clock)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Count columns share the width the field names leave, so the whole table fits on the screen."""
        counts = len(COLUMNS) - 2 - len(RATE_COLUMNS)
        available = (present(self.table.viewport()).width() - INDEX_WIDTH - FIELD_WIDTH - RATE_WIDTH * len(RATE_COLUMNS)
                     - sum(WIDER.values()))
        width = max(NUMBER_WIDTH[0], min(NUMBER_WIDTH[1], available // counts))
        for col, key in enumerate(COLUMNS):
            if col >= 2:
                self.table.setColumnWidth(col, RATE_WIDTH if key in RATE_COLUMNS else width + WIDER.get(key, 0))

    def _fit_table_height(self) -> None:
        """Give the table the height its rows need (the charts keep at least their minimum)."""
        table = self.table
        needed = sum(table.rowHeight(r) for r in range(table.rowCount())) + 2 * table.frameWidth() + 2
        total = sum(self.splitter.sizes())
        if total <= 0:
            return
        charts_min = present(self.splitter.widget(1)).minimumSizeHint().height()
        height = min(needed, max(total - charts_min, total // 3))
        self.splitter.setSizes([height, total - height])

    # -- period choices ---------------------------------------------------------------------
    def _fill_periods(self, keep_offset: int = 0) -> None:
        """The last 24 periods, newest (the running one) first; keeps the same distance from it."""
        self._filling = True
        try:
            cutoff = self.cutoff.currentData() or "calendar"
            newest = current_period(self.ctx.clock.now(), cutoff)
            self.period.clear()
            for i in range(PERIODS_SHOWN):
                period = newest.shifted(-i)
                self.period.addItem(month_label(period), period.text)
            self.period.setCurrentIndex(max(0, min(keep_offset, PERIODS_SHOWN - 1)))
        finally:
            self._filling = False

    def _fill_fields(self) -> None:
        keep = self.field.currentData()
        self._filling = True
        try:
            self.field.clear()
            self.field.addItem(_("All fields"), None)
            try:
                fields = catalog.list_fields()
            except DeskError:
                fields = []
            for info in fields:
                self.field.addItem(info.name, info.code)
            index = self.field.findData(keep) if keep else 0
            self.field.setCurrentIndex(max(0, index))
        finally:
            self._filling = False

    def select_period(self, text: str, cutoff: str | None = None) -> bool:
        """Choose a period ("2026-10") and optionally the cut-off; False when it is not in the list."""
        if cutoff is not None:
            index = self.cutoff.findData(cutoff)
            if index < 0:
                return False
            self.cutoff.setCurrentIndex(index)
        index = self.period.findData(text)
        if index < 0:
            return False
        self.period.setCurrentIndex(index)
        return True

    def selected(self) -> tuple[str, str, str | None]:
        """(period text, cut-off, field code or None) the controls ask for."""
        return self.period.currentData(), self.cutoff.currentData(), self.field.currentData()

    def _cutoff_changed(self) -> None:
        if self._filling:
            return
        self._fill_periods(keep_offset=max(0, self.period.currentIndex()))
        self.refresh()

    def _controls_changed(self) -> None:
        if not self._filling:
            self.refresh()

    # -- refreshing -------------------------------------------------------------------------
    def activate(self) -> None:
        """Shown by the main window: recount when something changed while the screen was hidden."""
        if self._stale:
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            QTimer.singleShot(0, self.activate)

    def _dossier_changed(self, *_args) -> None:
        """A dossier moved somewhere: recount soon if the screen is shown, else when it is shown next.

        The timer is not restarted by later changes, so a desk that never stops working still gets
        a recount every few seconds instead of none.
        """
        if not self.isVisible():
            self._stale = True
        elif not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _catalog_changed(self) -> None:
        self._fill_fields()
        self._dossier_changed()

    def refresh(self, *, trend: bool = True) -> None:
        """Recompute the chosen period in the background; the old numbers stay on screen meanwhile.

        ``trend=False`` (after a dossier changed) recomputes the table, cards and bars only; the
        12-month trend (the slow part on a large database) follows when it is older than
        TREND_MAX_AGE_S or the period, cut-off or field changed.
        """
        self._refresh_timer.stop()
        self._stale = False
        self._wanted += 1
        self._want_trend = self._want_trend or trend
        if self._running:
            return  # the running computation is followed by this one when it ends
        self._start_load()

    def _start_load(self) -> None:
        period, cutoff, field_code = self.selected()
        if not period:
            return
        generation = self._running = self._wanted
        old = self._trend_at is None or time.monotonic() - self._trend_at > TREND_MAX_AGE_S
        with_trend = self._want_trend or old or self._trend_key != (period, cutoff, field_code)
        self._want_trend = False
        if with_trend:  # the 12-month figures follow the trend's pace (D49)
            self._load_additions(period, cutoff)
        self._set_loading(True, _("Computing the table…"))
        (Operation(self, load_statistics, period, cutoff, field_code, self.ctx.clock, self.ctx.actor,
                   label="report statistics")
         .on_success(partial(self._statistics_done, generation, with_trend=with_trend))
         .on_failure(partial(self._load_failed, generation, with_trend=with_trend))
         .start())

    def _statistics_done(self, generation: int, numbers: PeriodNumbers, with_trend: bool) -> None:
        if generation != self._wanted:  # the controls changed meanwhile: compute what they ask now
            self._restart(with_trend)
            return
        stats = numbers.statistics
        self.show_statistics(stats, numbers.digitisation)
        if not with_trend:
            self._finished()
            return
        self._set_loading(True, _("Computing the 12-month trend…"))
        (Operation(self, load_trend, stats, self.ctx.clock, dict(self._online_known), label="report trend")
         .on_success(partial(self._trend_done, generation))
         .on_failure(partial(self._load_failed, generation, with_trend=True))
         .start())

    def _trend_done(self, generation: int, data: TrendData) -> None:
        self._online_known.update(data.closed_rates)
        if generation != self._wanted:
            self._restart(True)
            return
        self.show_trend(data.points, data.online_rates)
        self._trend_key = self.selected()
        self._trend_at = time.monotonic()
        self._finished()

    def _restart(self, with_trend: bool) -> None:
        self._running = 0
        self._want_trend = self._want_trend or with_trend
        self._start_load()

    def _finished(self) -> None:
        self._running = 0
        self._set_loading(False)
        self.error.hide()
        self.loads += 1

    def _load_failed(self, generation: int, exc: BaseException, with_trend: bool) -> None:
        if generation != self._wanted:
            self._restart(with_trend)
            return
        self._running = 0
        self._want_trend = self._want_trend or with_trend  # the next refresh tries the trend again
        self._set_loading(False)
        self.error.setText(error_text(exc))
        self.error.show()

    def _set_loading(self, loading: bool, text: str = "") -> None:
        self.loading = loading
        self.busy.setVisible(loading)
        self.busy_label.setText(text)
        self.busy_label.setVisible(loading)
        self.refresh_button.setEnabled(not loading)

    # -- showing ----------------------------------------------------------------------------
    def show_statistics(self, stats: Statistics, digitisation: DigitisationTable) -> None:
        """Put the chosen period on screen: title, table, cards and the bar chart."""
        self.statistics = stats
        self.digitisation = digitisation
        if self.data is not None:
            self.data = replace(self.data, statistics=stats)
        self._show_title(stats)
        self._show_table(stats, digitisation)
        self._show_cards(stats, digitisation)
        self._show_bars(stats)

    def show_trend(self, trend: list[TrendPoint], online_rates: list[float | None]) -> None:
        """Put the 12-month trend on screen."""
        if self.statistics is not None:
            self.data = DashboardData(self.statistics, trend, online_rates)
        self._show_trend(trend, online_rates)

    def _show_title(self, stats: Statistics) -> None:
        p = stats.period
        text = _("{office} — from {start} to {end}").format(
            office=stats.office_name, start=f"{p.first_day:%d/%m/%Y}", end=f"{p.last_day:%d/%m/%Y}")
        if stats.as_of < p.end:
            text += " " + _("(figures up to {time} on {date})").format(
                time=f"{stats.as_of:%H:%M}", date=f"{stats.as_of:%d/%m/%Y}")
        self.title.setText(text)

    def _show_table(self, stats: Statistics, digitisation: DigitisationTable) -> None:
        table = self.table
        rows = list(stats.rows)
        table.clearSpans()  # the total row moves when the field filter changes
        table.setRowCount(HEADER_ROWS + len(rows) + 1)
        _span_headers(table)
        for i, row in enumerate(rows, 1):
            self._fill_row(HEADER_ROWS + i - 1, str(i), row, digitisation.row_of(row.field_code), total=False)
        total_row = HEADER_ROWS + len(rows)
        self._fill_row(total_row, _("Total"), stats.total, digitisation.total, total=True)
        table.setSpan(total_row, 0, 1, 2)
        for r in range(HEADER_ROWS, table.rowCount()):
            table.setRowHeight(r, ROW_HEIGHT)
        self._fit_columns()
        self._fit_table_height()

    def _fill_row(self, r: int, index: str, stats: FieldStats, digitised: DigitisationRow, *, total: bool) -> None:
        for c, key in enumerate(COLUMNS):
            if key == "index":
                item = _cell(index, bold=total, align=Qt.AlignmentFlag.AlignCenter)
            elif key == "field_name":
                item = _cell("" if total else stats.field_name, bold=total)
                item.setToolTip(stats.field_name)
                item.setData(Qt.ItemDataRole.UserRole, stats.field_code)
            elif key == "digitisation_rate":
                item = _cell(rate_text(_fraction(digitised)), bold=total, align=Qt.AlignmentFlag.AlignRight)
                item.setToolTip(_("{done} of the {count} dossiers received in the period have every component that "
                                  "needs it digitised").format(done=count_text(digitised.digitised),
                                                                count=count_text(digitised.total)))
            elif key == "digitised":
                item = _cell(count_text(digitised.digitised), bold=total, align=Qt.AlignmentFlag.AlignRight)
                item.setData(Qt.ItemDataRole.UserRole, digitised.digitised)
            elif key in RATE_COLUMNS:
                item = _cell(rate_text(getattr(stats, key)), bold=total, align=Qt.AlignmentFlag.AlignRight)
            else:
                value = getattr(stats, key)
                item = _cell(count_text(value), bold=total or key in TOTAL_COLUMNS, align=Qt.AlignmentFlag.AlignRight)
                item.setData(Qt.ItemDataRole.UserRole, value)
                if key == "pending_overdue" and value:
                    item.setForeground(QBrush(QColor("#c62828")))
            if total:
                item.setBackground(QBrush(QColor(TOTAL_FILL)))
            self.table.setItem(r, c, item)

    def total_row(self) -> int:
        """The table row of "Tổng cộng"."""
        return self.table.rowCount() - 1

    def row_of(self, field_code: str) -> int:
        """The table row of a field, -1 when it is not shown."""
        for r in range(HEADER_ROWS, self.table.rowCount() - 1):
            item = self.table.item(r, COLUMNS.index("field_name"))
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == field_code:
                return r
        return -1

    def cell_text(self, row: int, key: str) -> str:
        item = self.table.item(row, COLUMNS.index(key))
        return item.text() if item is not None else ""

    def _show_cards(self, stats: Statistics, digitisation: DigitisationTable) -> None:
        total = stats.total
        as_of = _("up to {time} {date}").format(time=f"{stats.as_of:%H:%M}", date=f"{stats.as_of:%d/%m/%Y}")
        self.cards["overdue"].set(count_text(total.pending_overdue), as_of)
        self.cards["on_time"].set(rate_text(total.on_time_rate), _("of {count} resolved").format(
            count=count_text(total.resolved_total)))
        self.cards["online"].set(rate_text(total.online_rate), ngettext(
            "of {count} new dossier", "of {count} new dossiers", total.new_total).format(count=count_text(total.new_total)))
        self.cards["received"].set(count_text(total.new_total), _("plus {count} carried over").format(
            count=count_text(total.carried_over)))
        done = digitisation.total
        self.cards["digitised"].set(rate_text(_fraction(done)), ngettext(
            "{done} of {count} dossier received, fully digitised", "{done} of {count} dossiers received, fully "
            "digitised", done.total).format(done=count_text(done.digitised), count=count_text(done.total)))

    def _show_bars(self, stats: Statistics) -> None:
        from PyQt6.QtCharts import (  # noqa: PLC0415
            QBarCategoryAxis,
            QBarSet,
            QHorizontalBarSeries,
            QValueAxis,
        )

        chart = self.bar_chart
        _clear(chart)
        rows = list(reversed(stats.rows))  # a horizontal chart draws its first category at the bottom
        received = QBarSet(_("Dossiers to resolve"))
        resolved = QBarSet(_("Dossiers resolved"))
        received.setColor(QColor(RECEIVED_COLOR))
        resolved.setColor(QColor(RESOLVED_COLOR))
        for row in rows:
            received.append(row.received_total)
            resolved.append(row.resolved_total)
        series = QHorizontalBarSeries()
        series.append(received)
        series.append(resolved)
        series.setBarWidth(0.8)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        for bar_set in (received, resolved):
            bar_set.setLabelColor(QColor("#303030"))
            bar_set.setLabelFont(_font(9))
        chart.addSeries(series)
        fields = QBarCategoryAxis()
        fields.append([_short(row.field_name) for row in rows])
        fields.setLabelsFont(_font(9))
        fields.setTruncateLabels(False)
        fields.setGridLineVisible(False)
        counts = QValueAxis()
        counts.setLabelFormat("%d")
        counts.setLabelsFont(_font(9))
        top = max([row.received_total for row in rows] + [1])
        counts.setRange(0, top * 1.15)
        counts.applyNiceNumbers()
        counts.setMinorTickCount(0)
        chart.addAxis(fields, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(counts, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(fields)
        series.attachAxis(counts)

    def _show_trend(self, trend: list[TrendPoint], online_rates: list[float | None]) -> None:
        from PyQt6.QtCharts import QBarCategoryAxis, QLineSeries, QValueAxis  # noqa: PLC0415

        chart = self.trend_chart
        _clear(chart)
        months = QBarCategoryAxis()
        months.append([_trend_label(point.period) for point in trend])
        months.setLabelsFont(_font(8))
        months.setTruncateLabels(False)
        rates = QValueAxis()
        rates.setRange(0, 100)
        rates.setTickCount(6)
        rates.setLabelFormat("%d%%")
        rates.setLabelsFont(_font(9))
        chart.addAxis(months, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(rates, Qt.AlignmentFlag.AlignLeft)
        lines = (
            (_("On-time rate"), ON_TIME_COLOR, [p.on_time_rate for p in trend]),
            (_("Online rate"), ONLINE_COLOR, online_rates),
        )
        for name, color, values in lines:
            series = QLineSeries()
            series.setName(name)
            pen = series.pen()
            pen.setColor(QColor(color))
            pen.setWidth(3)
            series.setPen(pen)
            series.setColor(QColor(color))
            series.setPointsVisible(True)
            for i, value in enumerate(values):
                if value is not None:
                    series.append(i, value * 100)
            chart.addSeries(series)
            series.attachAxis(months)
            series.attachAxis(rates)

    # -- export -----------------------------------------------------------------------------
    def default_export_path(self) -> Path:
        """Documents/OneStopDesk/bao-cao-TTHC-2026-10.xlsx, or that name in the last folder used."""
        period, cutoff, field_code = self.selected()
        return files.start_folder() / default_file_name(Period.parse(period, cutoff), field_code)

    def choose_export_file(self) -> None:
        """The button: ask where to save, then export in the background."""
        if self.export_work is not None:
            return
        try:
            accounts.require(self.ctx.actor, Role.LEADER)
        except DeskError as exc:
            show_error(self, exc)
            return
        path = files.save_file(self, _("Export the report to Excel"), _("Excel workbooks (*.xlsx)"),
                               self.default_export_path(), suffix=".xlsx")
        if path is None:
            return
        try:
            self.start_export(path)
        except DeskError as exc:
            show_error(self, exc)

    def start_export(self, path: Path) -> Operation:
        """Write the workbook for the chosen period in the background; only leaders and admins may."""
        accounts.require(self.ctx.actor, Role.LEADER)
        if self.export_work is not None:
            raise DeskError(_("An export is already running. Wait for it to finish or cancel it."))
        period, cutoff, field_code = self.selected()
        self.export_path = Path(path)
        self.export_cancelled = False
        op = (Operation(self, export_report, self.export_path, period, cutoff, field_code, self.ctx.clock,
                        by=self.ctx.actor, label="export report")
              .with_progress(self._export_progress).with_cancel()
              .on_success(self._export_done).on_failure(self._export_failed))
        self.export_work = op
        self.export_bar.show()
        self.export_status.setStyleSheet("")
        self.export_status.setText(_("Exporting {name}…").format(name=self.export_path.name))
        self.export_progress.setRange(0, 0)
        self.export_progress.show()
        self.cancel_export_button.setEnabled(True)
        self.cancel_export_button.show()
        self.open_button.hide()
        self.export_button.setEnabled(False)
        op.start()
        self.cancel_export_button.setFocus()
        return op

    def cancel_export(self) -> None:
        """Stop the running export at its next chunk; no file is left behind."""
        if self.export_work is None:
            return
        self.export_cancelled = True
        self.export_work.cancel()
        self.cancel_export_button.setEnabled(False)
        self.export_status.setText(_("Cancelling the export…"))

    def _export_progress(self, done: int, total: int) -> None:
        if self.export_work is None:
            return
        self.export_progress.setRange(0, max(total, 1))
        self.export_progress.setValue(min(done, max(total, 1)))
        if not self.export_cancelled:
            self.export_status.setText(ngettext("Exporting {name}: {done} of {total} dossier…",
                                                "Exporting {name}: {done} of {total} dossiers…", total).format(
                name=self.export_path.name if self.export_path else "", done=count_text(done),
                total=count_text(total)))

    def _export_finished(self) -> None:
        self.export_work = None
        self.export_progress.hide()
        self.cancel_export_button.hide()
        self.export_button.setEnabled(self.ctx.can(Role.LEADER))

    def _export_done(self, path: Path) -> None:
        self._export_finished()
        self.export_path = Path(path)
        self.export_status.setStyleSheet(OK_STYLE)
        self.export_status.setText(_("Report saved: {path}").format(path=str(path)))
        self.open_button.show()
        self.open_button.setFocus()
        if confirm(self, _("Report exported"), _("The report was saved to {path}.\nOpen it now?").format(
                path=str(path))):
            self.open_export()

    def _export_failed(self, exc: BaseException) -> None:
        self._export_finished()
        self.export_status.setStyleSheet(ERROR_STYLE)
        self.open_button.hide()
        if isinstance(exc, ReportCancelled):
            self.export_status.setText(_("The export was cancelled; no file was written."))
            return
        self.export_status.setText(error_text(exc))
        if isinstance(exc, DeskError | OSError):
            show_error(self, exc, _("The report was not exported"))

    def open_export(self) -> None:
        if self.export_path is not None and self.export_path.exists():
            open_document(self.export_path)

    def stop_background_work(self) -> None:
        """Before the application quits: cancel the export and stop recounting.

        The background-operation helper waits for what is still running when the window closes.
        """
        self._refresh_timer.stop()
        if self.export_work is not None:
            self.export_cancelled = True
            self.export_work.cancel()


# -- table and chart helpers --------------------------------------------------------------------
def _fraction(row: DigitisationRow) -> float | None:
    """The share of the received dossiers that are digitised in full, None when none was received."""
    return row.digitised / row.total if row.total else None


def _span_headers(table: QTableWidget) -> None:
    """The merged cells of the official two-level (three-row) header."""
    for row, col, rows, cols, _text in HEADER_CELLS:
        if rows > 1 or cols > 1:
            table.setSpan(row, col, rows, cols)


def _cell(text: str, *, bold: bool = False, align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    return item


def _font(size: int, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSize(size)
    font.setBold(bold)
    return font


def _margins(value: int):
    from PyQt6.QtCore import QMargins

    return QMargins(value, value, value, value)


def _clear(chart) -> None:
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)


def _short(name: str, limit: int = 26) -> str:
    """Long field names ("Khiếu nại, tố cáo và tiếp công dân") cut at a word so the axis stays readable."""
    if len(name) <= limit:
        return name
    cut = name[:limit].rsplit(" ", 1)[0].rstrip(",")
    return cut + "…"


def _trend_label(period: Period) -> str:
    """"T11<br>2026": month over year, so twelve fit under a half-width chart."""
    return f"T{period.text[5:7]}<br>{period.text[:4]}"


__all__ = ["COLUMNS", "HEADER_ROWS", "DashboardData", "ReportsView", "TrendData", "count_text", "current_period",
           "default_file_name", "load_statistics", "load_trend", "rate_text"]
