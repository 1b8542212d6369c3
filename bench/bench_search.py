"""Time the dossier list's queries over 1,000,000 dossiers (target: first page under 100 ms).

    python -m bench.bench_search [--count N] [--db URL] [--runs 15] [--extra-indexes | --drop-extra-indexes]
                                 [--analyze | --forget-statistics] [--only TEXT] [--counts]

The SQLite database is built once with ``desk.services.demo.generate`` (about 3 minutes for a
million dossiers) into ``<temp dir>/desk-bench-search/search-<N>.db`` and reused by later runs
(bench/datasets.py; it also builds the PostgreSQL ones, which ``--db`` then names).
``python -m bench`` (bench/run_all.py) runs this on both engines side by side.
Each query is run ``--runs`` times after one warm-up; the table shows the median and p95 of the
first page (200 rows), of the fifth page reached by keyset paging, and the rows found.

``--extra-indexes`` creates two candidate composite indexes (CREATE INDEX IF NOT EXISTS, a
measurement aid only: the schema itself is defined in desk/models/entities.py);
``--drop-extra-indexes`` removes them again so both can be compared on the same file.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

# Composite indexes tried as a measurement aid; with the plan steering in desk/services/search.py they
# gave no measurable gain on the queries below, so the schema does not need them (kept to re-check).
EXTRA_INDEXES = {
    "dossier_status_received_at": "CREATE INDEX IF NOT EXISTS dossier_status_received_at ON dossier (status, received_at)",
    "dossier_procedure_received_at": (
        "CREATE INDEX IF NOT EXISTS dossier_procedure_received_at ON dossier (procedure_id, received_at)"),
}


def cache_path(count: int) -> Path:
    from bench.datasets import sqlite_path

    return sqlite_path(count)


def queries(now):
    from desk.services.search import DossierFilter, Sort

    today = now.date()
    newest = Sort("received_at", True)
    return [
        ("no filter, newest first", DossierFilter(), newest),
        ("status = processing", DossierFilter(statuses={"processing"}), newest),
        ("status = returned", DossierFilter(statuses={"returned"}), newest),
        ("open statuses", DossierFilter(statuses={"received", "processing", "needs_supplement"}), newest),
        ("overdue", DossierFilter(overdue=True), Sort("due_at", False)),
        ("due within 3 working days", DossierFilter(due_within_days=3), Sort("due_at", False)),
        ("field + last 30 days", DossierFilter(field_code="CT", received_from=today - timedelta(days=30),
                                               received_to=today), newest),
        ("rare field + 90 days", DossierFilter(field_code="DD", received_from=today - timedelta(days=90),
                                               received_to=today), newest),
        ("procedure + channel online", DossierFilter(procedure_code="1.001193", channel="online"), newest),
        ("text 'nguyen van' (unaccented)", DossierFilter(text="nguyen van"), newest),
        ("text 'nguyen' (many matches)", DossierFilter(text="nguyen"), newest),
        ("text 'thu trang' (word start)", DossierFilter(text="thu trang"), newest),
        ("text 'Đặng Thị Hương' (full)", DossierFilter(text="Đặng Thị Hương"), newest),
        ("text code tail '0007'", DossierFilter(text="0007"), newest),
        ("text phone prefix '0912'", DossierFilter(text="0912"), newest),
        ("text phone prefix '091234'", DossierFilter(text="091234"), newest),
        ("text + status processing", DossierFilter(text="tran", statuses={"processing"}), newest),
        ("sort by due_at, oldest first", DossierFilter(), Sort("due_at", False)),
        ("sort by applicant", DossierFilter(), Sort("applicant", False)),
        ("sort by code, descending", DossierFilter(), Sort("code", True)),
        ("sort by status", DossierFilter(), Sort("status", False)),
        ("sort by procedure", DossierFilter(), Sort("procedure", False)),
        ("status returned, sort by due_at", DossierFilter(statuses={"returned"}), Sort("due_at", True)),
    ]


def timed(fn, runs: int) -> tuple[float, float, float, object]:
    """Median and p95 wall time, and median CPU time of this process (ms): on a shared machine
    the CPU time shows the query's own cost when other work slows the wall clock down."""
    result = fn()  # warm-up
    samples, cpu = [], []
    for _i in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95, statistics.median(cpu), result


