"""Django's Redis cache, with one ``redis.Redis`` client per connection pool.

Django builds a new ``redis.Redis`` for every cache operation, and each one copies about 170
response callbacks: ≈ 0.3 ms, a third of a cached public page's whole cost (profiled under
``benchmarks/web_publication.py``). A ``redis.Redis`` is safe to share between threads (its
pool hands out connections), so one per pool is kept and reused.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

__all__ = ["SharedClientRedisCache"]


class _SharedClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # Django's private helpers are not in its type stubs; ``base`` is this same object.
        base: Any = self
        index = base._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = base._client(connection_pool=base._get_connection_pool(write))
            self._clients[index] = client
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _SharedClient
