"""The multi-server topology under load, and one application server SIGKILLed in the middle.

    .venv/bin/python benchmarks/topology.py                  # 300 reporters, kill at a third
    .venv/bin/python benchmarks/topology.py --reporters 120 --strict   # what the test runs

One script starts the whole shape on 127.0.0.1: HAProxy (Debian's; installed with apt-get when
missing and run as root) in front of two gunicorn application servers (``gunicorn.conf.py``,
``--workers`` each), a huey consumer (``manage.py run_huey``) on a Redis queue, one PostgreSQL
database (``--db``, dti_bench_topology, dropped and made anew), Redis (127.0.0.1:6379, the
shared cache and the queue, under names of this run) and an S3 API server (moto's, the
evidence and values tables' storage; ``DTI_STORAGE=s3``).

Load (a Python client, ``--concurrency`` reporters at a time, each signed in by a session made
in setup): every reporter GETs its assessment page, saves ``--saves`` indicator values as the
unit's form does (JSON answer) and uploads one evidence PDF of its own bytes; the administrator
uploads a values table for other units before the kill and another after it, which the
consumer applies (reading the file back from the bucket). When a third of the reporters are
done, the first application server's whole process group is SIGKILLed.

Checked afterwards (``--strict`` exits 1 if any fails):

* only requests in flight at the kill failed: every request started after it succeeded (HAProxy
  sends a request whose connection is refused to the other server; its health check takes the
  dead one out);
* no acknowledged write is lost: every acknowledged value is in the database with its audit
  event (count and checksum), every acknowledged evidence has its row and its object in the
  bucket with the SHA-256 of the bytes sent, every row's object exists, and both values imports
  are done with their values written. A write in flight at the kill may have been applied or not
  (its client got no answer); what it did is reported.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from web_deadline import ROW, _form_row, _free_port, _sessions
from web_import import REPO, bench_database, load, make_world

PDF = b"%%PDF-1.4\n%% %s\n1 0 obj\n<<>>\nendobj\ntrailer\n%%%%EOF\n"
HEADER = "unit,period,indicator,value,denominator,applicable\n"


def ensure_haproxy() -> str:
    """The haproxy binary; installed from Debian's packages when missing (as root)."""
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "haproxy"]
        if subprocess.run(install, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
            subprocess.run(install, env=env, capture_output=True, check=True)
        found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if not found:
        raise SystemExit("topology: haproxy is missing (apt-get install haproxy)")
    return found


HAPROXY_CFG = """\
global
    maxconn 2000
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A slow answer to the health check is a busy server, not a dead one (sync workers answer
    # it between requests); a dead one refuses the connection at once.
    timeout check 10s
    # A request whose connection to a server is refused never reached it: send it to the other
    # server (retry-on conn-failure is the default: never a request a server may have seen;
    # redispatch 1: every retry may change server).
    retries 3
    option redispatch 1
    option httpchk GET /healthz/
    http-check expect status 200
    default-server inter 500ms fall 2 rise 2
frontend web
    bind 127.0.0.1:{port}
    default_backend app
backend app
    balance roundrobin
{servers}
"""


class Proc:
    """A child in its own process group (SIGKILL reaches all its workers), output to a log."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                args,
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(url: str, proc: Proc, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.proc.poll() is not None:
            raise RuntimeError(f"{proc.name} exited: {proc.log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{proc.name} not ready: {proc.log.read_text()[-2000:]}")


@dataclass
class Call:
    kind: str  # page, save, evidence, import
    start: float
    end: float
    ok: bool
    detail: str = ""


@dataclass
class Write:
    kind: str  # save, evidence
    key: int  # the entry's pk
    value: float | str  # the value saved, or the evidence's name (its bytes' SHA-256 below)
    sha256: str = ""


class Load:
    """The load client's record: every call, and the writes acknowledged or left in doubt."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[Call] = []
        self.acked: list[Write] = []
        self.in_doubt: list[Write] = []  # no answer: applied or not

    def timed(self, kind: str, send: Callable[[], Any], good: Callable[[Any], bool]) -> Any:
        start = time.monotonic()
        try:
            response = send()
            ok, detail = good(response), str(getattr(response, "status_code", ""))
        except Exception as exc:  # a reset connection, a timeout: a failed call
            response, ok, detail = None, False, type(exc).__name__
        with self.lock:
            self.calls.append(Call(kind, start, time.monotonic(), ok, detail))
        return response if ok else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reporters", type=int, default=300)
    parser.add_argument("--saves", type=int, default=4, help="indicator saves per reporter")
    parser.add_argument("--leaves", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--db", default="dti_bench_topology")
    parser.add_argument("--strict", action="store_true", help="exit 1 unless every check holds")
    args = parser.parse_args()
    haproxy = ensure_haproxy()
    print(f"start ({load()})")
    imported_units = 2  # units of the values imports, apart from the reporters'
    with bench_database(args.db) as url:
        import httpx
        from django.contrib.auth.hashers import make_password
        from django.contrib.auth.models import User
        from django.contrib.sessions.backends.db import SessionStore
        from tests.web.s3 import MotoServer, storage_env
        from tests.web.s3 import client as s3_client

        from dti.web.assessments.models import (
            Assessment,
            Document,
            ImportState,
            IndicatorEntry,
            ValuesImport,
        )
        from dti.web.audit.models import AuditEvent
        from dti.web.ops.storage import referenced_names

        t = time.perf_counter()
        n_units = args.reporters + imported_units
        world = make_world(
            n_units=n_units, n_leaves=args.leaves, password_hash=make_password("!x"), filled=False
        )
        period = world["period"]
        sessions = _sessions(args.reporters)
        admin = User.objects.get(username="bench-admin")
        store = SessionStore()
        store.update(
            {
                "_auth_user_id": str(admin.pk),
                "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": admin.get_session_auth_hash(),
            }
        )
        store.create()
        admin_session = store.session_key or ""
        assessment_of = dict(
            Assessment.objects.filter(period=period).values_list("unit__code", "pk")
        )
        leaves = list(
            IndicatorEntry.objects.filter(assessment__unit__code="u00000")
            .order_by("position")
            .values_list("indicator", flat=True)
        )
        print(f"setup: {n_units} units, {args.leaves} leaves in {time.perf_counter() - t:.1f} s")
        from django.db import connections

        connections.close_all()

        run = secrets.token_hex(4)
        var = Path(os.environ["DTI_VAR_DIR"])
        logs = Path(tempfile.mkdtemp(prefix="dti-topology-"))  # kept: read them after a failure
        t_up = time.perf_counter()
        moto = MotoServer(logs / "moto.log")
        atexit.register(moto.stop)  # also when a step below fails (stopping twice is harmless)
        bucket = f"dti-topology-{run}"
        s3_client(moto.endpoint).create_bucket(Bucket=bucket)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DTI_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="dti.web.settings",
            DTI_DEBUG="0",
            DTI_DATABASE_URL=url,
            DTI_VAR_DIR=str(var),
            DTI_REDIS_URL="redis://127.0.0.1:6379/0",
            DTI_CACHE_PREFIX=f"{args.db}-{run}",
            DTI_TASKS="redis",
            DTI_TASKS_NAME=f"{args.db}-{run}",
            DTI_WORKERS=str(args.workers),
            **storage_env(moto.endpoint, bucket),
        )
        ports = [_free_port(), _free_port()]
        front = _free_port()
        procs: list[Proc] = []
        apps = [
            Proc(
                f"app{i + 1}",
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "gunicorn.conf.py",
                    "-b",
                    f"127.0.0.1:{port}",
                    "--access-logfile",
                    "/dev/null",
                    "dti.web.wsgi:application",
                ],
                env,
                logs,
            )
            for i, port in enumerate(ports)
        ]
        procs += apps
        worker = Proc(
            "worker",
            [sys.executable, "manage.py", "run_huey", "--workers", "2", "--worker-type", "thread"],
            env,
            logs,
        )
        procs.append(worker)
        servers = "\n".join(
            f"    server app{i + 1} 127.0.0.1:{port} check" for i, port in enumerate(ports)
        )
        cfg = logs / "haproxy.cfg"
        cfg.write_text(HAPROXY_CFG.format(port=front, servers=servers))
        balancer = Proc("haproxy", [haproxy, "-db", "-f", str(cfg)], env, logs)
        procs.append(balancer)
        base = f"http://127.0.0.1:{front}"
        record = Load()
        signalled_at = killed_at = 0.0
        done = 0
        done_lock = threading.Lock()
        kill_after = args.reporters // 3
        kill_now = threading.Event()

        def reporter(i: int) -> None:
            nonlocal done
            unit = f"u{i:05d}"
            pk = assessment_of[unit]
            with httpx.Client(base_url=base, timeout=60) as c:
                c.cookies.set("sessionid", sessions[f"rep{i:05d}"])
                rows: list[tuple[str, str]] = []
                for _ in range(5):  # a read is safe to repeat
                    page = record.timed(
                        "page", lambda: c.get(f"/assessments/{pk}/"), lambda r: r.status_code == 200
                    )
                    if page is not None:
                        rows = ROW.findall(page.text)
                        break
                for j, (entry, version) in enumerate(rows[1::2][: args.saves]):
                    value = 0.5 if (i + j) % 2 else 1.0
                    write = Write("save", int(entry), value)

                    def save(e: str = entry, v: str = version, x: float = value) -> Any:
                        data = {**_form_row(e, v, str(x))}
                        data["csrfmiddlewaretoken"] = c.cookies.get("csrftoken") or ""
                        return c.post(
                            f"/assessments/{pk}/entries/",
                            data=data,
                            headers={"X-Requested-With": "fetch"},
                        )

                    answer = record.timed(
                        "save", save, lambda r: r.status_code == 200 and r.json().get("ok")
                    )
                    with record.lock:
                        (record.acked if answer is not None else record.in_doubt).append(write)
                if rows:
                    first = int(rows[0][0])
                    name = f"qd-{unit}-{secrets.token_hex(4)}.pdf"
                    body = PDF % name.encode()
                    write = Write("evidence", first, name, hashlib.sha256(body).hexdigest())

                    def upload() -> Any:
                        return c.post(
                            f"/assessments/{pk}/entries/{first}/evidence/",
                            data={"csrfmiddlewaretoken": c.cookies.get("csrftoken") or ""},
                            files={"file": (name, body, "application/pdf")},
                        )

                    answer = record.timed("evidence", upload, lambda r: r.status_code == 302)
                    with record.lock:
                        (record.acked if answer is not None else record.in_doubt).append(write)
            with done_lock:
                done += 1
                if done == kill_after:
                    kill_now.set()

        admin_client = httpx.Client(base_url=base, timeout=60)
        admin_client.cookies.set("sessionid", admin_session)
        imports: list[str] = []

        def values_import(unit_index: int) -> None:
            unit = f"u{unit_index:05d}"
            page = record.timed(
                "page",
                lambda: admin_client.get(f"/periods/{period.pk}/import/"),
                lambda r: r.status_code == 200,
            )
            if page is None:
                return
            name = f"import-{unit}.csv"
            table = HEADER + "".join(f"{unit},2024,{leaf},1,,\n" for leaf in leaves)
            answer = record.timed(
                "import",
                lambda: admin_client.post(
                    f"/periods/{period.pk}/import/",
                    data={"csrfmiddlewaretoken": admin_client.cookies.get("csrftoken") or ""},
                    files={"file": (name, table.encode(), "text/csv")},
                ),
                lambda r: r.status_code == 302,
            )
            if answer is not None:
                imports.append(name)

        ok = True
        try:
            for app, port in zip(apps, ports, strict=True):
                wait_for(f"http://127.0.0.1:{port}/healthz/", app)
            wait_for(base + "/healthz/", balancer)
            print(
                f"topology up in {time.perf_counter() - t_up:.1f} s: haproxy, 2 x gunicorn "
                f"({args.workers} workers), huey, moto"
            )
            start = time.monotonic()

            def killer() -> None:
                nonlocal signalled_at, killed_at
                kill_now.wait()
                signalled_at = time.monotonic()
                apps[0].kill()
                # Killed when its port refuses connections: until then the kernel still queues
                # connections for it (and resets them when the socket goes), so a request sent
                # between the signal and that moment is one in flight at the kill.
                while True:
                    with socket.socket() as probe:
                        if probe.connect_ex(("127.0.0.1", ports[0])) != 0:
                            break
                    time.sleep(0.005)
                killed_at = time.monotonic()

            assassin = threading.Thread(target=killer, daemon=True)
            assassin.start()
            values_import(args.reporters)
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                list(pool.map(reporter, range(args.reporters)))
            kill_now.set()
            assassin.join()
            values_import(args.reporters + 1)
            wall = time.monotonic() - start
            # The consumer applies the imports: wait for both (it reads them from the bucket).
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                states = list(ValuesImport.objects.values_list("state", flat=True))
                if states and all(s in (ImportState.DONE, ImportState.FAILED) for s in states):
                    break
                time.sleep(0.3)
        finally:
            admin_client.close()
            for proc in reversed(procs):
                proc.stop(signal.SIGINT if proc is worker else signal.SIGTERM)
            connections.close_all()

        # -- the checks ------------------------------------------------------------------------
        calls = record.calls
        failed = [c for c in calls if not c.ok]
        in_flight = [c for c in failed if c.start <= killed_at]
        after = [c for c in failed if c.start > killed_at]
        saves = [w for w in record.acked if w.kind == "save"]
        stored = dict(
            IndicatorEntry.objects.filter(pk__in=[w.key for w in saves]).values_list(
                "pk", "self_value"
            )
        )
        wrong_values = [w for w in saves if stored.get(w.key) != w.value]
        audited = set(
            AuditEvent.objects.filter(
                action="entry_save_self", field="self_value", assessment__period=period
            ).values_list("object_id", flat=True)
        )
        unaudited = [w for w in saves if str(w.key) not in audited]
        values_sum = sum(float(v) for w in saves if (v := stored.get(w.key)) is not None)
        s3 = s3_client(moto.endpoint)
        objects: dict[str, str] = {}
        for page_ in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page_.get("Contents", []):
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                objects[item["Key"]] = hashlib.sha256(body).hexdigest()
        # Each uploaded file is a document of its unit (the evidence row links it).
        rows_by_name = dict(Document.objects.values_list("original_name", "file"))
        uploads = [w for w in record.acked if w.kind == "evidence"]
        lost_uploads = [
            w for w in uploads if objects.get(rows_by_name.get(str(w.value), "")) != w.sha256
        ]
        rows_without_object = [f for f in rows_by_name.values() if f not in objects]
        orphans = sorted(set(objects) - referenced_names())  # evidence and values tables
        jobs = list(ValuesImport.objects.values_list("original_name", "state", "units"))
        jobs_done = [j for j in jobs if j[1] == ImportState.DONE and j[2] == 1]
        imported = IndicatorEntry.objects.filter(
            assessment__unit__code__in=[f"u{args.reporters + k:05d}" for k in range(2)],
            self_value=1,
        ).count()
        moto.stop()

        latencies = sorted((c.end - c.start) * 1000 for c in calls if c.ok)
        p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
        print(
            f"{len(calls):,} requests in {wall:.1f} s ({len(calls) / wall:.0f}/s) through HAProxy, "
            f"{args.concurrency} clients; median {statistics.median(latencies):.0f} ms, "
            f"p95 {p95:.0f} ms ({load()})"
        )
        print(
            f"app1 SIGKILLed after {kill_after} of {args.reporters} reporters, "
            f"{signalled_at - start:.1f} s in (its port closed "
            f"{(killed_at - signalled_at) * 1000:.0f} ms later): {len(failed)} requests failed "
            f"({len(in_flight)} in flight at the kill, {len(after)} started after it "
            f"(target 0: {'met' if not after else 'MISSED'})): "
            + ", ".join(
                f"{c.kind} {c.detail} {c.start - killed_at:+.2f}..{c.end - killed_at:+.2f} s"
                for c in failed[:8]
            )
        )
        doubt_saves = [w for w in record.in_doubt if w.kind == "save"]
        applied = sum(
            1
            for pk_, v in IndicatorEntry.objects.filter(
                pk__in=[w.key for w in doubt_saves]
            ).values_list("pk", "self_value")
            if v is not None
        )
        print(
            f"saves: {len(saves):,} acknowledged, in the database with their values "
            f"{len(saves) - len(wrong_values):,} (checksum {values_sum:.1f} vs sent "
            f"{sum(float(w.value) for w in saves):.1f}), audited {len(saves) - len(unaudited):,}; "
            f"{len(doubt_saves)} in doubt (no answer), {applied} of them applied"
        )
        print(
            f"evidence: {len(uploads):,} acknowledged, {len(uploads) - len(lost_uploads):,} with "
            f"their row and their object's SHA-256; {len(rows_by_name):,} rows, "
            f"{len(rows_without_object)} without an object; {len(orphans)} objects without a row "
            f"(a killed upload's, left for the sweep)"
        )
        print(
            f"values imports through the consumer: {len(imports)} acknowledged, "
            f"{len(jobs_done)} done ({jobs}); {imported} of {2 * len(leaves)} values written"
        )
        lost = bool(wrong_values or unaudited or lost_uploads or rows_without_object)
        lost = lost or len(jobs_done) != len(imports) or imported != len(imports) * len(leaves)
        lost = lost or len(imports) != 2
        ok = not after and not lost and killed_at > 0
        print(f"acknowledged writes lost: {'NONE (met)' if not lost else 'YES (MISSED)'}")
        print(f"topology: {'PASS' if ok else 'FAIL'} (logs in {logs})")
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
