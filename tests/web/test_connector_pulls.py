"""Pulls against a real HTTP source on 127.0.0.1: realistic payloads are measured with their
provenance and rescored; every bad source (timeouts, 500s, malformed JSON, partial pages,
unknown unit codes, duplicated rows, values out of range, a changed schema) ends in a stored
error for the admin, retried where it may pass, with nothing written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.web.connector_world import (
    PORTAL_RECORDS,
    api_connector,
    measured_period,
    portal_connector,
    portal_pages,
    portal_record,
)
from tests.web.source_server import Source, serving

from dti.web.assessments.models import Assessment, IndicatorEntry
from dti.web.audit.models import AuditEvent
from dti.web.connectors.models import MeasuredValue, Pull, PullPayload, PullState
from dti.web.connectors.pulling import MAX_ATTEMPTS, pull_run
from dti.web.connectors.services import pull_start

PORTAL = "/dvc/thong-ke"


@pytest.fixture
def source() -> Iterator[Source]:
    with serving() as s:
        yield s


@pytest.fixture
def measured(world: dict[str, Any]) -> dict[str, Any]:
    return measured_period(world)


def _pull(world: dict[str, Any], measured: dict[str, Any], connector: Any) -> Pull:
    """A pull asked as the admin's page asks it, run as the queue runs it."""
    pull = pull_start(actor=world["users"]["admin"], connector=connector, period=measured["period"])
    return pull_run(pull.pk)


