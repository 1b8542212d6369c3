"""Catalog screen on a real SQLite database: edit, create, search, import/export, clerks locked out."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import load_workbook
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication, QLineEdit, QToolButton

from desk import i18n
from desk.config import Settings
from desk.errors import PermissionDenied
from desk.hardware.printing import FakePrinter
from desk.models import Field, Procedure
from desk.services import catalog, catalog_edit
from desk.services.accounts import SYSTEM, Actor
from desk.services.calendar import load_calendar, processing_time_label
from desk.services.catalog import COL_CUTOFF, COL_DAYS, SHEET_PROCEDURES
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.views.catalog import CatalogView
from desk.views.context import AppContext

NOW = datetime(2026, 9, 7, 9, 0, tzinfo=LOCAL_TZ)  # a Monday


def make_ctx(role: str) -> AppContext:
    actor = SYSTEM if role == "admin" else Actor(None, role, f"Cán bộ {role}", role)
    return AppContext(actor=actor, clock=FixedClock(NOW), settings=Settings(), office_name="UBND phường Trần Phú",
                      database_label="sqlite:///test.db", printer=FakePrinter())


def make_view(qtbot, role: str = "leader") -> CatalogView:
    view = CatalogView(make_ctx(role))
    qtbot.addWidget(view)
    view.resize(1100, 760)
    with qtbot.waitExposed(view):
        view.show()
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    return view


def wait_idle(qtbot, view: CatalogView) -> None:
    """The background import/export is over and its outcome is on the screen."""
    qtbot.waitUntil(lambda: view.busy_work is None, timeout=5000)


def dump() -> dict[str, list]:
    fields = sorted(tuple(sorted(row.items())) for row in Field.select().dicts())
    procedures = sorted(tuple(sorted(row.items())) for row in Procedure.select().dicts())
    return {"fields": fields, "procedures": procedures}


def listed(view: CatalogView) -> list[str]:
    return [view.table.item(row, 0).text() for row in range(view.table.rowCount())]


def test_edit_processing_time_with_keyboard_saves_and_moves_due_dates(qtbot, office):
    view = make_view(qtbot)
    before = load_calendar().due_at(catalog.get_procedure("T-TTHN"), NOW)
    assert view.select_procedure("T-TTHN")
    assert view.days.value() == 3 and not view.dirty
    view.days.setFocus()
    view.days.selectAll()
    qtbot.keyClicks(view.days, "5")
    assert view.dirty and view.save_button.isEnabled()
    with qtbot.waitSignal(view.ctx.bus.catalog_changed, timeout=5000):
        qtbot.keyClick(view.days, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert catalog.get_procedure("T-TTHN").processing_days == 5
    after = load_calendar().due_at(catalog.get_procedure("T-TTHN"), NOW)
    assert (before.day, after.day) == (10, 14)
    assert not view.dirty and view.error.text() == ""
    row = listed(view).index("T-TTHN")
    assert view.table.currentRow() == row
    assert view.table.item(row, 2).text().startswith("5 ")


def test_list_says_the_processing_time_as_processing_time_label_does(qtbot, office):
    """One formatter: the list and its tooltip say what the intake and the command line say."""
    civil = Field.get(Field.code == "HT")
    Procedure.create(code="T-KN", name="Giải quyết khiếu nại", name_folded="giai quyet khieu nai", field=civil,
                     processing_days=45, day_unit="calendar", cutoff=None, fee="", documents="[]")
    Procedure.create(code="T-1N", name="Cấp bản sao trích lục", name_folded="cap ban sao trich luc", field=civil,
                     processing_days=1, cutoff=None, fee="", documents="[]")
    view = make_view(qtbot)
    by_code = {p.code: p for p in view.procedures}
    for row, code in enumerate(listed(view)):
        p = by_code[code]
        assert view.table.item(row, 2).text() == processing_time_label(p.processing_days, p.day_unit)
        assert view.table.item(row, 2).toolTip() == processing_time_label(p.processing_days, p.day_unit, p.cutoff)
    row = {code: row for row, code in enumerate(listed(view))}
    assert view.table.item(row["T-KN"], 2).text() == "45 ngày"  # the label's words, not "45 calendar days"
    assert "15:00" in view.table.item(row["T-KS"], 2).toolTip()
    assert "15:00" not in view.table.item(row["T-KS"], 2).text()
    try:
        i18n.set_language("en")
        view.refresh()
        assert view.table.item(row["T-1N"], 2).text() == "1 working day"  # was "1 working days"
        assert view.table.item(row["T-KN"], 2).text() == "45 days"
    finally:
        i18n.set_language("vi")


def test_problems_are_shown_inline_and_nothing_typed_is_lost(qtbot, office, finish):
    view = make_view(qtbot)
    view.select_procedure("T-BS")
    before = dump()
    view.cutoff.clear()
    qtbot.keyClicks(view.cutoff, "25:00")
    view.name.setPlainText("")
    op = view.save()
    assert view.save() is None and not view.editor.isEnabled()  # saving: the form waits, a second Ctrl+S does nothing
    assert not finish(op).succeeded and view.editor.isEnabled()
    assert view.error.text().count("\n") == 1  # two problems: name and cut-off
    assert view.cutoff.text() == "25:00" and view.dirty
    assert "b00020" in view.cutoff.styleSheet()
    assert dump() == before


def test_new_procedure_with_documents(qtbot, office, finish):
    view = make_view(qtbot)
    qtbot.keyClick(view.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert view.current is None and view.code.hasFocus()
    qtbot.keyClicks(view.code, "X-GH")
    view.name.setPlainText("Đăng ký giám hộ")
    view.field.setCurrentIndex(view.field.findData("HT"))
    view.days.setValue(3)
    first = view.documents.rows[0][1]
    first.insert("Tờ khai đăng ký giám hộ")  # QTest types ASCII only
    qtbot.mouseClick(view.documents.add_button, Qt.MouseButton.LeftButton)
    _row, name, count, kind, _remove = view.documents.rows[1]
    name.insert("Giấy tờ chứng minh đủ điều kiện")
    count.setValue(2)
    kind.setCurrentIndex(kind.findData("copy"))
    view.documents.marks[1].setChecked(True)  # needs no digitisation
    view.documents.add_row()  # an empty row left by mistake is ignored
    assert finish(view.save()).succeeded
    saved = catalog.get_procedure("X-GH")
    assert (saved.field_code, saved.processing_days, saved.active) == ("HT", 3, True)
    assert [(d.name, d.count, d.kind, d.no_digitisation) for d in saved.documents] == [
        ("Tờ khai đăng ký giám hộ", 1, "original", False), ("Giấy tờ chứng minh đủ điều kiện", 2, "copy", True)]
    view.select_procedure("T-KS")
    view.select_procedure("X-GH")  # read back into the editor: the mark is shown again
    assert [m.isChecked() for m in view.documents.marks] == [False, True]
    assert view.current.code == "X-GH" and view.code.isReadOnly()
    assert "X-GH" in listed(view)


def test_removing_a_document_row(qtbot, office, finish):
    view = make_view(qtbot)
    view.select_procedure("T-KS")
    view.documents.add_row(focus=True)
    view.documents.rows[1][1].insert("Giấy chứng sinh")
    assert finish(view.save()).succeeded
    assert len(catalog.get_procedure("T-KS").documents) == 2
    remove = view.documents.rows[0][4]
    assert isinstance(remove, QToolButton)
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert view.dirty and len(view.documents.rows) == 1
    assert finish(view.save()).succeeded
    assert [d.name for d in catalog.get_procedure("T-KS").documents] == ["Giấy chứng sinh"]


def test_tab_walks_through_the_document_rows(qtbot, office):
    view = make_view(qtbot)
    view.new_procedure()
    qtbot.mouseClick(view.documents.add_button, Qt.MouseButton.LeftButton)
    rows = view.documents.rows
    assert len(rows) == 2 and rows[1][1].hasFocus()
    view.fee.setFocus()
    marks = view.documents.marks
    expected = [rows[0][1], rows[0][2], rows[0][3], marks[0], rows[0][4], rows[1][1]]
    for widget in expected:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is widget or QApplication.focusWidget().parent() is widget
    rows[1][4].setFocus()
    qtbot.keyClick(rows[1][4], Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view.documents.add_button


def test_search_without_accents_field_filter_and_retired(qtbot, office):
    view = make_view(qtbot)
    assert len(listed(view)) == 6
    qtbot.keyClicks(view.search, "khai sinh")
    assert set(listed(view)) == {"T-KS", "T-KSL"}
    view.search.clear()
    view.field_filter.setCurrentIndex(view.field_filter.findData("CT"))
    assert set(listed(view)) == {"T-BS", "T-HD"}
    catalog_edit.set_procedure_active("T-HD", False, by=SYSTEM)
    view.refresh()
    assert listed(view) == ["T-BS"]
    view.show_inactive.setChecked(True)
    assert set(listed(view)) == {"T-BS", "T-HD"}
    row = listed(view).index("T-HD")
    assert view.table.item(row, 1).font().italic()


def broken_catalog(tmp_path):
    path = tmp_path / "danh-muc.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    header = [cell.value for cell in sheet[1]]
    rows = {sheet.cell(row, 1).value: row for row in range(2, sheet.max_row + 1)}
    sheet.cell(rows["T-HD"], header.index(COL_DAYS) + 1).value = 7  # valid, must not be applied
    sheet.cell(rows["T-TTHN"], header.index(COL_DAYS) + 1).value = "ba ngày"
    sheet.cell(rows["T-BS"], header.index(COL_CUTOFF) + 1).value = "25:00"
    workbook.save(path)
    return path, {(rows["T-TTHN"], COL_DAYS), (rows["T-BS"], COL_CUTOFF)}


def test_broken_import_lists_every_problem_and_changes_nothing(qtbot, office, tmp_path):
    view = make_view(qtbot)
    path, expected = broken_catalog(tmp_path)
    before = dump()
    view.import_file(path)
    assert view.busy.isVisible() or view.busy_work is None
    wait_idle(qtbot, view)
    dialog = view.problem_dialog
    assert dialog is not None and dialog.isVisible()
    table = dialog.table
    found = {(int(table.item(r, 1).text()), table.item(r, 2).text()) for r in range(table.rowCount())}
    assert found == expected
    assert all(table.item(r, 3).text() for r in range(table.rowCount()))
    assert "b00020" in view.status.styleSheet()
    assert dump() == before
    assert view.import_button.isEnabled() and not view.busy.isVisible()
    dialog.copy_to_clipboard()
    assert str(expected.pop()[0]) in QApplication.clipboard().text()


def test_good_import_updates_the_list_and_tells_other_screens(qtbot, office, tmp_path):
    view = make_view(qtbot)
    view.select_procedure("T-HD")
    path = tmp_path / "danh-muc.xlsx"
    view.export_file(path)
    wait_idle(qtbot, view)
    assert path.exists() and "6" in view.status.text()
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    column = [cell.value for cell in sheet[1]].index(COL_DAYS) + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "T-HD")
    sheet.cell(row, column).value = 7
    workbook.save(path)
    with qtbot.waitSignal(view.ctx.bus.catalog_changed, timeout=5000):
        view.import_file(path)
    wait_idle(qtbot, view)
    assert catalog.get_procedure("T-HD").processing_days == 7
    assert view.days.value() == 7  # the open procedure shows the imported value
    assert view.problem_dialog is None


def test_clerk_cannot_edit(qtbot, office, tmp_path):
    view = make_view(qtbot, "clerk")
    view.select_procedure("T-KS")
    assert view.code.isReadOnly() and view.name.isReadOnly() and view.fee.isReadOnly()
    for button in (view.save_button, view.new_button, view.import_button, view.export_button,
                   view.fields_button, view.documents.add_button):
        assert not button.isEnabled()
    assert not view.days.isEnabled() and view.role_note.isVisible()
    before = dump()
    view.days.setValue(9)
    assert view.save() is None
    with pytest.raises(PermissionDenied):
        catalog_edit.save_procedure(catalog.get_procedure("T-KS"), processing_days=9, by=view.ctx.actor)
    assert dump() == before


def test_fields_dialog_adds_a_field(qtbot, office, finish):
    from desk.views.catalog import FieldsDialog

    view = make_view(qtbot)
    dialog = FieldsDialog(view.ctx, view)
    qtbot.addWidget(dialog)
    dialog.new_field()
    qtbot.keyClicks(dialog.code, "DD")
    dialog.name.insert("Đất đai")
    finish(dialog.save())
    assert dialog.error.text() == "" and dialog.changed
    assert ("DD", "Đất đai") in [(f.code, f.name) for f in catalog.list_fields()]
    view.reload_fields()
    assert view.field_filter.findData("DD") > 0 and view.field.findData("DD") >= 0
    assert isinstance(dialog.code, QLineEdit)
