"""Time the monthly report (write_report) on a 1,000,000-dossier SQLite database.

    python -m bench.bench_reports [--dossiers N] [--months M] [--period 2026-10] [--cutoff calendar|15th]
                                  [--field CODE] [--runs 3] [--explain] [--add-indexes]
    python -m bench.bench_reports --detail-sheet 50000 [--runs 2]

The database is generated once with ``desk.services.demo.generate`` (about 2-3 minutes) into
``<temp dir>/desk-bench-reports/desk-<N>-<M>m.db`` and reused afterwards; the demo clock is fixed
at 20/11/2026 17:30 so the data, and the figures, are the same on every run. By default the
million dossiers are spread over 48 months, which puts ≈ 22,000 new dossiers (≈ 24,000 rows in the
report with the carried-over ones) in October 2026, the size of a busy ward's month; ``--months 18``
gives the demo's default density, ≈ 55,000 a month.

Each run happens in a fresh child process that only opens the database and writes the report, so
its peak resident memory (VmHWM) is the report's, interpreter and libraries included.
Targets: under 5 s and under 300 MB on a 2-core machine.

``--detail-sheet N`` needs no database: it writes N detail-like rows (14 columns, the report's
three cell styles, Vietnamese texts, three dates) into a workbook both ways — rows streamed as
sheet XML by ``desk.services.xlsx_rows`` and openpyxl's public write-only ``ws.append`` of styled
``WriteOnlyCell``s (styles set per cell as attributes, and as a named style) — and prints the CPU
time and file size of each (D28).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

DEMO_NOW = datetime(2026, 11, 20, 17, 30)  # office time
# The index suggested for the Dossier model (time it with --add-indexes).
# (resolved_at, due_at) lets the trend's "resolved by the due moment" count read the index alone.
RECOMMENDED_INDEXES = {
    "dossier_resolved_at_due_at": "CREATE INDEX IF NOT EXISTS dossier_resolved_at_due_at ON dossier (resolved_at, due_at)",
}


def cache_path(count: int, months: int) -> Path:
    folder = Path(tempfile.gettempdir()) / "desk-bench-reports"
    folder.mkdir(exist_ok=True)
    return folder / f"desk-{count}-{months}m.db"


def ensure_database(count: int, months: int) -> Path:
    """The cached database, generated on first use (into a .part file, renamed when complete)."""
    path = cache_path(count, months)
    if path.exists():
        return path
    os.environ.setdefault("DESK_DATA_DIR", tempfile.mkdtemp(prefix="desk-bench-"))
    from desk.models.db import close, connect
    from desk.services.accounts import get_actor
    from desk.services.clock import LOCAL_TZ, FixedClock
    from desk.services.demo import generate
    from desk.services.setup import initialize

    part = path.with_name(path.name + ".part")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{part}{suffix}").unlink(missing_ok=True)
    print(f"generating {count:,} dossiers over {months} months into {path} (once; a few minutes) ...", flush=True)
    started = time.perf_counter()
    connect(f"sqlite:///{part}")
    initialize(actor=None)
    result = generate(count, months=months, clock=FixedClock(DEMO_NOW.replace(tzinfo=LOCAL_TZ)),
                      actor=get_actor("admin"))
    close()
    part.replace(path)
    print(f"  {result['dossiers']:,} dossiers in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        ram = f", {mem / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        ram = ""
    return (f"{cpu}, {os.cpu_count()} cores{ram}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


# -- the child: one report, nothing else --------------------------------------------------------------
def peak_rss_mb() -> float:
    """This process's resident-memory high-water mark.

    /proc's VmHWM belongs to the process image; ru_maxrss would also carry the parent's size at the
    fork (Linux keeps it across exec), which here is the benchmark driver with its database cache.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(db_path: str, period: str, cutoff: str, field: str | None, out: str, now: datetime = DEMO_NOW) -> None:
    """One report; ``db_path`` is a SQLite file or any database URL (bench/run_all.py passes PostgreSQL's)."""
    started = time.perf_counter()
    from desk.models.db import connect
    from desk.services.accounts import get_actor
    from desk.services.clock import LOCAL_TZ, FixedClock
    from desk.services.report_workbook import write_report

    connect(db_path if "://" in db_path else f"sqlite:///{db_path}", create=False)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    base_rss, cpu_at_start = peak_rss_mb(), usage.ru_utime + usage.ru_stime
    imported = time.perf_counter()
    progress: list[tuple[int, int]] = []
    write_report(out, period, cutoff, field_code=field, clock=FixedClock(now.replace(tzinfo=LOCAL_TZ)),
                 progress=lambda done, total: progress.append((done, total)), by=get_actor("admin"))
    finished = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "cpu_s": usage.ru_utime + usage.ru_stime - cpu_at_start,
        "report_s": finished - imported, "startup_s": imported - started, "rows": progress[-1][1],
        "base_rss_mb": base_rss, "peak_rss_mb": peak_rss_mb(),
        "size_mb": os.path.getsize(out) / 1e6,
    }))


