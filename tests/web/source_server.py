"""A real HTTP source on 127.0.0.1 for the connector tests: a threaded server whose answers a
test sets per path (status, body, delay), recording each request it received."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class Source:
    """What the server answers: ``pages[path][page number]`` (the ``page``/``trang`` query
    parameter, 1 without one), else ``answers[path]``."""

    base: str = ""
    answers: dict[str, Answer] = field(default_factory=dict)
    pages: dict[str, dict[int, Answer]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, list[str]], str]] = field(default_factory=list)

    def json(self, path: str, payload: Any, **kwargs: Any) -> None:
        self.answers[path] = Answer(body=json.dumps(payload).encode(), **kwargs)

    def json_pages(self, path: str, payloads: list[Any]) -> None:
        self.pages[path] = {
            i: Answer(body=json.dumps(p).encode()) for i, p in enumerate(payloads, start=1)
        }

    def raw(self, path: str, body: bytes, **kwargs: Any) -> None:
        self.answers[path] = Answer(body=body, **kwargs)

    def url(self, path: str) -> str:
        return self.base + path


def _handler(source: Source) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            source.requests.append((parts.path, query, self.headers.get("Authorization", "")))
            number = int((query.get("page") or query.get("trang") or ["1"])[0])
            answer = source.pages.get(parts.path, {}).get(number) or source.answers.get(parts.path)
            if answer is None:
                answer = Answer(status=404, body=b'{"error": "not found"}')
            if answer.delay:
                time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serving() -> Iterator[Source]:
    source = Source()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(source))
    server.daemon_threads = True
    source.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield source
    finally:
        server.shutdown()
        server.server_close()
