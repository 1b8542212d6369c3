"""The dossier list screen: rows, filters, unaccented search, paging, sorting, opening a dossier."""

from __future__ import annotations

from datetime import datetime

import pytest
from PyQt6.QtCore import QModelIndex, Qt
from PyQt6.QtWidgets import QApplication

from desk.config import Settings
from desk.hardware.printing import FakePrinter
from desk.services import accounts, lifecycle
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.search import Urgency
from desk.views.context import AppContext
from desk.views.dossier_list import COLUMN_INDEX, URGENCY_BACKGROUND, DossierListView

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LOCAL_TZ)  # Wednesday; 24/11/2026 is a holiday
CLOCK = FixedClock(NOW)


def t(day, hh, mm=0):
    return datetime(2026, 11, day, hh, mm, tzinfo=LOCAL_TZ)


def add(name, procedure, received, *, phone="", channel="direct", moves=()):
    info = register(IntakeRequest(procedure, Applicant(name=name, phone=phone), channel=channel,
                                  received_at=received), clock=FixedClock(received), actor=get_actor("admin"))
    for to, at, note in moves:
        lifecycle.advance(info.code, to, at=at, note=note, clock=CLOCK, actor=get_actor("admin"))
    return info.code


@pytest.fixture
def dossiers(office):
    return {
        "an": add("Nguyễn Văn An", "T-TTHN", t(16, 9), moves=[("processing", t(16, 10), "")]),  # overdue
        "trang": add("Trần Thị Thu Trang", "T-KSL", t(20, 9)),
        "binh": add("Lê Văn Bình", "T-BS", t(25, 8), phone="0987654321"),  # due today
        "hoa": add("Phạm Thị Hoa", "T-HD", t(25, 8, 30)),  # due within 2 working days
        "lan": add("Nguyễn Thị Lan", "T-KT", t(17, 9), moves=[
            ("processing", t(17, 10), ""), ("resolved", t(17, 15), ""), ("returned", t(18, 9), "")]),
        "hai": add("Hoàng Đức Hải", "T-TTHN", t(19, 9), channel="online",
                   moves=[("refused", t(19, 10), "Thiếu giấy tờ")]),
        "huong": add("Đặng Thị Hương", "T-KT", t(23, 14), phone="0912345678"),  # overdue
    }


@pytest.fixture
def ctx(dossiers, tmp_path):
    actor = accounts.create_staff("hang", "Nguyễn Thị Hằng", "clerk", "Matkhau#2026", by=accounts.SYSTEM)
    return AppContext(actor=actor, clock=CLOCK, settings=Settings(), office_name="UBND phường Trần Phú",
                      printer=FakePrinter(), output_dir=tmp_path / "slips")


@pytest.fixture
def view(qtbot, ctx):
    widget = DossierListView(ctx)
    qtbot.addWidget(widget)
    widget.resize(1300, 700)
    return widget


def shown(view) -> list[str]:
    return [r.applicant_name for r in view.model.rows]


def test_lists_newest_first_coloured_by_urgency(view, dossiers):
    model = view.model
    assert model.rowCount() == 7
    assert [model.code_at(i) for i in range(7)] == [dossiers[k] for k in
                                                    ("hoa", "binh", "huong", "trang", "hai", "lan", "an")]
    assert model.data(model.index(0, COLUMN_INDEX["applicant"])) == "Phạm Thị Hoa"
    assert model.data(model.index(0, COLUMN_INDEX["received"])) == "25/11/2026 08:30"
    assert model.data(model.index(0, COLUMN_INDEX["status"])) == "Đã tiếp nhận"
    urgency = {r.applicant_name: r.urgency for r in model.rows}
    assert urgency["Nguyễn Văn An"] == Urgency.OVERDUE and urgency["Lê Văn Bình"] == Urgency.DUE_TODAY
    background = Qt.ItemDataRole.BackgroundRole
    assert model.data(model.index(6, 0), background).color() == URGENCY_BACKGROUND[Urgency.OVERDUE]
    assert model.data(model.index(1, 0), background).color() == URGENCY_BACKGROUND[Urgency.DUE_TODAY]
    assert model.data(model.index(0, 0), background).color() == URGENCY_BACKGROUND[Urgency.DUE_SOON]
    assert model.data(model.index(3, 0), background) is None  # in time
    grey = model.data(model.index(5, 0), Qt.ItemDataRole.ForegroundRole)  # returned
    assert grey is not None and grey.color().name() == "#8a8a8a"
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable == Qt.ItemFlag.NoItemFlags
    qt_view_triggers = view.table.editTriggers()
    assert qt_view_triggers == view.table.EditTrigger.NoEditTriggers
    assert view.count_value == 7


