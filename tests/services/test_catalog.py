"""Catalog service on a real SQLite database and real .xlsx files."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from desk.errors import DeskError, NotFound, ValidationError
from desk.models import Field, Procedure
from desk.models import db as dbmod
from desk.services import catalog, dossiers
from desk.services.accounts import SYSTEM
from desk.services.calendar import WorkCalendar
from desk.services.catalog import CatalogImportError, DocumentItem, ImportSummary
from desk.services.catalog_format import (
    COL_ACTIVE,
    COL_CODE,
    COL_CUTOFF,
    COL_DAY_UNIT,
    COL_DAYS,
    COL_DOCUMENTS,
    COL_FEE,
    COL_FIELD,
    COL_NAME,
    COL_ONLINE,
    PROCEDURE_COLUMNS,
    SHEET_FIELDS,
    SHEET_PROCEDURES,
)
from desk.services.clock import LOCAL_TZ
from desk.text import fold


def dump() -> dict[str, list]:
    """Every stored column of both tables, ids included: equal dumps mean nothing changed."""
    fields = sorted(tuple(sorted(row.items())) for row in Field.select().dicts())
    procedures = sorted(tuple(sorted(row.items())) for row in Procedure.select().dicts())
    return {"fields": fields, "procedures": procedures}


def catalog_state() -> tuple:
    """What a user sees (no ids): for comparing two databases."""
    return tuple(catalog.list_fields()), tuple(catalog.list_procedures(active_only=False))


def row_of(sheet, code: str) -> int:
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == code:
            return row
    raise AssertionError(code)


def column_of(sheet, title: str) -> int:
    for col in range(1, sheet.max_column + 1):
        if sheet.cell(row=1, column=col).value == title:
            return col
    raise AssertionError(title)


def set_cell(sheet, code: str, title: str, value) -> int:
    row = row_of(sheet, code)
    sheet.cell(row=row, column=column_of(sheet, title)).value = value
    return row


# procedures whose time the law states in calendar days ("30 ngày"), not working days
CALENDAR_DAY_CODES = {"1.013975", "1.013967", "XA-KNTC-01", "XA-KNTC-02", "2.001263"}


@pytest.fixture
def seeded(db):
    catalog.load_seed(by=SYSTEM)
    return db


# --- seed ------------------------------------------------------------------------------------
def test_seed_loads_the_shipped_catalog_and_is_idempotent(db):
    first = catalog.load_seed(by=SYSTEM)
    assert first.procedures_created >= 32
    assert first.fields_created >= 7
    assert first.procedures_updated == 0
    assert len(catalog.list_procedures()) == first.procedures_created
    assert len({p.field_code for p in catalog.list_procedures()}) >= 7

    before = dump()
    second = catalog.load_seed(by=SYSTEM)
    assert second == ImportSummary(fields_unchanged=first.fields_created,
                                   procedures_unchanged=first.procedures_created)
    assert not second.changed
    assert dump() == before


def test_seed_keeps_procedures_and_choices_of_the_office(seeded):
    field = Field.get(Field.code == "HT")
    Procedure.create(code="XA-RIENG-01", name="Thủ tục riêng của phường", name_folded=fold("Thủ tục riêng của phường"),
                     field=field, processing_days=4, documents="[]")
    Procedure.update(active=False).where(Procedure.code == "1.004746").execute()

    summary = catalog.load_seed(by=SYSTEM)

    assert not summary.changed
    own = catalog.get_procedure("XA-RIENG-01")
    assert own.processing_days == 4
    assert catalog.get_procedure("1.004746").active is False


def test_seed_restores_a_changed_seeded_procedure_unless_told_not_to(seeded):
    Procedure.update(processing_days=9).where(Procedure.code == "1.004873").execute()
    assert catalog.load_seed(update_existing=False, by=SYSTEM).changed is False
    assert catalog.get_procedure("1.004873").processing_days == 9

    summary = catalog.load_seed(by=SYSTEM)
    assert summary.procedures_updated == 1
    assert catalog.get_procedure("1.004873").processing_days == 3


def test_every_seeded_procedure_has_documents_and_valid_values(seeded):
    field_codes = {f.code for f in catalog.list_fields()}
    procedures = catalog.list_procedures(active_only=False)
    for p in procedures:
        assert p.name and p.name == p.name.strip(), p.code
        assert p.field_code in field_codes, p.code
        assert p.documents, p.code
        for doc in p.documents:
            assert doc.name and doc.count >= 1 and doc.kind in ("original", "copy"), p.code
        assert 0 <= p.processing_days <= 365, p.code
        assert p.day_unit in ("working", "calendar"), p.code
        assert p.cutoff is None or re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", p.cutoff), p.code
        assert p.online_level in ("none", "partial", "full"), p.code
        assert p.fee, p.code
        assert p.legal_basis, p.code
        assert re.fullmatch(r"\d\.\d{6}|XA-[A-Z]+-\d{2}", p.code), p.code
        stored = Procedure.get(Procedure.code == p.code)
        assert stored.name_folded == fold(p.name)
    # names are written with full diacritics
    assert sum(p.name != fold(p.name) for p in procedures) == len(procedures)


def test_seed_carries_the_domain_facts(seeded):
    birth = catalog.get_procedure("1.001193")
    assert birth.name == "Đăng ký khai sinh"
    assert birth.field_name == "Hộ tịch"
    assert (birth.processing_days, birth.cutoff, birth.no_appointment_day) == (0, "15:00", True)
    assert birth.same_day

    copy = catalog.get_procedure("2.000815")
    assert (copy.processing_days, copy.cutoff, copy.no_appointment_day) == (0, "15:00", True)
    assert copy.fee == "2.000 đồng/trang; từ trang thứ ba trở lên 1.000 đồng/trang, tối đa 200.000 đồng/bản"
    assert catalog.get_procedure("2.000884").fee == "10.000 đồng/trường hợp"
    contract = catalog.get_procedure("2.001035")
    assert (contract.processing_days, contract.fee) == (2, "50.000 đồng/hợp đồng, giao dịch")
    assert catalog.get_procedure("1.001022").processing_days == 3
    assert catalog.get_procedure("1.004884").processing_days == 5
    names = {f.name for f in catalog.list_fields()}
    assert {"Hộ tịch", "Chứng thực", "Người có công", "Bảo trợ xã hội", "Đất đai"} <= names


def test_seed_states_which_times_are_calendar_days(seeded):
    procedures = catalog.list_procedures(active_only=False)
    assert {p.code for p in procedures if p.day_unit == "calendar"} == CALENDAR_DAY_CODES
    assert (catalog.get_procedure("1.013975").processing_days, catalog.get_procedure("1.013975").day_unit) == (
        30, "calendar")  # hòa giải tranh chấp đất đai: 30 ngày
    assert catalog.get_procedure("1.013967").processing_days == 45  # giải quyết tranh chấp đất đai: 45 ngày
    assert catalog.get_procedure("1.004884").day_unit == "working"  # đăng ký lại khai sinh: 05 ngày làm việc
    # every shipped entry says its unit explicitly
    shipped = json.loads(catalog.SEED_PATH.read_text(encoding="utf-8"))["procedures"]
    assert all(item.get("day_unit") in ("working", "calendar") for item in shipped)


def test_seed_without_day_unit_means_working_days_and_a_bad_one_is_refused(db, tmp_path):
    path = tmp_path / "seed.json"
    field = {"code": "HT", "name": "Hộ tịch", "sort_order": 1}
    documents = [{"name": "Đơn", "count": 1, "kind": "original"}]
    path.write_text(json.dumps({"fields": [field], "procedures": [
        {"code": "A", "name": "Một", "field": "HT", "processing_days": 3, "documents": documents},
        {"code": "B", "name": "Hai", "field": "HT", "processing_days": 30, "day_unit": "calendar",
         "documents": documents},
    ]}), encoding="utf-8")
    catalog.load_seed(path, by=SYSTEM)
    assert (catalog.get_procedure("A").day_unit, catalog.get_procedure("B").day_unit) == ("working", "calendar")

    path.write_text(json.dumps({"fields": [field], "procedures": [
        {"code": "C", "name": "Ba", "field": "HT", "processing_days": 3, "day_unit": "weeks", "documents": []},
    ]}), encoding="utf-8")
    with pytest.raises(CatalogImportError) as caught:
        catalog.load_seed(path, by=SYSTEM)
    assert [(p.row, p.column) for p in caught.value.issues] == [(1, "day_unit")]
    assert "weeks" in str(caught.value)


def test_calendar_day_procedure_is_due_after_calendar_days(seeded):
    cal = WorkCalendar()
    complaint = catalog.get_procedure("XA-KNTC-01")  # khiếu nại lần đầu: 30 ngày
    received = datetime(2025, 3, 3, 9, 0, tzinfo=LOCAL_TZ)  # a Monday
    assert cal.due_at(complaint, received) == datetime(2025, 4, 2, 17, 0, tzinfo=LOCAL_TZ)
    dispute = catalog.get_procedure("1.013967")  # giải quyết tranh chấp đất đai: 45 ngày
    assert cal.due_at(dispute, received).date() == date(2025, 4, 17)
    # 30 days from Friday 7 March end on Sunday 6 April; Monday 7 April is Giỗ Tổ Hùng Vương
    adoption = catalog.get_procedure("2.001263")
    assert cal.due_at(adoption, datetime(2025, 3, 7, 10, 0, tzinfo=LOCAL_TZ)).date() == date(2025, 4, 8)
    # the same 30 days counted as working days would end much later
    as_working = dataclasses.replace(complaint, day_unit="working")
    assert cal.due_at(as_working, received).date() > date(2025, 4, 10)


def test_document_item_is_the_dossiers_one():
    assert catalog.DocumentItem is dossiers.DocumentItem
    assert DocumentItem("Tờ khai") == DocumentItem("Tờ khai", 1, "original")


def test_bad_seed_file_is_refused_before_writing(db, tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps({
        "fields": [{"code": "HT", "name": "Hộ tịch", "sort_order": 1}],
        "procedures": [
            {"code": "A", "name": "Một", "field": "HT", "processing_days": 1, "documents": []},
            {"code": "B", "name": "Hai", "field": "ZZ", "processing_days": -1, "documents": []},
        ],
    }), encoding="utf-8")
    with pytest.raises(CatalogImportError) as caught:
        catalog.load_seed(path, by=SYSTEM)
    assert {(p.row, p.column) for p in caught.value.issues} == {(2, "field"), (2, "processing_days")}
    assert Field.select().count() == 0

    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CatalogImportError):
        catalog.load_seed(path, by=SYSTEM)


# --- lookup and search -------------------------------------------------------------------------
def test_get_procedure_unknown_code_raises_not_found(seeded):
    with pytest.raises(NotFound) as caught:
        catalog.get_procedure("9.999999")
    assert "9.999999" in str(caught.value)


def test_list_procedures_filters(seeded):
    Procedure.update(active=False).where(Procedure.code == "1.004746").execute()
    active = {p.code for p in catalog.list_procedures()}
    everything = {p.code for p in catalog.list_procedures(active_only=False)}
    assert "1.004746" not in active and "1.004746" in everything
    civil = catalog.list_procedures(field_code="HT")
    assert civil and all(p.field_code == "HT" for p in civil)
    assert catalog.list_procedures(field_code="NO-SUCH") == []
    orders = [f.sort_order for f in catalog.list_fields()]
    assert orders == sorted(orders)


@pytest.mark.parametrize("typed", ["khai sinh", "Khai Sinh", "khai sinh", "KHAI SINH", "sinh khai", "  dang ky   khai sinh "])
def test_search_finds_birth_registration_with_or_without_accents(seeded, typed):
    results = catalog.search_procedures(typed)
    assert results[0].code == "1.001193"
    for result in results:  # every word must match
        assert "khai" in fold(result.name) and "sinh" in fold(result.name)


def test_search_by_code_and_ranking(seeded):
    assert catalog.search_procedures("1.001193")[0].code == "1.001193"
    assert [p.code for p in catalog.search_procedures("2.0008")][:2] == ["2.000815", "2.000884"]
    by_start = catalog.search_procedures("chứng thực")
    assert by_start and all(fold(p.name).startswith("chung thuc") for p in by_start[:3])
    assert catalog.search_procedures("chung thuc ban sao")[0].code == "2.000815"
    assert catalog.search_procedures("khai sinh kết hôn") == []
    assert catalog.search_procedures("") == []
    assert catalog.search_procedures("   ") == []
    assert len(catalog.search_procedures("a", limit=3)) == 3


def test_search_skips_retired_procedures_unless_asked(seeded):
    Procedure.update(active=False).where(Procedure.code == "1.001193").execute()
    assert "1.001193" not in [p.code for p in catalog.search_procedures("khai sinh")]
    assert "1.001193" in [p.code for p in catalog.search_procedures("khai sinh", active_only=False)]


# --- export / import ---------------------------------------------------------------------------
def test_export_writes_the_documented_layout(seeded, tmp_path):
    path = tmp_path / "exports" / "catalog.xlsx"
    count = catalog.export_xlsx(path)
    assert count == Procedure.select().count()
    assert [p.name for p in path.parent.iterdir()] == ["catalog.xlsx"]  # no temp file left behind

    workbook = load_workbook(path)
    assert workbook.sheetnames == [SHEET_PROCEDURES, SHEET_FIELDS]
    sheet = workbook[SHEET_PROCEDURES]
    assert tuple(c.value for c in sheet[1]) == PROCEDURE_COLUMNS
    assert PROCEDURE_COLUMNS[3:5] == ("Thời hạn giải quyết", "Loại ngày")
    assert sheet.max_row == count + 1
    row = row_of(sheet, "1.001193")
    values = {title: sheet.cell(row=row, column=column_of(sheet, title)).value for title in PROCEDURE_COLUMNS}
    assert values[COL_NAME] == "Đăng ký khai sinh"
    assert values[COL_FIELD] == "Hộ tịch"
    assert values[COL_DAYS] == 0
    assert values[COL_DAY_UNIT] == "ngày làm việc"
    assert values[COL_CUTOFF] == "15:00"
    assert values[COL_ONLINE] == "Toàn trình"
    assert values[COL_ACTIVE] == "Có"
    units = {sheet.cell(row=r, column=column_of(sheet, COL_DAY_UNIT)).value for r in range(2, sheet.max_row + 1)}
    assert units == {"ngày làm việc", "ngày"}
    complaint_row = row_of(sheet, "XA-KNTC-01")
    assert sheet.cell(row=complaint_row, column=column_of(sheet, COL_DAY_UNIT)).value == "ngày"
    lines = values[COL_DOCUMENTS].split("\n")
    assert lines[0] == "1 x Tờ khai đăng ký khai sinh (theo mẫu) (bản chính)"
    assert all(re.fullmatch(r"\d+ x .+ \((bản chính|bản sao)\)", line) for line in lines)
    fields_sheet = workbook[SHEET_FIELDS]
    assert [c.value for c in fields_sheet[1]][:2] == ["Mã lĩnh vực", "Tên lĩnh vực"]
    assert fields_sheet.max_row == Field.select().count() + 1


def test_export_import_round_trip_is_exact(seeded, tmp_path):
    # make the data less regular than the seed: multi-line legal basis, a retired procedure, a formula-like fee
    Procedure.update(legal_basis="Luật A\nNghị định B", fee="=không phải công thức", active=False).where(
        Procedure.code == "1.004746").execute()
    original = catalog_state()
    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)

    # into the same database after a round of edits: everything comes back
    Procedure.update(processing_days=7, cutoff="09:00", documents="[]", online_level="none",
                     no_appointment_day=False, active=True).where(Procedure.code == "1.001193").execute()
    Procedure.update(day_unit="working").where(Procedure.code == "XA-KNTC-02").execute()
    Procedure.delete().where(Procedure.code == "2.000884").execute()
    summary = catalog.import_xlsx(path, by=SYSTEM)
    assert (summary.procedures_created, summary.procedures_updated) == (1, 2)
    assert summary.procedures_unchanged == len(original[1]) - 3
    assert catalog.get_procedure("XA-KNTC-02").day_unit == "calendar"
    assert catalog_state() == original

    # into an empty database: identical catalog
    dbmod.connect(f"sqlite:///{tmp_path / 'other.db'}")
    assert catalog.list_procedures(active_only=False) == []
    summary = catalog.import_xlsx(path, by=SYSTEM)
    assert summary.procedures_created == len(original[1])
    assert summary.fields_created == len(original[0])
    assert catalog_state() == original
    assert {p.code for p in catalog.list_procedures(active_only=False) if p.day_unit == "calendar"} == CALENDAR_DAY_CODES
    assert all(p.name_folded == fold(p.name) for p in Procedure.select())


def test_import_updates_an_existing_procedure_time(seeded, tmp_path):
    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    set_cell(sheet, "1.004873", COL_DAYS, 5)
    set_cell(sheet, "1.004873", COL_NAME, "Cấp Giấy xác nhận tình trạng hôn nhân (sửa)")
    workbook.save(path)
    others_before = [p for p in catalog.list_procedures(active_only=False) if p.code != "1.004873"]

    summary = catalog.import_xlsx(path, by=SYSTEM)

    assert summary.procedures_updated == 1
    assert summary.procedures_created == 0
    updated = catalog.get_procedure("1.004873")
    assert updated.processing_days == 5
    assert Procedure.get(Procedure.code == "1.004873").name_folded == fold(updated.name)
    assert [p for p in catalog.list_procedures(active_only=False) if p.code != "1.004873"] == others_before


@pytest.mark.parametrize(("typed", "unit"), [
    ("ngày", "calendar"), ("NGAY", "calendar"), (" Ngày ", "calendar"), ("calendar", "calendar"),
    ("ngày làm việc", "working"), ("Ngay Lam Viec", "working"), ("working", "working"), (None, "working"),
    ("", "working"), ("  ", "working"),
])
def test_import_reads_the_kind_of_days(seeded, tmp_path, typed, unit):
    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    set_cell(sheet, "1.004873", COL_DAY_UNIT, typed)
    set_cell(sheet, "XA-KNTC-01", COL_DAY_UNIT, typed)
    workbook.save(path)

    catalog.import_xlsx(path, by=SYSTEM)

    assert catalog.get_procedure("1.004873").day_unit == unit
    assert catalog.get_procedure("XA-KNTC-01").day_unit == unit


def test_bad_kind_of_days_is_reported_with_row_and_column(seeded, tmp_path):
    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    bad_text = set_cell(sheet, "1.004873", COL_DAY_UNIT, "ngày lễ")
    bad_number = set_cell(sheet, "2.001263", COL_DAY_UNIT, 30)
    workbook.save(path)
    before = dump()

    with pytest.raises(CatalogImportError) as caught:
        catalog.import_xlsx(path, by=SYSTEM)

    issues = caught.value.issues
    assert sorted((p.row, p.column) for p in issues) == sorted([(bad_text, COL_DAY_UNIT), (bad_number, COL_DAY_UNIT)])
    text = str(caught.value)
    assert "ngày lễ" in text and COL_DAY_UNIT in text and f"{bad_text}" in text
    assert dump() == before


def test_missing_kind_of_days_column_is_a_header_problem(seeded, tmp_path):
    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    sheet.delete_cols(column_of(sheet, COL_DAY_UNIT))
    workbook.save(path)
    with pytest.raises(CatalogImportError) as caught:
        catalog.import_xlsx(path, by=SYSTEM)
    assert [(p.row, p.column) for p in caught.value.issues] == [(1, COL_DAY_UNIT)]


def test_file_exported_before_the_kind_of_days_still_imports_as_working_days(seeded, tmp_path):
    path = tmp_path / "old.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    sheet.delete_cols(column_of(sheet, COL_DAY_UNIT))
    sheet.cell(row=1, column=column_of(sheet, COL_DAYS)).value = "Thời hạn (ngày làm việc)"
    set_cell(sheet, "1.004873", "Thời hạn (ngày làm việc)", 4)
    workbook.save(path)

    summary = catalog.import_xlsx(path, by=SYSTEM)

    assert catalog.get_procedure("1.004873").processing_days == 4
    assert summary.procedures_updated == 1 + len(CALENDAR_DAY_CODES)  # the old file says working days
    assert {p.day_unit for p in catalog.list_procedures(active_only=False)} == {"working"}


def test_import_leaves_procedures_missing_from_the_file_alone(seeded, tmp_path):
    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    sheet.delete_rows(row_of(sheet, "2.000635"))
    workbook.save(path)
    before = dump()
    summary = catalog.import_xlsx(path, by=SYSTEM)
    assert not summary.changed
    assert dump() == before


def test_import_accepts_field_names_codes_and_excel_typing(seeded, tmp_path):
    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    last = sheet.max_row + 1
    new_row = {COL_CODE: 1.0123, COL_NAME: "Thủ tục  mới  của xã", COL_FIELD: "ho tich", COL_DAYS: "4",
               COL_CUTOFF: "9:30", COL_FEE: "Miễn phí", COL_DOCUMENTS: "2 x Đơn đề nghị (ban chinh)\n\n1 x Bản vẽ (bản sao)",
               COL_ONLINE: "mot phan", "Căn cứ pháp lý": "Luật X", "Không hẹn": "x", COL_ACTIVE: ""}
    for title, value in new_row.items():
        sheet.cell(row=last, column=column_of(sheet, title)).value = value
    workbook.save(path)

    summary = catalog.import_xlsx(path, by=SYSTEM)

    assert summary.procedures_created == 1
    added = catalog.get_procedure("1.012300")
    assert added.name == "Thủ tục mới của xã"
    assert added.field_code == "HT"
    assert (added.processing_days, added.cutoff, added.online_level) == (4, "09:30", "partial")
    assert added.documents == [DocumentItem("Đơn đề nghị", 2, "original"), DocumentItem("Bản vẽ", 1, "copy")]
    assert added.no_appointment_day is True and added.active is True


def test_broken_sheet_is_rejected_with_every_problem_and_changes_nothing(seeded, tmp_path):
    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    # one valid change that must NOT be applied because other rows are wrong
    set_cell(sheet, "1.004873", COL_DAYS, 8)
    expected = {
        (set_cell(sheet, "1.001193", COL_CODE, None), COL_CODE),
        (set_cell(sheet, "1.000894", COL_NAME, "  "), COL_NAME),
        (set_cell(sheet, "1.000656", COL_FIELD, "Lĩnh vực không có"), COL_FIELD),
        (set_cell(sheet, "1.004837", COL_DAYS, "ba ngày"), COL_DAYS),
        (set_cell(sheet, "1.004845", COL_DAYS, -2), COL_DAYS),
        (set_cell(sheet, "1.004859", COL_DAYS, 2.5), COL_DAYS),
        (set_cell(sheet, "1.005461", COL_DAY_UNIT, "tuần"), COL_DAY_UNIT),
        (set_cell(sheet, "2.000815", COL_CUTOFF, "25:00"), COL_CUTOFF),
        (set_cell(sheet, "2.000884", COL_ONLINE, "mức độ 5"), COL_ONLINE),
        (set_cell(sheet, "2.001035", COL_DOCUMENTS, "1 x Dự thảo hợp đồng (bản chính)\nTờ khai không ghi số lượng"),
         COL_DOCUMENTS),
        (set_cell(sheet, "2.001019", COL_ACTIVE, "có lẽ"), COL_ACTIVE),
    }
    duplicate_row = set_cell(sheet, "1.004884", COL_CODE, "1.004746")
    expected.add((duplicate_row, COL_CODE))
    set_cell(sheet, "1.001022", COL_FEE, "x" * 301)
    expected.add((row_of(sheet, "1.001022"), COL_FEE))
    fields_sheet = workbook[SHEET_FIELDS]
    fields_sheet.cell(row=2, column=3).value = "đầu tiên"
    workbook.save(path)
    before = dump()

    with pytest.raises(CatalogImportError) as caught:
        catalog.import_xlsx(path, by=SYSTEM)

    error = caught.value
    assert isinstance(error, ValidationError)
    found = {(p.row, p.column) for p in error.issues if p.sheet == SHEET_PROCEDURES}
    assert found == expected
    assert [(p.sheet, p.row, p.column) for p in error.issues if p.sheet == SHEET_FIELDS] == [(SHEET_FIELDS, 2, "Thứ tự")]
    assert all(p.message for p in error.issues)
    text = str(error)
    for row, column in expected:
        assert f"{row}" in text and column in text
    assert "1.004884" not in text or "1.004746" in text
    assert len(text.splitlines()) == len(error.issues) + 1
    assert dump() == before
    assert catalog.get_procedure("1.004873").processing_days == 3


def test_unknown_field_in_the_fields_sheet_is_accepted_and_created(seeded, tmp_path):
    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    fields_sheet = workbook[SHEET_FIELDS]
    fields_sheet.append(["GD", "Giáo dục", 90])
    set_cell(workbook[SHEET_PROCEDURES], "XA-NCN-01", COL_FIELD, "GD")
    workbook.save(path)
    summary = catalog.import_xlsx(path, by=SYSTEM)
    assert summary.fields_created == 1 and summary.procedures_updated == 1
    assert catalog.get_procedure("XA-NCN-01").field_name == "Giáo dục"


def test_field_known_only_in_the_database_is_enough(seeded, tmp_path):
    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    del workbook[SHEET_FIELDS]
    set_cell(workbook[SHEET_PROCEDURES], "XA-NCN-01", COL_FIELD, "BTXH")
    workbook.save(path)
    assert catalog.import_xlsx(path, by=SYSTEM).procedures_updated == 1
    assert catalog.get_procedure("XA-NCN-01").field_code == "BTXH"


def test_non_xlsx_file_gives_a_clear_error(seeded, tmp_path):
    before = dump()
    for name, content in [("notes.xlsx", b"this is not a workbook"), ("catalog.csv", b"a,b\n1,2\n")]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(CatalogImportError) as caught:
            catalog.import_xlsx(path, by=SYSTEM)
        assert len(caught.value.issues) == 1
        assert name in str(caught.value)
        assert "Traceback" not in str(caught.value)
    with pytest.raises(CatalogImportError) as caught:
        catalog.import_xlsx(tmp_path / "missing.xlsx", by=SYSTEM)
    assert "missing.xlsx" in str(caught.value)
    assert dump() == before


def test_missing_sheet_or_header_gives_a_clear_error(seeded, tmp_path):
    path = tmp_path / "other.xlsx"
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    workbook.active.append(["something", "else"])
    workbook.save(path)
    with pytest.raises(CatalogImportError) as caught:
        catalog.import_xlsx(path, by=SYSTEM)
    assert len(caught.value.issues) == 1
    assert SHEET_PROCEDURES in str(caught.value)

    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    sheet.cell(row=1, column=column_of(sheet, COL_CUTOFF)).value = "Ghi chú"
    workbook.save(path)
    before = dump()
    with pytest.raises(CatalogImportError) as caught:
        catalog.import_xlsx(path, by=SYSTEM)
    assert [(p.row, p.column) for p in caught.value.issues] == [(1, COL_CUTOFF)]
    assert dump() == before


def test_export_never_leaves_a_half_written_file(seeded, tmp_path, monkeypatch):
    path = tmp_path / "exports" / "catalog.xlsx"
    path.parent.mkdir()
    path.write_bytes(b"previous export")

    def broken_save(self, filename):
        filename.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(DeskError, match="(?i)đầy|disk is full"):
        catalog.export_xlsx(path)
    assert path.read_bytes() == b"previous export"
    assert [p.name for p in path.parent.iterdir()] == ["catalog.xlsx"]


def test_problem_lines_stay_short_for_huge_cells(db, tmp_path):
    """A pasted 20,000-character cell is reported, but the message quoting it stays readable."""
    from desk.services.catalog import MAX_PROBLEM_CHARS

    catalog.load_seed(by=SYSTEM)
    path = tmp_path / "huge.xlsx"
    catalog.export_xlsx(path)
    wb = load_workbook(path)
    wb["Danh mục TTHC"].cell(row=2, column=4).value = "x" * 20_000
    wb.save(path)
    with pytest.raises(catalog.CatalogImportError) as err:
        catalog.import_xlsx(path, by=SYSTEM)
    assert err.value.issues and all(len(p.message) <= MAX_PROBLEM_CHARS for p in err.value.issues)
