"""Two connections load the same version of an entry and both save: one of them is refused."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from tests.web.conftest import entry

from dti.web.assessments.services import entry_save_self
from dti.web.errors import StaleVersion


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_version(world: dict[str, Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent connections are tested on PostgreSQL")
    e = entry(world["mine"], "1.1")
    reporter = world["users"]["reporter"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(value: float) -> None:
        try:
            barrier.wait()
            entry_save_self(
                actor=reporter,
                entry=e,
                version=e.version,
                value=value,
                denominator=None,
                applicable=True,
            )
            outcomes.append("saved")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(v,)) for v in (1.0, 0.0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved", "stale"]
    e.refresh_from_db()
    assert e.version == 2
