"""Time `demo --dossiers N` into a fresh database (target: 1,000,000 in under 3 minutes).

    python -m bench.bench_demo [N] [--db URL]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--db", help="database URL (default: a new SQLite file in a temp folder)")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="desk-bench-")
    os.environ.setdefault("DESK_DATA_DIR", folder)
    url = args.db or f"sqlite:///{folder}/bench.db"

    from desk.models.db import connect
    from desk.services.accounts import get_actor
    from desk.services.demo import generate
    from desk.services.setup import initialize

    connect(url)
    initialize(actor=None)
    started = time.perf_counter()
    stats = generate(args.count, progress=lambda done, total: None, actor=get_actor("admin"))
    elapsed = time.perf_counter() - started
    size = os.path.getsize(f"{folder}/bench.db") / 1e6 if not args.db else float("nan")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"demo {stats['dossiers']:,} dossiers over {stats['days']} working days: {elapsed:.1f} s "
          f"({stats['dossiers'] / elapsed:,.0f}/s), database {size:,.0f} MB")
    print(stats["by_status"])


if __name__ == "__main__":
    main()
