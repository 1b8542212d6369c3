"""The CLI as an admin uses it: real database file, real subprocess for the end-to-end path.

Every command but the open ones logs a staff account in (``--user`` and DESK_PASSWORD here, a
terminal prompt in the pseudo-terminal tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from desk.cli import main
from desk.services.clock import LOCAL_TZ, FixedClock

ROOT = Path(__file__).resolve().parent.parent
CCCD = "042090012345|123456789|Nguyễn Văn An|15031990|Nam|Số 5, Tổ 2, Phường Trần Phú, Hà Tĩnh|10082021"
ADMIN_PASSWORD = "mat-khau-quan-tri"
CLERK_PASSWORD = "matkhau-mot-cua"
# init sets the office up in one step (D27); the suite's office is the sample ward
SAMPLE_IDENTITY = ("--office-code", "000.00.13.H42", "--office-name", "UBND phường Trần Phú",
                   "--parent", "UBND TỈNH HÀ TĨNH")


@pytest.fixture
def anyone(sqlite_url, capsys, monkeypatch):
    """main() on the test database, with whatever account and DESK_PASSWORD the test gives."""
    monkeypatch.delenv("DESK_PASSWORD", raising=False)

    def run(*args: str, password: str | None = None) -> tuple[int, str, str]:
        if password is None:
            monkeypatch.delenv("DESK_PASSWORD", raising=False)
        else:
            monkeypatch.setenv("DESK_PASSWORD", password)
        code = main(["--db", sqlite_url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    code, _out, err = run("init", *SAMPLE_IDENTITY, password=ADMIN_PASSWORD)
    assert code == 0, err
    return run


@pytest.fixture
def cli(anyone):
    """main() as the administrator, logged in with DESK_PASSWORD."""
    return lambda *args: anyone("--user", "admin", *args, password=ADMIN_PASSWORD)


def _counts(sqlite_url: str) -> tuple[int, int, int, int]:
    """Dossiers, events, offices and staff rows, read straight from the file."""
    import sqlite3

    path = sqlite_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return tuple(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]  # type: ignore[return-value]
                     for t in ("dossier", "dossier_event", "office", "staff"))


def test_fresh_clone_init_and_receive(tmp_path):
    """The README's path: a new folder, `init`, then `receive` prints the code and due time."""
    env = {**os.environ, "DESK_DATA_DIR": str(tmp_path / "data"), "DESK_CONFIG_DIR": str(tmp_path / "cfg")}
    env.pop("DESK_DATABASE_URL", None)

    def run(*args):
        return subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", "sqlite:///office.db", *args],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    env["DESK_PASSWORD"] = ADMIN_PASSWORD
    init = run("init", "--office-code", "000.00.00.H00", "--office-name", "UBND xã Thử Nghiệm",
               "--parent", "UBND TỈNH THỬ NGHIỆM")
    assert init.returncode == 0, init.stderr
    assert "000.00.00.H00" in init.stdout
    assert "8 lĩnh vực và 37 thủ tục" in init.stdout and "ImportSummary" not in init.stdout  # read by a person
    got = run("--user", "admin", "receive", "--procedure", "1.004873", "--cccd", CCCD, "--phone", "0912345678",
              "--received-at", "2026-11-20T09:30")
    assert got.returncode == 0, got.stderr
    data = json.loads(got.stdout)
    assert data["code"] == "000.00.00.H00-261120-0001"
    assert data["due_at"] == "2026-11-26T17:00:00+07:00"  # 3 working days; 24/11 is a holiday
    assert data["applicant_name"] == "Nguyễn Văn An"
    assert (tmp_path / "office.db").exists()


def test_receive_advance_show(cli):
    code, out, _err = cli("receive", "--procedure", "2.000815", "--name", "Trần Thị Bình",
                          "--received-at", "2026-11-23T15:10")
    assert code == 0
    dossier = json.loads(out)
    assert dossier["due_at"] == "2026-11-25T17:00:00+07:00"  # after the 15:00 cut-off, 24/11 off
    code, out, _err = cli("advance", dossier["code"], "--to", "processing", "--at", "2026-11-23T15:20")
    assert code == 0 and json.loads(out)["status"] == "processing"
    code, out, _err = cli("show", dossier["code"])
    shown = json.loads(out)
    assert [h["to_status"] for h in shown["history"]] == ["received", "processing"]
    assert shown["history"][1]["actor"] == "Quản trị hệ thống"


def test_stop_records_the_case_and_reason(cli):
    _c, out, _e = cli("receive", "--procedure", "2.000815", "--name", "Lê Hoa", "--received-at", "2026-11-23T09:00")
    code_ = json.loads(out)["code"]
    code, out, err = cli("stop", code_, "--reason", "Không thể tiếp tục giải quyết", "--case", "cannot-continue",
                         "--at", "2026-11-23T10:00")
    assert code == 0, err
    assert json.loads(out)["status"] == "stopped"
    _c, out, _e = cli("show", code_)
    last = json.loads(out)["history"][-1]
    assert (last["action"], last["to_status"], last["note"]) == ("stop", "stopped", "Không thể tiếp tục giải quyết")
    assert last["data"] == {"case": "cannot_continue"}
    code, out, err = cli("stop", code_, "--reason", "Lần nữa")
    assert code == 2 and out == "" and "không thể chuyển" in err


def test_disallowed_transition_exit_2_one_line(cli):
    _c, out, _e = cli("receive", "--procedure", "2.000815", "--name", "Lê Hoa", "--received-at", "2026-11-23T09:00")
    code_ = json.loads(out)["code"]
    code, out, err = cli("advance", code_, "--to", "returned")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "không thể chuyển" in err
    _c, out, _e = cli("show", code_)
    assert json.loads(out)["status"] == "received"


def test_bad_input_messages(cli):
    code, _out, err = cli("receive", "--procedure", "NOPE", "--name", "A")
    assert code == 2 and "Không có thủ tục mã" in err
    code, _out, err = cli("show", "000.00.13.H42-261123-9999")
    assert code == 2 and "Không có hồ sơ" in err
    code, _out, err = cli("receive", "--procedure", "1.001193", "--cccd", "garbage|||")
    assert code == 2 and "căn cước" in err


