"""Copying a whole SQLite office into PostgreSQL: ids, history, numbering, counts and checksums."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from desk.errors import DeskError
from desk.models import DailySequence, Dossier, DossierEvent, Office
from desk.models import db as dbmod
from desk.models.entities import ALL_MODELS
from desk.services import demo
from desk.services.accounts import get_actor
from desk.services.clock import LOCAL_TZ, FixedClock
from desk.services.dossiers import get_dossier, history
from desk.services.intake import Applicant, IntakeRequest, register
from desk.services.lifecycle import advance, apologize
from desk.services.migrate import migrate_to, table_checksum

pytestmark = pytest.mark.postgres
CLOCK = FixedClock(datetime(2026, 11, 23, 16, 0, tzinfo=LOCAL_TZ))


def _fill() -> list[str]:
    demo.generate(2000, months=3, clock=CLOCK, actor=get_actor("admin"))  # demo data first: it refuses a register
    codes = []
    for i, (proc, name) in enumerate([("T-KS", "Nguyễn Thị Hoa"), ("T-TTHN", "Lê Văn Nam"), ("T-BS", "Đỗ Minh Tâm")]):
        info = register(IntakeRequest(proc, Applicant(name=name, phone="0912345678"), writing_assistance=i == 1,
                                      received_at=datetime(2026, 11, 23, 9, i)), clock=CLOCK, actor=get_actor("admin"))
        codes.append(info.code)
    advance(codes[1], "processing", at=datetime(2026, 11, 23, 10, 0), clock=CLOCK, actor=get_actor("admin"))
    apologize(codes[1], datetime(2026, 11, 30, 9, 0), reason="Cần xác minh thêm", at=datetime(2026, 11, 23, 11, 0),
              clock=CLOCK, actor=get_actor("admin"))
    advance(codes[2], "refused", note="Giấy tờ không hợp lệ", at=datetime(2026, 11, 23, 10, 30), clock=CLOCK,
            actor=get_actor("admin"))
    return codes


def test_migrate_whole_office_to_postgres(office, pg_url, admin):
    codes = _fill()
    sample = codes + [d.code for d in Dossier.select(Dossier.code).order_by(Dossier.id).limit(50)]
    expected = {c: (get_dossier(c, actor=admin), history(c, actor=admin)) for c in sample}
    counts = {m._meta.table_name: m.select().count() for m in ALL_MODELS}
    seen = []
    report = migrate_to(pg_url, progress=lambda table, done, total: seen.append(table), actor=admin)
    assert report.ok
    assert {t.table: t.source_rows for t in report.tables} == counts
    assert counts["dossier"] == 2003 and counts["dossier_event"] > 2003
    assert all(t.source_sha256 == t.target_sha256 for t in report.tables)
    assert "dossier_event" in seen
    source_sums = {m._meta.table_name: table_checksum(dbmod.database_proxy.obj, m) for m in ALL_MODELS}
    source_day = DailySequence.get(DailySequence.day == date(2026, 11, 23)).last_value

    dbmod.close()
    target = dbmod.connect(pg_url)
    assert dbmod.is_postgres(target)
    assert {c: (get_dossier(c, actor=admin), history(c, actor=admin)) for c in sample} == expected
    assert {m._meta.table_name: table_checksum(target, m) for m in ALL_MODELS} == source_sums
    # the office keeps working on PostgreSQL: the day's numbering and the ids go on without clashes
    assert DailySequence.get(DailySequence.day == date(2026, 11, 23)).last_value == source_day
    info = register(IntakeRequest("T-KS", Applicant(name="Phạm Văn Long"),
                                  received_at=datetime(2026, 11, 23, 15, 0)), clock=CLOCK, actor=admin)
    assert info.code.endswith(f"-261123-{source_day + 1:04d}")
    assert info.id == counts["dossier"] + 1
    advance(info.code, "processing", at=datetime(2026, 11, 23, 15, 10), clock=CLOCK, actor=admin)
    assert Dossier.select().count() == counts["dossier"] + 1
    assert len({d.code for d in Dossier.select(Dossier.code)}) == counts["dossier"] + 1
    with pytest.raises(Exception, match="append-only"):  # the audit guard is on the target too
        DossierEvent.update(note="x").where(DossierEvent.id == 1).execute()
    target.rollback()


def test_refuses_a_non_empty_target(office, pg_url, admin):
    register(IntakeRequest("T-KS", Applicant(name="Nguyễn Văn An"), received_at=datetime(2026, 11, 23, 9, 0)),
             clock=CLOCK, actor=admin)
    assert migrate_to(pg_url, actor=admin).ok
    with pytest.raises(DeskError, match="already holds office data|đã có dữ liệu"):
        migrate_to(pg_url, actor=admin)
    # the target was not touched by the refused attempt
    dbmod.close()
    dbmod.connect(pg_url)
    assert Dossier.select().count() == 1 and Office.select().count() == 1


def test_refuses_the_current_database_as_target(office, sqlite_url, admin):
    with pytest.raises(DeskError):
        migrate_to(sqlite_url, actor=admin)


def test_failed_copy_leaves_the_target_empty(office, pg_url, monkeypatch, admin):
    from desk.services import migrate as mod

    register(IntakeRequest("T-KS", Applicant(name="Nguyễn Văn An"), received_at=datetime(2026, 11, 23, 9, 0)),
             clock=CLOCK, actor=admin)
    real = mod.table_checksum
    monkeypatch.setattr(mod, "table_checksum",
                        lambda db, m: (0, "bad") if dbmod.is_postgres(db) and m is Dossier else real(db, m))
    with pytest.raises(DeskError, match="differs|khác bản gốc"):
        migrate_to(pg_url, actor=admin)
    monkeypatch.undo()
    assert migrate_to(pg_url, actor=admin).ok  # nothing half-copied was left behind, so a second try succeeds


def _pg_tables_with_rows(pg_url: str) -> list[str]:
    target = dbmod.make_database(pg_url)
    target.connect()
    try:
        schema = getattr(target, "desk_schema", "") or "public"
        names = [r[0] for r in target.execute_sql(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)).fetchall()]
        return [n for n in names if target.execute_sql(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]]
    finally:
        target.close()


def test_values_longer_than_the_postgres_columns_are_refused_up_front(office, pg_url, admin):
    """SQLite kept what older versions let through; PostgreSQL would refuse it half-way through the copy."""
    info = register(IntakeRequest("T-KS", Applicant(name="Nguyễn Văn An"), received_at=datetime(2026, 11, 23, 9)),
                    clock=CLOCK, actor=admin)
    row = Dossier.get(Dossier.code == info.code)
    Dossier.update(address="Số 5 " * 100).where(Dossier.id == row.id).execute()  # 500 characters in a 300 column
    Office.update(name="UBND " * 50).execute()
    with pytest.raises(DeskError) as err:
        migrate_to(pg_url, actor=admin)
    message = str(err.value)
    assert f"dossier, dòng {row.id}, trường address: 500 ký tự, tối đa 300" in message
    assert "office, dòng 1, trường name: 250 ký tự, tối đa 200" in message
    assert "Traceback" not in message and "\n" not in message
    assert _pg_tables_with_rows(pg_url) == []  # nothing half-copied: not even the schema's rows


def test_a_nul_character_kept_by_sqlite_is_refused_up_front(office, pg_url, admin):
    info = register(IntakeRequest("T-KS", Applicant(name="Nguyễn Văn An"), received_at=datetime(2026, 11, 23, 9)),
                    clock=CLOCK, actor=admin)
    Dossier.update(notes="ghi\x00chú").where(Dossier.code == info.code).execute()
    with pytest.raises(DeskError, match="notes: có ký tự NUL"):
        migrate_to(pg_url, actor=admin)
    assert _pg_tables_with_rows(pg_url) == []
