"""Editing the catalog from the screen: same rules as the import, leaders only, all or nothing."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest
from openpyxl import load_workbook

from desk.errors import NotFound, PermissionDenied, ValidationError
from desk.models import Field, Procedure
from desk.services import catalog, catalog_edit
from desk.services.accounts import SYSTEM, Actor, create_staff
from desk.services.calendar import load_calendar
from desk.services.catalog import COL_DAYS, SHEET_PROCEDURES, CatalogImportError, DocumentItem
from desk.services.clock import LOCAL_TZ


@pytest.fixture
def leader(office) -> Actor:
    return create_staff("lanhdao", "Trần Văn Lãnh", "leader", "matkhau123", by=SYSTEM)


@pytest.fixture
def clerk(office) -> Actor:
    return create_staff("canbo", "Nguyễn Thị Hằng", "clerk", "matkhau123", by=SYSTEM)


def dump() -> dict[str, list]:
    fields = sorted(tuple(sorted(row.items())) for row in Field.select().dicts())
    procedures = sorted(tuple(sorted(row.items())) for row in Procedure.select().dicts())
    return {"fields": fields, "procedures": procedures}


def test_update_processing_time_moves_the_due_date(leader):
    received = datetime(2026, 9, 7, 9, 0, tzinfo=LOCAL_TZ)  # Monday
    before = load_calendar().due_at(catalog.get_procedure("T-TTHN"), received)
    info = dataclasses.replace(catalog.get_procedure("T-TTHN"), processing_days=5)
    saved = catalog_edit.save_procedure(info, by=leader)
    assert saved.processing_days == 5
    after = load_calendar().due_at(catalog.get_procedure("T-TTHN"), received)
    assert (before.date().day, after.date().day) == (10, 14)


def test_create_a_procedure_from_keywords(leader):
    saved = catalog_edit.save_procedure(
        by=leader, create=True, code="X-01", name=" Đăng ký  giám hộ ", field_code="HT", processing_days=3,
        day_unit="working", cutoff="9:30", fee="Miễn phí",
        documents=[DocumentItem("Tờ khai đăng ký giám hộ", 1, "original"), {"name": "Giấy CCCD", "count": 2,
                                                                              "kind": "copy"}],
        online_level="partial", legal_basis="Luật Hộ tịch 2014\n\nNghị định 123/2015", no_appointment_day=True)
    assert saved.name == "Đăng ký giám hộ" and saved.cutoff == "09:30" and saved.active
    assert saved.documents == [DocumentItem("Tờ khai đăng ký giám hộ", 1, "original"),
                               DocumentItem("Giấy CCCD", 2, "copy")]
    assert saved.legal_basis == "Luật Hộ tịch 2014\nNghị định 123/2015"
    assert catalog.search_procedures("giam ho")[0].code == "X-01"


def test_create_refuses_an_existing_code_and_update_an_unknown_one(leader):
    before = dump()
    with pytest.raises(ValidationError) as caught:
        catalog_edit.save_procedure(catalog.get_procedure("T-KS"), by=leader, create=True)
    assert "code" in caught.value.problems
    with pytest.raises(NotFound):
        catalog_edit.save_procedure(catalog.get_procedure("T-KS"), code="NEW-1", by=leader, create=False)
    assert dump() == before


def test_every_problem_is_keyed_by_attribute_and_nothing_changes(leader):
    before = dump()
    info = dataclasses.replace(catalog.get_procedure("T-KS"), name=" ", field_code="ZZ", processing_days=-1,
                               day_unit="week", cutoff="25:00", online_level="level 5",
                               documents=[DocumentItem("", 1, "original")])
    with pytest.raises(ValidationError) as caught:
        catalog_edit.save_procedure(info, by=leader)
    assert set(caught.value.problems) == {"name", "field_code", "processing_days", "day_unit", "cutoff",
                                          "online_level", "documents"}
    assert all(caught.value.problems.values())
    assert dump() == before


def test_active_none_keeps_the_current_choice(leader):
    catalog_edit.set_procedure_active("T-KT", False, by=leader)
    catalog_edit.save_procedure(catalog.get_procedure("T-KT"), fee="10.000 đồng", active=None, by=leader)
    saved = catalog.get_procedure("T-KT")
    assert saved.fee == "10.000 đồng" and saved.active is False


def test_retire_and_restore_a_procedure(leader):
    assert catalog_edit.set_procedure_active("T-KS", False, by=leader).active is False
    assert "T-KS" not in {p.code for p in catalog.list_procedures()}
    assert catalog_edit.set_procedure_active("T-KS", True, by=leader).active is True
    with pytest.raises(NotFound):
        catalog_edit.set_procedure_active("NOPE", False, by=leader)


def test_save_field_creates_renames_and_validates(leader):
    assert catalog_edit.save_field("DD", "Đất đai", 5, by=leader) == catalog.FieldInfo("DD", "Đất đai", 5)
    catalog_edit.save_field("HT", "Hộ tịch - Quốc tịch", 1, by=leader)
    assert catalog.get_procedure("T-KS").field_name == "Hộ tịch - Quốc tịch"
    with pytest.raises(ValidationError) as caught:
        catalog_edit.save_field("", "", "abc", by=leader)
    assert set(caught.value.problems) == {"code", "name", "sort_order"}


def test_clerk_is_denied_everything_and_nothing_changes(clerk, tmp_path):
    before = dump()
    path = tmp_path / "catalog.xlsx"
    catalog.export_xlsx(path)
    attempts = [
        lambda: catalog_edit.save_procedure(catalog.get_procedure("T-KS"), processing_days=3, by=clerk),
        lambda: catalog_edit.set_procedure_active("T-KS", False, by=clerk),
        lambda: catalog_edit.save_field("DD", "Đất đai", 5, by=clerk),
        lambda: catalog_edit.import_catalog(path, by=clerk),
        lambda: catalog_edit.export_catalog(tmp_path / "out.xlsx", by=clerk),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert dump() == before
    assert not (tmp_path / "out.xlsx").exists()


def test_export_and_import_wrappers(leader, tmp_path):
    path = tmp_path / "catalog.xlsx"
    assert catalog_edit.export_catalog(path, by=leader) == 6
    workbook = load_workbook(path)
    sheet = workbook[SHEET_PROCEDURES]
    days = [c.value for c in sheet[1]].index(COL_DAYS) + 1
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "T-HD")
    sheet.cell(row, days).value = 4
    workbook.save(path)
    summary = catalog_edit.import_catalog(path, by=leader)
    assert summary.procedures_updated == 1
    assert catalog.get_procedure("T-HD").processing_days == 4
    sheet.cell(row, days).value = "bốn"
    workbook.save(path)
    before = dump()
    with pytest.raises(CatalogImportError) as caught:
        catalog_edit.import_catalog(path, by=leader)
    assert [(p.row, p.column) for p in caught.value.issues] == [(row, COL_DAYS)]
    assert dump() == before
