"""SIGKILL desks in the middle of registering and advancing dossiers; nothing acknowledged may be lost.

Each round starts two worker processes (tests/crash_worker.py) on one database and kills both at a
random moment. Afterwards the database must open cleanly, hold every acknowledged dossier with its
receive event and every acknowledged transition, have no duplicate code, no dossier without events,
no dossier whose status disagrees with its last event, and day counters at or above every number used.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from desk.models import db as dbmod

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = int(os.environ.get("DESK_CRASH_ROUNDS", "15"))
WORKERS = 2
RESULTS = os.environ.get("DESK_CRASH_RESULTS")  # a JSON file to append the figures to (docs/RELIABILITY.md)


def _prepare(url: str) -> None:
    from tests.conftest import make_office

    dbmod.connect(url)
    make_office()
    dbmod.close()


def _wait_started(ack: Path, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ack.exists() and f"S {proc.pid}\n" in ack.read_text():
            return
        if proc.poll() is not None:
            raise AssertionError(f"worker exited early: {proc.stderr.read().decode() if proc.stderr else ''}")
        time.sleep(0.02)
    raise AssertionError("worker did not start")


def _run_rounds(url: str, folder: Path, seed: int) -> dict:
    rng = random.Random(seed)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    acks = [folder / f"ack-{i}.log" for i in range(WORKERS)]
    kills = 0
    for round_no in range(ROUNDS):
        procs = []
        for i, ack in enumerate(acks):
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "tests.crash_worker", url, str(ack), str(seed * 1000 + round_no * 10 + i)],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        for proc, ack in zip(procs, acks, strict=True):
            _wait_started(ack, proc)
        time.sleep(rng.uniform(0.2, 1.5))
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            else:  # a worker that stopped by itself has failed
                raise AssertionError(f"worker died: {proc.stderr.read().decode() if proc.stderr else ''}")
        for proc in procs:
            proc.wait(timeout=10)
            if proc.stderr:
                proc.stderr.close()
    registered: list[str] = []
    advanced: list[tuple[str, str]] = []
    for ack in acks:
        for line in ack.read_text().splitlines(keepends=True):
            if not line.endswith("\n"):
                continue  # killed while writing the promise: it was never acknowledged
            parts = line.split()
            if parts[0] == "R":
                registered.append(parts[1])
            elif parts[0] == "A":
                advanced.append((parts[1], parts[2]))
    return {"kills": kills, "registered": registered, "advanced": advanced}


def _check(url: str, outcome: dict) -> dict:
    database = dbmod.connect(url)
    try:
        if not dbmod.is_postgres(database):
            path = database.database
            raw = sqlite3.connect(path)
            assert [r[0] for r in raw.execute("PRAGMA integrity_check")] == ["ok"]
            raw.close()
        rows = database.execute_sql("SELECT id, code, status FROM dossier").fetchall()
        codes = [r[1] for r in rows]
        assert len(codes) == len(set(codes)), "duplicate dossier codes"
        by_code = {r[1]: (r[0], r[2]) for r in rows}
        events: dict[int, list[tuple]] = defaultdict(list)
        for dossier_id, event_id, action, to_status in database.execute_sql(
                "SELECT dossier_id, id, action, to_status FROM dossier_event ORDER BY id"):
            events[dossier_id].append((event_id, action, to_status))
        registered, advanced = outcome["registered"], outcome["advanced"]
        assert len(registered) == len(set(registered)), "a code was handed out twice"
        missing = [c for c in registered if c not in by_code]
        assert not missing, f"acknowledged dossiers lost: {missing[:5]}"
        for code in registered:
            assert any(a == "receive" for _i, a, _s in events[by_code[code][0]]), f"{code} has no receive event"
        for code, status in advanced:
            assert any(s == status for _i, _a, s in events[by_code[code][0]]), f"{code} lost its move to {status}"
        for code, (dossier_id, status) in by_code.items():
            trail = events.get(dossier_id)
            assert trail, f"{code} has no audit event (half-written)"
            assert trail[0][1] == "receive"
            assert trail[-1][2] == status, f"{code} is {status} but its last event says {trail[-1][2]}"
        used: dict[str, list[int]] = defaultdict(list)
        for code in codes:
            _office, day, number = code.rsplit("-", 2)
            used[day].append(int(number))
        counters: dict[str, int] = {}  # keyed by the full date; the code shows it as yymmdd
        for day, last_value in database.execute_sql("SELECT day, last_value FROM daily_sequence").fetchall():
            key = date.fromisoformat(str(day)[:10]).strftime("%y%m%d")
            counters[key] = max(counters.get(key, 0), last_value)
        for day, numbers in used.items():
            assert len(numbers) == len(set(numbers)), f"duplicate numbers on {day}"
            assert counters.get(day, 0) >= max(numbers), f"day counter of {day} is behind the numbers used"
        return {"dossiers": len(rows), "events": sum(len(v) for v in events.values()),
                "status_counts": dict(Counter(r[2] for r in rows))}
    finally:
        dbmod.close()


def _crash_test(url: str, folder: Path, engine: str) -> None:
    _prepare(url)
    started = time.monotonic()
    outcome = _run_rounds(url, folder, seed=20261123)
    figures = _check(url, outcome)
    assert outcome["registered"], "the workers never got to work"
    summary = {"engine": engine, "rounds": ROUNDS, "workers_per_round": WORKERS, "kills": outcome["kills"],
               "acknowledged_registrations": len(outcome["registered"]),
               "acknowledged_transitions": len(outcome["advanced"]),
               "seconds": round(time.monotonic() - started, 1), **figures}
    print(json.dumps(summary, ensure_ascii=False))
    if RESULTS:
        with open(RESULTS, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(summary, ensure_ascii=False) + "\n")


@pytest.mark.slow
def test_sigkill(any_url: str, tmp_path: Path) -> None:
    _crash_test(any_url, tmp_path, "postgresql" if any_url.startswith("postgres") else "sqlite")