def test_parse_cccd(cli):
    code, out, _err = cli("parse-cccd", CCCD)
    assert code == 0
    card = json.loads(out)
    assert card["full_name"] == "Nguyễn Văn An" and card["birth_date"] == "1990-03-15"
    code, out, err = cli("parse-cccd", "\x00\x01 hello")
    assert (code, out) == (2, "")  # the reason on stderr, one line, like every refusal; no JSON
    assert err.startswith("lỗi: ") and len(err.strip().splitlines()) == 1 and "căn cước" in err


def test_due_and_calendar(cli):
    code, out, _err = cli("due", "--procedure", "1.004873", "--received-at", "2026-12-03T10:00")
    assert (code, out.strip()) == (0, "2026-12-08T17:00:00+07:00")
    assert cli("calendar", "add-day-off", "2026-12-07", "--note", "Nghỉ bù")[0] == 0
    code, out, _err = cli("due", "--procedure", "1.004873", "--received-at", "2026-12-03T10:00")
    assert out.strip() == "2026-12-09T17:00:00+07:00"
    assert cli("calendar", "add-working-day", "2026-12-05")[0] == 0
    code, out, _err = cli("due", "--procedure", "1.004873", "--received-at", "2026-12-03T10:00")
    assert out.strip() == "2026-12-08T17:00:00+07:00"
    code, out, _err = cli("calendar", "list", "--year", "2026")
    assert "2026-12-07" in out and "2026-09-02" in out


def test_clerk_cannot_change_calendar(anyone):
    from desk.services.accounts import SYSTEM, create_staff

    create_staff("clerk1", "Phạm Văn Cường", "clerk", CLERK_PASSWORD, by=SYSTEM)
    code, _out, err = anyone("--user", "clerk1", "calendar", "add-day-off", "2026-12-07", password=CLERK_PASSWORD)
    assert code == 2 and "không có quyền" in err


def test_procedures_json_and_search(cli):
    code, out, _err = cli("procedures", "--json")
    assert code == 0 and len(json.loads(out)) >= 25
    code, out, _err = cli("procedures", "--search", "khai sinh")
    assert "Đăng ký khai sinh" in out


def test_procedures_say_the_time_as_the_law_states_it(cli):
    """Calendar-day procedures read "30 ngày", not "30 ngày làm việc" (D33); same-day ones their cut-off."""
    from desk.models import Procedure

    complaint = Procedure.select().where(Procedure.processing_days > 0).first()
    Procedure.update(day_unit="calendar", processing_days=30).where(Procedure.id == complaint.id).execute()
    code, out, _err = cli("procedures")
    line = next(row for row in out.splitlines() if row.startswith(complaint.code + " "))
    assert code == 0 and "30 ngày" in line and "ngày làm việc" not in line
    same_day = Procedure.get((Procedure.processing_days == 0) & (Procedure.cutoff == "15:00"))
    row = next(r for r in cli("procedures")[1].splitlines() if r.startswith(same_day.code + " "))
    assert "trong ngày" in row and "15:00" in row


def test_usage_errors_exit_2(cli, capsys):
    with pytest.raises(SystemExit) as exc:
        cli("advance")
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "lỗi" in err
    with pytest.raises(SystemExit) as exc:
        cli("receive", "--procedure", "1.001193", "--birth-date", "15/03/1990")
    assert exc.value.code == 2


def test_demo_generates_outcomes(cli):
    code, out, _err = cli("demo", "--dossiers", "3000", "--months", "3")
    assert code == 0
    stats = json.loads(out)
    assert stats["dossiers"] == 3000
    assert stats["by_status"]["returned"] > 0 and stats["by_status"]["refused"] > 0
    # intake continues the day's numbering after demo data
    today = datetime.now().strftime("%Y-%m-%dT%H:%M")
    code, out, _err = cli("receive", "--procedure", "1.001193", "--name", "Võ Thị Yến", "--received-at", today)
    assert code == 0


def test_slips_and_logbook(cli, tmp_path):
    from docx import Document

    _c, out, _e = cli("receive", "--procedure", "2.000815", "--name", "Hoàng Thị Lan", "--received-at",
                      "2026-11-23T09:00")
    code = json.loads(out)["code"]
    target = tmp_path / "receipt.docx"
    rc, out, err = cli("slip", code, "--form", "01", "--out", str(target))
    assert rc == 0, err
    text = "\n".join(p.text for p in Document(str(target)).paragraphs)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text and "Hoàng Thị Lan" in text
    rc, _out, err = cli("slip", code, "--form", "03", "--out", str(tmp_path / "refusal.docx"))
    assert rc == 2 and "chưa bị từ chối" in err
    rc, out, err = cli("logbook", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(tmp_path / "so.docx"))
    assert rc == 0 and (tmp_path / "so.docx").exists()
    rc, out, err = cli("slip", code, "--form", "05", "--out", str(tmp_path))
    assert rc == 0 and "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in "\n".join(
        p.text for p in Document(str(tmp_path / f"mau05_{code}.docx")).paragraphs)
    rc, out, err = cli("logbook", "--from", "2026-11-01", "--to", "2026-11-30", "--field", "XX", "--out",
                       str(tmp_path / "so-xx.docx"))
    assert rc == 2 and "XX" in err and not (tmp_path / "so-xx.docx").exists()


def test_slip_and_print_offer_the_same_forms():
    from desk.cli import SLIP_FORMS
    from desk.services.documents import FORMS

    assert tuple(FORMS) == SLIP_FORMS


def test_print_command_sends_a_real_job(cli, tmp_path, test_printer):
    """`print` writes the slip where the desk keeps slips, prints it, says which job; a refusal is one line."""
    from tests.conftest import printed_pdf

    name, folder = test_printer
    _c, out, _e = cli("receive", "--procedure", "2.000815", "--name", "Hoàng Thị Lan", "--received-at",
                      "2026-11-23T09:00")
    code = json.loads(out)["code"]
    rc, out, err = cli("print", code, "--printer", name, "--paper", "A5", "--json")
    assert rc == 0, err
    data = json.loads(out)
    assert data["printer"] == name and data["job_id"].startswith(f"{name}-") and data["pages"] == 1
    saved = Path(data["path"])
    assert saved.name == f"mau01_{code}.docx" and saved.parent.parent == Path(os.environ["DESK_DATA_DIR"]) / "slips"
    pdf = printed_pdf(folder, data["job_id"])
    shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    assert code in shown
    assert subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout.count("A5") == 1

    rc, out, err = cli("print", code, "--form", "06", "--printer", name, "--out", str(tmp_path))
    assert rc == 0, err
    assert out.startswith(f"Đã gửi tới máy in {name} (lệnh in {name}-") and "1 trang" in out
    assert (tmp_path / f"mau06_{code}.docx").exists()  # the control slip: Mẫu 06 since Circular 03/2025

    rc, out, err = cli("print", code, "--printer", "Máy-in-không-có", "--out", str(tmp_path / "kept.docx"))
    assert (rc, out) == (2, "")
    assert "Máy này không có máy in nào tên Máy-in-không-có" in _one_line(err) and "kept.docx" in err
    assert (tmp_path / "kept.docx").exists()  # the document stays, to open and print by hand


