"""Faults against real server processes (gunicorn) on PostgreSQL.

* SIGKILL in the middle of an Excel import, a submission and a publication: the server pauses
  inside the transaction at a known point (``DTI_FAULT_PAUSE``, see dti.web.ops.faults), is
  killed, and nothing half-written remains; a restarted server takes the retry.
* PostgreSQL out of reach (a TCP relay the test cuts and restores): a Vietnamese 503 page, no
  stack trace, and service resumes by itself.
* Two server processes: log in on one, act on the other.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connection
from tests.web.conftest import PASSWORD, advance, entry
from tests.web.liveproc import (
    consuming,
    database_url,
    login,
    post,
    running,
    server_env,
    use_argon2,
)
from tests.web.test_uploads import PDF, filled_template

from dti.web.assessments.models import Assessment, IndicatorEntry
from dti.web.audit.models import AuditEvent
from dti.web.results.models import Decision, DecisionStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="server-process fault tests need PostgreSQL (DTI_DB=postgres)",
    ),
]


def _state() -> tuple[Any, ...]:
    """Everything the three operations could half-write, as a checksum and counts."""
    digest = hashlib.sha256()
    for model, fields in (
        (Assessment, ("pk", "status", "self_score", "published_at", "submitted_at")),
        (IndicatorEntry, ("pk", "self_value", "self_denominator", "explanation", "version")),
    ):
        for row in model.objects.order_by("pk").values_list(*fields):
            digest.update(json.dumps(row, default=str).encode())
    return AuditEvent.objects.count(), digest.hexdigest()


def _users(world: dict[str, Any]) -> None:
    for name in ("reporter", "admin"):
        use_argon2(world["users"][name], PASSWORD)


OPERATIONS = ["import", "submit", "publish"]


def _start(op: str, world: dict[str, Any], tmp_path: Path) -> tuple[str, str, dict[str, Any]]:
    """(who, url path, form data) of the operation; files as bytes."""
    mine = world["mine"]
    if op == "import":
        path = filled_template(
            world, tmp_path, {"1.1": (1, None, None, "có"), "1.2": (40, 50, None, None)}
        )
        return "reporter", f"/assessments/{mine.pk}/upload/", {"file": path.read_bytes()}
    if op == "submit":
        # (the completeness check confirmed: the submission goes through with its gaps)
        return (
            "reporter",
            f"/assessments/{mine.pk}/transition/",
            {"name": "submit", "confirm": "on"},
        )
    world["mine"] = advance(world, mine, "approved")
    # A group is published whole or provisionally, with its approved decision, from the
    # period's page (dti.web.results.publication).
    Decision.objects.create(
        period=mine.period,
        number="1/QĐ-UBND",
        date=dt.date(2024, 6, 1),
        signer="Chủ tịch",
        status=DecisionStatus.APPROVED,
    )
    form = {"name": "publish", "provisional": "1", "confirm": "1"}
    return "admin", f"/periods/{mine.period_id}/bulk/", form


def _send(client: httpx.Client, base: str, path: str, data: dict[str, Any]) -> httpx.Response:
    files = {k: ("tu-danh-gia.xlsx", v) for k, v in data.items() if isinstance(v, bytes)}
    fields = {k: v for k, v in data.items() if not isinstance(v, bytes)}
    token = client.cookies.get("csrftoken") or ""
    return client.post(
        base + path, data={**fields, "csrfmiddlewaretoken": token}, files=files or None
    )


@pytest.mark.parametrize("op", OPERATIONS)
def test_sigkill_mid_operation_leaves_nothing_half_written(
    world: dict[str, Any], tmp_path: Path, op: str
) -> None:
    _users(world)
    who, path, data = _start(op, world, tmp_path)
    before = _state()
    marker = tmp_path / "paused"
    env = server_env(
        DTI_DATABASE_URL=database_url(),
        DTI_VAR_DIR=str(tmp_path / "var"),
        DTI_FAULT_PAUSE=op,
        DTI_FAULT_MARKER=str(marker),
        DTI_FAULT_SLEEP="40",
    )
    with running(env, tmp_path / "server1.log") as server:
        client = login(server.base, who, PASSWORD)
        client.get(server.base + "/")  # the CSRF cookie
        outcome: list[Any] = []
        thread = threading.Thread(
            target=lambda: outcome.append(_safe(lambda: _send(client, server.base, path, data)))
        )
        thread.start()
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), (tmp_path / "server1.log").read_text()[-3000:]
        server.kill()
        thread.join(10)
    assert outcome and isinstance(outcome[0], Exception)  # the client saw the connection die
    assert _state() == before, f"{op}: something was written by the killed server"
    # A fresh server (no pause) takes the same request from the same user.
    env.pop("DTI_FAULT_PAUSE")
    with running(env, tmp_path / "server2.log") as server:
        client = login(server.base, who, PASSWORD)
        client.get(server.base + "/")
        response = _send(client, server.base, path, data)
        assert response.status_code == 302, response.text[:500]
    mine = Assessment.objects.get(pk=world["mine"].pk)
    expected = {"import": "draft", "submit": "submitted", "publish": "published"}[op]
    assert mine.status == expected
    if op == "import":
        assert entry(mine, "1.2").self_value == 40
        assert AuditEvent.objects.filter(action="entry_import").count() >= 3
    assert _state() != before


def _safe(call: Any) -> Any:
    try:
        return call()
    except Exception as exc:
        return exc


# -- PostgreSQL out of reach ---------------------------------------------------------------------


class Relay:
    """A TCP relay to PostgreSQL that the test can cut (every connection dropped) and restore."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.lock = threading.Lock()

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        with self.lock:
            if self.listener is not None:
                # Wakes the thread blocked in accept() (close() alone does not on Linux).
                with contextlib.suppress(OSError):
                    self.listener.shutdown(socket.SHUT_RDWR)
                self.listener.close()
                self.listener = None
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


