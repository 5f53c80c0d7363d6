"""Rendered public pages, cached whole until the next publication.

On publication day the ranking and the scorecards are read by thousands of visitors while the
data under them cannot change: every change to what the public sees goes through a publication,
a reopening or the decision header, and each of those draws a new *generation* (one cache entry).
A page is stored under the generation, the language and its full path, so a new generation
makes every stored page unreachable at once. Pages live in the shared cache (so that every
process serves what one rendered) and in a small copy inside each process, and each process
reads the generation at most twice a second: a hit costs no database query and, mostly, no
cache round trip; another process's publication shows within half a second.

Only visitors without a session cookie are served from here: a signed-in user may see previews,
and anyone holding a session may have a flash message waiting; both are rendered as usual.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

__all__ = [
    "GENERATION_KEY",
    "PAGE_SECONDS",
    "cached_public_page",
    "forget_local_copies",
    "new_generation",
]

GENERATION_KEY = "dti:results:generation"
PAGE_SECONDS = 24 * 3600  # a bound for memory only: a new generation retires pages at once


# A process reads the generation from the shared cache at most this often; a publication made
# by another process reaches it within this time (the publishing process sees it at once).
GENERATION_SECONDS = 0.5


class _Generation:
    """The current generation, as this process last read it from the shared cache."""

    def __init__(self) -> None:
        self.value = ""
        self.read_at = -1e9
        self.lock = threading.Lock()

    def get(self) -> str:
        now = time.monotonic()
        if now - self.read_at < GENERATION_SECONDS:
            return self.value
        value = cache.get(GENERATION_KEY)
        if value is None:  # first use, or the cache was flushed: any fresh value will do
            cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
            value = cache.get(GENERATION_KEY)
        with self.lock:
            self.value, self.read_at = str(value), now
        return self.value

    def draw(self) -> None:
        value = uuid.uuid4().hex
        cache.set(GENERATION_KEY, value, None)
        with self.lock:
            self.value, self.read_at = value, time.monotonic()

    def forget(self) -> None:
        """Read the shared value next time (the cache was cleared, e.g. between tests)."""
        with self.lock:
            self.read_at = -1e9


_generation = _Generation()


def new_generation() -> None:
    """Retire every cached page now, and again once the current transaction commits: a page a
    visitor rendered from the old state while the transaction ran is retired with it."""
    _generation.draw()
    transaction.on_commit(_generation.draw)


def forget_local_copies() -> None:
    """Drop this process's copies (the generation and the pages): after the shared cache was
    cleared behind its back, e.g. between tests."""
    _generation.forget()
    _process_pages.clear()


class _ProcessPages:
    """The most recently used pages of this process (bounded; threads share it)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pages: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, str] | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()

    def put(self, key: str, page: tuple[bytes, str]) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.size:
                self.pages.popitem(last=False)


_process_pages = _ProcessPages(size=128)  # ≈ 18 MB at 140 KB a page


def _key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"dti:page:{_generation.get()}:{get_language()}:{path}"


def cached_public_page(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "GET" or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return view(request, *args, **kwargs)
        key = _key(request)
        stored = _process_pages.get(key)
        if stored is None:
            stored = cache.get(key)
            if stored is not None:
                _process_pages.put(key, stored)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        # Nothing personal may be stored: a page that set a cookie is served once, not kept.
        if response.status_code == 200 and not response.streaming and not response.cookies:
            page = (response.content, response["Content-Type"])
            cache.set(key, page, PAGE_SECONDS)
            _process_pages.put(key, page)
        return response

    return wrapper
