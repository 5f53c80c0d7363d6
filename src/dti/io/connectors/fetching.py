"""A source's pages over HTTP (httpx): JSON or CSV, one page or many, each page kept as it
was received (its request, status, time and bytes) for the provenance of what it carried.

Pagination: ``none`` (one request), ``page`` (``?page=1, 2, …`` until an empty page or the
declared number of pages) or ``next`` (follow the URL the body names). When the body declares
how many records there are (``total_key``), fewer records received is a partial source:
transient, since the next attempt may get them all.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from dti.engine.errors import DataError, Problem
from dti.engine.messages import say

__all__ = ["Fetched", "HttpSource", "Page", "Record", "SourceError", "fetch_http"]

# A page larger than this is refused before it is parsed (a source is not a download site).
MAX_PAGE_BYTES = 64 * 1024 * 1024


class SourceError(DataError):
    """A source could not be read, or what it said is wrong; ``transient``: worth retrying."""

    default_title = "source refused"

    def __init__(self, problems: list[Problem] | Problem | str, *, transient: bool = False):
        super().__init__(problems)
        self.transient = transient


class HttpSource(BaseModel):
    """How to read one HTTP source (what the admin configures; the token is kept apart)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=r"^https?://")
    format: Literal["json", "csv"] = "json"
    records: str = ""  # dotted path to the list of records in a JSON body ("" = the body)
    pagination: Literal["none", "page", "next"] = "none"
    page_param: str = "page"
    pages_key: str = ""  # dotted path of the declared number of pages (pagination "page")
    next_key: str = "next"  # dotted path of the next page's URL (pagination "next")
    total_key: str = ""  # dotted path of the declared number of records
    params: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(default=20.0, gt=0, le=300)
    max_pages: int = Field(default=1000, ge=1, le=100_000)


@dataclass(frozen=True, slots=True)
class Page:
    """One response as received: what was asked (never the token), when, and its bytes."""

    number: int
    request: str
    status: int
    fetched_at: dt.datetime
    body: bytes
    content_type: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


@dataclass(frozen=True, slots=True)
class Record:
    """One record of a source, with where it came from (page and position, from 1)."""

    data: dict[str, Any]
    page: int
    position: int


@dataclass
class Fetched:
    records: list[Record] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    declared_total: int | None = None


def fetch_http(
    source: HttpSource, *, token: str = "", client: httpx.Client | None = None
) -> Fetched:
    """Every page of ``source``; raises :class:`SourceError` (every problem located)."""
    headers = {"Accept": "application/json" if source.format == "json" else "text/csv"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    own = client is None
    http = client or httpx.Client(timeout=source.timeout, follow_redirects=False)
    try:
        return _pages(source, http, headers)
    finally:
        if own:
            http.close()


def _pages(source: HttpSource, http: httpx.Client, headers: dict[str, str]) -> Fetched:
    fetched = Fetched()
    url: str | None = source.url
    number = 1
    while url is not None:
        if number > source.max_pages:
            raise SourceError(Problem(say("source_too_many_pages", pages=source.max_pages)))
        params = dict(source.params)
        if source.pagination == "page":
            params[source.page_param] = str(number)
        page = _get(http, url, params, headers, number, source.timeout)
        fetched.pages.append(page)
        body = _parsed(source, page)
        records = _records(source, body, page)
        fetched.records += [Record(r, number, i) for i, r in enumerate(records, start=1)]
        if source.total_key and isinstance(body, dict):
            fetched.declared_total = _count(body, source.total_key, page)
        url = _next_url(source, body, page, number, records)
        number += 1
    if fetched.declared_total is not None and fetched.declared_total != len(fetched.records):
        raise SourceError(
            Problem(
                say(
                    "source_partial",
                    received=len(fetched.records),
                    declared=fetched.declared_total,
                ),
                file=source.url,
            ),
            transient=True,
        )
    return fetched


def _get(
    http: httpx.Client,
    url: str,
    params: dict[str, str],
    headers: dict[str, str],
    number: int,
    timeout: float,
) -> Page:
    shown = str(httpx.URL(url, params=params)) if params else url
    where = f"GET {shown}"
    try:
        response = http.get(url, params=params, headers=headers, timeout=timeout)
        body = response.read()
    except httpx.TimeoutException as exc:
        raise SourceError(
            Problem(say("source_timeout", seconds=timeout), file=shown), transient=True
        ) from exc
    except httpx.HTTPError as exc:
        raise SourceError(
            Problem(say("source_unreachable", detail=type(exc).__name__), file=shown),
            transient=True,
        ) from exc
    if response.status_code >= 400:
        # The server's trouble (5xx, 429) may pass; a refusal of what was asked (4xx) will not.
        transient = response.status_code >= 500 or response.status_code == 429
        raise SourceError(
            Problem(say("source_http_status", status=response.status_code), file=shown),
            transient=transient,
        )
    if len(body) > MAX_PAGE_BYTES:
        raise SourceError(Problem(say("source_page_too_large"), file=shown))
    return Page(
        number=number,
        request=where,
        status=response.status_code,
        fetched_at=dt.datetime.now(dt.UTC),
        body=body,
        content_type=response.headers.get("content-type", ""),
    )


def _parsed(source: HttpSource, page: Page) -> Any:
    where = page.request.removeprefix("GET ")
    if source.format == "csv":
        try:
            text = page.body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(Problem(say("source_not_utf8"), file=where)) from exc
        return list(csv.DictReader(io.StringIO(text)))
    try:
        return json.loads(page.body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise SourceError(
            Problem(say("source_malformed_json", detail=str(exc)), file=where, row=line)
        ) from exc


def _at(body: Any, path: str) -> Any:
    """The value at a dotted path of a JSON body (``None`` where it is missing)."""
    value = body
    for part in path.split(".") if path else []:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _records(source: HttpSource, body: Any, page: Page) -> list[dict[str, Any]]:
    where = page.request.removeprefix("GET ")
    found = body if source.format == "csv" else _at(body, source.records)
    if not isinstance(found, list):
        raise SourceError(
            Problem(say("source_no_records", path=source.records or "(body)"), file=where)
        )
    bad = [i for i, r in enumerate(found, start=1) if not isinstance(r, dict)]
    if bad:
        raise SourceError(Problem(say("source_record_not_object"), file=where, row=bad[0]))
    return found


def _count(body: dict[str, Any], path: str, page: Page) -> int:
    value = _at(body, path)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SourceError(
            Problem(
                say("source_field_missing", key=path),
                file=page.request.removeprefix("GET "),
            )
        )
    return int(value)


def _next_url(
    source: HttpSource, body: Any, page: Page, number: int, records: list[dict[str, Any]]
) -> str | None:
    if source.pagination == "none":
        return None
    if source.pagination == "next":
        following = _at(body, source.next_key) if isinstance(body, dict) else None
        return str(following) if following else None
    if not records:
        return None
    if source.pages_key and isinstance(body, dict):
        return source.url if number < _count(body, source.pages_key, page) else None
    return source.url
