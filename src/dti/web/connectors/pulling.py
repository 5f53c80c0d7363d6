"""A pull, run by the queue: claim it, read the source, map its records, write them.

Claimed by one conditional ``UPDATE`` (queued or retrying → running; also a running pull
whose heartbeat stopped — its consumer was killed, and its transaction with it, so nothing of
it was written), so two consumers never run one pull and a killed one is taken up again.
A transient failure (a timeout, a 5xx, a partial page) leaves the pull ``retrying`` for the
queue's next attempt, until :data:`MAX_ATTEMPTS`; any other failure ends it ``failed``. Either
way nothing is written, and the problems are kept on the pull as codes with parameters, said
in the admin's language when shown.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from dti.engine import DataError, Problem
from dti.engine.messages import say
from dti.io.connectors import (
    Fetched,
    HttpSource,
    Mapping,
    SourceError,
    Wanted,
    fetch_file,
    fetch_http,
    fetch_portal,
    measured_frame,
    newest_file,
)
from dti.web.assessments.workflow import SELF_EDITABLE
from dti.web.connectors.models import Connector, ConnectorKind, Pull, PullState
from dti.web.connectors.writing import PullWritten, pull_write
from dti.web.frameworks.selectors import framework_measured

__all__ = ["MAX_ATTEMPTS", "pull_run", "stale_pulls", "wanted_of"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
MAX_PROBLEMS = 200


def _stale_after() -> dt.timedelta:
    """A running pull whose heartbeat is older than this was interrupted (its consumer died)."""
    return dt.timedelta(seconds=settings.DTI_PULL_STALE_SECONDS)


def _timeout() -> float:
    """Seconds a source has to answer each request."""
    return float(settings.DTI_PULL_TIMEOUT)


def stale_pulls() -> list[int]:
    """Pulls a dead consumer left running, and queued ones the queue lost: to be run again."""
    cutoff = timezone.now() - _stale_after()
    return list(
        Pull.objects.filter(
            Q(state__in=[PullState.RUNNING, PullState.QUEUED, PullState.RETRYING])
            & Q(heartbeat_at__lt=cutoff)
        ).values_list("pk", flat=True)
    )


def _claim(pull_id: int) -> bool:
    now = timezone.now()
    open_or_stale = Q(state__in=[PullState.QUEUED, PullState.RETRYING]) | Q(
        state=PullState.RUNNING, heartbeat_at__lt=now - _stale_after()
    )
    return bool(
        Pull.objects.filter(Q(pk=pull_id) & open_or_stale).update(
            state=PullState.RUNNING, heartbeat_at=now, attempts=F("attempts") + 1
        )
    )


def pull_run(pull_id: int, *, client: httpx.Client | None = None) -> Pull:
    """Run a pull (the queue's task; tests call it directly); returns it as it ended."""
    if not _claim(pull_id):
        return Pull.objects.get(pk=pull_id)
    pull = Pull.objects.select_related("connector", "period", "requested_by").get(pk=pull_id)
    connector = pull.connector
    try:
        fetched = _fetch(pull, client)
        Pull.objects.filter(pk=pull.pk).update(heartbeat_at=timezone.now())
        wanted = wanted_of(pull)
        units = set(pull.period.assessments.values_list("unit__code", flat=True))
        mapping = _mapping(connector)
        frame = measured_frame(fetched, mapping, wanted, units=units, period=pull.period.code)
        written = pull_write(pull, frame, fetched, SELF_EDITABLE)
    except SourceError as error:
        return _failed(pull, error.problems, transient=error.transient)
    except DataError as error:  # the engine's judgement of the values (out of range …)
        return _failed(pull, error.problems, transient=False)
    except Exception:
        log.exception("pull %s stopped", pull.pk)
        return _failed(pull, [Problem(say("source_unexpected"))], transient=True)
    return _done(pull, written)


def wanted_of(pull: Pull) -> list[Wanted]:
    """The leaves this connector measures in the frameworks of the pull's period."""
    code = pull.connector.code
    seen: dict[str, Wanted] = {}
    for period_framework in pull.period.frameworks.select_related("framework"):
        for indicator, source in framework_measured(period_framework.framework).items():
            if source.connector == code and source.field is not None:
                seen.setdefault(indicator, Wanted(indicator, source.field, source.denominator))
    return list(seen.values())


def _mapping(connector: Connector) -> Mapping:
    unit_key = "ma_don_vi" if connector.kind == ConnectorKind.PORTAL else connector.unit_key
    return Mapping(
        unit_key=unit_key,
        units={str(k): str(v) for k, v in (connector.unit_map or {}).items()},
        fields={str(k): str(v) for k, v in (connector.field_map or {}).items()},
        version=connector.mapping_version,
    )


def _fetch(pull: Pull, client: httpx.Client | None) -> Fetched:
    connector = pull.connector
    kind = connector.kind
    if kind == ConnectorKind.PORTAL:
        return fetch_portal(
            connector.url,
            year=pull.period.year,
            token=connector.token,
            client=client,
            timeout=_timeout(),
        )
    if kind in (ConnectorKind.HTTP_JSON, ConnectorKind.HTTP_CSV):
        source = HttpSource(
            url=connector.url,
            format="json" if kind == ConnectorKind.HTTP_JSON else "csv",
            records=connector.records,
            pagination=connector.pagination,
            page_param=connector.page_param or "page",
            pages_key=connector.pages_key,
            next_key=connector.next_key or "next",
            total_key=connector.total_key,
            timeout=_timeout(),
        )
        return fetch_http(source, token=connector.token, client=client)
    if pull.upload:
        with pull.upload.open("rb") as stored, tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{Path(pull.upload_name).suffix.lower()}"
            path.write_bytes(stored.read())
            return fetch_file(path, shown=pull.upload_name)
    folder = newest_file(Path(connector.folder))
    return fetch_file(folder)


def problem_rows(problems: list[Problem]) -> list[dict[str, Any]]:
    """Problems as they are kept on the pull: the code and its parameters, and the place."""
    rows = []
    for p in problems[:MAX_PROBLEMS]:
        row: dict[str, Any] = {"code": p.code, "params": _plain(p.params), "text": str(p.message)}
        for name in ("file", "sheet", "row", "column", "node", "field"):
            value = getattr(p, name)
            if value is not None:
                row[name] = value
        rows.append(row)
    return rows


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def _failed(pull: Pull, problems: list[Problem], *, transient: bool) -> Pull:
    retry = transient and pull.attempts < MAX_ATTEMPTS
    state = PullState.RETRYING if retry else PullState.FAILED
    Pull.objects.filter(pk=pull.pk).update(
        state=state,
        transient=transient,
        problems=problem_rows(problems),
        heartbeat_at=timezone.now(),
        finished_at=None if retry else timezone.now(),
    )
    pull.refresh_from_db()
    return pull


def _done(pull: Pull, written: PullWritten) -> Pull:
    Pull.objects.filter(pk=pull.pk).update(
        state=PullState.DONE,
        transient=False,
        problems=[],
        values=written.values,
        changed=written.changed,
        units=written.units,
        conflicts=written.conflicts,
        skipped=written.skipped,
        mapping_version=pull.connector.mapping_version,
        heartbeat_at=timezone.now(),
        finished_at=timezone.now(),
    )
    pull.refresh_from_db()
    return pull
