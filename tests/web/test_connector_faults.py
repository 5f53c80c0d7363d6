"""A queue consumer SIGKILLed in the middle of a pull (everything written, nothing committed)
leaves nothing half-written, and the pull is run again — by the resumption the schedule runs
(``manage.py dti_pulls_resume`` here) — by the next consumer, to its end. PostgreSQL only:
the server, the consumers and the test share the database."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from tests.web.conftest import PASSWORD
from tests.web.connector_world import (
    PORTAL_RECORDS,
    measured_period,
    portal_connector,
    portal_pages,
)
from tests.web.liveproc import (
    REPO,
    consuming,
    database_url,
    login,
    post,
    running,
    server_env,
    use_argon2,
)
from tests.web.source_server import Source, serving

from dti.web.assessments.models import IndicatorEntry
from dti.web.connectors.models import MeasuredValue, Pull, PullPayload, PullState

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="server and consumer processes share the database: PostgreSQL (DTI_DB=postgres)",
    ),
]

PORTAL = "/dvc/thong-ke"


@pytest.fixture
def source() -> Iterator[Source]:
    with serving() as s:
        yield s


def _written(period: Any) -> tuple[Any, ...]:
    values = tuple(
        IndicatorEntry.objects.filter(assessment__period=period)
        .order_by("pk")
        .values_list("self_value", "version")
    )
    return (values, MeasuredValue.objects.count(), PullPayload.objects.count())


def test_sigkill_of_the_consumer_mid_pull_writes_nothing_and_the_pull_is_run_again(
    world: dict[str, Any], source: Source, tmp_path: Path
) -> None:
    measured = measured_period(world)
    period = measured["period"]
    source.json_pages(PORTAL, portal_pages(PORTAL_RECORDS))
    connector = portal_connector(world, source.url(PORTAL))
    use_argon2(world["users"]["admin"], PASSWORD)
    before = _written(period)
    marker = tmp_path / "paused"
    env = server_env(
        DTI_DATABASE_URL=database_url(),
        DTI_VAR_DIR=str(tmp_path / "var"),
        DTI_TASKS="sqlite",
        DTI_FAULT_PAUSE="pull",
        DTI_FAULT_MARKER=str(marker),
        DTI_FAULT_SLEEP="40",
    )
    with (
        running(env, tmp_path / "server.log") as server,
        consuming(env, tmp_path / "worker1.log") as worker,
    ):
        client = login(server.base, "admin", PASSWORD)
        client.get(f"{server.base}/connectors/{connector.pk}/")  # the CSRF cookie
        asked = post(
            client,
            f"{server.base}/connectors/{connector.pk}/pull/",
            {"period": period.pk, "confirm": "on"},
        )
        assert asked.status_code == 302, asked.text[:500]
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), (tmp_path / "worker1.log").read_text()[-3000:]
        worker.kill()
    assert _written(period) == before, "the killed pull wrote something"
    pull = Pull.objects.get()
    assert (pull.state, pull.attempts) == (PullState.RUNNING, 1)  # as the dead consumer left it

    env.pop("DTI_FAULT_PAUSE")
    env["DTI_PULL_STALE_SECONDS"] = "0"  # (its heartbeat stopped long enough ago)
    with consuming(env, tmp_path / "worker2.log"):
        resumed = subprocess.run(
            [sys.executable, "manage.py", "dti_pulls_resume"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert resumed.returncode == 0, resumed.stderr[-2000:]
        # (the consumer's own schedule may have queued it first, at a minute divisible by
        # five: then the command finds it running, and the second delivery is harmless)
        assert "queued again" in resumed.stdout
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pull.refresh_from_db()
            if pull.state == PullState.DONE:
                break
            time.sleep(0.2)
    assert (pull.state, pull.attempts, pull.values) == (PullState.DONE, 2, 6), (
        tmp_path / "worker2.log"
    ).read_text()[-3000:]
    online = IndicatorEntry.objects.get(assessment=measured["assessments"]["so-a"], indicator="1.2")
    assert online.self_value == 1216
    assert MeasuredValue.objects.count() == 6