def test_print_paper_is_for_the_receipt_only(cli, tmp_path):
    _c, out, _e = cli("receive", "--procedure", "2.000815", "--name", "Hoàng Thị Lan", "--received-at",
                      "2026-11-23T09:00")
    code = json.loads(out)["code"]
    for command in ("print", "slip"):
        rc, out, err = cli(command, code, "--form", "05", "--paper", "A5", "--out", str(tmp_path))
        assert (rc, out) == (2, "") and "--paper chỉ dùng cho giấy tiếp nhận (mẫu 01)" in _one_line(err)
    assert list(tmp_path.glob("*.docx")) == []


def test_report_command(cli, tmp_path):
    from openpyxl import load_workbook

    _c, out, _e = cli("receive", "--procedure", "2.000815", "--name", "Hoàng Thị Lan", "--received-at",
                      "2026-10-05T09:00", "--channel", "online")
    target = tmp_path / "bao-cao.xlsx"
    rc, out, err = cli("report", "--period", "2026-10", "--out", str(target), "--json")
    assert rc == 0, err
    stats = json.loads(out[: out.rindex("}") + 1])
    assert stats["total"]["new_online"] == 1 and stats["total"]["received_total"] == 1
    assert stats["digitisation"]["total"]["received"] == 1  # issue 12: the digitisation figures too
    assert {row["field_code"] for row in stats["digitisation"]["rows"]} == {row["field_code"] for row in stats["rows"]}
    assert load_workbook(target).sheetnames == ["Tổng hợp", "Biểu đồ", "Chi tiết", "Quá hạn", "Mức độ hài lòng",
                                                "Bộ chỉ số 766", "Thời gian chờ"]
    assert stats["satisfaction"]["total"]["ratings"] == 0 and len(stats["scorecard"]["months"]) == 12
    assert stats["queue"] == {"from": "2026-10-01", "to": "2026-10-31", "fields": []}  # issue 14: no tickets
    rc, _out, err = cli("report", "--period", "2026-13", "--out", str(tmp_path / "x.xlsx"))
    assert rc == 2 and "2026-10" in err and not (tmp_path / "x.xlsx").exists()


def test_a_phone_rating_counts_once_in_the_reports_json(cli, sqlite_url, tmp_path):
    """Issue 13's "must show": a returned dossier's rating sent from the phone page again and again appears in
    the report's satisfaction figures once."""
    from desk.models import db as dbmod
    from desk.services.payload import make_payload
    from desk.services.ratings import rate, rating_form_for

    _c, out, _e = cli("receive", "--procedure", "2.000815", "--name", "Hoàng Thị Lan", "--received-at",
                      "2026-10-05T09:00")
    code = json.loads(out)["code"]
    for step, moment in (("processing", "2026-10-05T10:00"), ("resolved", "2026-10-05T11:00"),
                         ("returned", "2026-10-06T09:00")):
        rc, _out, err = cli("advance", code, "--to", step, "--at", moment)
        assert rc == 0, err
    db = dbmod.connect(sqlite_url, allow_new=False)
    try:
        clock = FixedClock(datetime(2026, 10, 6, 10, tzinfo=LOCAL_TZ))
        form = rating_form_for(make_payload(code), clock=clock)
        results = [rate(make_payload(code), form.token, "very_satisfied", "Nhanh", "phone", clock=clock)
                   for _i in range(3)]
    finally:
        db.close()
    assert [r.recorded for r in results] == [True, False, False]
    rc, out, err = cli("report", "--period", "2026-10", "--out", str(tmp_path / "r.xlsx"), "--json")
    assert rc == 0, err
    figures = json.loads(out[: out.rindex("}") + 1])["satisfaction"]
    assert figures["total"]["ratings"] == 1 and figures["total"]["very_satisfied"] == 1
    assert [(r["key"], r["ratings"]) for r in figures["by_clerk"]] == [("admin", 1)]
    assert json.loads(out[: out.rindex("}") + 1])["scorecard"]["months"][-1]["ratings"] == 1


# -- who acts (issue 9, item 6) ----------------------------------------------------------------------
def _staff(username: str, role: str, password: str = CLERK_PASSWORD, name: str = "Phạm Văn Cường"):
    from desk.services.accounts import SYSTEM, create_staff

    return create_staff(username, name, role, password, by=SYSTEM)


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_the_three_attacks_of_the_issue_are_refused(anyone, sqlite_url, tmp_path):
    """`--user nobody demo`, `backup` for an unknown user, `--user clerk1 init --office-code EVIL.01`."""
    _staff("clerk1", "clerk")
    before = _counts(sqlite_url)
    code, out, err = anyone("--user", "nobody", "demo", "--dossiers", "5", password="anything-at-all")
    assert (code, out) == (2, "") and "Sai tên đăng nhập hoặc mật khẩu" in _one_line(err)
    code, _out, err = anyone("--user", "clerk1", "demo", "--dossiers", "5", password=CLERK_PASSWORD)
    assert code == 2 and "không có quyền" in _one_line(err)
    for args in (("backup", "--out", str(tmp_path / "all-id-numbers.db")),
                 ("--user", "nobody", "backup", "--out", str(tmp_path / "all-id-numbers.db"))):
        code, out, err = anyone(*args, password="anything-at-all")
        assert (code, out) == (2, "") and _one_line(err)
    code, _out, err = anyone("--user", "clerk1", "backup", "--out", str(tmp_path / "all-id-numbers.db"),
                             password=CLERK_PASSWORD)
    assert code == 2 and "không có quyền" in _one_line(err)
    assert not (tmp_path / "all-id-numbers.db").exists()
    code, _out, err = anyone("--user", "clerk1", "init", "--office-code", "EVIL.01", password=CLERK_PASSWORD)
    assert code == 2 and "không có quyền" in _one_line(err)
    code, _out, err = anyone("--user", "admin", "init", "--office-code", "EVIL.01", password=ADMIN_PASSWORD)
    assert code == 2 and "000.00.13.H42" in _one_line(err)  # not even an admin makes a second office
    assert _counts(sqlite_url) == before