def _state(measured: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Everything a pull could write: the period's entries and scores, provenance, audit."""
    period = measured["period"]
    entries = list(
        IndicatorEntry.objects.filter(assessment__period=period)
        .order_by("pk")
        .values_list("pk", "self_value", "self_denominator", "version")
    )
    scores = list(
        Assessment.objects.filter(period=period).order_by("pk").values_list("pk", "self_score")
    )
    return [
        *entries,
        *scores,
        (MeasuredValue.objects.count(), PullPayload.objects.count()),
        (AuditEvent.objects.filter(action="entry_pull").count(),),
    ]


def _entry(measured: dict[str, Any], unit: str, code: str) -> IndicatorEntry:
    return IndicatorEntry.objects.get(assessment=measured["assessments"][unit], indicator=code)


def test_a_portal_pull_measures_every_unit_with_its_provenance_and_rescores(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    source.json_pages(PORTAL, portal_pages(PORTAL_RECORDS, per_page=2))
    connector = portal_connector(world, source.url(PORTAL))

    pull = _pull(world, measured, connector)

    assert pull.state == PullState.DONE, pull.problems
    assert (pull.values, pull.units, pull.attempts) == (6, 3, 1)
    online = _entry(measured, "so-a", "1.2")
    assert (online.self_value, online.self_denominator) == (1216, 1520)
    services = _entry(measured, "huyen-c", "2.1")
    assert (services.self_value, services.self_denominator) == (50, 212)
    # provenance: which page, its stored copy and checksum, the request without the token
    value = MeasuredValue.objects.get(entry=online)
    payload = value.payload
    assert (value.source_unit, value.mapping_version, payload.number) == ("000.00.01.H40", 1, 1)
    with payload.file.open("rb") as handle:
        stored = handle.read()
    assert hashlib.sha256(stored).hexdigest() == payload.sha256
    assert json.loads(stored)["du_lieu"][0]["ma_don_vi"] == "000.00.01.H40"
    assert payload.request == f"GET {source.url(PORTAL)}?ky=2024&trang=1"
    assert "bi-mat" not in payload.request
    assert {auth for _p, _q, auth in source.requests} == {"Bearer bi-mat-123"}
    assert [p.number for p in pull.payloads.all()] == [1, 2]
    # rescored, and each change audited with the pull named
    mine = Assessment.objects.get(pk=measured["assessments"]["so-a"].pk)
    assert mine.points["1.2"][0] == pytest.approx(20.0)  # 0.8 reaches the target
    assert mine.self_score is not None
    event = AuditEvent.objects.get(action="entry_pull", object_id=str(online.pk))
    assert event.field == "measured"
    assert event.old == {"self_value": None, "self_denominator": None, "self_applicable": True}
    assert event.new == {"self_value": 1216, "self_denominator": 1520, "self_applicable": True}
    assert f"#{pull.pk}" in event.reason


def test_a_second_pull_of_the_same_figures_changes_nothing_but_records_the_measurement(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    source.json_pages(PORTAL, portal_pages(PORTAL_RECORDS))
    connector = portal_connector(world, source.url(PORTAL))
    _pull(world, measured, connector)
    versions = _state(measured)[:-2]

    again = _pull(world, measured, connector)

    assert again.state == PullState.DONE
    assert (again.values, again.changed, again.conflicts) == (6, 0, 0)
    assert _state(measured)[:-2] == versions
    assert MeasuredValue.objects.filter(pull=again).count() == 6


def test_asking_twice_while_a_pull_is_open_is_the_same_pull(
    world: dict[str, Any], measured: dict[str, Any], source: Source, settings: Any
) -> None:
    connector = portal_connector(world, source.url(PORTAL))
    first = Pull.objects.create(connector=connector, period=measured["period"])
    second = pull_start(
        actor=world["users"]["admin"], connector=connector, period=measured["period"]
    )
    assert second.pk == first.pk


def test_a_pull_through_the_generic_json_adapter_follows_the_next_links(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    second = source.url("/api/page2")
    source.json(
        "/api/hoi-nghi",
        {"data": {"items": [{"unit": "so-a", "points": 4}], "next": second}},
    )
    source.json("/api/page2", {"data": {"items": [{"unit": "so-b", "points": "3"}], "next": None}})
    connector = api_connector(world, source.url("/api/hoi-nghi"))

    pull = _pull(world, measured, connector)

    assert pull.state == PullState.DONE, pull.problems
    assert _entry(measured, "so-a", "1.3").self_value == 4
    assert _entry(measured, "so-b", "1.3").self_value == 3
    assert pull.payloads.count() == 2


def test_a_pull_of_csv_over_http(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    source.raw(
        "/api/diem-cau.csv",
        b'unit,points\nso-a,5\nhuyen-c,"2"\n',
        content_type="text/csv",
    )
    connector = api_connector(
        world, source.url("/api/diem-cau.csv"), kind="http_csv", pagination="none", records=""
    )
    pull = _pull(world, measured, connector)
    assert pull.state == PullState.DONE, pull.problems
    assert _entry(measured, "huyen-c", "1.3").self_value == 2


@pytest.mark.parametrize(
    ("setup", "code", "transient"),
    [
        pytest.param(
            lambda s: s.raw(PORTAL, b'{"du_lieu": [{"ma_don_vi": "000.00', status=200),
            "source_malformed_json",
            False,
            id="malformed-json",
        ),
        pytest.param(
            lambda s: s.raw(PORTAL, b'{"error": "internal"}', status=500),
            "source_http_status",
            True,
            id="500",
        ),
        pytest.param(
            lambda s: s.raw(PORTAL, b'{"error": "token"}', status=401),
            "source_http_status",
            False,
            id="401",
        ),
        pytest.param(
            lambda s: s.json(PORTAL, portal_pages(PORTAL_RECORDS[:1])[0], delay=2.0),
            "source_timeout",
            True,
            id="timeout",
        ),
        pytest.param(
            # page 1 declares 3 records over 2 pages; page 2 comes back empty
            lambda s: s.pages.update(
                {
                    PORTAL: {
                        1: _answer(portal_pages(PORTAL_RECORDS, per_page=2)[0]),
                        2: _answer({**portal_pages(PORTAL_RECORDS, per_page=2)[1], "du_lieu": []}),
                    }
                }
            ),
            "source_partial",
            True,
            id="partial-page",
        ),
        pytest.param(
            lambda s: s.json_pages(
                PORTAL,
                portal_pages([*PORTAL_RECORDS, portal_record("000.00.99.H40", "Sở lạ")]),
            ),
            "source_unit_unknown",
            False,
            id="unknown-unit",
        ),
        pytest.param(
            lambda s: s.json_pages(PORTAL, portal_pages([*PORTAL_RECORDS, PORTAL_RECORDS[0]])),
            "source_duplicate_unit",
            False,
            id="duplicated-rows",
        ),
        pytest.param(
            lambda s: s.json_pages(
                PORTAL,
                portal_pages(
                    [*PORTAL_RECORDS[:2], portal_record("000.00.03.H40", "x", ho_so_truc_tuyen=-5)]
                ),
            ),
            "value_negative",
            False,
            id="out-of-range-negative",
        ),
        pytest.param(
            lambda s: s.json_pages(
                PORTAL,
                portal_pages(
                    [*PORTAL_RECORDS[:2], portal_record("000.00.03.H40", "x", tong_ho_so=10)]
                ),
            ),
            "numerator_exceeds_denominator",
            False,
            id="out-of-range-ratio",
        ),
        pytest.param(
            lambda s: s.json_pages(
                PORTAL,
                portal_pages(
                    [
                        {
                            "ma_dinh_danh": r["ma_don_vi"],
                            **{k: v for k, v in r.items() if k != "ma_don_vi"},
                        }
                        for r in PORTAL_RECORDS
                    ]
                ),
            ),
            "source_schema_changed",
            False,
            id="changed-schema",
        ),
        pytest.param(
            lambda s: s.json_pages(
                PORTAL,
                portal_pages(
                    [*PORTAL_RECORDS[:2], portal_record("000.00.03.H40", "x", tong_thu_tuc="n/a")]  # type: ignore[arg-type]
                ),
            ),
            "not_a_number",
            False,
            id="not-a-number",
        ),
    ],
)
def test_a_bad_source_is_refused_whole_with_a_stored_error(
    world: dict[str, Any],
    measured: dict[str, Any],
    source: Source,
    settings: Any,
    setup: Any,
    code: str,
    transient: bool,
) -> None:
    settings.DTI_PULL_TIMEOUT = 0.5
    setup(source)
    connector = portal_connector(world, source.url(PORTAL))
    before = _state(measured)

    pull = _pull(world, measured, connector)

    assert _state(measured) == before, "a refused pull wrote something"
    assert pull.state == (PullState.RETRYING if transient else PullState.FAILED)
    assert pull.transient is transient
    assert code in [p["code"] for p in pull.problems], pull.problems
    assert pull.payloads.count() == 0


def _answer(payload: Any) -> Any:
    from tests.web.source_server import Answer

    return Answer(body=json.dumps(payload).encode())


def test_a_transient_failure_is_retried_until_the_source_answers(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    source.raw(PORTAL, b"Bad gateway", status=502, content_type="text/plain")
    connector = portal_connector(world, source.url(PORTAL))
    pull = _pull(world, measured, connector)
    assert pull.state == PullState.RETRYING

    source.answers.pop(PORTAL)
    source.json_pages(PORTAL, portal_pages(PORTAL_RECORDS))
    again = pull_run(pull.pk)  # the queue's next attempt

    assert (again.state, again.attempts, again.problems) == (PullState.DONE, 2, [])
    assert _entry(measured, "so-a", "1.2").self_value == 1216


def test_retries_end_in_a_failure_after_the_last_attempt(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    source.raw(PORTAL, b"", status=503)
    connector = portal_connector(world, source.url(PORTAL))
    pull = _pull(world, measured, connector)
    for _ in range(MAX_ATTEMPTS - 1):
        pull = pull_run(pull.pk)
    assert (pull.state, pull.attempts) == (PullState.FAILED, MAX_ATTEMPTS)
    assert pull.finished_at is not None
    assert pull_run(pull.pk).attempts == MAX_ATTEMPTS  # a failed pull is not run again


def test_a_unit_whose_self_assessment_is_submitted_is_left_alone_and_listed(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    Assessment.objects.filter(pk=measured["assessments"]["so-b"].pk).update(status="submitted")
    source.json_pages(PORTAL, portal_pages(PORTAL_RECORDS))
    pull = _pull(world, measured, portal_connector(world, source.url(PORTAL)))
    assert pull.state == PullState.DONE
    assert pull.skipped == ["so-b"]
    assert _entry(measured, "so-b", "1.2").self_value is None
