"""The Redis cache backend keeps one client per connection pool and still works as a cache."""

from __future__ import annotations

import socket
import uuid

import pytest

from dti.web.ops.cache import SharedClientRedisCache


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis server on 127.0.0.1:6379")
def test_one_client_serves_every_operation() -> None:
    prefix = f"dti-test-{uuid.uuid4().hex[:8]}"
    cache = SharedClientRedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": prefix})
    cache.set("page", b"<html>", 30)
    assert cache.get("page") == b"<html>"
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=False) is client
    cache.delete("page")
    assert cache.get("page") is None
    client.connection_pool.disconnect()