@pytest.mark.parametrize("args", [
    ("receive", "--procedure", "1.001193", "--name", "Võ Thị Yến"),
    ("advance", "000.00.13.H42-261123-0001", "--to", "processing"),
    ("apology", "000.00.13.H42-261123-0001", "--new-date", "2026-12-30T10:00", "--reason", "Chờ"),
    ("stop", "000.00.13.H42-261123-0001", "--reason", "Người nộp đề nghị dừng"),
    ("show", "000.00.13.H42-261123-0001"),
    ("slip", "000.00.13.H42-261123-0001", "--form", "01", "--out", "x.docx"),
    ("print", "000.00.13.H42-261123-0001", "--form", "01", "--printer", "DeskPDF"),
    ("logbook", "--from", "2026-11-01", "--to", "2026-11-30", "--out", "x.docx"),
    ("report", "--period", "2026-10", "--out", "x.xlsx"),
    ("calendar", "add-day-off", "2026-12-07"),
    ("calendar", "remove", "2026-12-07"),
    ("demo", "--dossiers", "5"),
    ("backup", "--out", "x.db"),
    ("migrate-to", "sqlite:///elsewhere.db"),
    ("init",),
])
def test_without_an_account_only_open_commands_run(anyone, sqlite_url, args, tmp_path, monkeypatch):
    """No --user (or a wrong password): one Vietnamese line, exit 2, nothing changed, no file."""
    monkeypatch.chdir(tmp_path)  # where the relative output files would appear
    before = _counts(sqlite_url)
    for extra, password in (((), ADMIN_PASSWORD), (("--user", "admin"), "sai-mat-khau")):
        code, out, err = anyone(*extra, *args, password=password)
        assert (code, out) == (2, "")
        assert "tài khoản cán bộ" in _one_line(err) or "Sai tên đăng nhập" in err
    assert _counts(sqlite_url) == before
    assert not list(tmp_path.glob("x.*")) and not (tmp_path / "elsewhere.db").exists()


def test_open_commands_need_no_account(anyone):
    assert anyone("procedures", "--search", "khai sinh")[0] == 0
    code, out, _err = anyone("due", "--procedure", "1.004873", "--received-at", "2026-12-03T10:00")
    assert (code, out.strip()) == (0, "2026-12-08T17:00:00+07:00")
    assert anyone("parse-cccd", CCCD)[0] == 0
    code, out, _err = anyone("calendar", "list", "--year", "2026")
    assert code == 0 and "2026-09-02" in out
    with pytest.raises(SystemExit) as done:
        anyone("--help")
    assert done.value.code == 0


def test_wrong_locked_inactive_and_borrowed_accounts(anyone, sqlite_url):
    from desk.services import accounts

    _staff("clerk1", "clerk")
    receive = ("receive", "--procedure", "1.001193", "--name", "Võ Thị Yến")
    before = _counts(sqlite_url)
    for _i in range(accounts.MAX_FAILED_LOGINS):
        code, _out, err = anyone("--user", "clerk1", *receive, password="sai-mat-khau")
        assert code == 2 and "Sai tên đăng nhập hoặc mật khẩu" in _one_line(err)
    code, _out, err = anyone("--user", "clerk1", *receive, password=CLERK_PASSWORD)  # the right one, too late
    assert code == 2 and "bị khóa" in _one_line(err)
    leader = _staff("lead1", "leader", name="Trần Văn Lâm")
    _staff("clerk2", "clerk", name="Lê Thị Cúc")
    accounts.update_staff("clerk2", active=False, by=leader)
    code, _out, err = anyone("--user", "clerk2", *receive, password=CLERK_PASSWORD)
    assert code == 2 and "Sai tên đăng nhập hoặc mật khẩu" in _one_line(err)  # inactive looks like unknown
    _staff("clerk3", "clerk", name="Đỗ Văn Ba")
    accounts.change_password(leader, "mat-khau-do-lanh-dao-dat", username="clerk3")  # the leader knows it now
    code, _out, err = anyone("--user", "clerk3", *receive, password="mat-khau-do-lanh-dao-dat")
    assert code == 2 and "người khác đặt" in _one_line(err)
    assert _counts(sqlite_url)[:3] == before[:3]  # no dossier, no event, no office


def test_the_audit_names_the_account_that_logged_in(anyone):
    _staff("clerk1", "clerk", name="Phạm Văn Cường")
    code, out, err = anyone("--user", "clerk1", "receive", "--procedure", "2.000815", "--name", "Trần Thị Bình",
                            "--received-at", "2026-11-23T09:10", password=CLERK_PASSWORD)
    assert code == 0, err
    dossier = json.loads(out)
    assert dossier["received_by"] == "Phạm Văn Cường"
    _staff("clerk2", "clerk", name="Lê Thị Cúc")
    assert anyone("--user", "clerk2", "advance", dossier["code"], "--to", "processing", "--at",
                  "2026-11-23T09:20", password=CLERK_PASSWORD)[0] == 0
    code, out, _err = anyone("--user", "clerk1", "show", dossier["code"], password=CLERK_PASSWORD)
    assert [h["actor"] for h in json.loads(out)["history"]] == ["Phạm Văn Cường", "Lê Thị Cúc"]


def test_init_on_a_new_database_sets_the_admin_password(sqlite_url, capsys, monkeypatch):
    from desk.models import db as dbmod
    from desk.services import accounts
    from desk.services.setup import needs_setup

    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    monkeypatch.delenv("DESK_PASSWORD", raising=False)
    assert main(["--db", sqlite_url, "init"]) == 2  # no terminal, no DESK_PASSWORD: no random password
    assert "DESK_PASSWORD" in _one_line(capsys.readouterr().err)
    monkeypatch.setenv("DESK_PASSWORD", "ngan")
    assert main(["--db", sqlite_url, "init"]) == 2
    assert "8 ký tự" in _one_line(capsys.readouterr().err)
    assert main(["--db", sqlite_url, "--user", "lan", "init"]) == 2
    assert needs_setup()
    monkeypatch.setenv("DESK_PASSWORD", ADMIN_PASSWORD)
    assert main(["--db", sqlite_url, "init"]) == 0
    assert "admin" in capsys.readouterr().out
    assert not accounts.first_start_pending() and not accounts.needs_new_password(accounts.login("admin",
                                                                                                ADMIN_PASSWORD))
    dbmod.close()
    monkeypatch.setenv("DESK_PASSWORD", "sai-mat-khau")  # init again: now an administrator must log in
    assert main(["--db", sqlite_url, "--user", "admin", "init"]) == 2
    assert "Sai tên đăng nhập" in _one_line(capsys.readouterr().err)
    monkeypatch.setenv("DESK_PASSWORD", ADMIN_PASSWORD)
    assert main(["--db", sqlite_url, "init"]) == 2  # an existing database: --user is needed
    assert main(["--db", sqlite_url, "--user", "admin", "init"]) == 0