def run_child(db_path: Path, args: argparse.Namespace, out: Path) -> dict:
    command = [sys.executable, "-m", "bench.bench_reports", "--child", str(db_path), args.period, args.cutoff,
               args.field or "", str(out)]
    result = subprocess.run(command, check=True, capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parent.parent)
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- phases and plans, in this process ----------------------------------------------------------------
def phases(db_path: Path, args: argparse.Namespace) -> None:
    from desk.models.db import connect, database_proxy
    from desk.services import statistics
    from desk.services.clock import LOCAL_TZ, FixedClock

    connect(f"sqlite:///{db_path}", create=False)
    clock = FixedClock(DEMO_NOW.replace(tzinfo=LOCAL_TZ))
    started = time.perf_counter()
    stats = statistics.compute_statistics(args.period, args.cutoff, field_code=args.field, clock=clock)
    stats_s = time.perf_counter() - started
    started = time.perf_counter()
    statistics.monthly_trend(args.period, args.cutoff, field_code=args.field)
    trend_s = time.perf_counter() - started
    t = stats.total
    print(f"period {stats.period.describe()[12:]} ({args.cutoff}{', field ' + args.field if args.field else ''}): "
          f"{t.received_total:,} dossiers in the table ({t.carried_over:,} carried over + {t.new_total:,} new), "
          f"{t.resolved_total:,} resolved, {t.pending_total:,} pending, {t.refused_or_withdrawn:,} refused/withdrawn; "
          f"on-time rate {t.on_time_rate:.2%}")
    print(f"phases: compute_statistics {stats_s:.2f} s, monthly_trend {trend_s:.2f} s")
    if args.explain:
        db = database_proxy.obj
        for name, (sql, params) in statistics.explain_queries(args.period, args.cutoff, clock=clock).items():
            print(f"EXPLAIN QUERY PLAN ({name}):")
            for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params):
                print("   ", row[-1])
        captured: list[tuple[str, list]] = []
        original = db.execute_sql

        def capture(sql, params=None):
            if "UNION ALL" in sql:
                captured.append((sql, params))
            return original(sql, params)

        db.execute_sql = capture
        try:
            statistics.monthly_trend(args.period, args.cutoff)
        finally:
            db.execute_sql = original
        print("EXPLAIN QUERY PLAN (trend):")
        for row in db.execute_sql("EXPLAIN QUERY PLAN " + captured[0][0], captured[0][1]):
            print("   ", row[-1])
    db = database_proxy.obj
    db.close()


def with_indexes(db_path: Path) -> Path:
    """A cached copy of the database with RECOMMENDED_INDEXES, so both variants can be timed."""
    path = db_path.with_name(db_path.stem + "-indexed.db")
    if path.exists():
        return path
    part = path.with_name(path.name + ".part")
    shutil.copyfile(db_path, part)
    conn = sqlite3.connect(part)
    try:
        for name, sql in RECOMMENDED_INDEXES.items():
            started = time.perf_counter()
            conn.execute(sql)
            conn.commit()
            print(f"index {name}: {time.perf_counter() - started:.1f} s")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything into the file before it is renamed
    finally:
        conn.close()
    part.replace(path)
    return path


def _detail_values(n: int) -> list[list]:
    """N rows shaped like the detail sheet's, texts repeating as field and status names do."""
    from datetime import timedelta
    fields = ["Hộ tịch", "Chứng thực", "Đất đai", "Xây dựng", "Lao động - Thương binh và Xã hội"]
    statuses = ["Đang giải quyết", "Đã trả kết quả", "Chờ bổ sung"]
    start = datetime(2026, 10, 1, 8, 0)
    return [[i + 1, f"H26.{i:06d}", fields[i % 5], f"Thủ tục số {i % 97} của lĩnh vực {fields[i % 5]}",
             f"Nguyễn Văn Người Nộp {i % 1000}", "Trực tiếp", "Bộ phận một cửa", start + timedelta(minutes=i),
             start + timedelta(days=5, minutes=i), start + timedelta(days=3, minutes=i) if i % 3 else None,
             None, statuses[i % 3], "Mới tiếp nhận", "Đúng hạn"] for i in range(n)]


