"""Damaged, foreign, missing or unreachable databases: one clear Vietnamese line, exit 2, nothing changed.

"Nothing changed" is checked on disk: the file's bytes and modification time are the same, and no
file appears beside it (no -wal, -shm or -journal next to a file that is not ours, no new folder).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from desk.cli import main
from desk.errors import DeskError
from desk.models import db as dbmod
from desk.services.accounts import get_actor
from tests.conftest import PG_BASE_URL, fill_disk, make_office


@pytest.fixture(autouse=True)
def _admin_password(monkeypatch):
    """init on a new database takes the administrator's password from DESK_PASSWORD (no terminal here)."""
    monkeypatch.setenv("DESK_PASSWORD", "mat-khau-quan-tri-thu")


def _run(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    err = capsys.readouterr().err
    return code, err


def _one_line(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("lỗi: "), err
    for needle in needles:
        assert needle in err, err


def _state(folder: Path) -> dict:
    """Every file under ``folder`` with its size, bytes and modification time."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            out[str(path.relative_to(folder))] = (len(data), hashlib.sha256(data).hexdigest(), path.stat().st_mtime_ns)
        else:
            out[str(path.relative_to(folder))] = "folder"
    return out


def _real_database(folder: Path) -> Path:
    """An office database written by the program, closed (its log folded in)."""
    from desk.services.intake import Applicant, IntakeRequest, register

    path = folder / "real.db"
    dbmod.connect(f"sqlite:///{path}")
    make_office()
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"):
        register(IntakeRequest("T-KS", Applicant(name=name)), actor=get_actor("admin"))
    dbmod.close()
    assert not Path(f"{path}-wal").exists()
    return path


def _random(folder: Path) -> Path:
    path = folder / "random.db"
    path.write_bytes(os.urandom(64 * 1024))
    return path


def _text(folder: Path) -> Path:
    path = folder / "notes.db"
    path.write_text("Danh sách hồ sơ tháng 11\nNguyễn Văn An, 0912345678\n", encoding="utf-8")
    return path


def _truncated(folder: Path) -> Path:
    source = _real_database(folder / "src")
    path = folder / "truncated.db"
    path.write_bytes(source.read_bytes()[: source.stat().st_size // 2 + 100])
    shutil.rmtree(folder / "src")
    return path


def _truncated_on_a_page(folder: Path) -> Path:
    source = _real_database(folder / "src")
    path = folder / "cut.db"
    path.write_bytes(source.read_bytes()[: 4096 * 3])
    shutil.rmtree(folder / "src")
    return path


def _fake_header(folder: Path) -> Path:
    path = folder / "fake.db"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(8 * 1024))
    return path


def _fake_header_valid_page(folder: Path) -> Path:
    """The first 100 bytes of a real header, garbage after it."""
    source = _real_database(folder / "src")
    path = folder / "fake2.db"
    path.write_bytes(source.read_bytes()[:100] + os.urandom(source.stat().st_size - 100))
    shutil.rmtree(folder / "src")
    return path


def _version_not_a_number(folder: Path) -> Path:
    path = _real_database(folder)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE schema_info SET value = 'hai' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    return path


def _dropped_table(folder: Path) -> Path:
    path = _real_database(folder)
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE staff")
    conn.commit()
    conn.close()
    return path


def _other_program(folder: Path) -> Path:
    path = folder / "accounts.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customer (name) VALUES ('Công ty A')")
    conn.commit()
    conn.close()
    return path


def _folder(folder: Path) -> Path:
    path = folder / "office.db"
    path.mkdir()
    (path / "keep.txt").write_text("x")
    return path


CASES = {
    "random bytes": (_random, "không phải tệp cơ sở dữ liệu"),
    "a text file": (_text, "không phải tệp cơ sở dữ liệu"),
    "a truncated copy": (_truncated, "bị cắt cụt"),
    "a copy cut on a page boundary": (_truncated_on_a_page, "bị cắt cụt"),
    "a fake SQLite header": (_fake_header, "bị hỏng"),
    "a real header, garbage after it": (_fake_header_valid_page, "bị hỏng"),
    "a schema version that is not a number": (_version_not_a_number, "không phải là số: hai"),
    "a dropped table": (_dropped_table, "thiếu bảng: staff"),
    "another program's SQLite file": (_other_program, "chương trình khác"),
    "a folder": (_folder, "là một thư mục"),
}


@pytest.mark.parametrize("command", [["procedures"], ["init", "--no-catalog"]])
@pytest.mark.parametrize("case", list(CASES))
def test_bad_sqlite_files_are_refused_untouched(case, command, tmp_path, capsys):
    make, needle = CASES[case]
    folder = tmp_path / "office"
    folder.mkdir()
    path = make(folder)
    time.sleep(0.01)  # a later touch of any file shows in its time stamp
    before = _state(folder)
    code, err = _run(capsys, "--db", f"sqlite:///{path}", *command)
    _one_line(code, err, needle)
    assert _state(folder) == before  # same bytes, same times, nothing beside it


@pytest.mark.parametrize("url, needle", [
    ("sqlite:///", "không chỉ ra tệp"),
    ("sqlite://", "không chỉ ra tệp"),
    ("sqlite:", "không chỉ ra tệp"),
    ("sqlite:////dev/null", "không phải tệp thông thường"),
    ("postgresql://postgres@127.0.0.1:5432/x?connect_timeout=abc", "connect_timeout"),
    ("postgresql://postgres@127.0.0.1:5432/x?connect_timeout=-1", "connect_timeout"),
    ("postgresql://postgres@127.0.0.1:99999/x", "Cổng"),
    ("postgresql://postgres@127.0.0.1:port/x", "Cổng"),
])
def test_bad_addresses(url, needle, capsys):
    beside = [Path(f"/dev/null{suffix}") for suffix in ("-wal", "-shm", "-journal")]
    before = [p.stat().st_mtime_ns if p.exists() else None for p in beside]
    code, err = _run(capsys, "--db", url, "procedures")
    _one_line(code, err, needle)
    assert [p.stat().st_mtime_ns if p.exists() else None for p in beside] == before


@pytest.mark.parametrize("host", ["127.0.0.1:1", "no-such-host.invalid", "10.255.255.1"])
def test_unreachable_postgres_host(host, capsys):
    started = time.monotonic()
    code, err = _run(capsys, "--db", f"postgresql://desk:secret@{host}/onestop?connect_timeout=2", "procedures")
    _one_line(code, err, "Không mở được cơ sở dữ liệu")
    assert "secret" not in err
    assert time.monotonic() - started < 15


def test_a_path_with_spaces_marks_and_url_characters_opens(tmp_path, capsys):
    """The read-only look before opening must find the same file SQLite opens (#, ?, %, spaces, diacritics)."""
    path = tmp_path / "Một cửa #2 (50%)" / "hồ sơ?.db"
    assert _run(capsys, "--db", f"sqlite:///{path}", "init", "--no-catalog")[0] == 0
    assert dbmod.inspect_sqlite_file(str(path)) == "ours"
    assert _run(capsys, "--db", f"sqlite:///{path}", "procedures")[0] == 0


# -- a missing database: only init creates one (item 10) ---------------------------------------
def test_a_missing_file_is_created_only_by_init(tmp_path, capsys):
    path = tmp_path / "new" / "office.db"
    for command in (["procedures"], ["show", "X-1"], ["calendar", "list"], ["backup", "--out", str(tmp_path / "b")],
                    ["demo", "--dossiers", "5"], ["report", "--period", "2026-10", "--out", str(tmp_path / "r.xlsx")]):
        code, err = _run(capsys, "--db", f"sqlite:///{path}", *command)
        _one_line(code, err, "không tồn tại", "init")
        assert not (tmp_path / "new").exists(), command  # not even the folder
    assert _run(capsys, "--db", f"sqlite:///{path}", "init", "--no-catalog")[0] == 0
    assert path.exists()
    code, _err = _run(capsys, "--db", f"sqlite:///{path}", "procedures")
    assert code == 0


def test_an_empty_file_is_not_a_database_except_for_init(tmp_path, capsys):
    path = tmp_path / "office.db"
    path.touch()
    code, err = _run(capsys, "--db", f"sqlite:///{path}", "procedures")
    _one_line(code, err, "không tồn tại (hoặc trống)")
    assert sorted(os.listdir(tmp_path)) == ["office.db"] and path.stat().st_size == 0
    assert _run(capsys, "--db", f"sqlite:///{path}", "init", "--no-catalog")[0] == 0


@pytest.mark.postgres
def test_a_missing_postgres_schema_is_created_only_by_init(pg_url, capsys):
    code, err = _run(capsys, "--db", pg_url, "procedures")
    _one_line(code, err, "không tồn tại", "init")
    schema = pg_url.rsplit("schema=", 1)[1]
    probe = dbmod.make_database(PG_BASE_URL)
    probe.connect()
    try:
        assert probe.execute_sql("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone() is None
        probe.execute_sql(f'CREATE SCHEMA "{schema}"')  # an empty schema: still no office database
        code, err = _run(capsys, "--db", pg_url, "procedures")
        _one_line(code, err, "chưa có các bảng", "init")
        assert probe.execute_sql("SELECT COUNT(*) FROM pg_tables WHERE schemaname = %s", (schema,)).fetchone() == (0,)
    finally:
        probe.close()
    assert _run(capsys, "--db", pg_url, "init", "--no-catalog")[0] == 0
    assert _run(capsys, "--db", pg_url, "procedures")[0] == 0


def test_the_gui_creates_only_the_default_database(tmp_path, monkeypatch):
    """./run.sh on a fresh machine: the first start makes the default file; another address must exist."""
    from desk.app import open_database
    from desk.config import default_database_url

    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DESK_CONFIG_DIR", str(tmp_path / "cfg"))
    office, _label = open_database(None, new_only_if_default=True)  # as the windows open it
    dbmod.close()
    # the office row exists, without identity: the wizard asks for it (D27)
    assert office.code == "" and office.set_up_at is None
    assert Path(dbmod.make_database(default_database_url()).database).exists()
    with pytest.raises(DeskError, match="không tồn tại"):
        open_database(f"sqlite:///{tmp_path / 'elsewhere.db'}", new_only_if_default=True)
    assert not (tmp_path / "elsewhere.db").exists()


# -- a full disk ---------------------------------------------------------------------------------
def test_full_disk_one_message_and_every_acknowledged_dossier_kept(small_disk, capsys):
    from desk.models import Dossier
    from desk.services.intake import Applicant, IntakeRequest, register

    folder = small_disk(1024)
    url = f"sqlite:///{folder / 'office.db'}"
    dbmod.connect(url)
    make_office()
    from desk.services.accounts import set_first_admin_password

    set_first_admin_password("mat-khau-quan-tri-thu")  # the CLI below logs in with DESK_PASSWORD
    fill_disk(folder, leave_bytes=300 * 1024)
    acknowledged = []
    with pytest.raises(DeskError) as refused:
        for i in range(10_000):
            acknowledged.append(register(IntakeRequest("T-KS", Applicant(name=f"Nguyễn Văn An {chr(65 + i % 26)}")),
                                         actor=get_actor("admin")).code)
    assert str(refused.value).startswith("Ổ đĩa chứa cơ sở dữ liệu đã đầy. Chưa có gì được lưu")
    assert acknowledged
    dbmod.close()
    # the command line says the same, in one line, and saves nothing
    code, err = _run(capsys, "--db", url, "--user", "admin", "receive", "--procedure", "T-KS", "--name",
                     "Trần Thị Bình")
    _one_line(code, err, "Ổ đĩa chứa cơ sở dữ liệu đã đầy")
    assert not any(name.endswith("-journal") for name in os.listdir(folder))
    # the database still opens, whole, with every acknowledged dossier (disk still full)
    db = dbmod.connect(url, allow_new=False)
    try:
        assert db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
        assert [d.code for d in Dossier.select().order_by(Dossier.id)] == acknowledged
    finally:
        db.close()
    (folder / "filler.bin").unlink()  # room again: work goes on with the next number
    dbmod.connect(url, allow_new=False)
    info = register(IntakeRequest("T-KS", Applicant(name="Trần Thị Bình")), actor=get_actor("admin"))
    assert info.code.endswith(f"-{len(acknowledged) + 1:04d}")
    dbmod.close()


@pytest.mark.postgres
@pytest.mark.parametrize("damage, needle", [
    ("UPDATE schema_info SET value = 'hai' WHERE key = 'schema_version'", "không phải là số: hai"),
    ("DROP TABLE staff CASCADE", "thiếu bảng: staff"),
    ("DELETE FROM schema_info", "không có số phiên bản"),
])
def test_damaged_postgres_schema_is_refused_untouched(pg_url, damage, needle, capsys):
    dbmod.connect(pg_url)
    make_office()
    db = dbmod.database_proxy.obj
    db.execute_sql(damage)
    tables = sorted(db.get_tables())
    dbmod.close()
    for command in (["procedures"], ["init", "--no-catalog"]):
        code, err = _run(capsys, "--db", pg_url, *command)
        _one_line(code, err, needle)
    db = dbmod.make_database(pg_url)
    db.connect()
    assert sorted(db.get_tables()) == tables  # init did not "repair" it by making empty tables
    db.close()