def test_demo_refuses_a_database_with_real_dossiers(cli, sqlite_url):
    assert cli("demo", "--dossiers", "20", "--months", "1")[0] == 0  # a database made for trying
    code, out, _err = cli("receive", "--procedure", "1.001193", "--name", "Võ Thị Yến")
    assert code == 0
    before = _counts(sqlite_url)
    code, _out, err = cli("demo", "--dossiers", "20")
    assert code == 2 and "1 hồ sơ thật" in _one_line(err)
    assert _counts(sqlite_url) == before


def test_restore_needs_an_admin_of_the_live_database(anyone, sqlite_url, tmp_path, monkeypatch):
    from desk.models import db as dbmod

    _staff("clerk1", "clerk")
    saved = tmp_path / "saved.db"
    assert anyone("--user", "admin", "backup", "--out", str(saved), password=ADMIN_PASSWORD)[0] == 0
    dbmod.close()
    live = Path(sqlite_url.removeprefix("sqlite:///"))

    def register_rows() -> list:  # a refused login may count a failure; the register itself must not change
        import sqlite3

        with sqlite3.connect(live) as conn:
            return [conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("dossier", "dossier_event")]

    before = register_rows()
    for args, password in (((), ADMIN_PASSWORD), (("--user", "clerk1"), CLERK_PASSWORD),
                           (("--user", "admin"), "sai-mat-khau")):
        code, _out, err = anyone(*args, "restore", str(saved), "--yes", password=password)
        assert code == 2 and _one_line(err)
    assert register_rows() == before and not list(tmp_path.glob("*.before-restore-*"))
    code, _out, err = anyone("--user", "admin", "restore", str(saved), "--yes", password=ADMIN_PASSWORD)
    assert code == 0, err
    fresh = tmp_path / "new-office.db"  # a target without accounts has nothing to protect
    code, _out, err = anyone("restore", str(saved), "--yes", password="")
    assert code == 2  # the live one still has accounts
    monkeypatch.delenv("DESK_PASSWORD", raising=False)
    assert main(["--db", f"sqlite:///{fresh}", "restore", str(saved), "--yes"]) == 0
    assert fresh.exists()


# -- a real terminal: the password is asked for, not echoed -------------------------------------------
def _on_terminal(args: list[str], answers: list[tuple[str, str]], cwd: Path, env: dict) -> tuple[int, str]:
    """Run main.py on a pseudo-terminal; answer each prompt (a substring) with its text. (exit code, screen)."""
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: main.py with the pty as its controlling terminal
        os.chdir(cwd)
        os.execve(sys.executable, [sys.executable, str(ROOT / "main.py"), *args], env)
    screen, pending, deadline = b"", list(answers), time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            screen += chunk
        if pending and pending[0][0].encode() in screen.rsplit(b"\n", 1)[-1]:
            os.write(fd, pending.pop(0)[1].encode() + b"\n")
            screen += b"\n"
    _pid, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), screen.decode(errors="replace")


def test_passwords_are_asked_on_the_terminal_without_echo(tmp_path):
    env = {**os.environ, "DESK_DATA_DIR": str(tmp_path / "data"), "DESK_CONFIG_DIR": str(tmp_path / "cfg"),
           "DESK_LANG": "vi", "PYTHONPATH": str(ROOT)}
    for name in ("DESK_DATABASE_URL", "DESK_PASSWORD"):
        env.pop(name, None)
    db = ["--db", "sqlite:///office.db"]
    code, screen = _on_terminal([*db, "init", "--no-catalog"], [("ít nhất 8 ký tự", "mat-khau-quan-tri"),
                                                                ("Nhập lại", "mat-khau-khac-han")], tmp_path, env)
    assert code == 2 and "hai mật khẩu" in screen.lower() and "mat-khau" not in screen
    code, screen = _on_terminal([*db, "init"], [("ít nhất 8 ký tự", "mat-khau-quan-tri"),
                                                ("Nhập lại", "mat-khau-quan-tri")], tmp_path, env)
    assert code == 0, screen
    assert "mat-khau-quan-tri" not in screen and "Tài khoản quản trị: admin" in screen
    assert "Cơ quan chưa được thiết lập" in screen  # init without an identity says what is missing
    receive = [*db, "--user", "admin", "receive", "--procedure", "1.001193", "--name", "Võ Thị Yến"]
    code, screen = _on_terminal(receive, [("Mật khẩu của admin", "mat-khau-quan-tri")], tmp_path, env)
    assert code == 2 and "office set --code" in screen and "Cài đặt → Cơ quan" in screen
    code, screen = _on_terminal([*db, "--user", "admin", "office", "set", "--code", "000.00.13.H42", "--name",
                                 "UBND phường Trần Phú"], [("Mật khẩu của admin", "mat-khau-quan-tri")], tmp_path, env)
    assert code == 0 and "Trạng thái: đã thiết lập" in screen, screen
    code, screen = _on_terminal(receive, [("Mật khẩu của admin", "mat-khau-quan-tri")], tmp_path, env)
    assert code == 0, screen
    assert "mat-khau-quan-tri" not in screen and '"applicant_name": "Võ Thị Yến"' in screen
    code, screen = _on_terminal([*db, "--user", "admin", "show", "000.00.13.H42-000000-0001"],
                                [("Mật khẩu của admin", "doan-sai-roi")], tmp_path, env)
    assert code == 2 and "Sai tên đăng nhập hoặc mật khẩu" in screen and "doan-sai-roi" not in screen


