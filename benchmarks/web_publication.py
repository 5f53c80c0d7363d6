"""Load on the public pages of a published period, served as in production.

gunicorn (``gunicorn.conf.py``, 2 workers) on PostgreSQL with the Redis cache, the demo
province published, the public ranking page and one unit scorecard loaded with wrk (Debian
package), server and load generator pinned to different cores with taskset; median of 3 runs
of each page. Target: >= 500 req/s with p99 <= 100 ms. Needs the database named by
DTI_DATABASE_URL to hold a published period (``manage.py load_demo`` loads published periods),
or pass ``--setup`` to create the throwaway database ``dti_bench_pub`` and load the demo into it
first (dropped afterwards unless --keep):

    .venv/bin/python benchmarks/web_publication.py --setup \
        --year 2022 --province lao-cai --unit <unit code>

A year several provinces published needs ``--province``. Responses other than 2xx/3xx counted
by wrk are printed (a run with any is not a valid measurement). ``--strict``: exit 1 on a miss.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def _wrk(url: str, seconds: int, connections: int, core: str) -> tuple[float, float, int]:
    out = subprocess.run(
        [
            "taskset",
            "-c",
            core,
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*timeout (\d+)", out)
    if errors:  # timed-out requests are left out of wrk's latency figures: count them as bad
        print(f"    wrk: {errors.group(0)}")
    timeouts = int(errors.group(1)) if errors else 0
    return rps, float(p99.group(1)) * scale, (int(bad.group(1)) if bad else 0) + timeouts


def _setup(db: str) -> str:
    """Create ``db`` (dropped first), migrate and load the demo; return its URL."""
    assert db.startswith("dti_bench"), "only throwaway dti_bench* databases"
    for sql in (f"DROP DATABASE IF EXISTS {db} WITH (FORCE)", f"CREATE DATABASE {db}"):
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
            check=True,
        )
    url = f"postgres://postgres@127.0.0.1:5432/{db}"
    env = dict(os.environ, DTI_DATABASE_URL=url, DJANGO_SETTINGS_MODULE="dti.web.settings")
    started = time.monotonic()
    for command in (["migrate", "-v0"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=REPO,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    print(f"setup: {db} migrated + demo loaded in {time.monotonic() - started:.0f} s ({_load()})")
    return url


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--unit", required=True, help="a unit code with a published scorecard")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--province", default="", help="province code (?province=)")
    parser.add_argument("--setup", action="store_true", help="create dti_bench_pub + demo")
    parser.add_argument("--db", default="dti_bench_pub")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    port = _free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="dti.web.settings", DTI_DEBUG="0")
    if args.setup:
        env["DTI_DATABASE_URL"] = _setup(args.db)
    env.setdefault("DTI_REDIS_URL", "redis://127.0.0.1:6379/0")
    env.setdefault("DTI_CACHE_PREFIX", "dti-bench")
    server = subprocess.Popen(
        [
            "taskset",
            "-c",
            "0",
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",  # the production settings
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "dti.web.wsgi:application",
        ],
        cwd=REPO,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    ok = True
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        query = f"?province={args.province}" if args.province else ""
        pages = {
            "ranking": f"{base}/public/{args.year}/{query}",
            "scorecard": f"{base}/public/{args.year}/units/{args.unit}/{query}",
        }
        print(f"before: {_load()}")
        for name, url in pages.items():
            status = urllib.request.urlopen(url, timeout=10).status
            runs = []
            for _ in range(3):
                runs.append(_wrk(url, args.seconds, args.connections, "1"))
                rps, p99, _ = runs[-1]
                print(f"    {name} run: {rps:,.0f} req/s, p99 {p99:.1f} ms ({_load()})")
            rps = statistics.median(r for r, _, _ in runs)
            p99 = statistics.median(p for _, p, _ in runs)
            bad = sum(b for _, _, b in runs)
            ok = ok and rps >= 500 and p99 <= 100 and not bad
            print(
                f"{name}: HTTP {status}, median of 3: {rps:,.0f} req/s, p99 {p99:.1f} ms "
                f"(target >= 500 req/s, p99 <= 100 ms: "
                f"{'met' if rps >= 500 and p99 <= 100 else 'MISSED'}); "
                f"non-2xx/3xx or timed out (> 10 s): {bad} "
                f"({_load()})"
            )
        print(f"after: {_load()}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        if args.setup and not args.keep:
            subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-d",
                    "postgres",
                    "-qc",
                    f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)",
                ],
                check=False,
            )
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