def measure(flt, sort, runs: int, clock, actor) -> dict:
    """Page 1 (median, p95, CPU) and page 5 reached by keyset paging (median, worst), in ms."""
    from desk.services import search

    med, p95, cpu, page = timed(lambda: search.search(flt, sort, clock=clock, actor=actor), runs)

    def fifth() -> float:
        page, n, spent = search.search(flt, sort, clock=clock, actor=actor), 1, 0.0
        while page.next_cursor is not None and n < 5:
            started = time.perf_counter()
            page = search.search(flt, sort, after=page.next_cursor, clock=clock, actor=actor)
            spent = time.perf_counter() - started
            n += 1
        return spent

    fifth_samples = sorted(fifth() * 1000 for _i in range(max(3, runs // 3)))
    return {"page1": med, "page1_p95": p95, "page1_cpu": cpu, "page5": statistics.median(fifth_samples),
            "page5_max": fifth_samples[-1], "rows": len(page.rows)}


def analyze(db) -> None:
    """ANALYZE the office's own tables (a bare ANALYZE would also visit every other schema of the database)."""
    from desk.models.entities import ALL_MODELS

    db.execute_sql("ANALYZE " + ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS))


def forget_statistics(db) -> None:
    """PostgreSQL: drop the planner's column statistics of the dossier tables, back to the state of a
    database just loaded or restored (superuser only; a measurement aid)."""
    db.execute_sql("DELETE FROM pg_statistic WHERE starelid IN ('dossier'::regclass, 'dossier_event'::regclass)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--db", help="database URL (default: the cached SQLite file, built when missing)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--extra-indexes", action="store_true", help="create the suggested indexes first")
    parser.add_argument("--drop-extra-indexes", action="store_true", help="drop the suggested indexes first")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE first (planner statistics)")
    parser.add_argument("--forget-statistics", action="store_true",
                        help="PostgreSQL: drop the dossier tables' planner statistics first (as just loaded)")
    parser.add_argument("--counts", action="store_true", help="also time count() (slow on big results)")
    parser.add_argument("--only", help="run only the queries whose label contains this text")
    parser.add_argument("--explain", action="store_true",
                        help="print the plan of every statement of each query's first page (EXPLAIN ANALYZE)")
    args = parser.parse_args()
    os.environ.setdefault("DESK_DATA_DIR", str(Path(tempfile.gettempdir()) / "desk-bench-search" / "data"))

    from desk.models.db import connect
    from desk.services import search
    from desk.services.accounts import get_actor
    from desk.services.clock import LOCAL_TZ, Clock, FixedClock

    url = args.db
    if url is None:
        from bench.datasets import ensure_sqlite

        url = ensure_sqlite(args.count)
    db = connect(url)
    if args.drop_extra_indexes:
        for name in EXTRA_INDEXES:
            db.execute_sql(f"DROP INDEX IF EXISTS {name}")
    if args.extra_indexes:
        for name, sql in EXTRA_INDEXES.items():
            started = time.perf_counter()
            db.execute_sql(sql)
            print(f"index {name}: ready in {time.perf_counter() - started:.1f} s (measurement aid)")
    if args.forget_statistics:
        forget_statistics(db)
    if args.analyze:
        analyze(db)
    total = db.execute_sql("SELECT COUNT(*) FROM dossier").fetchone()[0]
    present = sorted(n for n in EXTRA_INDEXES if n in {i.name for i in db.get_indexes("dossier")})
    now = Clock().now().astimezone(LOCAL_TZ)
    clock = FixedClock(now)  # one moment for every query of the run
    admin = get_actor("admin")  # looked up once: the timings are the queries'
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {url.split('?')[0]}; {total:,} dossiers; "
          f"extra indexes: {', '.join(present) or 'none'}; runs: {args.runs}")
    header = f"{'query':38} {'page 1 med':>10} {'p95':>8} {'cpu':>6} {'page 5 med':>10} {'max':>8} {'rows':>6}"
    if args.counts:
        header += f" {'count ms':>9} {'count':>9}"
    print(header)
    print("-" * len(header))
    for label, flt, sort in queries(now):
        if args.only and args.only not in label:
            continue
        m = measure(flt, sort, args.runs, clock, admin)
        line = (f"{label:38} {m['page1']:10.1f} {m['page1_p95']:8.1f} {m['page1_cpu']:6.1f} {m['page5']:10.1f} "
                f"{m['page5_max']:8.1f} {m['rows']:6d}")
        if args.counts:
            started = time.perf_counter()
            n = search.count(flt, clock=clock, actor=admin)
            line += f" {(time.perf_counter() - started) * 1000:9.0f} {n:9,d}"
        print(line, flush=True)
        if args.explain:
            explain(db, lambda flt=flt, sort=sort: search.search(flt, sort, clock=clock, actor=admin))


def explain(db, call) -> None:
    """Run ``call`` once, recording its statements, then print each one's plan as the engine ran it."""
    from desk.models.db import is_postgres

    seen: list[tuple[str, object]] = []
    original = db.execute_sql

    def record(sql, params=None, *args, **kwargs):
        seen.append((sql, params))
        return original(sql, params, *args, **kwargs)

    db.execute_sql = record
    try:
        call()
    finally:
        db.execute_sql = original
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if is_postgres(db) else "EXPLAIN QUERY PLAN "
    with db.atomic():  # the planner settings the search gave its statements (SET LOCAL) hold here too
        for sql, params in seen:
            words = sql.lstrip().upper()
            if words.startswith("SET ") or "SET_CONFIG(" in words:
                db.execute_sql(sql, params)
                print("   ", sql[:120])
                continue
            if not words.startswith(("SELECT", "WITH")) or ('FROM "dossier"' not in sql and "FROM dossier" not in sql):
                continue  # the small reference tables
            print("   ", sql[:300])
            for row in db.execute_sql(prefix + sql, params).fetchall():
                print("       ", row[-1])

if __name__ == "__main__":
    main()