def test_init_finishes_a_first_start_the_program_began(sqlite_url, capsys, monkeypatch):
    """The window set the office up but nobody chose the admin password yet: init chooses it (no --user)."""
    from desk.models import db as dbmod
    from desk.services import accounts
    from desk.services.setup import initialize

    dbmod.connect(sqlite_url)
    initialize(actor=None, load_catalog=False)  # what the program's first start does
    assert accounts.first_start_pending()
    dbmod.close()
    monkeypatch.setenv("DESK_PASSWORD", ADMIN_PASSWORD)
    assert main(["--db", sqlite_url, "init", "--no-catalog"]) == 0, capsys.readouterr()
    assert not accounts.first_start_pending()
    assert accounts.login("admin", ADMIN_PASSWORD).role == "admin"


# -- issue 9, items 8-10: bad input is one Vietnamese line, exit 2, nothing changed ----------------------
def _one_line_error(err: str) -> None:
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(("lỗi: ", "main.py")), err


def _row_counts() -> tuple[int, int, int]:
    from desk.models import CalendarDay, Dossier, DossierEvent

    return Dossier.select().count(), DossierEvent.select().count(), CalendarDay.select().count()


@pytest.mark.parametrize("args", [
    ("receive", "--procedure", "2.000815", "--name", "Lê Hoa", "--received-at", "0001-01-01T00:00"),
    ("receive", "--procedure", "2.000815", "--name", "Lê Hoa", "--received-at", "1926-11-23T09:00"),
    ("receive", "--procedure", "2.000815", "--name", "Lê Hoa", "--birth-date", "1899-12-31"),
    ("receive", "--procedure", "2.000815", "--name", "Lê Hoa", "--point", "9" * 20),
    ("receive", "--procedure", "2.000815", "--name", "Lê Hoa", "--address", "x" * 1_000_000),
    ("receive", "--procedure", "2.000815", "--name", "Lê Hoa", "--sets", "9" * 30),
    ("receive", "--procedure", "2.000815", "--name", "🙂"),
    ("receive", "--procedure", "2.000815", "--name", "Lê\u202eHoa"),
    ("due", "--procedure", "1.004873", "--received-at", "9999-12-31T09:00"),
    ("logbook", "--from", "9999-12-01", "--to", "9999-12-31", "--out", "so.docx"),
    ("calendar", "add-day-off", "9999-12-31"),
    ("calendar", "add-day-off", "1999-12-31"),
    ("demo", "--months", "100000", "--dossiers", "5"),
])
def test_out_of_range_input_is_one_line_exit_2(cli, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = _row_counts()
    code, out, err = cli(*args)
    assert (code, out) == (2, ""), err
    _one_line_error(err)
    assert _row_counts() == before
    assert not (tmp_path / "so.docx").exists()


def test_apology_date_in_year_9999(cli):
    _c, out, _e = cli("receive", "--procedure", "2.000815", "--name", "Lê Hoa", "--received-at", "2026-11-23T09:00")
    code_ = json.loads(out)["code"]
    before = _row_counts()
    code, out, err = cli("apology", code_, "--new-date", "9999-12-31", "--reason", "Chờ")
    assert (code, out) == (2, "") and "31/12/2100" in err
    _one_line_error(err)
    assert _row_counts() == before


def test_argparse_speaks_vietnamese(cli, capsys):
    for args, wanted in ((("advance",), "thiếu các đối số bắt buộc: code, --to"),
                         (("receive", "--procedure", "x", "--channel", "fax"), "lựa chọn không hợp lệ: 'fax'"),
                         (("bogus",), "lựa chọn không hợp lệ: 'bogus'"),
                         (("receive", "--procedure", "x", "--extra"), "đối số không nhận ra: --extra"),
                         (("receive", "--procedure"), "cần đúng một giá trị"),
                         (("receive", "--procedure", "x", "--sets", "ba"), "không phải số nguyên: ba"),
                         (("kiosk", "--timeout", "nan"), "số giây từ 1 đến 3600")):
        with pytest.raises(SystemExit) as exc:
            cli(*args)
        err = capsys.readouterr().err
        assert exc.value.code == 2 and wanted in err, err
        _one_line_error(err)
    with pytest.raises(SystemExit) as exc:
        cli("receive", "--help")
    help_text = capsys.readouterr().out
    assert exc.value.code == 0
    assert help_text.startswith("cách dùng: main.py receive") and "\ntùy chọn:\n" in help_text
    assert "hiện trợ giúp này rồi thoát" in help_text
    for english in ("usage:", "options:", "positional arguments", "show this help message"):
        assert english not in help_text
    with pytest.raises(SystemExit):
        cli("--help")
    assert "\nđối số vị trí:\n" in capsys.readouterr().out


def test_argparse_follows_lang_en(cli, capsys):
    with pytest.raises(SystemExit):
        cli("--lang", "en", "advance")
    assert "the following arguments are required: code, --to" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["slip", "print", "logbook", "report", "backup"])
def test_out_into_a_missing_folder_is_refused_not_created(cli, tmp_path, command):
    _c, out, _e = cli("receive", "--procedure", "2.000815", "--name", "Hoàng Thị Lan", "--received-at",
                      "2026-11-23T09:00")
    code_ = json.loads(out)["code"]
    args = {"slip": ("slip", code_), "print": ("print", code_, "--printer", "Máy-in-không-có"), "logbook": ("logbook", "--from", "2026-11-01", "--to", "2026-11-30"),
            "report": ("report", "--period", "2026-11"), "backup": ("backup",)}[command]
    for target in (tmp_path / "no" / "such" / "out.docx", tmp_path / "missing" / "", tmp_path / ("a" * 300)):
        text = str(target) + ("/" if target.name == "missing" else "")
        code, out, err = cli(*args, "--out", text)
        assert (code, out) == (2, ""), err
        _one_line_error(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["desk.db", "desk.db-shm", "desk.db-wal"]


def test_a_300_character_file_name_is_a_clear_refusal(cli, tmp_path):
    code, _out, err = cli("logbook", "--from", "2026-11-01", "--to", "2026-11-30", "--out",
                          str(tmp_path / ("s" * 300 + ".docx")))
    assert code == 2 and "Tên tệp quá dài" in err
    code, _out, err = cli("logbook", "--from", "2026-11-01", "--to", "2026-11-30", "--out",
                          str(tmp_path / ("s" * 300) / "so.docx"))
    assert code == 2 and "quá dài" in err


def _subprocess(url: str, *args: str, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "DESK_PASSWORD": ADMIN_PASSWORD}  # the administrator the fixtures made logs in
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", url, "--user", "admin", *args], text=True,
                          timeout=120, env=env, **{"capture_output": True, **kw})


