"""`queue` on the command line (D50), on both engines: 8 processes taking 25 tickets each at once get 200
distinct numbers 1-200; the first two calls return 1 and 2; the next ticket is 201; the next day starts at 1."""

from __future__ import annotations

import contextlib
import io
import json
import multiprocessing
from datetime import datetime, timedelta

import pytest

from desk.cli import main
from desk.models import db as dbmod
from desk.services import clock as clockmod
from desk.services.clock import LOCAL_TZ, FixedClock

ADMIN_PASSWORD = "mat-khau-quan-tri"
IDENTITY = ("--office-code", "000.00.13.H42", "--office-name", "UBND phường Trần Phú", "--parent", "UBND TỈNH HÀ TĨNH")
PROCESSES, EACH = 8, 25


def _take_many(url: str, start, results) -> None:
    """One kiosk process: wait for the others, then take EACH tickets through the command line."""
    numbers = []
    start.wait(timeout=120)
    for _ in range(EACH):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["--db", url, "queue", "take", "--field", "HT"])
        dbmod.close()  # as the command's own process would at its end (main() leaves the connection open)
        assert code == 0
        numbers.append(json.loads(out.getvalue())["number"])
    results.put(numbers)


@pytest.fixture
def run(any_url, capsys, monkeypatch):
    monkeypatch.setenv("DESK_PASSWORD", ADMIN_PASSWORD)

    def run(*args: str) -> tuple[int, dict | None, str]:
        code = main(["--db", any_url, *args])
        out, err = capsys.readouterr()
        return code, json.loads(out) if out.strip().startswith("{") else None, err

    code, _data, err = run("init", *IDENTITY)
    assert code == 0, err
    dbmod.close()
    return run


