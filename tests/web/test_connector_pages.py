"""The admin's connector pages, who may use them, and measured values on the unit's form:
shown read-only with their provenance, refused when a reporter forges a change, adjusted by a
verifier with a reason, and a declared value that contradicts a measurement flagged."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.web.connector_world import (
    PORTAL_RECORDS,
    measured_period,
    portal_connector,
    portal_pages,
)
from tests.web.english_detector import english_words, visible_text
from tests.web.source_server import Source, serving

from dti.web.assessments.models import Assessment, IndicatorEntry
from dti.web.assessments.services import EntryChange, assessment_save_entries, entry_verify
from dti.web.audit.models import AuditEvent
from dti.web.connectors.models import Connector, ConnectorKind, MeasuredValue, Pull, PullState
from dti.web.connectors.pulling import pull_run
from dti.web.connectors.services import ConnectorInput, connector_save, pull_start
from dti.web.errors import Forbidden

PORTAL = "/dvc/thong-ke"


@pytest.fixture
def source() -> Iterator[Source]:
    with serving() as s:
        yield s


@pytest.fixture
def measured(world: dict[str, Any]) -> dict[str, Any]:
    return measured_period(world)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _english(response: Any) -> list[str]:
    return english_words(visible_text(response.content.decode()))


def _connector_form(**extra: str) -> dict[str, str]:
    return {
        "code": "dvc",
        "name": "Cổng Dịch vụ công tỉnh",
        "kind": "portal",
        "url": "http://127.0.0.1:9/dvc",
        "token": "bi-mat",
        "pagination": "none",
        "page_param": "page",
        "next_key": "next",
        "unit_key": "unit",
        "unit_map": "000.00.01.H40 = so-a\n000.00.02.H40 = so-b",
        "field_map": "",
        "active": "on",
        **extra,
    }


def test_an_admin_adds_a_connector_in_the_pages_and_a_mapping_change_is_a_new_version(
    world: dict[str, Any],
) -> None:
    client = _client(world["users"]["admin"])
    response = client.post(reverse("connector_add"), _connector_form())
    connector = Connector.objects.get()
    assert response.status_code == 302
    assert connector.unit_map == {"000.00.01.H40": "so-a", "000.00.02.H40": "so-b"}
    assert (connector.token, connector.mapping_version) == ("bi-mat", 1)

    form = _connector_form(unit_map="000.00.01.H40 = so-a", token="")
    client.post(reverse("connector_detail", args=[connector.pk]), form)
    connector.refresh_from_db()
    assert (connector.mapping_version, connector.token) == (2, "bi-mat")  # token kept
    events = AuditEvent.objects.filter(action="connector_save", object_id=str(connector.pk))
    assert "unit_map" in set(events.values_list("field", flat=True))
    assert not events.filter(new__icontains="bi-mat").exists()  # the token is never audited

    page = client.get(reverse("connector_detail", args=[connector.pk]))
    assert "bi-mat" not in page.content.decode()


def test_a_mapping_line_without_its_equals_sign_is_refused_by_line(world: dict[str, Any]) -> None:
    client = _client(world["users"]["admin"])
    response = client.post(reverse("connector_add"), _connector_form(unit_map="000.00.01.H40"))
    assert response.status_code == 400
    assert "Dòng 1" in response.content.decode()
    assert not Connector.objects.exists()


@pytest.mark.parametrize("role", ["reporter", "outsider", "verifier", "leader"])
def test_only_an_admin_opens_the_connector_pages(world: dict[str, Any], role: str) -> None:
    connector = portal_connector(world, "http://127.0.0.1:9/dvc")
    client = _client(world["users"][role])
    for url in (
        reverse("connector_list"),
        reverse("connector_add"),
        reverse("connector_detail", args=[connector.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("connector_pull", args=[connector.pk])).status_code == 403


def test_another_provinces_connector_and_pull_are_not_found(
    world: dict[str, Any], second_province: dict[str, Any]
) -> None:
    connector = portal_connector(world, "http://127.0.0.1:9/dvc")
    pull = Pull.objects.create(connector=connector, period=world["period"])
    client = _client(second_province["users"]["admin_b"])
    assert client.get(reverse("connector_detail", args=[connector.pk])).status_code == 404
    assert client.get(reverse("pull_detail", args=[pull.pk])).status_code == 404
    assert client.post(reverse("connector_pull", args=[connector.pk])).status_code == 404
    assert connector.name not in client.get(reverse("connector_list")).content.decode()
    with pytest.raises(Forbidden):
        pull_start(
            actor=second_province["users"]["admin_b"],
            connector=connector,
            period=second_province["period"],
        )


def test_a_pull_asked_in_the_page_needs_its_confirmation_then_runs_on_the_queue(
    world: dict[str, Any],
    measured: dict[str, Any],
    source: Source,
    django_capture_on_commit_callbacks: Any,
) -> None:
    source.json_pages(PORTAL, portal_pages(PORTAL_RECORDS))
    connector = portal_connector(world, source.url(PORTAL))
    client = _client(world["users"]["admin"])
    url = reverse("connector_pull", args=[connector.pk])
    client.post(url, {"period": measured["period"].pk})
    assert not Pull.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"period": measured["period"].pk, "confirm": "on"})
    pull = Pull.objects.get()
    assert response["Location"] == reverse("pull_detail", args=[pull.pk])
    assert pull.state == PullState.DONE  # (the queue runs in the caller in the tests)
    page = client.get(reverse("pull_detail", args=[pull.pk]))
    assert pull.payloads.first().sha256[:16] in page.content.decode()  # type: ignore[union-attr]
    assert not _english(page)


def test_a_refused_pull_says_why_in_vietnamese(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    source.json_pages(PORTAL, portal_pages([*PORTAL_RECORDS, PORTAL_RECORDS[1]]))
    connector = portal_connector(world, source.url(PORTAL))
    pull = pull_start(actor=world["users"]["admin"], connector=connector, period=measured["period"])
    pull_run(pull.pk)
    page = _client(world["users"]["admin"]).get(reverse("pull_detail", args=[pull.pk]))
    text = page.content.decode()
    assert "xuất hiện hai lần" in text and "000.00.02.H40" in text
    assert "không ghi gì" in text
    assert not _english(page)


def test_a_file_drop_reads_an_uploaded_table(
    world: dict[str, Any], measured: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    connector = connector_save(
        actor=world["users"]["admin"],
        province=None,
        data=ConnectorInput(
            code="dvc", name="Số liệu DVC gửi tệp", kind=ConnectorKind.FILE_DROP, unit_key="ma"
        ),
    )
    table = "ma,ho_so_truc_tuyen,tong_ho_so,thu_tuc_toan_trinh,tong_thu_tuc\n"
    table += 'so-a,1216,"1.520","141,0",212\nso-b,200,800,10,20\n'
    upload = SimpleUploadedFile("dvc-2024.csv", table.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        _client(world["users"]["admin"]).post(
            reverse("connector_pull", args=[connector.pk]),
            {"period": measured["period"].pk, "confirm": "on", "file": upload},
        )
    pull = Pull.objects.get()
    # "1.520" written as text: 1520 or 1,52? Asked, not guessed (nothing written)
    assert pull.state == PullState.FAILED
    assert pull.problems[0]["code"] == "number_ambiguous"
    assert (pull.problems[0]["file"], pull.problems[0]["row"]) == ("dvc-2024.csv", 2)
    assert pull.problems[0]["column"] == "tong_ho_so", pull.problems

    table = table.replace('"1.520"', "1520")
    upload = SimpleUploadedFile("dvc-2024.csv", table.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        _client(world["users"]["admin"]).post(
            reverse("connector_pull", args=[connector.pk]),
            {"period": measured["period"].pk, "confirm": "on", "file": upload},
        )
    pull = Pull.objects.latest("pk")
    assert pull.state == PullState.DONE, pull.problems
    a = measured["assessments"]["so-a"]
    assert IndicatorEntry.objects.get(assessment=a, indicator="1.2").self_value == 1216
    assert IndicatorEntry.objects.get(assessment=a, indicator="2.1").self_value == 141


def test_a_file_drop_reads_the_newest_table_of_its_folder(
    world: dict[str, Any], measured: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    old = folder / "dvc-thang-1.csv"
    old.write_text(
        "unit,ho_so_truc_tuyen,tong_ho_so,thu_tuc_toan_trinh,tong_thu_tuc\nso-a,1,10,1,10\n"
    )
    os.utime(old, (time.time() - 60, time.time() - 60))
    (folder / "dvc-thang-2.csv").write_text(
        "unit,ho_so_truc_tuyen,tong_ho_so,thu_tuc_toan_trinh,tong_thu_tuc\nso-a,7,10,1,10\n"
    )
    connector = connector_save(
        actor=world["users"]["admin"],
        province=None,
        data=ConnectorInput(
            code="dvc", name="Thư mục DVC", kind=ConnectorKind.FILE_DROP, folder=str(folder)
        ),
    )
    pull = pull_run(
        pull_start(actor=world["users"]["admin"], connector=connector, period=measured["period"]).pk
    )
    assert pull.state == PullState.DONE, pull.problems
    entry = IndicatorEntry.objects.get(assessment=measured["assessments"]["so-a"], indicator="1.2")
    assert entry.self_value == 7
    assert pull.payloads.get().request == "FILE dvc-thang-2.csv"


def _pulled(world: dict[str, Any], measured: dict[str, Any], source: Source) -> Pull:
    source.json_pages(PORTAL, portal_pages(PORTAL_RECORDS))
    connector = portal_connector(world, source.url(PORTAL))
    return pull_run(
        pull_start(actor=world["users"]["admin"], connector=connector, period=measured["period"]).pk
    )


def test_the_unit_form_shows_a_measured_value_read_only_with_its_provenance(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    _pulled(world, measured, source)
    mine = measured["assessments"]["so-a"]
    entry = IndicatorEntry.objects.get(assessment=mine, indicator="1.2")
    page = _client(world["users"]["reporter"]).get(reverse("assessment_detail", args=[mine.pk]))
    html = page.content.decode()
    assert 'data-measured="dvc"' in html
    assert "Lấy từ Cổng Dịch vụ công tỉnh" in html and "000.00.01.H40" in html
    assert f'name="e{entry.pk}-value"' not in html  # no input for it
    other = IndicatorEntry.objects.get(assessment=mine, indicator="1.1")
    assert f'name="e{other.pk}-value"' in html  # a declared one keeps its input
    assert not _english(page)


def test_a_reporter_cannot_overwrite_a_measured_value(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    _pulled(world, measured, source)
    mine = Assessment.objects.get(pk=measured["assessments"]["so-a"].pk)
    entry = IndicatorEntry.objects.get(assessment=mine, indicator="1.2")
    with pytest.raises(Forbidden) as refused:
        assessment_save_entries(
            actor=world["users"]["reporter"],
            assessment=mine,
            changes=[EntryChange("1.2", entry.version, 1520, 1520)],
        )
    assert refused.value.problems == ["1.2"]
    # an explanation alone is not a change of the value
    saved = assessment_save_entries(
        actor=world["users"]["reporter"],
        assessment=mine,
        changes=[EntryChange("1.2", entry.version, 1216, 1520, explanation="Số liệu của Cổng")],
    )
    assert saved.changed == 1
    # the page's form, forged to carry the measured row
    client = _client(world["users"]["reporter"])
    entry.refresh_from_db()
    prefix = f"e{entry.pk}"
    response = client.post(
        reverse("entries_save", args=[mine.pk]),
        {
            f"{prefix}-version": entry.version,
            f"{prefix}-value": "1520",
            f"initial-{prefix}-value": "1216",
            f"{prefix}-denominator": "1520",
            f"initial-{prefix}-denominator": "1520",
            f"{prefix}-explanation": "Số liệu của Cổng",
            f"initial-{prefix}-explanation": "Số liệu của Cổng",
        },
    )
    assert response.status_code in (400, 403)
    entry.refresh_from_db()
    assert entry.self_value == 1216


def test_a_verifier_adjusts_a_measured_value_with_a_reason(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    from tests.web.conftest import advance

    _pulled(world, measured, source)
    mine = advance(world, measured["assessments"]["so-a"], "under_verification")
    entry = IndicatorEntry.objects.get(assessment=mine, indicator="1.2")
    verified = entry_verify(
        actor=world["users"]["verifier"],
        entry=entry,
        version=entry.version,
        adjust=True,
        value=1000,
        denominator=1520,
        reason="Cổng tính cả hồ sơ trả lại",
    )
    assert (verified.verified_value, verified.self_value) == (1000, 1216)
    assert AuditEvent.objects.filter(
        action="entry_verify", object_id=str(entry.pk), reason="Cổng tính cả hồ sơ trả lại"
    ).exists()


def test_a_declared_value_contradicting_the_measurement_is_flagged(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    mine = measured["assessments"]["so-a"]
    # declared before the indicator was measured (an earlier version of the framework)
    IndicatorEntry.objects.filter(assessment=mine, indicator="1.2").update(
        self_value=1500, self_denominator=1520
    )
    IndicatorEntry.objects.filter(
        assessment=measured["assessments"]["so-b"], indicator="1.2"
    ).update(
        self_value=200,
        self_denominator=800,  # the same as measured: no conflict
    )
    pull = _pulled(world, measured, source)
    assert pull.conflicts == 1
    flagged = MeasuredValue.objects.get(conflict=True)
    assert (flagged.declared_value, flagged.value) == (1500, 1216)
    client = _client(world["users"]["admin"])
    assert 'class="flagged"' in client.get(reverse("pull_detail", args=[pull.pk])).content.decode()
    form = _client(world["users"]["reporter"]).get(reverse("assessment_detail", args=[mine.pk]))
    assert 'data-conflict="1"' in form.content.decode()
    # a later pull of the same figure is no new conflict: the value is the measurement now
    again = pull_run(
        pull_start(
            actor=world["users"]["admin"], connector=pull.connector, period=measured["period"]
        ).pk
    )
    assert again.conflicts == 0


def test_a_file_drop_reads_a_workbook_and_refuses_a_file_that_is_not_one(
    world: dict[str, Any], measured: dict[str, Any], tmp_path: Path
) -> None:
    from openpyxl import Workbook

    folder = tmp_path / "drop"
    folder.mkdir()
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit", "ho_so_truc_tuyen", "tong_ho_so", "thu_tuc_toan_trinh", "tong_thu_tuc"])
    sheet.append(["so-b", 300, 800, 12, 20])
    book.save(folder / "dvc.xlsx")
    connector = connector_save(
        actor=world["users"]["admin"],
        province=None,
        data=ConnectorInput(
            code="dvc", name="Thư mục DVC", kind=ConnectorKind.FILE_DROP, folder=str(folder)
        ),
    )
    admin, period = world["users"]["admin"], measured["period"]
    pull = pull_run(pull_start(actor=admin, connector=connector, period=period).pk)
    assert pull.state == PullState.DONE, pull.problems
    entry = IndicatorEntry.objects.get(assessment=measured["assessments"]["so-b"], indicator="2.1")
    assert (entry.self_value, entry.self_denominator) == (12, 20)

    (folder / "newer.xlsx").write_bytes(b"MZ\x90\x00 not a workbook")
    refused = pull_run(pull_start(actor=admin, connector=connector, period=period).pk)
    assert refused.state == PullState.FAILED
    assert refused.problems and refused.problems[0]["file"] == "newer.xlsx"


def test_the_api_refuses_to_type_a_measured_value_one_or_in_a_batch(
    world: dict[str, Any], measured: dict[str, Any], source: Source
) -> None:
    from tests.web.test_api_auth import call, make_tokens

    _pulled(world, measured, source)
    token = make_tokens(world)["reporter"]
    mine = measured["assessments"]["so-a"]
    entry = IndicatorEntry.objects.get(assessment=mine, indicator="1.2")
    one = call(
        "PUT",
        f"/api/v1/assessments/{mine.pk}/entries/1.2",
        token,
        {"version": entry.version, "value": 1520, "denominator": 1520},
    )
    assert one.status_code == 403, one.content
    assert one.json()["error"]["code"] == "forbidden"
    batch = call(
        "PUT",
        f"/api/v1/assessments/{mine.pk}/entries",
        token,
        {"entries": [{"indicator": "1.2", "version": entry.version, "value": 1, "denominator": 2}]},
    )
    assert batch.status_code == 403, batch.content
    entry.refresh_from_db()
    assert (entry.self_value, entry.self_denominator) == (1216, 1520)
