"""The benchmark suite on SQLite and PostgreSQL side by side, in one table.

    python -m bench [--size 1000000] [--runs 7] [--engines sqlite,postgres,icu] [--only TEXT]
                    [--no-report] [--no-intake] [--json FILE]

One database per engine and size, built once by bench/datasets.py and reused (a million dossiers take
a few minutes on SQLite and longer on PostgreSQL; ``--size 20000`` is a quick check). Columns:

* ``sqlite``: the SQLite file (no planner statistics: a desk never runs ANALYZE);
* ``pg fresh`` / ``pg analyzed``: the PostgreSQL database of the test server's collation, first with
  no column statistics (as just loaded, migrated or restored: the benchmark drops them, which needs a
  superuser), then after ANALYZE;
* ``icu fresh`` / ``icu analyzed``: the same on a database created with ICU vi-VN.

Rows: every dossier-list query of bench/bench_search.py, first page and fifth page (keyset paging),
median ms; the monthly report of the last full month (``write_report``, in a child process, s); the
intake (``intake.register`` and ``register`` + Mẫu 01 written, median ms: those dossiers stay in the
benchmark database, a few dozen beside the million). Each column runs in its own process. The
individual benchmarks (bench_search, bench_reports, ...) stay runnable alone; the phone look-up page's
load test is one of them (``python -m bench.bench_lookup``: p95 at 50 requests/s on both engines), and its
p95 is also the table's last row here (``--no-lookup`` leaves it out): lookup-server on the column's
database, after that column's list queries (so PostgreSQL's figure stands under "analyzed").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = {  # name → (engine, statistics state)
    "sqlite": ("sqlite", ""),
    "pg fresh": ("postgres", "fresh"),
    "pg analyzed": ("postgres", "analyzed"),
    "icu fresh": ("icu", "fresh"),
    "icu analyzed": ("icu", "analyzed"),
}
INTAKE_PROCEDURE = "1.001193"


def _data_dir() -> None:
    os.environ.setdefault("DESK_DATA_DIR", str(Path(tempfile.gettempdir()) / "desk-bench-search" / "data"))


def last_full_month(today: date) -> str:
    return f"{(today.replace(day=1) - timedelta(days=1)):%Y-%m}"


# -- one column, in a child process -----------------------------------------------------------
def child(engine: str, state: str, url: str, runs: int, only: str, report: bool, intake: bool) -> None:
    _data_dir()
    from bench.bench_search import analyze, forget_statistics, measure, queries
    from desk.models import db as dbmod
    from desk.services.accounts import get_actor
    from desk.services.clock import LOCAL_TZ, Clock, FixedClock

    started = time.perf_counter()
    db = dbmod.connect(url)  # brings an older benchmark database up to the current schema
    emit({"connect_s": time.perf_counter() - started, "schema": dbmod.schema_version(db)})
    if state == "fresh":
        forget_statistics(db)
    elif state == "analyzed":
        started = time.perf_counter()
        analyze(db)
        emit({"analyze_s": time.perf_counter() - started})
    if dbmod.is_postgres(db):
        emit({"collation": dbmod.pg_collation(db)[0]})
    admin = get_actor("admin")
    now = Clock().now().astimezone(LOCAL_TZ)
    for label, flt, sort in queries(now):
        if only and only not in label:
            continue
        emit({"query": label, **measure(flt, sort, runs, FixedClock(now), admin)})
    if report:
        emit({"report": _report(url, now.date())})
    if intake:
        emit({"intake": _intake(runs, admin)})
    db.close()


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False, default=str), flush=True)


def _report(url: str, today: date) -> dict:
    """``write_report`` of the last full month, in its own process (bench_reports' child), seconds."""
    period = last_full_month(today)
    with tempfile.TemporaryDirectory(prefix="desk-bench-out-") as folder:
        out = Path(folder) / "report.xlsx"
        done = subprocess.run([sys.executable, "-m", "bench.bench_reports", "--child", url, period, "calendar", "",
                               str(out), "--now", today.isoformat()],
                              check=True, capture_output=True, text=True, cwd=ROOT)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"period": period, **result}


def _intake(runs: int, admin) -> dict:
    """Registering a dossier, and registering it then writing its Mẫu 01 receipt (ms, medians)."""
    from desk.services import documents
    from desk.services.intake import Applicant, IntakeRequest, register

    def one() -> str:
        return register(IntakeRequest(INTAKE_PROCEDURE, Applicant(name="Phạm Thị Đo Đạc")), actor=admin).code

    one()  # warm-up
    alone, with_slip = [], []
    with tempfile.TemporaryDirectory(prefix="desk-bench-slip-") as folder:
        for i in range(runs):
            started = time.perf_counter()
            one()
            alone.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            documents.receipt(one(), Path(folder) / f"mau01-{i}.docx", actor=admin)
            with_slip.append((time.perf_counter() - started) * 1000)
    return {"register_ms": statistics.median(alone), "register_slip_ms": statistics.median(with_slip)}


