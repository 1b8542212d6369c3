"""The waiting room's figures as a sheet and on the dashboard (D50), on both engines, read back from the file."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from desk.errors import ValidationError
from desk.services import queue, queue_report
from desk.services.accounts import SYSTEM, create_staff
from desk.services.clock import LOCAL_TZ, FixedClock


def _at(day: int, hour: int, minute: int) -> FixedClock:
    return FixedClock(datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_TZ))


@pytest.fixture
def morning(any_office):
    """Two days: on the 23rd three HT tickets wait 10, 20, 30 minutes and are served 10, 10, 5 minutes, a CT
    ticket waits an hour and is skipped; on the 24th an HT ticket waits 4 and is served 5 minutes, a CT ticket
    is never called (it left)."""
    clerk = create_staff("quay1", "Cán bộ quầy", "clerk", "mật-khẩu-đủ-dài", by=SYSTEM)
    leader = create_staff("lanhdao", "Lãnh đạo", "leader", "mật-khẩu-đủ-dài", by=SYSTEM)
    queue.set_counter(1, ["HT"], by=leader)
    queue.set_counter(2, ["CT"], by=leader)
    for _ in range(3):
        queue.take("HT", clock=_at(23, 8, 0))
    queue.take("CT", clock=_at(23, 8, 0))
    for n, minute in enumerate((10, 20, 30)):
        queue.call_next(1, actor=clerk, clock=_at(23, 8, minute))
        if n == 2:
            queue.call_next(1, actor=clerk, clock=_at(23, 8, 35))
    queue.call_next(2, actor=clerk, clock=_at(23, 9, 0))
    queue.skip(2, actor=clerk, clock=_at(23, 9, 2))
    queue.take("HT", clock=_at(24, 8, 0))
    queue.take("CT", clock=_at(24, 8, 1))
    queue.call_next(1, actor=clerk, clock=_at(24, 8, 4))
    queue.call_next(1, actor=clerk, clock=_at(24, 8, 9))
    return leader


def test_the_sheet_has_each_day_each_field_and_the_total(morning, tmp_path):
    out = queue_report.write_queue_workbook(tmp_path / "queue.xlsx", date(2026, 11, 23), date(2026, 11, 24),
                                            by=morning, clock=_at(25, 8, 0))
    ws = load_workbook(out)[queue_report.SHEET_QUEUE]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0][0].startswith("THỜI GIAN CHỜ") and rows[1] == list(queue_report.QUEUE_HEADERS)
    by_key = {(r[0], r[1]): r[2:] for r in rows[2:]}
    assert by_key[("23/11/2026", "Hộ tịch")] == [3, 3, 0, 0, 20.0, 30.0, 8.3, 10.0]
    assert by_key[("23/11/2026", "Chứng thực")] == [1, 0, 1, 0, 60.0, 60.0, None, None]
    assert by_key[("24/11/2026", "Chứng thực")] == [1, 0, 0, 1, None, None, None, None]  # never called: left
    assert by_key[("Cả kỳ", "Hộ tịch")] == [4, 4, 0, 0, 16.0, 30.0, 7.5, 10.0]
    assert by_key[("Tổng cộng", "Tất cả lĩnh vực")] == [6, 4, 1, 1, 24.8, 60.0, 7.5, 10.0]


def test_the_sheet_goes_into_a_write_only_workbook_too(morning, tmp_path):
    wb = Workbook(write_only=True)
    queue_report.add_queue_sheet(wb, date(2026, 11, 23), date(2026, 11, 23), clock=_at(25, 8, 0))
    wb.save(tmp_path / "report.xlsx")
    assert load_workbook(tmp_path / "report.xlsx").sheetnames == [queue_report.SHEET_QUEUE]
    with pytest.raises(ValidationError):
        queue_report.queue_rows(date(2026, 11, 24), date(2026, 11, 23))


def test_the_dashboard_panel_shows_the_period_per_field(qtbot, morning, tmp_path):
    from desk.config import Settings
    from desk.views.context import AppContext
    from desk.views.queue_figures import QueueFiguresPanel

    ctx = AppContext(actor=morning, clock=_at(25, 8, 0), settings=Settings(), output_dir=tmp_path)
    panel = QueueFiguresPanel(ctx)
    qtbot.addWidget(panel)
    op = panel.load(date(2026, 11, 23), date(2026, 11, 24))
    qtbot.waitUntil(lambda: op.done, timeout=10_000)
    cells = [[panel.table.item(r, c).text() for c in range(panel.table.columnCount())]
             for r in range(panel.table.rowCount())]
    assert cells[0][:6] == ["Hộ tịch", "4", "4", "0", "0", "16,0"]
    assert cells[-1][0] == "Tất cả lĩnh vực" and cells[-1][5] == "24,8"
    assert panel.note.text() == "6 phiếu; 2 người về khi chưa được phục vụ."


def test_the_monthly_report_carries_the_waiting_room_sheet(morning, tmp_path):
    """The leader's monthly workbook (report --out) has the period's waiting figures per field, as our addition."""
    from desk.services.report_workbook import QUEUE_NOTE, write_report

    out = write_report(tmp_path / "thang11.xlsx", "2026-11", by=morning, clock=_at(25, 8, 0))
    rows = [list(r) for r in load_workbook(out)[queue_report.SHEET_QUEUE].iter_rows(values_only=True)]
    assert rows[0][0].endswith("TỪ 01/11/2026 ĐẾN 30/11/2026") and rows[1][0] == QUEUE_NOTE
    assert rows[2] == list(queue_report.QUEUE_HEADERS)
    by_key = {(r[0], r[1]): r[2:] for r in rows[3:]}
    assert by_key[("Cả kỳ", "Hộ tịch")] == [4, 4, 0, 0, 16.0, 30.0, 7.5, 10.0]
    assert by_key[("Tổng cộng", "Tất cả lĩnh vực")] == [6, 4, 1, 1, 24.8, 60.0, 7.5, 10.0]



def test_the_reports_screen_has_a_waiting_room_tab_for_every_clerk(qtbot, morning, tmp_path):
    from desk.config import Settings
    from desk.services.accounts import get_actor
    from desk.views.context import AppContext
    from desk.views.reports import ReportsView

    ctx = AppContext(actor=get_actor("quay1"), clock=_at(25, 8, 0), settings=Settings(), output_dir=tmp_path,
                     office_name="UBND phường Trần Phú")
    view = ReportsView(ctx)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    tabs = [view.lower_tabs.tabText(i) for i in range(view.lower_tabs.count())]
    assert "Chờ đến lượt" in tabs and len(tabs) == 2  # a clerk: charts and the waiting room (ratings name clerks)
    table = view.queue_panel.table
    qtbot.waitUntil(lambda: table.rowCount() == 3, timeout=10_000)  # Hộ tịch, Chứng thực, the total
    assert [table.item(r, 0).text() for r in range(3)] == ["Hộ tịch", "Chứng thực", "Tất cả lĩnh vực"]
    assert table.item(2, 1).text() == "6" and view.queue_panel.note.text() == "6 phiếu; 2 người về khi chưa được phục vụ."
