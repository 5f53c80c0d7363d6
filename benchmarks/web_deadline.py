"""Benchmark: the self-assessment deadline — many reporters saving at once over HTTP.

    .venv/bin/python benchmarks/web_deadline.py                   # 3,000 reporters
    .venv/bin/python benchmarks/web_deadline.py --reporters 300   # fewer (setup + logins)

Setup (not timed): a throwaway PostgreSQL database, a framework of ``--leaves`` leaves, one unit
and one reporter per ``--reporters`` (bulk-created; one Argon2 hash shared by all), an open
period with empty entries. gunicorn (``--workers``, default 2) serves it with the Redis cache.

Each reporter is already signed in (a session row per reporter is created in setup, as if they
had logged in that morning: the Argon2 login, ~0.5 s of CPU each, is not what the deadline
measures and would take 25 minutes for 3,000 on two cores; ``--login`` logs in over HTTP
instead). Then, as a browser would: GET its assessment page (CSRF cookie; the forms carry the
entry URLs and versions), then POST ``--saves`` indicator values (fetch-style, JSON answer) as
the unit's form sends them: to ``/assessments/<pk>/entries/`` with the changed row only (its
version and loaded twins), exactly what ``static/dti/app.js`` posts for one changed indicator;
``--per-entry`` posts to the one-indicator endpoint ``/assessments/<pk>/entries/<entry>/``
instead (the page before the form). Reporters run in a
bounded thread pool (``--concurrency`` at a time, httpx). Timed: every save POST. Target: p95
<= 300 ms, zero 5xx, zero lost writes — afterwards the database must hold exactly the values
sent (count and checksum) and one ``self_value`` audit event per save (count and checksum of
the audited new values).
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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from web_import import REPO, bench_database, load, make_world

PASSWORD = "deadline-bench-9-horse"
TARGET_P95_MS = 300.0
FORM = re.compile(
    r'action="(/assessments/\d+/entries/(\d+)/)"[^>]*>.*?name="version" value="(\d+)"', re.S
)
# The unit's form: one row per indicator, named e<entry pk>-…
ROW = re.compile(r'name="e(\d+)-version" value="(\d+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _value(i: int, j: int) -> float:
    return 0.5 if (i + j) % 2 else 1.0


def _sessions(n: int) -> dict[str, str]:
    """A signed-in session per reporter, written straight to the session table."""
    import datetime as dt

    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = SessionStore()
    expire = timezone.now() + dt.timedelta(hours=8)
    keys: dict[str, str] = {}
    rows = []
    for user in User.objects.filter(username__startswith="rep").order_by("username")[:n]:
        key = get_random_string(32)
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        keys[user.username] = key
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


def _form_row(entry: str, version: str, value: str) -> dict[str, str]:
    """One changed row of the unit's form (a points leaf, empty when loaded), as app.js posts
    it: the row's inputs with their loaded twins."""
    p = f"e{entry}"
    return {
        f"{p}-version": version,
        f"initial-{p}-value": "",
        f"initial-{p}-denominator": "",
        f"initial-{p}-not_applicable": "False",
        f"initial-{p}-explanation": "",
        f"{p}-value": value,
        f"{p}-explanation": "",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reporters", type=int, default=3_000)
    parser.add_argument("--saves", type=int, default=5, help="indicator saves per reporter")
    parser.add_argument("--leaves", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8, help="reporters at a time")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--login", action="store_true", help="log in over HTTP (slow)")
    parser.add_argument(
        "--per-entry", action="store_true", help="save through the one-indicator endpoint"
    )
    parser.add_argument("--db", default="dti_bench_deadline")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    print(f"start ({load()})")
    with bench_database(args.db, keep=args.keep) as url:
        import httpx
        from django.contrib.auth.hashers import make_password

        from dti.web.assessments.models import Assessment, IndicatorEntry
        from dti.web.audit.models import AuditEvent

        t = time.perf_counter()
        world = make_world(
            n_units=args.reporters,
            n_leaves=args.leaves,
            password_hash=make_password(PASSWORD),
            filled=False,
        )
        period = world["period"]
        session_of = {} if args.login else _sessions(args.reporters)
        assessment_of = dict(
            Assessment.objects.filter(period=period).values_list("unit__code", "pk")
        )
        print(
            f"setup: {args.reporters:,} reporters/units/assessments x {args.leaves} leaves in "
            f"{time.perf_counter() - t:.1f} s ({load()})"
        )
        from django.db import connections

        connections.close_all()
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DTI_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="dti.web.settings",
            DTI_DEBUG="0",
            DTI_DATABASE_URL=url,
            DTI_VAR_DIR=os.environ["DTI_VAR_DIR"],
            DTI_REDIS_URL="redis://127.0.0.1:6379/0",
            DTI_CACHE_PREFIX=f"{args.db}-{port}",
        )
        log = Path(os.environ["DTI_VAR_DIR"]) / "gunicorn.log"
        with log.open("ab") as out:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "-c",
                    "gunicorn.conf.py",  # the production settings
                    "-w",
                    str(args.workers),
                    "-b",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "60",
                    "--access-logfile",
                    "/dev/null",
                    "dti.web.wsgi:application",
                ],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://127.0.0.1:{port}"
        lock = threading.Lock()
        saves_ms: list[float] = []
        logins_ms: list[float] = []
        pages_ms: list[float] = []
        statuses: dict[int, int] = {}
        sent: dict[int, float] = {}  # entry pk → value posted and acknowledged
        errors: list[str] = []

        def reporter(i: int) -> None:
            username, unit = f"rep{i:05d}", f"u{i:05d}"
            try:
                with httpx.Client(base_url=base, timeout=60) as c:
                    t0 = time.perf_counter()
                    if args.login:
                        c.get("/accounts/login/")
                        r = c.post(
                            "/accounts/login/",
                            data={
                                "username": username,
                                "password": PASSWORD,
                                "csrfmiddlewaretoken": c.cookies.get("csrftoken") or "",
                            },
                        )
                        if r.status_code != 302:
                            raise RuntimeError(f"login {username}: HTTP {r.status_code}")
                    else:
                        c.cookies.set("sessionid", session_of[username])
                    t1 = time.perf_counter()
                    page = c.get(f"/assessments/{assessment_of[unit]}/")
                    t2 = time.perf_counter()
                    if args.per_entry:
                        forms = FORM.findall(page.text)
                    else:
                        form_url = f"/assessments/{assessment_of[unit]}/entries/"
                        forms = [(form_url, pk, v) for pk, v in ROW.findall(page.text)]
                    if page.status_code != 200 or not forms:
                        raise RuntimeError(f"page {username}: HTTP {page.status_code}, no forms")
                    # points leaves only (even positions in each pillar take 0.5 steps)
                    chosen = forms[1::2][: args.saves]
                    local: list[float] = []
                    local_status: list[int] = []
                    local_sent: dict[int, float] = {}
                    for j, (action, entry, version) in enumerate(chosen):
                        v = _value(i, j)
                        s0 = time.perf_counter()
                        csrf = c.cookies.get("csrftoken") or ""
                        if args.per_entry:
                            data = {"version": version, "value": str(v), "explanation": ""}
                        else:
                            data = _form_row(entry, version, str(v))
                        r = c.post(
                            action,
                            data={**data, "csrfmiddlewaretoken": csrf},
                            headers={"X-Requested-With": "fetch"},
                        )
                        local.append((time.perf_counter() - s0) * 1000)
                        local_status.append(r.status_code)
                        if r.status_code == 200 and r.json().get("ok"):
                            local_sent[int(entry)] = v
                with lock:
                    logins_ms.append((t1 - t0) * 1000)
                    pages_ms.append((t2 - t1) * 1000)
                    saves_ms.extend(local)
                    for s in local_status:
                        statuses[s] = statuses.get(s, 0) + 1
                    sent.update(local_sent)
            except Exception as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])

        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    httpx.get(base + "/healthz/", timeout=2)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            print(f"gunicorn {args.workers} workers ready ({load()})")
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                list(pool.map(reporter, range(args.reporters)))
            wall = time.perf_counter() - start
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        load_after = load()

        def pct(xs: list[float], q: float) -> float:
            return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")

        five = sum(n for s, n in statuses.items() if s >= 500)
        # Lost writes: the database against what the server acknowledged.
        stored = dict(
            IndicatorEntry.objects.filter(pk__in=list(sent)).values_list("pk", "self_value")
        )
        mismatched = sum(1 for pk, v in sent.items() if stored.get(pk) != v)
        db_filled = IndicatorEntry.objects.filter(
            assessment__period=period, self_value__isnull=False
        )
        db_sum = sum(v or 0.0 for v in db_filled.values_list("self_value", flat=True))
        events = AuditEvent.objects.filter(
            action="entry_save_self", field="self_value", assessment__period=period
        )
        ev_sum = sum(float(v or 0) for v in events.values_list("new", flat=True))
        ev_count = events.count()
        expected = args.reporters * args.saves
        lost = len(sent) != expected or mismatched or db_filled.count() != len(sent)
        lost = lost or ev_count != len(sent) or abs(ev_sum - sum(sent.values())) > 1e-6
        p95 = pct(saves_ms, 0.95)
        ok = p95 <= TARGET_P95_MS and five == 0 and not lost and not errors
        print(
            f"{args.reporters:,} reporters x {args.saves} saves, {args.concurrency} at a time, "
            f"{args.workers} gunicorn workers: {len(saves_ms):,} saves in {wall:.1f} s "
            f"({len(saves_ms) / wall:.0f} saves/s) ({load_after})"
        )
        print(
            f"save POST: median {statistics.median(saves_ms):.0f} ms, p95 {p95:.0f} ms, "
            f"p99 {pct(saves_ms, 0.99):.0f} ms, max {max(saves_ms):.0f} ms "
            f"(target p95 <= {TARGET_P95_MS:.0f} ms: "
            f"{'met' if p95 <= TARGET_P95_MS else 'MISSED'})"
        )
        print(
            (
                f"login (GET + POST): median {statistics.median(logins_ms):.0f} ms, "
                f"p95 {pct(logins_ms, 0.95):.0f} ms; "
                if args.login
                else "signed in by a session made in setup; "
            )
            + "assessment page GET: median "
            f"{statistics.median(pages_ms):.0f} ms, p95 {pct(pages_ms, 0.95):.0f} ms"
        )
        print(
            f"HTTP statuses of saves: {dict(sorted(statuses.items()))}; 5xx: {five} "
            f"(target 0: {'met' if five == 0 else 'MISSED'}); client errors: {len(errors)} "
            f"{errors[:3]}"
        )
        print(
            f"writes: expected {expected:,}, acknowledged {len(sent):,}, in the database "
            f"{db_filled.count():,} (checksum {db_sum:.1f} vs sent {sum(sent.values()):.1f}, "
            f"{mismatched} differ); audit self_value events {ev_count:,} (checksum "
            f"{ev_sum:.1f}); lost writes: {'NONE (met)' if not lost else 'YES (MISSED)'}"
        )
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
