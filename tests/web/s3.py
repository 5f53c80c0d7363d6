"""A real S3 API server for the tests: moto's standalone server (``moto_server``, PyPI) on
127.0.0.1, started once per test session unless ``DTI_TEST_S3_ENDPOINT`` names one already
running; each test that asks for :func:`s3_storage` gets a bucket of its own and the default
storage pointed at it (so a shared server is harmless), removed afterwards.

The topology benchmark (benchmarks/topology.py) starts its server with :class:`MotoServer` too.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

# moto accepts any keys; these are what every client of the test server signs with.
ACCESS_KEY, SECRET_KEY, REGION = "dti-test", "dti-test-secret", "us-east-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def answers(endpoint: str) -> bool:
    try:
        httpx.get(endpoint, timeout=2)
    except httpx.TransportError:
        return False
    return True


class MotoServer:
    """``moto_server`` in its own process group on a free port of 127.0.0.1."""

    def __init__(self, log: Path) -> None:
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        script = shutil.which("moto_server", path=str(Path(sys.executable).parent))
        command = [script] if script else [sys.executable, "-m", "moto.server"]
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [*command, "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while not answers(self.endpoint):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"moto_server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


def client(endpoint: str) -> Any:
    """A boto3 S3 client of the test server (to look at the bucket behind the storage)."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )


def storage_env(endpoint: str, bucket: str) -> dict[str, str]:
    """The environment that points a server process's storage at ``bucket``."""
    return {
        "DTI_STORAGE": "s3",
        "DTI_S3_ENDPOINT_URL": endpoint,
        "DTI_S3_BUCKET": bucket,
        "DTI_S3_ACCESS_KEY": ACCESS_KEY,
        "DTI_S3_SECRET_KEY": SECRET_KEY,
        "DTI_S3_REGION": REGION,
    }


def new_bucket(endpoint: str) -> str:
    name = f"dti-test-{secrets.token_hex(6)}"
    client(endpoint).create_bucket(Bucket=name)
    return name


def drop_bucket(endpoint: str, bucket: str) -> None:
    s3 = client(endpoint)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=bucket)


def objects(endpoint: str, bucket: str) -> dict[str, bytes]:
    """Every object of the bucket: key → bytes."""
    s3 = client(endpoint)
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            found[item["Key"]] = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
    return found


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The S3 server's address: DTI_TEST_S3_ENDPOINT if it answers, else one started here."""
    given = os.environ.get("DTI_TEST_S3_ENDPOINT", "")
    if given and answers(given):
        yield given
        return
    server = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    try:
        yield server.endpoint
    finally:
        server.stop()


@dataclass
class Bucket:
    endpoint: str
    name: str

    def objects(self) -> dict[str, bytes]:
        return objects(self.endpoint, self.name)

    def env(self) -> dict[str, str]:
        return storage_env(self.endpoint, self.name)


@pytest.fixture
def s3_storage(s3_endpoint: str, settings: Any) -> Iterator[Bucket]:
    """The default storage (every uploaded file) in a new bucket of the test server."""
    from dti.web.settings import storages_from_env

    bucket = Bucket(s3_endpoint, new_bucket(s3_endpoint))
    settings.STORAGES = storages_from_env(bucket.env())
    try:
        yield bucket
    finally:
        drop_bucket(s3_endpoint, bucket.name)