def test_database_outage_gives_a_vietnamese_503_and_service_resumes(
    world: dict[str, Any], tmp_path: Path
) -> None:
    _users(world)
    db = connection.settings_dict
    relay = Relay((str(db["HOST"]), int(db["PORT"])))
    relay.up()
    url = f"postgres://{db['USER'] or 'postgres'}@127.0.0.1:{relay.port}/{db['NAME']}"
    env = server_env(DTI_DATABASE_URL=url, DTI_VAR_DIR=str(tmp_path / "var"))
    try:
        with running(env, tmp_path / "server.log") as server:
            client = login(server.base, "reporter", PASSWORD)
            page = f"{server.base}/assessments/{world['mine'].pk}/"
            assert client.get(page).status_code == 200
            relay.down()
            for _ in range(2):  # the pooled connection dies, then new ones are refused
                response = client.get(page)
                assert response.status_code == 503
                assert "Hệ thống tạm thời gián đoạn" in response.text
                assert "Traceback" not in response.text and "psycopg" not in response.text
            assert httpx.get(f"{server.base}/healthz/").status_code == 503
            relay.up()
            deadline = time.monotonic() + 10
            status = 0
            while time.monotonic() < deadline and status != 200:
                status = client.get(page).status_code
            assert status == 200
            assert httpx.get(f"{server.base}/healthz/").json()["database"] == "ok"
    finally:
        relay.down()


# -- two application processes -------------------------------------------------------------------


def test_two_processes_serve_the_same_users(world: dict[str, Any], tmp_path: Path) -> None:
    _users(world)
    env = server_env(
        DTI_DATABASE_URL=database_url(),
        DTI_VAR_DIR=str(tmp_path / "var"),  # one shared storage for evidence
        DTI_REDIS_URL="redis://127.0.0.1:6379/0",
        DTI_CACHE_PREFIX=f"dti-test-{tmp_path.name}",
    )
    mine = world["mine"]
    e = entry(mine, "1.2")
    with (
        running(env, tmp_path / "a.log") as a,
        running(env, tmp_path / "b.log") as b,
    ):
        client = login(a.base, "reporter", PASSWORD)  # the session is made by process A
        page = client.get(f"{b.base}/assessments/{mine.pk}/")  # ... and honoured by B
        assert page.status_code == 200
        saved = post(
            client,
            f"{b.base}/assessments/{mine.pk}/entries/{e.pk}/",
            {"version": e.version, "value": "40", "denominator": "50"},
            headers={"X-Requested-With": "fetch"},
        )
        assert saved.status_code == 200 and saved.json()["ok"], saved.text[:300]
        # A sees B's write at once, and refuses a stale version saved through A.
        stale = post(
            client,
            f"{a.base}/assessments/{mine.pk}/entries/{e.pk}/",
            {"version": e.version, "value": "41", "denominator": "50"},
            headers={"X-Requested-With": "fetch"},
        )
        assert stale.status_code == 409 and stale.json()["code"] == "conflict"
        # Evidence uploaded through A is downloaded through B.
        one = entry(mine, "1.1")
        token = client.cookies.get("csrftoken") or ""
        added = client.post(
            f"{a.base}/assessments/{mine.pk}/entries/{one.pk}/evidence/",
            data={"csrfmiddlewaretoken": token},
            files={"file": ("qd.pdf", PDF)},
        )
        assert added.status_code == 302
        from dti.web.assessments.models import Evidence

        evidence = Evidence.objects.get()
        assert client.get(f"{b.base}/evidence/{evidence.pk}/").content == PDF
        # Logging out on B ends the session on A too.
        assert post(client, f"{b.base}/accounts/logout/", {}).status_code == 302
        after = client.get(f"{a.base}/assessments/{mine.pk}/")
        assert after.status_code == 302 and "/accounts/login/" in after.headers["location"]
    assert entry(mine, "1.2").self_value == 40