def detail_sheet(n: int, runs: int) -> None:
    """The detail sheet alone, both ways, in this process: CPU seconds and file size."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side

    from desk.services import xlsx_rows

    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    font = Font(name="Times New Roman", size=11)
    looks = {"text": (Alignment(vertical="center"), "General"),
             "number": (Alignment(horizontal="right", vertical="center"), "#,##0"),
             "moment": (Alignment(horizontal="center", vertical="center"), "dd/mm/yyyy hh:mm")}
    kinds = ["number"] + ["text"] * 13
    for col in (7, 8, 9, 10):
        kinds[col] = "moment"
    values = _detail_values(n)

    def styled(ws, value, kind: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=value)
        cell.font, cell.border = font, border
        cell.alignment, cell.number_format = looks[kind]
        return cell

    def streamed(path: Path) -> None:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Chi tiết")
        styles = [styled(ws, None, kind).style_id for kind in kinds]
        rows = xlsx_rows.SheetRows("Chi tiết", first_row=1)
        try:
            for row in values:
                rows.append(row, styles)
            xlsx_rows.save(wb, path, [rows])
        finally:
            rows.discard()

    def write_only(path: Path) -> None:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Chi tiết")
        for row in values:
            ws.append([styled(ws, value, kinds[i]) for i, value in enumerate(row)])
        wb.save(path)

    def write_only_named(path: Path) -> None:
        wb = Workbook(write_only=True)
        for kind, (align, number_format) in looks.items():
            wb.add_named_style(NamedStyle(kind, font=font, border=border, alignment=align,
                                          number_format=number_format))
        ws = wb.create_sheet("Chi tiết")
        for row in values:
            cells = []
            for i, value in enumerate(row):
                cell = WriteOnlyCell(ws, value=value)
                cell.style = kinds[i]
                cells.append(cell)
            ws.append(cells)
        wb.save(path)

    print(f"detail sheet alone: {n:,} rows x 14 columns, {runs} run(s) each, load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="desk-bench-sheet-") as folder:
        for name, write in (("xlsx_rows (rows as sheet XML)", streamed),
                            ("openpyxl write-only, styled WriteOnlyCell", write_only),
                            ("openpyxl write-only, named styles", write_only_named)):
            cpu = []
            for run in range(runs):
                path = Path(folder) / f"{write.__name__}-{run}.xlsx"
                started = time.process_time()
                write(path)
                cpu.append(time.process_time() - started)
            print(f"  {name}: CPU " + ", ".join(f"{x:.2f}" for x in cpu)
                  + f" s; file {path.stat().st_size / 1e6:.1f} MB")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        db_path, period, cutoff, field, out = sys.argv[2:7]
        now = datetime.fromisoformat(sys.argv[8]) if sys.argv[7:8] == ["--now"] else DEMO_NOW
        child(db_path, period, cutoff, field or None, out, now)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=48, help="months the demo spreads the dossiers over")
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--cutoff", default="calendar", choices=("calendar", "15th"))
    parser.add_argument("--field", help="field code filter, e.g. 'ho tich' codes from the catalog")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="print the query plans")
    parser.add_argument("--detail-sheet", type=int, metavar="N",
                        help="time only the detail sheet of N synthetic rows, streamed and write-only")
    parser.add_argument("--add-indexes", action="store_true",
                        help="time a cached copy of the database that has the recommended indexes")
    args = parser.parse_args()
    if args.detail_sheet:
        detail_sheet(args.detail_sheet, args.runs)
        return

    db_path = ensure_database(args.dossiers, args.months)
    if args.add_indexes:
        db_path = with_indexes(db_path)
    print(f"machine: {machine()}")
    print(f"database: {db_path} ({db_path.stat().st_size / 1e6:,.0f} MB, {args.dossiers:,} dossiers over "
          f"{args.months} months{', with ' + ', '.join(RECOMMENDED_INDEXES) if args.add_indexes else ''})")
    phases(db_path, args)
    with tempfile.TemporaryDirectory(prefix="desk-bench-out-") as folder:
        results = [run_child(db_path, args, Path(folder) / f"report-{i}.xlsx") for i in range(args.runs)]
    times = [r["report_s"] for r in results]
    cpu = [r["cpu_s"] for r in results]
    peak = max(r["peak_rss_mb"] for r in results)
    first = results[0]
    print(f"write_report: {first['rows']:,} detail rows, file {first['size_mb']:.1f} MB")
    print("  time: " + ", ".join(f"{x:.2f}" for x in times) + f" s (median {statistics.median(times):.2f} s; "
          f"target < 5 s) — plus {first['startup_s']:.2f} s interpreter/imports/connect")
    print("  CPU time (user+sys) of the same runs: " + ", ".join(f"{x:.2f}" for x in cpu)
          + f" s; load average now {os.getloadavg()[0]:.2f}")
    print(f"  peak memory of the report process: {peak:.0f} MB (after imports and connect: "
          f"{first['base_rss_mb']:.0f} MB; target < 300 MB)")


if __name__ == "__main__":
    main()
