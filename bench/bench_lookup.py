"""The phone look-up page under load: p95 at 50 requests a second (target: under 100 ms).

    python -m bench.bench_lookup [--size 20000] [--rate 50] [--seconds 30] [--engines sqlite,postgres]

For each engine, the benchmark database of bench/datasets.py (demo dossiers, built once and reused) is
served by the real command, ``python main.py --db URL lookup-server`` (waitress, read-only connection),
in its own process on a free port. The load is open-loop: request *i* starts at ``i / rate`` seconds
whether or not the earlier ones have finished (a slow server cannot slow the load down and hide its
own latency), each a new HTTP connection to ``GET /h/<payload>`` for a random dossier's valid slip, as
a phone opening a QR link does. Latency is measured from the moment the request was due to the last
byte of the page. The table shows p50, p95, p99 and the slowest, the rate reached and any answer
that was not 200.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLIPS = 2000  # distinct dossiers asked for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _payloads(url: str, count: int, seed: int) -> list[str]:
    """Valid slip payloads of ``count`` random dossiers of the database (read in this process)."""
    from desk.models import Dossier
    from desk.models import db as dbmod
    from desk.services.payload import make_payload

    db = dbmod.connect(url, allow_new=False)
    try:
        ids = [row[0] for row in Dossier.select(Dossier.id).tuples()]
        chosen = random.Random(seed).sample(ids, min(count, len(ids)))
        codes = [row[0] for row in Dossier.select(Dossier.code).where(Dossier.id.in_(chosen)).tuples()]
        return [make_payload(code) for code in codes]
    finally:
        db.close()


def _serve(url: str, port: int, data_dir: str) -> subprocess.Popen:
    env = os.environ | {"DESK_DATA_DIR": data_dir, "DESK_LANG": "vi"}
    proc = subprocess.Popen([sys.executable, "main.py", "--db", url, "lookup-server", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"lookup-server did not start: {proc.stderr.read() if proc.stderr else ''}") from None
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("lookup-server did not start in 30 s")


def _one(port: int, path: str, due: float) -> tuple[float, int]:
    """(ms from the moment the request was due to its last byte, HTTP status); status 0: no answer."""
    while (wait := due - time.perf_counter()) > 0:
        time.sleep(wait)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        status = response.status
        conn.close()
    except OSError:
        status = 0
    return (time.perf_counter() - due) * 1000, status


def load(port: int, payloads: list[str], rate: float, seconds: float, seed: int) -> dict:
    """Open-loop load at ``rate`` requests a second for ``seconds``; latency percentiles in ms."""
    rng = random.Random(seed)
    total = int(rate * seconds)
    for payload in payloads[:20]:  # warm-up: the server's threads and their connections
        _one(port, f"/h/{payload}", time.perf_counter())
    start = time.perf_counter() + 0.5
    with ThreadPoolExecutor(max_workers=64) as pool:
        futures = [pool.submit(_one, port, f"/h/{rng.choice(payloads)}", start + i / rate) for i in range(total)]
        results = [f.result() for f in futures]
    elapsed = time.perf_counter() - start
    times = sorted(ms for ms, _status in results)
    q = statistics.quantiles(times, n=100, method="inclusive")
    return {"requests": total, "rate": total / elapsed, "p50": q[49], "p95": q[94], "p99": q[98], "max": times[-1],
            "not_200": sum(1 for _ms, status in results if status != 200)}


def measure(url: str, *, rate: float = 50.0, seconds: float = 30.0, seed: int = 20261202) -> dict:
    """lookup-server on ``url`` in its own process, under the open-loop load; its figures (ms)."""
    payloads = _payloads(url, SLIPS, seed)
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="desk-bench-lookup-") as data_dir:
        proc = _serve(url, port, data_dir)
        try:
            return load(port, payloads, rate, seconds, seed)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def run(engine: str, args: argparse.Namespace) -> dict:
    from bench import datasets

    url = datasets.ensure_sqlite(args.size) if engine == "sqlite" else datasets.ensure_postgres(args.size)
    return {"engine": engine, **measure(url, rate=args.rate, seconds=args.seconds, seed=args.seed)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_lookup", description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20_000, help="demo dossiers in the database")
    parser.add_argument("--rate", type=float, default=50.0, help="requests a second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args(argv)
    os.environ.setdefault("DESK_DATA_DIR", str(Path(tempfile.gettempdir()) / "desk-bench-search" / "data"))
    rows = [run(engine.strip(), args) for engine in args.engines.split(",") if engine.strip()]
    load_avg = os.getloadavg()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; {args.size:,} dossiers; "
          f"{args.rate:g} requests/s for {args.seconds:g} s; load average {load_avg[0]:.1f} / {load_avg[1]:.1f} / "
          f"{load_avg[2]:.1f}")
    print("| engine | requests | rate reached /s | p50 ms | p95 ms | p99 ms | max ms | not 200 |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['engine']} | {r['requests']} | {r['rate']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} "
              f"| {r['max']:.1f} | {r['not_200']} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