def test_sigkill_mid_period_import_writes_nothing_and_the_page_says_interrupted(
    world: dict[str, Any], tmp_path: Path
) -> None:
    from dti.web.assessments.models import ImportState, ValuesImport
    from dti.web.assessments.period_import import STALE_AFTER, is_interrupted

    _users(world)
    table = b"unit,period,indicator,value\nso-a,2023,1.1,1\nso-b,2023,2.2,15\n"
    url = f"/periods/{world['period'].pk}/import/"
    before = _state()
    marker = tmp_path / "paused"
    env = server_env(
        DTI_DATABASE_URL=database_url(),
        DTI_VAR_DIR=str(tmp_path / "var"),
        DTI_FAULT_PAUSE="period-import",
        DTI_FAULT_MARKER=str(marker),
        DTI_FAULT_SLEEP="40",
    )

    def upload(server: Any) -> httpx.Response:
        client = login(server.base, "admin", PASSWORD)
        client.get(server.base + url)  # the CSRF cookie
        token = client.cookies.get("csrftoken") or ""
        return client.post(
            server.base + url,
            data={"csrfmiddlewaretoken": token},
            files={"file": ("du-lieu.csv", table)},
        )

    # The import runs in the queue's consumer (huey on SQLite under DTI_VAR_DIR): the worker
    # is what a SIGKILL mid-import hits, with the web server killed too (a deploy).
    with (
        running(env, tmp_path / "server1.log") as server,
        consuming(env, tmp_path / "worker1.log") as worker,
    ):
        assert upload(server).status_code == 302  # answered at once; the work goes on behind
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), (tmp_path / "worker1.log").read_text()[-3000:]
        worker.kill()
        server.kill()
    assert _state() == before, "the killed import wrote something"
    job = ValuesImport.objects.get()
    assert job.state == ImportState.RUNNING  # as the dead process left it
    assert is_interrupted(job, now=job.heartbeat_at + STALE_AFTER + STALE_AFTER / 10)
    env.pop("DTI_FAULT_PAUSE")
    with (
        running(env, tmp_path / "server2.log") as server,
        consuming(env, tmp_path / "worker2.log"),
    ):
        assert upload(server).status_code == 302
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = ValuesImport.objects.filter(state=ImportState.DONE).first()
            if done:
                break
            time.sleep(0.1)
    assert done is not None and done.changed == 2
    assert entry(world["theirs"], "2.2").self_value == 15


# -- an evidence file and its row ----------------------------------------------------------------


def _evidence_files(media: Path) -> list[Path]:
    area = media / "evidence"
    return sorted(p for p in area.rglob("*") if p.is_file()) if area.exists() else []


def test_sigkill_between_the_evidence_file_and_its_commit_leaves_no_orphan(
    world: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    """The file is written (and flushed to disk) before its row commits; a process killed in
    between leaves a file no row names, which the storage sweep removes once it is older than
    the grace period. An acknowledged upload's file is always there, and the sweep keeps it."""
    import os

    from django.core.management import call_command

    from dti.web.assessments.models import Evidence

    _users(world)
    media = tmp_path / "var" / "media"
    settings.MEDIA_ROOT = media  # the servers' storage, swept from this process
    one = entry(world["mine"], "1.1")
    url = f"/assessments/{world['mine'].pk}/entries/{one.pk}/evidence/"
    marker = tmp_path / "paused"
    env = server_env(
        DTI_DATABASE_URL=database_url(),
        DTI_VAR_DIR=str(tmp_path / "var"),
        DTI_FAULT_PAUSE="evidence",
        DTI_FAULT_MARKER=str(marker),
        DTI_FAULT_SLEEP="40",
    )

    def upload(client: httpx.Client, base: str) -> httpx.Response:
        token = client.cookies.get("csrftoken") or ""
        return client.post(
            base + url, data={"csrfmiddlewaretoken": token}, files={"file": ("qd.pdf", PDF)}
        )

    with running(env, tmp_path / "server1.log") as server:
        client = login(server.base, "reporter", PASSWORD)
        client.get(server.base + "/")
        outcome: list[Any] = []
        thread = threading.Thread(
            target=lambda: outcome.append(_safe(lambda: upload(client, server.base)))
        )
        thread.start()
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), (tmp_path / "server1.log").read_text()[-3000:]
        server.kill()
        thread.join(10)
    assert outcome and isinstance(outcome[0], Exception)  # never acknowledged
    assert not Evidence.objects.exists()
    orphans = _evidence_files(media)
    assert len(orphans) == 1 and orphans[0].read_bytes() == PDF  # the window is real
    # Within the grace period the sweep cannot tell it from an upload still in flight: kept.
    call_command("dti_storage_sweep")
    assert _evidence_files(media) == orphans
    day_ago = time.time() - 24 * 3600 - 60
    os.utime(orphans[0], (day_ago, day_ago))
    call_command("dti_storage_sweep")
    assert _evidence_files(media) == []

    env.pop("DTI_FAULT_PAUSE")
    with running(env, tmp_path / "server2.log") as server:
        client = login(server.base, "reporter", PASSWORD)
        client.get(server.base + "/")
        assert upload(client, server.base).status_code == 302  # acknowledged ...
    evidence = Evidence.objects.get()
    stored = media / evidence.file.name
    assert stored.read_bytes() == PDF  # ... and its file is there
    os.utime(stored, (day_ago, day_ago))
    call_command("dti_storage_sweep", "--grace-minutes", "0")
    assert _evidence_files(media) == [stored] and stored.read_bytes() == PDF
