"""The task queue with real processes: a gunicorn application server answers at once, and a
separate huey consumer (``manage.py run_huey``) does the work — on Redis (production, several
servers) and on the embedded SQLite storage (the demo). PostgreSQL only: the processes share
the test database. Redis must answer on 127.0.0.1:6379 (scripts/system-deps starts it)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connection
from huey import RedisHuey
from tests.web.conftest import PASSWORD, entry
from tests.web.liveproc import consuming, database_url, login, running, server_env, use_argon2
from tests.web.smtp import Inbox

from dti.web.assessments.models import Assessment, ImportState, Status, ValuesImport

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="server and consumer processes share the database: PostgreSQL (DTI_DB=postgres)",
    ),
]

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["redis", "sqlite"])
def queue_env(
    request: pytest.FixtureRequest, tmp_path: Path, smtp: Inbox
) -> Iterator[dict[str, str]]:
    """The environment of a server and its consumer: one queue of their own, mail to the
    tests' SMTP server."""
    from django.conf import settings

    name = f"dti-test-{uuid.uuid4().hex[:12]}"
    env = server_env(
        DTI_DATABASE_URL=database_url(),
        DTI_VAR_DIR=str(tmp_path / "var"),
        DTI_TASKS=request.param,
        DTI_TASKS_NAME=name,
        DTI_TASKS_REDIS_URL=REDIS_URL,
        DTI_EMAIL_HOST="127.0.0.1",
        DTI_EMAIL_PORT=str(settings.EMAIL_PORT),
    )
    yield env
    if request.param == "redis":
        RedisHuey(name, url=REDIS_URL).storage.flush_all()  # nothing left in the shared Redis


def _post(client: httpx.Client, url: str, **kwargs: Any) -> httpx.Response:
    client.get(url)  # the CSRF cookie
    token = client.cookies.get("csrftoken") or ""
    data = {"csrfmiddlewaretoken": token, **kwargs.pop("data", {})}
    return client.post(url, data=data, **kwargs)


def _until(check: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    return None


def test_the_consumer_applies_an_import_and_sends_the_mail_the_server_queued(
    world: dict[str, Any], queue_env: dict[str, str], smtp: Inbox, tmp_path: Path
) -> None:
    for name in ("admin", "reporter"):
        use_argon2(world["users"][name], PASSWORD)
        world["users"][name].email = f"{name}@dti.gov.vn"
        world["users"][name].save(update_fields=["email"])
    table = b"unit,period,indicator,value\nso-a,2023,1.1,1\nso-b,2023,2.2,15\n"
    with running(queue_env, tmp_path / "server.log") as server:
        admin = login(server.base, "admin", PASSWORD)
        url = f"{server.base}/periods/{world['period'].pk}/import/"
        # No consumer yet: the server answers at once and the job waits in the queue.
        assert _post(admin, url, files={"file": ("du-lieu.csv", table)}).status_code == 302
        time.sleep(1)
        assert ValuesImport.objects.get().state == ImportState.QUEUED
        reporter = login(server.base, "reporter", PASSWORD)
        mine = f"{server.base}/assessments/{world['mine'].pk}/transition/"
        with consuming(queue_env, tmp_path / "worker.log"):
            done = _until(lambda: ValuesImport.objects.filter(state=ImportState.DONE).first())
            assert done is not None, (tmp_path / "worker.log").read_text()[-3000:]
            assert done.changed == 2
            # (the completeness check confirmed, as the page does after showing it)
            submit = {"name": "submit", "confirm": "on"}
            assert _post(reporter, mine, data=submit).status_code == 302
            assert _until(lambda: smtp.to("reporter@dti.gov.vn")), (
                tmp_path / "worker.log"
            ).read_text()[-3000:]
            assert _until(lambda: smtp.to("admin@dti.gov.vn"))
    assert entry(world["mine"], "1.1").self_value == 1
    assert entry(world["theirs"], "2.2").self_value == 15
    assert Assessment.objects.get(pk=world["mine"].pk).status == Status.SUBMITTED
    assert len(smtp.messages) == 2  # the receipt to the unit's reporter and to the admin
    assert " ".join(str(smtp.to("reporter@dti.gov.vn")[0]["Subject"]).split()) == (
        "[DTI] Hồ sơ tự đánh giá đã được gửi"
    )