# -- the driver ---------------------------------------------------------------------------------
def _url(engine: str, size: int) -> str:
    from bench import datasets

    if engine == "sqlite":
        return datasets.ensure_sqlite(size)
    return datasets.ensure_postgres(size, icu=engine == "icu")


def run_column(name: str, url: str, args: argparse.Namespace) -> list[dict]:
    engine, state = COLUMNS[name]
    command = [sys.executable, "-m", "bench.run_all", "--child", engine, state, url, str(args.runs), args.only or "",
               "1" if args.report else "0", "1" if args.intake else "0"]
    print(f"[{name}] {url.split('?')[0]} ...", file=sys.stderr, flush=True)
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {name} column failed")
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


LOOKUP_COLUMNS = {"sqlite": "sqlite", "pg analyzed": "postgres", "icu analyzed": "icu"}
LOOKUP_RATE, LOOKUP_SECONDS = 50.0, 20.0


def table(results: dict[str, list[dict]], lookups: dict[str, dict] | None = None) -> list[str]:
    names = list(results)
    by_query: dict[str, dict[str, dict]] = {}
    extra: dict[str, dict[str, str]] = {"report": {}, "register": {}, "register + Mẫu 01": {}, "rows": {}}
    for name, records in results.items():
        for record in records:
            if "query" in record:
                by_query.setdefault(record["query"], {})[name] = record
            elif "report" in record:
                r = record["report"]
                extra["report"][name] = f"{r['report_s']:.1f} s ({r['rows']:,} rows)"
            elif "intake" in record:
                extra["register"][name] = f"{record['intake']['register_ms']:.0f}"
                extra["register + Mẫu 01"][name] = f"{record['intake']['register_slip_ms']:.0f}"
    lines = ["| query (ms: page 1 / page 5) | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    worst: dict[str, float] = {}
    for label, cells in by_query.items():
        row = []
        for name in names:
            m = cells.get(name)
            if m is None:
                row.append("–")
                continue
            row.append(f"{m['page1']:.0f} / {m['page5']:.0f}")
            worst[name] = max(worst.get(name, 0.0), m["page1"], m["page5"])
        lines.append(f"| {label} | " + " | ".join(row) + " |")
    lines.append("| **slowest list query** | " + " | ".join(f"**{worst.get(n, 0):.0f}**" for n in names) + " |")
    period = next((r["report"]["period"] for records in results.values() for r in records if "report" in r), "")
    for key, label in (("report", f"monthly report {period} (write_report)"), ("register", "intake: register (ms)"),
                       ("register + Mẫu 01", "intake: register + Mẫu 01 written (ms)")):
        if extra[key]:
            lines.append(f"| {label} | " + " | ".join(extra[key].get(n, "–") for n in names) + " |")
    if lookups:
        lines.append(f"| look-up page: p95 at {LOOKUP_RATE:g} requests/s (ms) | " + " | ".join(
            f"{lookups[n]['p95']:.0f}" if n in lookups else "–" for n in names) + " |")
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        engine, state, url, runs, only, report, intake = argv[1:8]
        child(engine, state, url, int(runs), only, report == "1", intake == "1")
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="dossiers per database (20000: a quick check)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--engines", default="sqlite,postgres,icu",
                        help="comma-separated: sqlite, postgres (the server's collation), icu (ICU vi-VN)")
    parser.add_argument("--only", help="only the list queries whose label contains this text")
    parser.add_argument("--no-report", dest="report", action="store_false")
    parser.add_argument("--no-intake", dest="intake", action="store_false")
    parser.add_argument("--no-lookup", dest="lookup", action="store_false")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    _data_dir()
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    results: dict[str, list[dict]] = {}
    for name, (engine, _state) in COLUMNS.items():
        if engine in engines:
            results[name] = run_column(name, _url(engine, args.size), args)
    lookups: dict[str, dict] = {}
    if args.lookup:
        from bench.bench_lookup import measure

        for name, engine in LOOKUP_COLUMNS.items():
            if name in results:
                print(f"[{name}] look-up page at {LOOKUP_RATE:g} requests/s ...", file=sys.stderr, flush=True)
                lookups[name] = measure(_url(engine, args.size), rate=LOOKUP_RATE, seconds=LOOKUP_SECONDS)
    load = os.getloadavg()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {args.size:,} dossiers; "
          f"{args.runs} runs; load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")
    for name, records in results.items():
        notes = {k: v for r in records for k, v in r.items() if k in ("connect_s", "analyze_s", "collation", "schema")}
        print(f"  {name}: " + ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in notes.items()))
    print("\n".join(table(results, lookups)))
    if args.json:
        Path(args.json).write_text(json.dumps({**results, "lookup": lookups}, ensure_ascii=False, indent=2,
                                              default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
