"""Time the "Bộ chỉ số 766" scorecard (12 months) against twelve monthly tables, on a demo SQLite database.

    python -m bench.bench_scorecard [--dossiers 200000] [--months 18] [--runs 3]

The database is generated once with ``desk.services.demo.generate`` into
``<temp dir>/desk-bench-reports/desk-<N>-<M>m.db`` (bench_reports' cache: ``--dossiers 1000000 --months 48``
reuses its million), then every returned dossier gets a rating (levels in turn) in a copy, so the
satisfaction query has as many rows as it can. Printed: the scorecard's time, its parts (the trend, the
overdue sum, the ratings, the 12 digitisation counts) and, to compare, twelve ``compute_statistics`` of the
same months — what the scorecard would cost if it asked month by month (D49).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from datetime import datetime, timedelta

from bench.bench_reports import DEMO_NOW, ensure_database, machine


def _rated_copy(count: int, months: int):
    source = ensure_database(count, months)
    target = source.with_name(source.stem + "-rated.db")
    if target.exists():
        return target
    part = target.with_name(target.name + ".part")
    shutil.copyfile(source, part)
    from desk.models import Dossier, Rating
    from desk.models.db import close, connect

    connect(f"sqlite:///{part}")
    levels = ["very_satisfied", "satisfied", "satisfied", "dissatisfied"]
    rows = [{"dossier": dossier_id, "level": levels[i % 4], "comment": "", "channel": "kiosk",
             "served_by": handler, "at": returned + timedelta(minutes=5)}
            for i, (dossier_id, handler, returned) in enumerate(
                Dossier.select(Dossier.id, Dossier.handler, Dossier.returned_at)
                .where(Dossier.returned_at.is_null(False)).tuples())]
    for start in range(0, len(rows), 5000):
        Rating.insert_many(rows[start:start + 5000]).execute()
    close()
    part.replace(target)
    return target


def _timed(fn, runs: int) -> tuple[float, object]:  # noqa: ANN001 - a benchmark's callable
    times, result = [], None
    for _i in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--months", type=int, default=18)
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    path = _rated_copy(args.dossiers, args.months)

    from desk.models import Rating
    from desk.models.db import connect
    from desk.services import scorecard as sc
    from desk.services.accounts import get_actor
    from desk.services.attachments import digitisation_counts
    from desk.services.clock import LOCAL_TZ, FixedClock, to_db
    from desk.services.periods import Period
    from desk.services.statistics import compute_statistics, monthly_trend

    connect(f"sqlite:///{path}", create=False)
    admin = get_actor("admin")
    clock = FixedClock(DEMO_NOW.replace(tzinfo=LOCAL_TZ))
    last = Period.parse(args.period)
    periods = [last.shifted(i - 11) for i in range(12)]
    as_ofs = [max(min(p.end, clock.now()), p.start) for p in periods]
    edges = [to_db(p.start) for p in periods] + [to_db(last.end)]
    total, card = _timed(lambda: sc.compute_scorecard(last, by=admin, clock=clock), args.runs)
    parts = {
        "trend": _timed(lambda: monthly_trend(last, last.cutoff, 12), args.runs)[0],
        "overdue": _timed(lambda: sc._overdue_per_month(periods, as_ofs), args.runs)[0],
        "ratings": _timed(lambda: sc._ratings_per_month(edges), args.runs)[0],
        "digitisation_12": _timed(lambda: [digitisation_counts(p.first_day, p.last_day, actor=admin)
                                           for p in periods], args.runs)[0],
    }
    twelve, _stats = _timed(lambda: [compute_statistics(p, clock=clock) for p in periods], args.runs)
    print(json.dumps({
        "machine": machine(), "when": datetime.now().isoformat(timespec="seconds"), "database": str(path.name),
        "dossiers": args.dossiers, "ratings": Rating.select().count(), "scorecard_s": round(total, 3),
        "parts_s": {k: round(v, 3) for k, v in parts.items()}, "twelve_monthly_tables_s": round(twelve, 3),
        "october_ratings": card.months[-1].ratings,  # type: ignore[attr-defined]
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
