"""Application servers in subprocesses (gunicorn) for the fault, backup and two-process tests,
and task-queue consumers (huey's ``run_huey``) beside them."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DTI_", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="dti.web.settings", DTI_DEBUG="0", **extra)
    return env


def database_url() -> str:
    """The URL of the database the tests use right now (PostgreSQL only)."""
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Server:
    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 1) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--workers",
                    str(workers),
                    "--timeout",
                    "120",
                    "--graceful-timeout",
                    "2",
                    "dti.web.wsgi:application",
                ],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: SIGKILL reaches every worker
            )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                httpx.get(self.base + "/accounts/login/", timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise TimeoutError(f"server not ready: {self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no cleanup, no rollback from the application."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running(env: dict[str, str], log: Path, *, workers: int = 1) -> Iterator[Server]:
    server = Server(env, log, workers=workers)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


class Consumer:
    """``manage.py run_huey`` in its own process group: the worker that runs the queue's tasks
    for the servers started with the same environment."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "run_huey",
                    "--workers",
                    "1",
                    "--worker-type",
                    "thread",
                ],
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

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)  # huey's graceful shutdown
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def consuming(env: dict[str, str], log: Path) -> Iterator[Consumer]:
    consumer = Consumer(env, log)
    try:
        yield consumer
    finally:
        consumer.stop()


def csrf_token(client: httpx.Client, base: str, page: str = "/accounts/login/") -> str:
    response = client.get(base + page)
    token = client.cookies.get("csrftoken")
    if token:
        return str(token)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
    assert match, response.text[:500]
    return match.group(1)


def login(base: str, username: str, password: str, **kwargs: Any) -> httpx.Client:
    client = httpx.Client(timeout=kwargs.pop("timeout", 30), **kwargs)
    token = csrf_token(client, base)
    response = client.post(
        base + "/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, (response.status_code, response.text[:500])
    return client


def post(client: httpx.Client, url: str, data: dict[str, Any], **kwargs: Any) -> httpx.Response:
    """POST with the CSRF token from the client's cookie (as the page's form would)."""
    token = client.cookies.get("csrftoken") or ""
    return client.post(url, data={**data, "csrfmiddlewaretoken": token}, **kwargs)


def use_argon2(user: Any, password: str) -> None:
    """Give a fixture user a hash the server processes accept (the tests hash with MD5)."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save(update_fields=["password"])
