"""Several desks on one database: each desk is its own long-running process with its own connection.

- Optimistic concurrency: desks A and B both open dossier X (version v); A moves it; B's move with
  expected_version=v is refused with "changed by <A's name> at <time>", and nothing of A's is lost.
- Concurrent registering and advancing from two desks: no duplicate or missing codes, the day's
  numbers have no gaps, every dossier has its audit events.
- Changes made at one desk are seen at the other without restarting it (changes.latest_change, the
  cheap query the dossier list and dashboard poll and compare with the mark they last saw).

Runs on SQLite (one file, WAL) and on PostgreSQL (a schema per test; marked ``postgres``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desk.models import Dossier, DossierEvent
from desk.services.accounts import SYSTEM, create_staff
from desk.services.clock import from_db

ROOT = Path(__file__).resolve().parent.parent

WORKER = r'''
import json, sys
from desk.models import db as dbmod
dbmod.connect(sys.argv[1], create=False)
from desk.services import accounts, changes, dossiers, intake, lifecycle
from desk.errors import DeskError

mark = None
def value(x):
    return getattr(x, "value", x)

for line in sys.stdin:
    req = json.loads(line)
    try:
        op = req["op"]
        actor = accounts.get_actor(req.get("user", "admin"))
        if op == "register":
            info = intake.register(intake.IntakeRequest(req["procedure"], intake.Applicant(name=req["name"])),
                                   actor=actor)
            res = {"code": info.code, "version": info.version}
        elif op == "read":
            info = dossiers.get_dossier(req["code"], actor=actor)
            res = {"version": info.version, "status": value(info.status)}
        elif op == "advance":
            info = lifecycle.advance(req["code"], req["to"], actor=actor, note=req.get("note", ""),
                                     expected_version=req.get("expected_version"))
            res = {"version": info.version, "status": value(info.status)}
        elif op == "burst":
            codes = []
            for i in range(req["n"]):
                code = intake.register(intake.IntakeRequest("T-KS", intake.Applicant(name=req["name"])),
                                       actor=actor).code
                lifecycle.advance(code, "processing", actor=actor)
                codes.append(code)
            res = {"codes": codes}
        elif op == "mark":
            mark = changes.latest_change()
            res = {}
        elif op == "changed":
            res = {"changed": changes.latest_change() != mark}
        else:
            raise ValueError(op)
        out = {"ok": True, **res}
    except DeskError as exc:
        out = {"ok": False, "error": type(exc).__name__, "message": str(exc)}
    print(json.dumps(out, ensure_ascii=False), flush=True)
'''


class Desk:
    """One desk: a separate Python process holding its own database connection."""

    def __init__(self, url: str):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-c", WORKER, url], cwd=ROOT, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     encoding="utf-8")

    def send(self, **request) -> None:
        self.proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def receive(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"the desk process died: {self.proc.stderr.read()[-2000:]}")
        return json.loads(line)

    def call(self, **request) -> dict:
        self.send(**request)
        return self.receive()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        assert self.proc.returncode == 0, self.proc.stderr.read()[-2000:]


@pytest.fixture
def shared_url(any_office: str) -> str:
    """An office database on either engine, with two clerks; the test process stays connected too."""
    create_staff("clerk_a", "Nguyễn Thị An", "clerk", "mật-khẩu-đủ-dài", by=SYSTEM)
    create_staff("clerk_b", "Trần Văn Bảo", "clerk", "mật-khẩu-đủ-dài", by=SYSTEM)
    return any_office


@pytest.fixture
def desks(shared_url):
    a, b = Desk(shared_url), Desk(shared_url)
    yield a, b
    a.close()
    b.close()


def test_second_desk_gets_changed_by_whom_and_when_not_an_overwrite(desks):
    a, b = desks
    reg = a.call(op="register", procedure="T-TTHN", name="Lê Văn Cường", user="clerk_a")
    code = reg["code"]
    seen_a, seen_b = a.call(op="read", code=code), b.call(op="read", code=code)
    assert seen_a["version"] == seen_b["version"] == reg["version"]
    v = seen_b["version"]

    first = a.call(op="advance", code=code, to="processing", expected_version=v, user="clerk_a")
    assert first == {"ok": True, "version": v + 1, "status": "processing"}
    second = b.call(op="advance", code=code, to="withdrawn", expected_version=v, user="clerk_b")

    assert second["ok"] is False and second["error"] == "ConcurrentChange"
    last = DossierEvent.select().join(Dossier).where(Dossier.code == code).order_by(DossierEvent.id.desc()).first()
    assert last.actor_name == "Nguyễn Thị An"
    assert "Nguyễn Thị An" in second["message"]
    assert f"{from_db(last.at):%H:%M %d/%m/%Y}" in second["message"]
    assert code in second["message"]
    # nothing overwritten: A's move stands, B wrote no event
    row = Dossier.get(Dossier.code == code)
    assert (row.status, row.version) == ("processing", v + 1)
    assert [e.action for e in DossierEvent.select().where(DossierEvent.dossier == row)] == ["receive", "advance"]
    # after reloading, B can act on the fresh version
    fresh = b.call(op="read", code=code)
    assert b.call(op="advance", code=code, to="withdrawn", expected_version=fresh["version"], user="clerk_b")["ok"]


def test_two_desks_register_and_advance_at_once(desks):
    a, b = desks
    n = 15
    a.send(op="burst", n=n, name="Phạm Thị Dung", user="clerk_a")
    b.send(op="burst", n=n, name="Hoàng Văn Em", user="clerk_b")
    got_a, got_b = a.receive(), b.receive()
    assert got_a["ok"] and got_b["ok"], (got_a, got_b)
    codes = got_a["codes"] + got_b["codes"]
    assert len(set(codes)) == 2 * n
    stored = [c for (c,) in Dossier.select(Dossier.code).tuples()]
    assert sorted(stored) == sorted(codes)
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
    assert numbers == list(range(1, 2 * n + 1))  # one day, no gaps, no repeats
    for row in Dossier.select():
        assert row.status == "processing" and row.version == 2
        assert [e.action for e in row.events.order_by(DossierEvent.id)] == ["receive", "advance"]


def test_changes_at_one_desk_are_seen_at_the_other_without_restart(desks):
    a, b = desks
    assert b.call(op="mark")["ok"]
    assert b.call(op="changed") == {"ok": True, "changed": False}
    code = a.call(op="register", procedure="T-KS", name="Vũ Thị Giang", user="clerk_a")["code"]
    assert b.call(op="changed") == {"ok": True, "changed": True}
    b.call(op="mark")
    assert b.call(op="changed")["changed"] is False
    a.call(op="advance", code=code, to="processing", user="clerk_a")
    assert b.call(op="changed")["changed"] is True
    b.call(op="mark")
    # a refused move changes nothing, so the other desk has nothing to reload
    assert a.call(op="advance", code=code, to="returned", user="clerk_a")["ok"] is False
    assert b.call(op="changed")["changed"] is False


def test_change_mark_in_process(office, admin):
    from desk.services.changes import latest_change
    from desk.services.intake import Applicant, IntakeRequest, register

    empty = latest_change()
    assert empty.event_id == 0 and empty.updated_at is None
    assert latest_change() == empty
    register(IntakeRequest("T-KS", Applicant(name="Đinh Văn Hải")), actor=admin)
    assert latest_change() != empty
    assert latest_change().event_id >= 1