def test_filters(view, qtbot):
    view.status.setCurrentIndex(view.status.findData("processing"))
    assert shown(view) == ["Nguyễn Văn An"]
    view.status.setCurrentIndex(view.status.findData("open"))
    assert set(shown(view)) == {"Nguyễn Văn An", "Trần Thị Thu Trang", "Lê Văn Bình", "Phạm Thị Hoa",
                                "Đặng Thị Hương"}
    view.overdue.setChecked(True)
    assert set(shown(view)) == {"Nguyễn Văn An", "Đặng Thị Hương"}
    view.overdue.setChecked(False)
    view.use_due.setChecked(True)
    view.due_days.setValue(0)
    assert shown(view) == ["Lê Văn Bình"]
    view.due_days.setValue(2)
    assert set(shown(view)) == {"Lê Văn Bình", "Phạm Thị Hoa"}
    view.clear_filters()
    assert view.model.rowCount() == 7 and not view.use_due.isChecked()
    view.field.setCurrentIndex(view.field.findData("CT"))
    assert set(shown(view)) == {"Lê Văn Bình", "Phạm Thị Hoa"}
    assert view.procedure.count() == 3  # all + the two certification procedures
    view.procedure.setCurrentIndex(view.procedure.findData("T-HD"))
    assert shown(view) == ["Phạm Thị Hoa"]
    view.clear_filters()
    view.channel.setCurrentIndex(view.channel.findData("online"))
    assert shown(view) == ["Hoàng Đức Hải"]
    view.channel.setCurrentIndex(0)
    view.date_from.setDate(datetime(2026, 11, 17).date())
    view.date_to.setDate(datetime(2026, 11, 19).date())
    view.use_dates.setChecked(True)
    assert set(shown(view)) == {"Nguyễn Thị Lan", "Hoàng Đức Hải"}
    view.clear_filters()
    point = view.point.findText("Bộ phận Một cửa UBND phường")
    view.point.setCurrentIndex(point)
    assert shown(view) == []


def test_typing_an_unaccented_name_finds_the_dossier(view, qtbot, dossiers):
    view.show()
    view.focus_search()
    qtbot.keyClicks(view.text, "nguyen van an")
    assert view.model.rowCount() == 7  # the search waits for the typing to pause
    qtbot.waitUntil(lambda: shown(view) == ["Nguyễn Văn An"], timeout=2000)
    view.text.clear()
    qtbot.keyClicks(view.text, "0912")
    qtbot.waitUntil(lambda: shown(view) == ["Đặng Thị Hương"], timeout=2000)
    view.text.clear()
    qtbot.keyClicks(view.text, dossiers["hoa"].rsplit("-", 2)[1] + "-0002")  # yymmdd-NNNN
    qtbot.waitUntil(lambda: shown(view) == ["Phạm Thị Hoa"], timeout=2000)
    view.text.setText("%' \x00")
    qtbot.waitUntil(lambda: view.model.rowCount() == 0, timeout=2000)
    assert view.error.isHidden()


def test_enter_in_search_box_opens_a_single_hit(view, qtbot, ctx, dossiers):
    view.show()
    qtbot.keyClicks(view.text, "thu trang")
    with qtbot.waitSignal(ctx.bus.open_dossier, timeout=1000) as opened:
        qtbot.keyClick(view.text, Qt.Key.Key_Return)
    assert opened.args == [dossiers["trang"]]