def test_eight_kiosks_at_once_then_calls_and_the_next_day(any_url, run, monkeypatch):
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters, as eight kiosks would be
    start, results = spawn.Barrier(PROCESSES), spawn.Queue()
    workers = [spawn.Process(target=_take_many, args=(any_url, start, results)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    numbers = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    taken = sorted(n for batch in numbers for n in batch)
    assert taken == list(range(1, PROCESSES * EACH + 1))  # 200 distinct numbers, no gap
    assert all(batch == sorted(batch) for batch in numbers)  # each kiosk's own tickets in order

    for counter, expected in ((1, 1), (2, 2)):
        code, data, err = run("--user", "admin", "queue", "call", "--counter", str(counter))
        assert code == 0, err
        assert (data["number"], data["counter"], data["state"]) == (expected, counter, "called")
    code, data, err = run("queue", "take", "--field", "HT")
    assert (code, data["number"], data["waiting_before"]) == (0, 201, 198), err
    code, data, err = run("queue", "status", "--json")
    assert [(t["counter"], t["number"]) for t in data["serving"]] == [(1, 1), (2, 2)]
    assert {w["field"]: w["waiting"] for w in data["waiting"]}["HT"] == 199 and data["last_number"] == 201
    code, data, err = run("--user", "admin", "queue", "recall", "--counter", "2")
    assert (code, data["number"], data["calls"]) == (0, 2, 2), err
    code, data, err = run("--user", "admin", "queue", "skip", "--counter", "2")
    assert (code, data["number"], data["state"]) == (0, 2, "skipped"), err

    tomorrow = datetime.now(LOCAL_TZ).replace(hour=8, minute=0) + timedelta(days=1)

    class Tomorrow(FixedClock):  # the command's one clock (cli._run makes it), set to the next morning
        def __init__(self) -> None:
            super().__init__(tomorrow)

    monkeypatch.setattr(clockmod, "Clock", Tomorrow)
    code, data, err = run("queue", "take", "--field", "CT")
    assert (code, data["number"], data["day"]) == (0, 1, tomorrow.date().isoformat()), err


def test_bad_input_is_one_line_and_calls_need_a_clerk(run):
    code, data, err = run("queue", "take", "--field", "XX")
    assert code == 2 and data is None and len(err.strip().splitlines()) == 1 and "XX" in err
    code, data, err = run("queue", "call", "--counter", "1")  # no --user: a staff account is needed
    assert code == 2 and data is None and "tài khoản" in err
    code, data, err = run("--user", "admin", "queue", "recall", "--counter", "1")
    assert code == 2 and data is None and "1" in err
    code, data, err = run("--user", "admin", "queue", "call", "--counter", "1")
    assert (code, data["number"]) == (0, None)


@pytest.mark.parametrize(("paper", "size_mm"), [("80mm", (80, 110)), ("A6", (105, 148))])
def test_take_print_sends_the_ticket_page_to_a_real_printer(run, test_printer, paper, size_mm):
    """`queue take --print`: the ticket's page through the slips' print path, on its own small paper."""
    import re
    import subprocess
    from pathlib import Path

    from tests.conftest import printed_pdf

    name, folder = test_printer
    run("queue", "take", "--field", "HT")
    code, data, err = run("queue", "take", "--field", "CT", "--print", "--printer", name, "--paper", paper)
    assert code == 0, err
    assert data["number"] == 2 and data["printed"]["job_id"].startswith(f"{name}-") and data["printed"]["pages"] == 1
    assert Path(data["printed"]["path"]).name.endswith("_002.docx")
    pdf = printed_pdf(Path(folder), data["printed"]["job_id"])
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60)
                    .stdout.split())
    # Qt's PDF subsets its fonts without a text map for most Vietnamese letters: read what poppler can
    taken = datetime.fromisoformat(data["taken_at"]).astimezone(LOCAL_TZ)
    assert "002" in text and f"{taken:%H:%M}, ngày {taken:%d/%m/%Y}" in text
    assert "trước: 0" in text  # the HT ticket waits in another group
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60).stdout
    points = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert points, info
    got = sorted(round(float(v) / 72 * 25.4) for v in points.groups())
    assert got == sorted(size_mm)
    code, data, err = run("queue", "take", "--field", "CT", "--print", "--printer", "Máy-in-không-có")
    assert code == 2 and data["number"] == 3 and "Máy-in-không-có" in err  # the number stands, said once


def test_groups_and_counters_from_the_command_line(run):
    code, data, err = run("--user", "admin", "queue", "group", "--code", "HT", "--name", "Hộ tịch", "--field", "HT",
                          "--prefix", "HT")
    assert (code, data["prefix"], data["fields"]) == (0, "HT", ["HT"]), err
    code, data, err = run("--user", "admin", "queue", "counter", "--counter", "4", "--group", "HT")
    assert (code, data) == (0, {"counter": 4, "groups": ["HT"]}), err
    code, data, err = run("queue", "take", "--field", "HT")
    assert data["label"] == "HT-001"
    code, data, err = run("queue", "take", "--field", "CT")  # only the configured groups have buttons now
    assert code == 2 and "HT" in err
    code, data, err = run("queue", "group", "--code", "CT", "--name", "Chứng thực", "--field", "CT")
    assert code == 2 and data is None  # a leader's work: no account, nothing changed


def test_figures_as_json_and_as_a_sheet(run, tmp_path):
    run("queue", "take", "--field", "HT")
    run("--user", "admin", "queue", "call", "--counter", "1")
    today = datetime.now(LOCAL_TZ).date().isoformat()
    out = tmp_path / "cho.xlsx"
    code, data, err = run("--user", "admin", "queue", "figures", "--from", today, "--to", today, "--out", str(out))
    assert code == 0, err
    assert [(f["field"], f["tickets"], f["served"]) for f in data["figures"]] == [("HT", 1, 1)]
    assert data["path"] == str(out) and out.stat().st_size > 0
    code, data, err = run("queue", "figures", "--from", today, "--to", today)
    assert code == 2 and data is None