def test_logbook_to_a_full_disk_is_one_message_and_no_stray_traceback(cli, sqlite_url, small_disk):
    from tests.conftest import fill_disk

    for i in range(30):
        cli("receive", "--procedure", "2.000815", "--name", f"Hoàng Thị {'Lan' * (i % 3 + 1)}",
            "--received-at", f"2026-11-{i % 20 + 1:02d}T09:00")
    disk = small_disk(256)
    fill_disk(disk, leave_bytes=8 * 1024)
    done = _subprocess(sqlite_url, "logbook", "--from", "2026-11-01", "--to", "2026-11-30",
                       "--out", str(disk / "so.docx"))
    assert done.returncode == 2 and done.stdout == ""
    assert "đầy" in done.stderr or "No space" in done.stderr or "Không ghi được" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr  # was: the message, then a ZipFile traceback
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert sorted(p.name for p in disk.iterdir()) == ["filler.bin"]


def test_receive_into_a_closed_pipe_saves_and_exits_quietly(cli, sqlite_url):
    """`receive … | head -1`: the reader is gone before we write. The dossier is saved, no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = _subprocess(sqlite_url, "receive", "--procedure", "2.000815", "--name", "Đinh Thị Ống",
                           "--received-at", "2026-11-23T09:00", stdout=write_end, stderr=subprocess.PIPE,
                           capture_output=False)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, "")  # exit 0: it was saved; a retry would register it twice
    code, out, _err = cli("show", "000.00.13.H42-261123-0001")
    assert code == 0 and json.loads(out)["applicant_name"] == "Đinh Thị Ống"


def test_help_and_listings_into_a_closed_pipe_end_quietly(cli, sqlite_url):
    for args in (("--help",), ("procedures",), ("calendar", "list", "--year", "2026")):
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            done = _subprocess(sqlite_url, *args, stdout=write_end, stderr=subprocess.PIPE, capture_output=False)
        finally:
            os.close(write_end)
        assert (done.returncode, done.stderr) == (0, ""), (args, done.stderr)


# -- issue 10: the office sets itself up (D27) ------------------------------------------------------
@pytest.fixture
def bare(sqlite_url, capsys, monkeypatch):
    """main() on a database that init made without an identity: the office is not set up."""
    monkeypatch.setenv("DESK_PASSWORD", ADMIN_PASSWORD)
    assert main(["--db", sqlite_url, "init"]) == 0
    out = capsys.readouterr().out
    assert "Cơ quan chưa được thiết lập" in out and "office set" in out

    def run(user: str, *args: str, password: str = ADMIN_PASSWORD) -> tuple[int, str, str]:
        monkeypatch.setenv("DESK_PASSWORD", password)
        code = main(["--db", sqlite_url, "--user", user, *args])
        got = capsys.readouterr()
        return code, got.out, got.err
    return run


def test_office_set_up_on_the_command_line(bare, sqlite_url, tmp_path):
    from docx import Document

    _staff("clerk1", "clerk")
    code, out, _err = bare("admin", "office", "show", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["set_up"] is False and shown["code"] == "" and shown["points"] == []
    assert "000.00.13.H42" not in out and "Trần Phú" not in out  # the sample ward is nobody's default
    before = _counts(sqlite_url)
    code, _out, err = bare("admin", "receive", "--procedure", "1.001193", "--name", "Võ Thị Yến")
    assert code == 2 and "office set --code" in _one_line(err) and "Cài đặt → Cơ quan" in err
    code, out, _err = bare("clerk1", "office", "show", password=CLERK_PASSWORD)  # a clerk may read
    assert code == 0 and "CHƯA THIẾT LẬP" in out
    code, _out, err = bare("clerk1", "office", "set", "--code", "000.00.00.H00", "--name", "UBND xã Thử",
                           password=CLERK_PASSWORD)
    assert code == 2 and "không có quyền" in _one_line(err)
    code, _out, err = bare("admin", "office", "set", "--name", "UBND xã Thử")
    assert code == 2 and "--code" in _one_line(err)  # not set up: code and name are both required
    for bad in ("000.00.00 H00", "000.00.00.H00!", "." + "1" * 20, "1" * 36, "000..00"):
        code, _out, err = bare("admin", "office", "set", "--code", bad, "--name", "UBND xã Thử")
        assert code == 2 and "35" in _one_line(err), (bad, err)
    assert _counts(sqlite_url) == before and json.loads(bare("admin", "office", "show", "--json")[1])[
        "set_up"] is False  # nothing changed by a refusal
    code, out, err = bare("admin", "office", "set", "--code", "000.00.00.h00", "--name", "UBND  xã Thử",
                          "--phone", "0239 3855 555")
    assert code == 0 and "Trạng thái: đã thiết lập" in out, err
    shown = json.loads(bare("admin", "office", "show", "--json")[1])
    assert (shown["code"], shown["name"], shown["parent_name"], shown["set_up"]) == (
        "000.00.00.H00", "UBND xã Thử", "", True)
    assert [p["name"] for p in shown["points"]] == ["Bộ phận Một cửa UBND xã Thử"]  # one main point
    code, out, err = bare("admin", "receive", "--procedure", "1.001193", "--name", "Võ Thị Yến",
                          "--received-at", "2026-11-23T09:00")
    assert code == 0, err
    dossier = json.loads(out)["code"]
    assert dossier == "000.00.00.H00-261123-0001"
    slip = tmp_path / "mau01.docx"
    assert bare("clerk1", "slip", dossier, "--form", "01", "--out", str(slip), password=CLERK_PASSWORD)[0] == 0
    header = Document(str(slip)).tables[0].cell(0, 0).paragraphs
    # no superior authority: the office stands alone at the top, no empty line above it
    assert [p.text for p in header[:2]] == ["UBND XÃ THỬ", "BỘ PHẬN TIẾP NHẬN\nVÀ TRẢ KẾT QUẢ"]
    assert "DỮ LIỆU MẪU" not in "\n".join(p.text for p in Document(str(slip)).paragraphs)
    # a leader changes one field later; the rest stays
    _staff("lead1", "leader")
    code, _out, err = bare("lead1", "office", "set", "--parent", "UBND TỈNH THỬ", password=CLERK_PASSWORD)
    assert code == 0, err
    shown = json.loads(bare("clerk1", "office", "show", "--json", password=CLERK_PASSWORD)[1])
    assert (shown["code"], shown["parent_name"]) == ("000.00.00.H00", "UBND TỈNH THỬ")


def test_init_sets_the_office_up_in_one_step(sqlite_url, capsys, monkeypatch):
    monkeypatch.setenv("DESK_PASSWORD", ADMIN_PASSWORD)
    assert main(["--db", sqlite_url, "init", "--no-catalog", "--office-code", "1" * 36, "--office-name", "X"]) == 2
    assert "35" in _one_line(capsys.readouterr().err)
    assert main(["--db", sqlite_url, "init", "--no-catalog", "--office-code", "000.00.00.H00"]) == 2
    assert "tên cơ quan" in _one_line(capsys.readouterr().err).lower()
    assert main(["--db", sqlite_url, "init", "--no-catalog", "--office-code", "000.00.00.H00", "--office-name",
                 "UBND xã Thử", "--parent", "UBND TỈNH THỬ"]) == 0
    assert "000.00.00.H00" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "--user", "admin", "office", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["set_up"] and shown["parent_name"] == "UBND TỈNH THỬ" and len(shown["points"]) == 1
    # init again with the same identity is fine; another one is office set's job
    assert main(["--db", sqlite_url, "--user", "admin", "init", "--no-catalog", "--office-code", "000.00.00.H00",
                 "--office-name", "UBND xã Thử"]) == 0
    capsys.readouterr()
    assert main(["--db", sqlite_url, "--user", "admin", "init", "--no-catalog", "--office-code", "000.00.00.H01",
                 "--office-name", "UBND xã Khác"]) == 2
    assert "office set" in _one_line(capsys.readouterr().err)


def test_attach_and_show_list_the_files(cli, tmp_path):
    import hashlib

    _c, out, _e = cli("receive", "--procedure", "2.000815", "--name", "Lê Văn Tám", "--received-at", "2026-11-23T09:00")
    dossier = json.loads(out)
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    code, out, err = cli("attach", dossier["code"], str(scan), "--component", "1")
    assert code == 0, err
    attached = json.loads(out)
    assert (attached["file_name"], attached["component"], attached["size"]) == ("to-khai.pdf", 1, 15)
    photo = tmp_path / "ket-qua.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 10)
    assert cli("attach", dossier["code"], str(photo), "--result")[0] == 0
    code, out, _e = cli("show", dossier["code"])
    shown = json.loads(out)
    assert [(a["file_name"], a["component"], a["size"], a["sha256"]) for a in shown["attachments"]] == [
        ("to-khai.pdf", 1, 15, hashlib.sha256(scan.read_bytes()).hexdigest()),
        ("ket-qua.png", None, 18, hashlib.sha256(photo.read_bytes()).hexdigest())]
    assert [h["action"] for h in shown["history"]][-2:] == ["attach", "attach"]


def test_attach_refusals_are_one_line(cli, tmp_path):
    _c, out, _e = cli("receive", "--procedure", "2.000815", "--name", "Lê Văn Tám", "--received-at", "2026-11-23T09:00")
    code_ = json.loads(out)["code"]
    fake = tmp_path / "anh.pdf"
    fake.write_bytes(b"GIF89a....")
    code, out, err = cli("attach", code_, str(fake), "--component", "1")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "PDF, JPEG và PNG" in err
    for wrong in ((), ("--component", "1", "--result")):  # neither --component nor --result, or both
        with pytest.raises(SystemExit) as exited:
            cli("attach", code_, str(fake), *wrong)
        assert exited.value.code == 2
    assert json.loads(cli("show", code_)[1])["attachments"] == []


# -- issue 13: the office's public look-up address and the slip's QR link (D48) ----------------------
def test_office_set_lookup_url_puts_the_link_in_the_slip_qr(bare, sqlite_url, tmp_path):
    import zipfile

    import cv2
    import numpy as np

    from desk.hardware.decoder import decode_image
    from desk.services.payload import make_payload

    code, _out, err = bare("admin", "office", "set", "--code", "000.00.00.H00", "--name", "UBND xã Thử")
    assert code == 0, err
    before = _counts(sqlite_url)
    for bad, says in (("http://tracuu.example.vn", "https://"), ("https://tracuu.vn/?a=1", "?"),
                      ("tracuu.vn", "địa chỉ web")):
        code, _out, err = bare("admin", "office", "set", "--lookup-url", bad)
        assert code == 2 and says in _one_line(err), (bad, err)
    assert json.loads(bare("admin", "office", "show", "--json")[1])["lookup_url"] == ""
    code, out, err = bare("admin", "office", "set", "--lookup-url", "https://TraCuu.example.vn/")
    assert code == 0 and "Địa chỉ tra cứu công khai: https://tracuu.example.vn" in out, err
    assert _counts(sqlite_url) == before  # the address is the office row's, no other row changed
    code, out, err = bare("admin", "receive", "--procedure", "1.001193", "--name", "Võ Thị Yến",
                          "--received-at", "2026-11-23T09:00")
    dossier = json.loads(out)["code"]
    slip = tmp_path / "mau01.docx"
    assert bare("admin", "slip", dossier, "--form", "01", "--out", str(slip))[0] == 0
    with zipfile.ZipFile(slip) as z:
        blobs = [z.read(n) for n in sorted(z.namelist()) if n.startswith("word/media/")]
    found = [d for b in blobs for d in decode_image(cv2.imdecode(np.frombuffer(b, np.uint8), cv2.IMREAD_GRAYSCALE),
                                                    thorough=True)]
    payload = make_payload(dossier)
    assert [d.text for d in found if d.kind == "QRCODE"] == [f"https://tracuu.example.vn/h/{payload}"]
    assert [d.text for d in found if d.kind == "CODE128"] == [payload]  # the barcode stays short
    code, out, _err = bare("admin", "office", "set", "--lookup-url", "")
    assert code == 0 and json.loads(bare("admin", "office", "show", "--json")[1])["lookup_url"] == ""


def test_lookup_server_refuses_a_missing_database_and_a_bad_port(tmp_path, capsys):
    for port in ("0", "70000", "tám"):
        with pytest.raises(SystemExit):
            main(["lookup-server", "--port", port])
        assert "--port" in capsys.readouterr().err
    for count in ("-1", "11", "một"):
        with pytest.raises(SystemExit):
            main(["lookup-server", "--trusted-proxy", count])
        assert "--trusted-proxy" in capsys.readouterr().err
    assert main(["--db", f"sqlite:///{tmp_path / 'none.db'}", "lookup-server"]) == 2
    assert "init" in capsys.readouterr().err and not (tmp_path / "none.db").exists()
