"""Digitised dossiers (D43): attaching files, their checks, the audit event, what is still missing, the
per-field count, and the files surviving backup + restore and migrate-to byte for byte."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import pytest
from peewee import DatabaseError

from desk.errors import DeskError, NotFound, ValidationError
from desk.models import Attachment, Procedure
from desk.models import db as dbmod
from desk.services import attachments
from desk.services.attachments import (
    DamagedAttachment,
    attach,
    digitisation_counts,
    list_attachments,
    missing_components,
    open_attachment,
)
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import DocumentItem, history
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance

CLOCK = FixedClock(datetime(2026, 11, 23, 16, 0, tzinfo=LOCAL_TZ))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 40
TWO = [DocumentItem("Tờ khai đăng ký", 1, "original"), DocumentItem("Bản sao CCCD", 1, "copy")]


def _receive(admin, procedure: str = "T-KS", documents: list[DocumentItem] | None = None, minute: int = 0) -> str:
    return register(IntakeRequest(procedure, Applicant(name="Trần Thị Mai"), documents=documents,
                                  received_at=datetime(2026, 11, 23, 9, minute)), clock=CLOCK, actor=admin).code


def test_attach_stores_the_bytes_checksum_and_an_audit_event(any_office, admin, tmp_path):
    code = _receive(admin, documents=TWO)
    path = tmp_path / "to-khai.scan"  # the extension says nothing: the content is a PDF
    path.write_bytes(PDF)
    info = attach(code, path, component=1, actor=admin, clock=CLOCK)
    assert (info.code, info.component, info.component_name) == (code, 1, "Tờ khai đăng ký")
    assert (info.file_name, info.media_type, info.size) == ("to-khai.scan", "application/pdf", len(PDF))
    assert info.sha256 == hashlib.sha256(PDF).hexdigest()
    assert info.added_by == admin.full_name and info.added_at == CLOCK.now()
    result = attach(code, PNG, result=True, file_name="ket-qua.png", actor=admin, clock=CLOCK)
    assert (result.component, result.component_name, result.media_type) == (None, "Kết quả", "image/png")
    assert [a.id for a in list_attachments(code, actor=admin)] == [info.id, result.id]
    opened, content = open_attachment(info.id, actor=admin)
    assert opened == info and content == PDF
    events = [e for e in history(code, actor=admin) if e.action == "attach"]
    assert len(events) == 2 and events[0].data["sha256"] == info.sha256
    assert events[0].data["component"] == 1 and events[1].data["component"] is None
    assert events[0].from_status == events[0].to_status == "received"


@pytest.mark.parametrize(("content", "problem"), [
    (b"GIF89a" + b"\x00" * 20, "Chỉ đính kèm được tệp PDF, JPEG và PNG"),
    (b"", "Tệp rỗng"),
])
def test_refuses_other_types_and_empty_files(office, admin, content, problem):
    code = _receive(admin)
    with pytest.raises(ValidationError, match=problem):
        attach(code, content, component=1, file_name="anh.pdf", actor=admin)
    assert Attachment.select().count() == 0
    assert not [e for e in history(code, actor=admin) if e.action == "attach"]


def test_refuses_a_file_over_the_limit_without_reading_it(office, admin, tmp_path, monkeypatch):
    code = _receive(admin)
    monkeypatch.setattr(attachments, "MAX_BYTES", 1000)
    big = tmp_path / "big.pdf"
    big.write_bytes(PDF + b"0" * 2000)
    with pytest.raises(ValidationError, match="tối đa 0 MB"):
        attach(code, big, component=1, actor=admin)
    with pytest.raises(ValidationError, match="tối đa 0 MB"):
        attach(code, PDF + b"0" * 2000, component=1, actor=admin)
    assert Attachment.select().count() == 0


def test_refuses_a_missing_file_a_wrong_component_and_an_unclear_target(office, admin, tmp_path):
    code = _receive(admin)  # one component: the procedure's "Tờ khai đăng ký"
    with pytest.raises(DeskError, match="Không có tệp none.pdf"):
        attach(code, tmp_path / "none.pdf", component=1, actor=admin)
    with pytest.raises(ValidationError, match="từ 1 đến 1; không có thành phần 2"):
        attach(code, PDF, component=2, actor=admin)
    with pytest.raises(ValidationError, match="không chọn cả hai"):
        attach(code, PDF, component=1, result=True, actor=admin)
    with pytest.raises(ValidationError, match="không chọn cả hai"):
        attach(code, PDF, actor=admin)
    with pytest.raises(NotFound):
        attach("X-000000-0001", PDF, component=1, actor=admin)
    assert Attachment.select().count() == 0


def test_file_names_are_plain(office, admin):
    code = _receive(admin)
    assert attach(code, JPEG, component=1, file_name="../../a\x01b.jpg", actor=admin).file_name == "a_b.jpg"
    assert attach(code, JPEG, component=1, file_name="", actor=admin).file_name == "tep.jpg"
    long = attach(code, PDF, component=1, file_name="x" * 400 + ".pdf", actor=admin).file_name
    assert len(long) == 255 and long.endswith(".pdf")


def test_attachments_are_append_only(any_office, admin):
    code = _receive(admin)
    info = attach(code, PDF, component=1, actor=admin)
    db = dbmod.database_proxy.obj
    with pytest.raises(DatabaseError, match="append-only"), db.atomic():
        Attachment.update(content=b"%PDF-forged").where(Attachment.id == info.id).execute()
    with pytest.raises(DatabaseError, match="append-only"), db.atomic():
        Attachment.delete().where(Attachment.id == info.id).execute()
    assert open_attachment(info.id, actor=admin)[1] == PDF


def test_a_damaged_blob_is_refused_on_read(office, admin):
    code = _receive(admin)
    info = attach(code, PDF, component=1, actor=admin)
    db = dbmod.database_proxy.obj  # someone with the file and a SQL console, around the guards
    db.execute_sql('DROP TRIGGER "attachment_no_update"')
    db.execute_sql("UPDATE attachment SET content = ? WHERE id = ?", (PDF.replace(b"obj", b"ojb"), info.id))
    dbmod.install_guards(db)
    with pytest.raises(DamagedAttachment, match="bị hỏng"):
        open_attachment(info.id, actor=admin)
    assert [a.sha256 for a in list_attachments(code, actor=admin)] == [info.sha256]  # the list still shows it


def test_missing_components_honour_the_catalog_marks(office, admin):
    marked = [{"name": "Tờ khai đăng ký", "count": 1, "kind": "original"},
              {"name": "Bản sao CCCD", "count": 1, "kind": "copy", "no_digitisation": True}]
    Procedure.update(documents=json.dumps(marked, ensure_ascii=False)).where(Procedure.code == "T-KT").execute()
    listed = _receive(admin, "T-KT")  # the procedure's list, marks copied with it
    handed = _receive(admin, "T-KT", documents=TWO, minute=1)  # the desk's own list: the catalog's mark holds
    for code in (listed, handed):
        assert missing_components(code, actor=admin) == [(1, "Tờ khai đăng ký")]
        attach(code, PDF, component=1, actor=admin)
        assert missing_components(code, actor=admin) == []
    plain = _receive(admin, documents=TWO, minute=2)
    attach(plain, PDF, result=True, actor=admin)  # the result is no component
    assert missing_components(plain, actor=admin) == [(1, "Tờ khai đăng ký"), (2, "Bản sao CCCD")]


def test_digitisation_counts_per_field(any_office, admin):
    leader = admin
    done = _receive(admin, "T-KS", documents=TWO)
    attach(done, PDF, component=1, actor=admin)
    attach(done, JPEG, component=2, actor=admin)
    half = _receive(admin, "T-KT", documents=TWO, minute=1)
    attach(half, PDF, component=2, actor=admin)
    attach(half, PDF, result=True, actor=admin)
    cert = _receive(admin, "T-BS", minute=2)
    advance(cert, "refused", note="Sai thẩm quyền", at=datetime(2026, 11, 23, 10, 0), clock=CLOCK, actor=admin)
    _receive(admin, "T-BS", minute=3)
    attach(cert, PNG, component=1, actor=admin)
    rows = digitisation_counts(date(2026, 11, 23), date(2026, 11, 23), actor=leader)
    assert [(r.field_code, r.digitised, r.total) for r in rows] == [("HT", 1, 2), ("CT", 1, 2)]
    assert rows[0].rate == 50.0
    assert digitisation_counts(date(2026, 11, 24), date(2026, 11, 30), actor=leader) == []
    with pytest.raises(ValidationError):
        digitisation_counts(date(2026, 11, 24), date(2026, 11, 23), actor=leader)


# -- the files travel with the database ------------------------------------------------------------
def _sums() -> list[tuple[str, int, str]]:
    return [(a.file_name, a.size, hashlib.sha256(bytes(a.content)).hexdigest())
            for a in Attachment.select().order_by(Attachment.id)]


def test_an_attachment_survives_backup_and_restore(office, sqlite_url, admin, tmp_path):
    from desk.services.backup import backup, restore

    code = _receive(admin)
    big = PDF + bytes(range(256)) * 4000  # about 1 MB: spans many pages of the SQLite file
    attach(code, big, component=1, file_name="to-khai.pdf", actor=admin)
    before = _sums()
    backup(tmp_path / "b.db", actor=admin)
    later = _receive(admin, minute=5)
    attach(later, PNG, component=1, actor=admin)
    restore(tmp_path / "b.db", target_url=sqlite_url, actor=admin, clock=CLOCK)
    assert _sums() == before
    info = list_attachments(code, actor=admin)[0]
    assert open_attachment(info.id, actor=admin)[1] == big


@pytest.mark.postgres
def test_an_attachment_survives_migrate_to_postgres(office, pg_url, admin):
    from desk.services.migrate import migrate_to

    code = _receive(admin)
    big = JPEG + bytes(range(256)) * 4000
    attach(code, big, component=1, file_name="cccd.jpg", actor=admin)
    attach(code, PDF, result=True, actor=admin)
    before = _sums()
    report = migrate_to(pg_url, actor=admin)
    assert report.ok
    assert [t for t in report.tables if t.table == "attachment"][0].source_rows == 2
    dbmod.close()
    target = dbmod.connect(pg_url)
    try:
        assert dbmod.is_postgres(target)
        assert _sums() == before
        first = list_attachments(code, actor=admin)[0]
        assert open_attachment(first.id, actor=admin)[1] == big
        again = attach(code, PNG, component=1, actor=admin)  # ids go on after the copied ones
        assert again.id == 3
    finally:
        target.close()


def test_the_no_digitisation_mark_survives_the_catalog_formats():
    from desk.services.catalog_format import (
        NO_DIGITISATION_MARK,
        documents_from_json,
        documents_to_json,
        format_document,
        parse_document_line,
    )

    marked, plain = DocumentItem("Bản sao CCCD", 2, "copy", True), DocumentItem("Tờ khai", 1, "original")
    assert format_document(marked) == f"2 x Bản sao CCCD (bản sao) {NO_DIGITISATION_MARK}"
    assert format_document(plain) == "1 x Tờ khai (bản chính)"  # unmarked lines read as before
    assert [parse_document_line(format_document(d)) for d in (marked, plain)] == [marked, plain]
    assert parse_document_line("2 x Bản sao CCCD (bản sao) [khong so hoa]") == marked
    assert documents_from_json(documents_to_json([marked, plain])) == [marked, plain]
    assert "no_digitisation" not in documents_to_json([plain])  # stored lists of unmarked components unchanged


def test_the_catalog_editor_keeps_the_mark(office, admin):
    from desk.services.catalog_edit import save_procedure
    from desk.services.catalog_read import get_procedure

    marked = [DocumentItem("Tờ khai", 1, "original"), DocumentItem("Bản sao CCCD", 1, "copy", True)]
    save_procedure(get_procedure("T-KT"), documents=marked, create=False, by=admin)
    assert get_procedure("T-KT").documents == marked
