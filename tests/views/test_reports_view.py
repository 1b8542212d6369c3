"""Reports & dashboard screen on a real SQLite database: table, cards, charts, refresh, Excel export.

Dossiers come from the real services (intake.register / lifecycle.advance) or from the demo
generator, with a FixedClock in the context so the "current" period is November 2026. The
statistics and the export run on worker threads; tests wait for the finished state with
qtbot.waitUntil (the UI thread keeps turning its event loop), never by sleeping.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PyQt6.QtCore import Qt, QTimer
from PyQt6.QtWidgets import QApplication, QFileDialog, QMessageBox

from desk.config import Settings
from desk.errors import PermissionDenied
from desk.hardware.printing import FakePrinter
from desk.services import demo
from desk.services.accounts import SYSTEM, Actor, get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance
from desk.services.report_workbook import (
    SHEET_CHARTS,
    SHEET_DETAIL,
    SHEET_OVERDUE,
    SHEET_SATISFACTION,
    SHEET_SCORECARD,
    SHEET_SUMMARY,
    period_digitisation,
)
from desk.services.statistics import compute_statistics, monthly_trend
from desk.views import ops
from desk.views import reports as reports_view
from desk.views.context import AppContext
from desk.views.reports import COLUMNS, HEADER_ROWS, ReportsView, count_text, rate_text

NOW = datetime(2026, 11, 20, 17, 0, tzinfo=LOCAL_TZ)  # a Friday: November 2026 is the running period
POINT = "Bộ phận Một cửa UBND phường"


def t(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


def make_ctx(role: str = "leader", tmp_path: Path | None = None) -> AppContext:
    actor = SYSTEM if role == "admin" else Actor(None, role, f"Cán bộ {role}", role)
    ctx = AppContext(actor=actor, clock=FixedClock(NOW), settings=Settings(), office_name="UBND phường Trần Phú",
                     database_label="sqlite:///test.db", printer=FakePrinter())
    if tmp_path is not None:
        ctx.output_dir = tmp_path / "slips"
    return ctx


def idle(view: ReportsView) -> bool:
    """No computation or export running, and no background operation of the screen left."""
    return not view.loading and view.export_work is None and not any(op.parent is view for op in ops.running())


def wait_idle(qtbot, view: ReportsView, timeout: int = 5000) -> None:
    qtbot.waitUntil(lambda: idle(view), timeout=timeout)


def make_view(qtbot, role: str = "leader", tmp_path: Path | None = None) -> ReportsView:
    view = ReportsView(make_ctx(role, tmp_path))
    qtbot.addWidget(view)
    view.resize(1070, 780)
    with qtbot.waitExposed(view):
        view.show()
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    qtbot.waitUntil(lambda: view.loads >= 1, timeout=5000)
    wait_idle(qtbot, view)
    return view


def reload(qtbot, view: ReportsView) -> None:
    before = view.loads
    view.refresh()
    qtbot.waitUntil(lambda: view.loads > before, timeout=5000)
    wait_idle(qtbot, view)


@pytest.fixture
def three(office):
    """Three November dossiers: one overdue, one resolved on its due day, one in time (2 online)."""
    actor = get_actor("admin")
    clock = FixedClock(NOW)
    steps = [
        ("T-TTHN", "direct", t(11, 2, 9), [("processing", t(11, 2, 10))]),
        ("T-KS", "online", t(11, 16, 9), [("processing", t(11, 16, 9, 30)), ("resolved", t(11, 16, 10))]),
        ("T-HD", "online", t(11, 19, 9), [("processing", t(11, 19, 10))]),
    ]
    codes = []
    for i, (procedure, channel, received, moves) in enumerate(steps):
        info = register(IntakeRequest(procedure, Applicant(name=f"Nguyễn Văn {'ABC'[i]}"), channel=channel,
                                      received_at=received, reception_point=POINT), actor=actor, clock=clock)
        for status, at in moves:
            advance(info.code, status, at=at, actor=actor, clock=clock)
        codes.append(info.code)
    return codes


@pytest.fixture
def generated(office):
    """A few hundred demo dossiers over three months, ending at NOW."""
    demo.generate(400, months=3, clock=FixedClock(NOW), actor=get_actor("admin"))


# -- the table, the cards and the charts ----------------------------------------------------------
def test_cards_and_table_show_hand_counted_numbers(qtbot, three):
    view = make_view(qtbot)
    assert view.selected() == ("2026-11", "calendar", None)
    stats = view.statistics
    assert stats.period.text == "2026-11" and stats.as_of == NOW
    total = view.total_row()
    assert view.cell_text(total, "received_total") == "3"
    assert view.cell_text(total, "new_online") == "2"
    assert view.cell_text(total, "new_direct") == "1"
    assert view.cell_text(total, "resolved_on_time") == "1"
    assert view.cell_text(total, "pending_overdue") == "1"
    assert view.cell_text(total, "pending_in_time") == "1"
    assert view.cell_text(total, "on_time_rate") == "100,0%"
    assert view.cell_text(total, "online_rate") == "66,7%"
    civil = view.row_of("HT")
    assert view.cell_text(civil, "field_name") == "Hộ tịch"
    assert view.cell_text(civil, "pending_overdue") == "1"
    assert view.cell_text(civil, "received_total") == "2"
    assert view.cell_text(view.row_of("CT"), "pending_in_time") == "1"
    assert view.cards["overdue"].value.text() == "1"
    assert view.cards["on_time"].value.text() == "100,0%"
    assert view.cards["online"].value.text() == "66,7%"
    assert view.cards["received"].value.text() == "3"
    assert view.table.item(total, 0).font().bold()
    assert view.table.columnSpan(total, 0) == 2  # "Tổng cộng" across STT and Lĩnh vực
    assert not view.busy.isVisible() and not view.error.isVisible()


def test_table_shows_the_same_numbers_as_compute_statistics(qtbot, generated):
    view = make_view(qtbot)
    assert view.select_period("2026-10")
    qtbot.waitUntil(lambda: view.statistics is not None and view.statistics.period.text == "2026-10", timeout=5000)
    wait_idle(qtbot, view)
    expected = compute_statistics("2026-10", "calendar", clock=view.ctx.clock)
    assert expected.total.received_total > 100
    assert view.table.rowCount() == HEADER_ROWS + len(expected.rows) + 1
    for row in expected.rows:
        r = view.row_of(row.field_code)
        for key in ("received_total", "carried_over", "new_online", "resolved_early", "resolved_late",
                    "pending_overdue", "refused_or_withdrawn", "stopped"):
            assert view.cell_text(r, key) == count_text(getattr(row, key)), (row.field_code, key)
        assert view.cell_text(r, "on_time_rate") == rate_text(row.on_time_rate)
    total = view.total_row()
    for key in COLUMNS[2:-2]:
        value = getattr(expected.total, key)
        text = rate_text(value) if key.endswith("_rate") else count_text(value)
        assert view.cell_text(total, key) == text, key
    assert COLUMNS[-2:] == ("digitised", "digitisation_rate")
    digitised = period_digitisation(expected, actor=view.ctx.actor)
    for row in digitised.rows:
        assert view.cell_text(view.row_of(row.field_code), "digitised") == count_text(row.digitised)
    assert view.cell_text(total, "digitised") == count_text(digitised.total.digitised)
    assert view.cell_text(total, "digitisation_rate") == rate_text(digitised.total.digitised / digitised.total.total)
    assert view.cards["received"].value.text() == count_text(expected.total.new_total)
    assert view.cards["overdue"].value.text() == count_text(expected.total.pending_overdue)


def test_official_two_level_header(qtbot, office):
    view = make_view(qtbot)
    table = view.table
    assert (table.rowSpan(0, 0), table.rowSpan(0, 1)) == (3, 3)  # STT, Lĩnh vực
    assert table.columnSpan(0, COLUMNS.index("received_total")) == 4  # Số hồ sơ nhận giải quyết
    assert table.columnSpan(0, COLUMNS.index("resolved_total")) == 4
    assert table.columnSpan(0, COLUMNS.index("pending_total")) == 3
    assert table.columnSpan(1, COLUMNS.index("new_online")) == 2  # Trong kỳ
    assert table.columnSpan(0, COLUMNS.index("stopped")) == 6  # our additions, after Biểu 06's columns
    assert COLUMNS.index("carried_over") == COLUMNS.index("new_direct") + 1  # Biểu 06: "Từ kỳ trước" last
    assert table.item(0, COLUMNS.index("stopped")).text() == "Cột bổ sung (không thuộc Biểu 06)"
    assert table.item(1, COLUMNS.index("stopped")).text() == "Dừng giải quyết"
    assert table.item(0, 1).text() == "Lĩnh vực"
    assert table.item(2, COLUMNS.index("new_online")).text() == "Trực tuyến"
    assert table.item(1, COLUMNS.index("resolved_late")).text() == "Quá hạn"
    assert not table.horizontalHeader().isVisible()
    assert table.editTriggers() == table.EditTrigger.NoEditTriggers


def test_charts_have_a_bar_per_field_and_two_rate_lines_over_twelve_months(qtbot, generated):
    view = make_view(qtbot)
    stats = view.statistics
    bars = view.bar_chart.series()
    assert len(bars) == 1
    sets = bars[0].barSets()
    assert len(sets) == 2
    assert [sets[0].at(i) for i in range(sets[0].count())] == [r.received_total for r in reversed(stats.rows)]
    assert [sets[1].at(i) for i in range(sets[1].count())] == [r.resolved_total for r in reversed(stats.rows)]
    categories = view.bar_chart.axes(Qt.Orientation.Vertical)[0].categories()
    assert len(categories) == len(stats.rows) == 2
    assert categories[-1] == "Hộ tịch"  # the first field is drawn at the top
    assert view.bar_chart.legend().isVisible()

    lines = view.trend_chart.series()
    assert len(lines) == 2
    months = view.trend_chart.axes(Qt.Orientation.Horizontal)[0].categories()
    assert len(months) == 12 and months[-1] == "T11<br>2026" and months[0] == "T12<br>2025"
    trend = monthly_trend("2026-11", "calendar")
    on_time = [p.y() for p in lines[0].points()]
    expected = [p.on_time_rate * 100 for p in trend if p.on_time_rate is not None]
    assert on_time == pytest.approx(expected)
    assert len(view.data.online_rates) == 12
    assert [round(p.y(), 6) for p in lines[1].points()] == [
        round(r * 100, 6) for r in view.data.online_rates if r is not None]
    assert view.data.online_rates[-1] == pytest.approx(stats.total.online_rate)


def test_cutoff_and_field_filter_recompute(qtbot, generated):
    view = make_view(qtbot)
    view.cutoff.setCurrentIndex(view.cutoff.findData("15th"))
    qtbot.waitUntil(lambda: view.statistics.period.cutoff == "15th", timeout=5000)
    wait_idle(qtbot, view)
    # On 20 November the running 15th–14th period is "December" (15/11–14/12).
    assert view.period.itemData(0) == "2026-12" and view.selected()[0] == "2026-12"
    assert "15/11–14/12" in view.period.itemText(0)
    assert view.period.count() == 24
    expected = compute_statistics("2026-12", "15th", clock=view.ctx.clock)
    assert view.cell_text(view.total_row(), "received_total") == count_text(expected.total.received_total)

    view.field.setCurrentIndex(view.field.findData("CT"))
    qtbot.waitUntil(lambda: view.statistics.field_code == "CT", timeout=5000)
    wait_idle(qtbot, view)
    assert view.table.rowCount() == HEADER_ROWS + 2
    assert view.row_of("CT") == HEADER_ROWS and view.row_of("HT") == -1
    assert view.table.columnSpan(view.total_row(), 0) == 2
    assert len(view.bar_chart.axes(Qt.Orientation.Vertical)[0].categories()) == 1


def test_refresh_on_dossier_change_only_when_visible_and_debounced(qtbot, three):
    view = make_view(qtbot)
    view._refresh_timer.setInterval(50)
    assert view.cell_text(view.total_row(), "received_total") == "3"
    actor = get_actor("admin")
    info = register(IntakeRequest("T-BS", Applicant(name="Trần Thị D"), channel="online",
                                  received_at=t(11, 20, 9), reception_point=POINT), actor=actor,
                    clock=view.ctx.clock)
    before = view.loads
    for _i in range(3):  # a burst of changes becomes one recount
        view.ctx.bus.dossier_changed.emit(info.code)
    qtbot.waitUntil(lambda: view.loads > before, timeout=3000)
    wait_idle(qtbot, view)
    assert view.loads == before + 1
    assert view.cell_text(view.total_row(), "received_total") == "4"

    view.hide()
    before = view.loads
    view.ctx.bus.dossier_changed.emit(info.code)
    qtbot.wait(150)  # three refresh intervals in which nothing may happen
    assert view.loads == before and not view.loading  # hidden: nothing computed
    view.show()
    qtbot.waitUntil(lambda: view.loads > before, timeout=3000)  # shown again: recounted once
    wait_idle(qtbot, view)


def test_the_window_keeps_working_while_statistics_are_computed(qtbot, three, monkeypatch):
    gate = threading.Event()
    real = reports_view.load_statistics

    def slow(*args):
        gate.wait(5)
        return real(*args)

    view = make_view(qtbot)
    monkeypatch.setattr(reports_view, "load_statistics", slow)
    before = view.loads
    qtbot.keyClick(view.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: view.busy.isVisible())
    assert not view.refresh_button.isEnabled() and view.busy_label.text()
    ticks = []
    timer = QTimer(view)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    qtbot.waitUntil(lambda: len(ticks) >= 3)  # the event loop turns while the worker waits
    view.select_period("2026-10")  # changing the period meanwhile: the newer choice wins
    gate.set()
    qtbot.waitUntil(lambda: view.loads > before, timeout=5000)
    wait_idle(qtbot, view)
    timer.stop()
    assert not view.busy.isVisible() and view.refresh_button.isEnabled()
    assert view.statistics.period.text == "2026-10" and view.loads == before + 1
    assert view.data.trend[-1].period.text == "2026-10"


def test_a_dossier_change_recounts_the_table_but_keeps_a_fresh_trend(qtbot, generated, monkeypatch):
    view = make_view(qtbot)
    view._refresh_timer.setInterval(20)
    calls = []
    real = reports_view.report_service.compute_statistics

    def counted(period, *args, **kwargs):
        calls.append(period if isinstance(period, str) else period.text)
        return real(period, *args, **kwargs)

    monkeypatch.setattr(reports_view.report_service, "compute_statistics", counted)
    trend_at = view._trend_at
    before = view.loads
    view.ctx.bus.dossier_changed.emit("x")
    qtbot.waitUntil(lambda: view.loads > before, timeout=3000)
    wait_idle(qtbot, view)
    assert view._trend_at == trend_at and calls == ["2026-11"]  # the table only
    calls.clear()
    reload(qtbot, view)  # F5: the trend too, and past periods' online rates are remembered
    assert view._trend_at > trend_at and calls == ["2026-11"]
    assert len(view.data.online_rates) == 12


# -- export ---------------------------------------------------------------------------------------
@pytest.fixture
def no_dialogs(monkeypatch):
    """Record message boxes instead of blocking on them."""
    shown: dict[str, list] = {"warning": [], "confirm": [], "opened": []}
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown["warning"].append(a))
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown["warning"].append(a))
    monkeypatch.setattr(reports_view, "confirm", lambda *a: shown["confirm"].append(a) or False)
    monkeypatch.setattr(reports_view, "open_document", lambda path: shown["opened"].append(path) or True)
    return shown


def save_as(monkeypatch, path: Path) -> list:
    asked = []

    def fake(parent, title, suggested, filters, **_options):
        asked.append(suggested)
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    return asked


def test_export_writes_the_workbook_with_progress_while_the_window_works(qtbot, generated, tmp_path,
                                                                          monkeypatch, no_dialogs):
    view = make_view(qtbot, tmp_path=tmp_path)
    target = tmp_path / "out" / "bao-cao.xlsx"
    target.parent.mkdir()
    asked = save_as(monkeypatch, target.with_suffix(""))  # the extension is added when left out
    ticks = []
    timer = QTimer(view)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    assert view.export_button.isEnabled()
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    assert Path(asked[0]).name == "bao-cao-TTHC-2026-11.xlsx"
    assert view.export_work is not None and not view.export_button.isEnabled()
    assert view.cancel_export_button.isVisible()
    qtbot.waitUntil(lambda: view.export_work is None, timeout=10_000)
    wait_idle(qtbot, view)
    timer.stop()
    assert ticks  # the UI thread kept running during the export
    total = view.statistics.total.received_total
    assert view.export_progress.maximum() == total and view.export_progress.value() == total
    assert target.exists() and view.export_path == target
    workbook = load_workbook(target, read_only=True)
    assert workbook.sheetnames == [SHEET_SUMMARY, SHEET_CHARTS, SHEET_DETAIL, SHEET_OVERDUE, SHEET_SATISFACTION,
                                   SHEET_SCORECARD, "Thời gian chờ"]
    assert sum(1 for _row in workbook[SHEET_DETAIL].iter_rows(values_only=True)) == total + 1
    workbook.close()
    assert len(no_dialogs["confirm"]) == 1 and str(target) in no_dialogs["confirm"][0][2]
    assert str(target) in view.export_status.text()
    assert view.open_button.isVisible() and view.export_button.isEnabled()
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    assert no_dialogs["opened"] == [target]
    assert no_dialogs["warning"] == []


def test_cancelling_the_export_leaves_no_file(qtbot, office, tmp_path, monkeypatch, no_dialogs, admin):
    demo.generate(5000, months=1, clock=FixedClock(NOW), actor=admin)
    view = make_view(qtbot, tmp_path=tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "bao-cao-TTHC-2026-11.xlsx"
    save_as(monkeypatch, target)
    first_progress = threading.Event()
    cancel_clicked = threading.Event()
    real = reports_view.export_report

    def held(*args, progress, cancel, **kwargs):
        def report(done: int, total: int) -> None:
            progress(done, total)
            first_progress.set()
            cancel_clicked.wait(5)  # hold the export at its first progress until Cancel is clicked

        return real(*args, progress=report, cancel=cancel, **kwargs)

    monkeypatch.setattr(reports_view, "export_report", held)
    qtbot.keyClick(view.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(first_progress.is_set, timeout=5000)
    qtbot.waitUntil(lambda: view.export_progress.maximum() > 1000, timeout=5000)
    qtbot.mouseClick(view.cancel_export_button, Qt.MouseButton.LeftButton)
    assert not view.cancel_export_button.isEnabled()
    cancel_clicked.set()
    qtbot.waitUntil(lambda: view.export_work is None, timeout=10_000)
    wait_idle(qtbot, view)
    assert list(out.iterdir()) == []  # neither the report nor a partial file
    assert view.export_status.styleSheet() == reports_view.ERROR_STYLE
    assert view.export_status.text() == reports_view._("The export was cancelled; no file was written.")
    assert not view.open_button.isVisible() and view.export_button.isEnabled()
    assert no_dialogs["confirm"] == [] and no_dialogs["warning"] == []


def test_export_failure_is_shown(qtbot, three, tmp_path, monkeypatch, no_dialogs):
    view = make_view(qtbot, tmp_path=tmp_path)
    save_as(monkeypatch, tmp_path / "missing" / "r.xlsx")
    qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.export_work is None, timeout=5000)
    wait_idle(qtbot, view)
    assert len(no_dialogs["warning"]) == 1
    assert "missing" in no_dialogs["warning"][0][2]
    assert view.export_status.styleSheet() == reports_view.ERROR_STYLE
    assert not (tmp_path / "missing").exists()
    assert view.export_button.isEnabled()


def test_clerk_sees_the_dashboard_but_cannot_export(qtbot, three, tmp_path, monkeypatch, no_dialogs):
    view = make_view(qtbot, role="clerk", tmp_path=tmp_path)
    assert view.cell_text(view.total_row(), "received_total") == "3"  # the dashboard itself is open
    assert not view.export_button.isEnabled()
    assert view.export_button.toolTip()
    with pytest.raises(PermissionDenied):
        view.start_export(tmp_path / "r.xlsx")
    asked = save_as(monkeypatch, tmp_path / "r.xlsx")
    view.choose_export_file()  # the shortcut path checks too
    assert asked == [] and len(no_dialogs["warning"]) == 1
    assert view.export_work is None and not (tmp_path / "r.xlsx").exists()


def test_default_file_name(office, tmp_path):
    from desk.services.periods import Period

    assert reports_view.default_file_name(Period.parse("2026-10")) == "bao-cao-TTHC-2026-10.xlsx"
    assert reports_view.default_file_name(Period.parse("2026-10", "15th"), "HT") == \
        "bao-cao-TTHC-2026-10-ky-15-HT.xlsx"
    assert reports_view.current_period(t(11, 14, 23), "15th").text == "2026-11"
    assert reports_view.current_period(t(11, 15, 0), "15th").text == "2026-12"
    assert reports_view.current_period(datetime(2026, 12, 20, tzinfo=LOCAL_TZ), "15th").text == "2027-01"


# -- digitised dossiers (issue 12) ----------------------------------------------------------------
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def digitised(any_office):
    """Three November dossiers of two components in Hộ tịch: all attached, one missing, none attached; and one
    of Chứng thực with nothing attached."""
    from desk.services.attachments import attach
    from desk.services.dossiers import DocumentItem

    actor, clock = get_actor("admin"), FixedClock(NOW)
    two = [DocumentItem("Tờ khai đăng ký", 1, "original"), DocumentItem("Bản sao CCCD", 1, "copy")]
    codes = [register(IntakeRequest("T-KT", Applicant(name=name), documents=two, received_at=t(11, 16, 9, i)),
                      clock=clock, actor=actor).code
             for i, name in enumerate(("Lê Văn Cường", "Vũ Thị Hoa", "Đỗ Minh Tâm"))]
    register(IntakeRequest("T-HD", Applicant(name="Phan Thu Hà"), documents=[DocumentItem("Hợp đồng", 1, "original")],
                           received_at=t(11, 17, 9)), clock=clock, actor=actor)
    attach(codes[0], PDF, component=1, actor=actor, clock=clock)
    attach(codes[0], PDF, component=2, actor=actor, clock=clock)
    attach(codes[1], PDF, component=1, actor=actor, clock=clock)
    return codes


def test_digitisation_columns_and_card(qtbot, digitised):
    """One of three Hộ tịch dossiers has every component attached (one misses a file): 1 and 33,3 %; the card
    shows the rate of all four received; a component the catalog marks "no digitisation" is then not
    required, so the one that misses only it counts too. A clerk (who opens this screen) sees the figures."""
    from desk.models import Procedure

    view = make_view(qtbot, role="clerk")
    hộ_tịch, chứng_thực, total = view.row_of("HT"), view.row_of("CT"), view.total_row()
    assert view.table.item(1, COLUMNS.index("digitised")).text() == "Đã số hóa đủ thành phần"
    assert view.table.item(1, COLUMNS.index("digitisation_rate")).text() == "Tỷ lệ số hóa (%)"
    assert [view.cell_text(hộ_tịch, key) for key in ("digitised", "digitisation_rate")] == ["1", "33,3%"]
    assert [view.cell_text(chứng_thực, key) for key in ("digitised", "digitisation_rate")] == ["0", "0,0%"]
    assert [view.cell_text(total, key) for key in ("digitised", "digitisation_rate")] == ["1", "25,0%"]
    card = view.cards["digitised"]
    assert card.title.text() == "Tỷ lệ số hóa" and card.title.wordWrap()
    assert (card.value.text(), card.note.text()) == ("25,0%", "1/4 hồ sơ đã số hóa đủ")

    marked = [{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"},
              {"name": "Bản sao CCCD", "count": 1, "kind": "copy", "no_digitisation": True}]
    Procedure.update(documents=json.dumps(marked, ensure_ascii=False)).where(Procedure.code == "T-KT").execute()
    reload(qtbot, view)
    assert [view.cell_text(hộ_tịch, key) for key in ("digitised", "digitisation_rate")] == ["2", "66,7%"]
    assert (card.value.text(), card.note.text()) == ("50,0%", "2/4 hồ sơ đã số hóa đủ")


def test_card_titles_wrap_in_a_narrow_window(qtbot, office):
    """Five cards on a 1024-pixel laptop (the page beside the navigation): titles wrap, none is cut."""
    view = make_view(qtbot)
    narrow = view.minimumSizeHint().width()  # what the page gets there (test_screen_fit: no sideways scrolling)
    assert narrow <= 830
    view.resize(narrow, 600)
    qtbot.waitUntil(lambda: view.width() == narrow)
    QApplication.sendPostedEvents(None, 0)
    assert view.cards["overdue"].title.height() > view.cards["digitised"].title.height()  # two lines, one
    for card in view.cards.values():
        title = card.title
        assert title.width() >= 60
        assert title.height() >= title.heightForWidth(title.width()), title.text()
        assert card.geometry().right() <= view.width()


def test_a_page_photographed_by_the_webcam_counts_on_the_dashboard(qtbot, office, tmp_path):
    """Issue 12's "must show": FakeCamera frames of a photographed page become a PDF attached in the dossier's
    detail, and the reports screen, told by the detail, counts the dossier as digitised (0 → 100 %)."""
    import cv2

    from desk.services import accounts
    from desk.views.dossier_detail import DossierDetailDialog
    from tests.hardware.test_page_scan import TILTED, _page, _photographed

    frames = tmp_path / "frames"
    frames.mkdir()
    cv2.imwrite(str(frames / "page.png"), _photographed(_page(), TILTED))
    clerk = accounts.create_staff("hang", "Nguyễn Thị Hằng", "clerk", "Matkhau#2026", by=accounts.SYSTEM)
    ctx = AppContext(actor=clerk, clock=FixedClock(NOW), settings=Settings(camera=f"fake:{frames}"),
                     office_name="UBND phường Trần Phú", printer=FakePrinter(), output_dir=tmp_path / "slips")
    code = register(IntakeRequest("T-KS", Applicant(name="Trần Thị Mai"), received_at=t(11, 18, 9)),
                    clock=FixedClock(NOW), actor=clerk).code
    view = ReportsView(ctx)
    qtbot.addWidget(view)
    view.resize(1070, 780)
    with qtbot.waitExposed(view):
        view.show()
    qtbot.waitUntil(lambda: view.loads >= 1, timeout=5000)
    wait_idle(qtbot, view)
    assert view.cards["digitised"].value.text() == "0,0%"
    assert view.cell_text(view.row_of("HT"), "digitised") == "0"
    view._refresh_timer.setInterval(20)
    before = view.loads

    detail = DossierDetailDialog(ctx, code)
    qtbot.addWidget(detail)
    detail.show()
    dialog = detail.scan_pages()
    qtbot.waitUntil(lambda: dialog.preview.image is not None, timeout=5000)
    qtbot.mouseClick(dialog.capture_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved is not None, dialog.status.text()
    qtbot.waitUntil(lambda: view.loads > before, timeout=5000)  # the detail said so on the bus: recounted
    wait_idle(qtbot, view)
    assert view.cell_text(view.row_of("HT"), "digitised") == "1"
    assert view.cell_text(view.row_of("HT"), "digitisation_rate") == "100,0%"
    assert (view.cards["digitised"].value.text(), view.cards["digitised"].note.text()) == \
        ("100,0%", "1/1 hồ sơ đã số hóa đủ")
