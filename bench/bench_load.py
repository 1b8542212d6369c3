"""Load: several desk processes registering and advancing dossiers at once on one database.

    python -m bench.bench_load [--engine sqlite|postgres|both] [--seconds 60]
                               [--pg-url postgresql://postgres@127.0.0.1:5432/test?schema=bench_load]
                               [--pg-desks 8] [--sqlite-desks 4] [--json FILE]

Each desk is its own process with its own connection (as in an office: one program per PC). For
``--seconds`` every desk loops: register a dossier, move it to "processing", and every second turn
resolve an older one of its own. Every call is timed. Afterwards the database is checked:

- duplicate codes (must be 0; the unique index would refuse them, and the day counter has no gaps),
- lost writes: every acknowledged registration is there with its "receive" event, every acknowledged
  move has its audit event and the dossier's final status is the last acknowledged one (must be 0),
- half-written dossiers: a dossier without its "receive" event (must be 0),
- SQLite lock handling: how many times run_write retried "database is locked" (busy_timeout first,
  then run_write's backoff) and whether DatabaseBusy ever reached a desk (the clear "try again").

The PostgreSQL schema (``?schema=``) and the SQLite file (a temp dir) are created fresh each run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test?schema=bench_load"
PROCEDURE = "B-01"


# -- set-up -----------------------------------------------------------------------------------
def prepare(url: str, desks: int) -> None:
    """A fresh office with one procedure and one clerk per desk."""
    from desk.models import Field, Procedure
    from desk.models import db as dbmod
    from desk.services.accounts import SYSTEM, create_staff
    from desk.services.setup import SAMPLE_OFFICE, initialize
    from desk.text import fold

    if url.startswith("postgres"):
        schema = url.split("schema=")[1].split("&")[0]
        base = dbmod.make_database(url.split("?")[0])
        base.connect()
        base.execute_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        base.close()
    db = dbmod.connect(url)
    initialize(SAMPLE_OFFICE, actor=None, load_catalog=False)
    field = Field.create(code="BF", name="Hộ tịch", sort_order=1)
    Procedure.create(code=PROCEDURE, name="Đăng ký khai sinh", name_folded=fold("Đăng ký khai sinh"), field=field,
                     processing_days=3, documents="[]")
    for i in range(desks):
        create_staff(f"desk{i}", f"Cán bộ bàn {i + 1}", "clerk", "mật-khẩu-đủ-dài", by=SYSTEM)
    db.close()


# -- one desk ---------------------------------------------------------------------------------
def desk(url: str, index: int, start_at: float, seconds: float, out: mp.Queue) -> None:
    from desk.errors import DatabaseBusy, DeskError
    from desk.models import db as dbmod
    from desk.services import accounts, intake, lifecycle

    dbmod.connect(url, create=False)
    actor = accounts.get_actor(f"desk{index}")
    latencies: dict[str, list[float]] = {"register": [], "advance": []}
    registered: list[str] = []
    moves: list[tuple[str, str]] = []  # acknowledged (code, new status), in order
    open_codes: list[str] = []
    busy = errors = 0
    error_samples: list[str] = []
    time.sleep(max(0.0, start_at - time.time()))
    end = start_at + seconds
    turn = 0

    def timed(kind: str, call):
        nonlocal busy, errors
        t0 = time.perf_counter()
        try:
            result = call()
        except DatabaseBusy:
            busy += 1
            return None
        except DeskError as exc:
            errors += 1
            if len(error_samples) < 5:
                error_samples.append(f"{type(exc).__name__}: {exc}")
            return None
        latencies[kind].append(time.perf_counter() - t0)
        return result

    while time.time() < end:
        turn += 1
        info = timed("register", lambda: intake.register(
            intake.IntakeRequest(PROCEDURE, intake.Applicant(name="Nguyễn Văn Bình")), actor=actor))
        if info is None:
            continue
        registered.append(info.code)
        if timed("advance", lambda code=info.code: lifecycle.advance(code, "processing", actor=actor)):
            moves.append((info.code, "processing"))
            open_codes.append(info.code)
        if turn % 2 == 0 and len(open_codes) > 1:
            code = open_codes.pop(0)
            if timed("advance", lambda code=code: lifecycle.advance(code, "resolved", actor=actor)):
                moves.append((code, "resolved"))
    out.put({"desk": index, "latencies": latencies, "registered": registered, "moves": moves, "busy": busy,
             "errors": errors, "error_samples": error_samples, "retries": dbmod.WRITE_RETRIES,
             "busy_failures": dbmod.WRITE_BUSY_FAILURES})
    dbmod.close()


# -- checking and reporting -------------------------------------------------------------------
def verify(url: str, results: list[dict]) -> dict:
    from peewee import fn

    from desk.models import Dossier, DossierEvent
    from desk.models import db as dbmod

    db = dbmod.connect(url, create=False)
    codes = {code: None for r in results for code in r["registered"]}
    dup_rows = (Dossier.select(Dossier.code).group_by(Dossier.code).having(fn.COUNT(Dossier.id) > 1).count())
    numbers_by_day: dict[str, list[int]] = {}
    stored: dict[str, tuple[int, str]] = {}
    for dossier_id, code, status in Dossier.select(Dossier.id, Dossier.code, Dossier.status).tuples():
        stored[code] = (dossier_id, status)
        head, number = code.rsplit("-", 1)
        numbers_by_day.setdefault(head, []).append(int(number))
    gaps = sum(max(n) - len(set(n)) for n in numbers_by_day.values())
    events: dict[int, list[tuple[str, str]]] = {}
    for dossier_id, action, to_status in (DossierEvent.select(DossierEvent.dossier, DossierEvent.action,
                                                              DossierEvent.to_status)
                                          .order_by(DossierEvent.id).tuples()):
        events.setdefault(dossier_id, []).append((action, to_status))
    lost = 0
    for code in codes:
        if code not in stored or ("receive", "received") not in events.get(stored[code][0], []):
            lost += 1
    last_move: dict[str, str] = {}
    for r in results:
        for code, status in r["moves"]:
            last_move[code] = status
            if code not in stored or ("advance", status) not in events.get(stored[code][0], []):
                lost += 1
    wrong_status = sum(1 for code, status in last_move.items() if code in stored and stored[code][1] != status)
    half_written = sum(1 for dossier_id, _s in stored.values()
                       if not events.get(dossier_id) or events[dossier_id][0] != ("receive", "received"))
    unacknowledged_extra = len(set(stored) - set(codes))  # committed but the desk never heard back
    db.close()
    return {"stored_dossiers": len(stored), "duplicate_codes": dup_rows + (len(codes) != len(set(codes))),
            "number_gaps": gaps, "lost_writes": lost, "wrong_final_status": wrong_status,
            "half_written": half_written, "unacknowledged_extra": unacknowledged_extra}


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def run(engine: str, url: str, desks: int, seconds: float) -> dict:
    prepare(url, desks)
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 3.0  # every desk connected and waiting before the clock starts
    procs = [ctx.Process(target=desk, args=(url, i, start_at, seconds, out)) for i in range(desks)]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    check = verify(url, results)
    ops = {kind: [x for r in results for x in r["latencies"][kind]] for kind in ("register", "advance")}
    every = ops["register"] + ops["advance"]
    ms = 1000.0
    return {
        "engine": engine, "desks": desks, "seconds": seconds,
        "operations": len(every), "ops_per_s": round(len(every) / seconds, 1),
        "registered": len(ops["register"]), "registers_per_s": round(len(ops["register"]) / seconds, 1),
        "advances": len(ops["advance"]),
        "p50_ms": round(statistics.median(every) * ms, 1) if every else None,
        "p99_ms": round(percentile(every, 99) * ms, 1),
        "register_p50_ms": round(statistics.median(ops["register"]) * ms, 1) if ops["register"] else None,
        "register_p99_ms": round(percentile(ops["register"], 99) * ms, 1),
        "advance_p50_ms": round(statistics.median(ops["advance"]) * ms, 1) if ops["advance"] else None,
        "advance_p99_ms": round(percentile(ops["advance"], 99) * ms, 1),
        "max_ms": round(max(every) * ms, 1) if every else None,
        "lock_retries": sum(r["retries"] for r in results),
        "database_busy_surfaced": sum(r["busy"] for r in results),
        "other_errors": sum(r["errors"] for r in results),
        "error_samples": [s for r in results for s in r["error_samples"]][:5],
        **check,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pg-url", default=os.environ.get("DESK_BENCH_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--pg-desks", type=int, default=8)
    parser.add_argument("--sqlite-desks", type=int, default=4)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.engine in ("postgres", "both") and "schema=" not in args.pg_url:
        parser.error("--pg-url needs ?schema=NAME (the schema is dropped and re-created)")

    print(f"# {platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{args.seconds:g} s per engine", flush=True)
    reports = []
    with tempfile.TemporaryDirectory(prefix="desk-bench-load-") as folder:
        plans = []
        if args.engine in ("sqlite", "both"):
            plans.append(("sqlite", f"sqlite:///{Path(folder) / 'office.db'}", args.sqlite_desks))
        if args.engine in ("postgres", "both"):
            plans.append(("postgres", args.pg_url, args.pg_desks))
        for engine, url, desks in plans:
            report = run(engine, url, desks, args.seconds)
            reports.append(report)
            print(json.dumps(report, ensure_ascii=False), flush=True)
    columns = ["engine", "desks", "seconds", "operations", "ops_per_s", "registers_per_s", "p50_ms", "p99_ms",
               "register_p99_ms", "advance_p99_ms", "max_ms", "duplicate_codes", "lost_writes", "half_written",
               "lock_retries", "database_busy_surfaced", "other_errors"]
    print()
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for r in reports:
        print("| " + " | ".join(str(r[c]) for c in columns) + " |")
    if args.json:
        Path(args.json).write_text(json.dumps(reports, ensure_ascii=False, indent=2), encoding="utf-8")
    bad = [r for r in reports if r["duplicate_codes"] or r["lost_writes"] or r["half_written"]
           or r["wrong_final_status"] or r["number_gaps"]]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