def test_model_fetches_the_next_page_when_asked(ctx):
    from desk.services.search import DossierFilter
    from desk.views.dossier_list import DossierTableModel

    model = DossierTableModel(ctx, page_size=3)
    model.set_query(DossierFilter())
    assert model.rowCount() == 3 and model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 6
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 7 and not model.canFetchMore(QModelIndex())
    assert len({model.code_at(i) for i in range(7)}) == 7
    model.sort(COLUMN_INDEX["due"], Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == 3 and model.rows[0].applicant_name == "Nguyễn Thị Lan"  # due 17/11


def test_scrolling_to_the_end_loads_the_next_page(view, qtbot):
    with qtbot.waitExposed(view):
        view.show()
    view.table.setFixedHeight(70)  # room for a row or two: the rest waits for scrolling
    view.model.page_size = 2
    view.apply_filters()
    qtbot.wait(50)  # turns of the event loop in which the table could fetch more than it shows (it must not)
    assert view.model.rowCount() < 7 and view.model.canFetchMore(QModelIndex())
    qtbot.waitUntil(lambda: view.count_value == 7, timeout=3000)  # counted off the UI thread
    assert "7" in view.count_label.text()
    bar = view.table.verticalScrollBar()
    for _i in range(5):
        before = view.model.rowCount()
        if before == 7:
            break
        bar.setValue(0)
        bar.setValue(bar.maximum())
        qtbot.waitUntil(lambda before=before: view.model.rowCount() > before or view.model.rowCount() == 7,
                        timeout=2000)
    assert view.model.rowCount() == 7 and not view.model.canFetchMore(QModelIndex())
    assert view.count_label.text().startswith("7")


def test_count_while_counting_says_dossier_or_dossiers(view):
    """"1 dossier shown, counting…": the count line is a plural message in every state, not only when done."""
    from desk import i18n

    view.model.page_size = 1
    view.apply_filters()
    assert view.model.rowCount() == 1 and view.model.cursor is not None
    try:
        i18n.set_language("en")
        view.count_value = None  # as it stands while the total is counted off the UI thread
        view._update_count_label()
        assert view.count_label.text() == "1 dossier shown, counting…"
        i18n.set_language("vi")
        view._update_count_label()
        assert view.count_label.text() == "Đang hiện 1 hồ sơ, đang đếm tổng số…"
    finally:
        i18n.set_language("vi")


def test_enter_and_double_click_open_the_detail(view, qtbot, ctx, dossiers):
    with qtbot.waitExposed(view):
        view.show()
    view.table.setFocus()
    view.table.selectRow(2)
    with qtbot.waitSignal(ctx.bus.open_dossier, timeout=1000) as opened:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert opened.args == [dossiers["huong"]]
    rect = view.table.visualRect(view.model.index(4, 1))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(ctx.bus.open_dossier, timeout=1000) as opened:
        qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [dossiers["hai"]]


def test_header_click_sorts_in_the_database(view, qtbot):
    with qtbot.waitExposed(view):
        view.show()
    header = view.table.horizontalHeader()
    x = header.sectionViewportPosition(COLUMN_INDEX["applicant"]) + 20
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=header.rect().center().__class__(x, 5))
    names = shown(view)
    assert view.model.order.column == "applicant"
    assert names[0] == "Đặng Thị Hương" and names[-1] == "Trần Thị Thu Trang"  # by the unaccented name
    view.sort_by("due", False)
    assert shown(view)[0] == "Nguyễn Thị Lan" and view.model.order.descending is False
    view.sort_by("field", True)  # not sortable: nothing changes
    assert view.model.order.column == "due_at"
    assert header.sortIndicatorSection() == COLUMN_INDEX["due"]


def test_focus_search_selects_the_text(view, qtbot):
    with qtbot.waitExposed(view):
        view.show()
    view.activateWindow()
    view.text.setText("abc")
    view.table.setFocus()
    view.focus_search()
    qtbot.waitUntil(view.text.hasFocus, timeout=1000)
    assert view.text.selectedText() == "abc"


def test_refreshes_when_a_dossier_changes(view, qtbot, ctx, dossiers, admin):
    with qtbot.waitExposed(view):
        view.show()
    view.status.setCurrentIndex(view.status.findData("processing"))
    assert shown(view) == ["Nguyễn Văn An"]
    lifecycle.advance(dossiers["trang"], "processing", clock=CLOCK, actor=admin)
    ctx.bus.dossier_changed.emit(dossiers["trang"])
    assert set(shown(view)) == {"Nguyễn Văn An", "Trần Thị Thu Trang"}
    lifecycle.advance(dossiers["binh"], "processing", clock=CLOCK, actor=admin)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view, timeout=1000)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F5)
    assert len(shown(view)) == 3


def test_ctrl_p_prints_the_selected_receipt(view, ctx, dossiers, idle):
    view.table.selectRow(0)
    run = view.print_current()
    assert run is not None and view.print_current() is None  # a second Ctrl+P meanwhile prints nothing more
    idle()
    assert ctx.printer.printed == [ctx.slip_path(f"mau01_{dossiers['hoa']}.docx")]
    assert run.outcome.sent and view.error.isHidden()


def test_a_refused_print_is_one_line_with_the_file(view, ctx, dossiers, idle):
    ctx.printer = FakePrinter(fail=True)
    view.table.selectRow(0)
    view.print_current()
    idle()
    slip = ctx.slip_path(f"mau01_{dossiers['hoa']}.docx")
    assert slip.exists() and str(slip) in view.error.text() and "Ctrl+P" in view.error.text()
