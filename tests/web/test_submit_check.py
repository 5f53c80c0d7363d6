"""Before a submission: the completeness check and its confirmation; the unit's withdrawal
until verification starts; the template downloaded with the values and uploaded back."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from tests.web.conftest import advance, entry

from dti.web.assessments.completeness import completeness
from dti.web.assessments.models import Status
from dti.web.assessments.selectors import assessment_sheet
from dti.web.assessments.services import (
    assessment_import_workbook,
    assessment_save_values,
    assessment_transition,
    evidence_add,
)
from dti.web.assessments.services.entries import SelfInput
from dti.web.audit.models import AuditEvent
from dti.web.errors import ConfirmationNeeded, DeadlinePassed, InvalidState


def _client(world: dict[str, Any], who: str = "reporter") -> Client:
    client = Client()
    client.force_login(world["users"][who])
    return client


def _fill(world: dict[str, Any], **values: tuple[float | None, float | None]) -> None:
    assessment_save_values(
        actor=world["users"]["reporter"],
        assessment=world["mine"],
        rows=[SelfInput(code, v, d) for code, (v, d) in values.items()],
    )


def test_the_check_lists_unfilled_indicators_and_pillars_at_zero(world: dict[str, Any]) -> None:
    _fill(world, **{"1.1": (1.0, None)})
    world["mine"].refresh_from_db()
    check = completeness(assessment_sheet(world["mine"]))
    assert [g.code for g in check.unfilled] == ["1.2", "1.3", "2.1", "2.2"]
    assert [p.code for p in check.pillars_at_zero] == ["2"]
    assert [(p.code, p.filled, p.leaves) for p in check.pillars if not p.optional] == [
        ("1", 1, 3),
        ("2", 0, 2),
    ]


def _asking_evidence_of(world: dict[str, Any], code: str, asked: str) -> None:
    """Point the unit's assessment at a version of its framework whose leaf ``code`` asks for
    evidence (the mini framework asks for none)."""
    import yaml

    from dti.web.assessments.models import Assessment
    from dti.web.frameworks.services import framework_store

    data = yaml.safe_load(world["framework"].yaml_text)

    def ask(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            if node.get("code") == code:
                node["evidence"] = asked
            ask(node.get("children") or [])

    ask(data["tree"])
    version = framework_store(
        actor=None, yaml_text=yaml.safe_dump(data, allow_unicode=True), check_role=False
    )
    Assessment.objects.filter(pk=world["mine"].pk).update(framework=version)
    world["mine"].refresh_from_db()


def test_evidence_the_framework_asks_for_is_missing_until_attached(
    world: dict[str, Any],
) -> None:
    _asking_evidence_of(world, "1.1", "Quyết định thành lập")
    _fill(world, **{"1.1": (1.0, None)})
    lines = assessment_sheet(world["mine"])
    assert [g.code for g in completeness(lines).evidence_missing] == ["1.1"]
    evidence_add(
        actor=world["users"]["reporter"],
        entry=entry(world["mine"], "1.1"),
        upload=None,
        url="https://so.example.gov.vn/qd",
    )
    assert completeness(assessment_sheet(world["mine"])).evidence_missing == []


def test_a_submission_with_gaps_needs_the_confirmation(world: dict[str, Any]) -> None:
    reporter = world["users"]["reporter"]
    with pytest.raises(ConfirmationNeeded) as info:
        assessment_transition(
            actor=reporter, assessment=world["mine"], name="submit", confirm_gaps=False
        )
    assert any("1.2" in p for p in info.value.problems)
    world["mine"].refresh_from_db()
    assert world["mine"].status == Status.DRAFT
    a = assessment_transition(
        actor=reporter, assessment=world["mine"], name="submit", confirm_gaps=True
    )
    assert a.status == Status.SUBMITTED


def test_a_complete_submission_needs_no_confirmation(world: dict[str, Any]) -> None:
    _fill(
        world,
        **{"1.1": (1.0, None), "1.2": (40.0, 50.0), "1.3": (3.0, None)},
        **{"2.1": (9.0, 10.0), "2.2": (15.0, None)},
    )
    a = assessment_transition(
        actor=world["users"]["reporter"],
        assessment=world["mine"],
        name="submit",
        confirm_gaps=False,
    )
    assert a.status == Status.SUBMITTED


def test_the_page_shows_the_check_before_submitting(world: dict[str, Any]) -> None:
    client = _client(world)
    pk = world["mine"].pk
    response = client.post(reverse("assessment_transition", args=[pk]), {"name": "submit"})
    assert response.status_code == 302 and response.url == reverse("submit_check", args=[pk])
    page = client.get(response.url).content.decode()
    assert "1.2" in page and 'name="confirm"' in page
    world["mine"].refresh_from_db()
    assert world["mine"].status == Status.DRAFT
    client.post(reverse("assessment_transition", args=[pk]), {"name": "submit", "confirm": "on"})
    world["mine"].refresh_from_db()
    assert world["mine"].status == Status.SUBMITTED


def test_only_the_units_reporter_sees_the_check(world: dict[str, Any]) -> None:
    pk = world["mine"].pk
    assert _client(world, "outsider").get(reverse("submit_check", args=[pk])).status_code == 404
    assert _client(world, "admin").get(reverse("submit_check", args=[pk])).status_code == 403


def test_the_unit_withdraws_its_submission_audited(world: dict[str, Any]) -> None:
    reporter = world["users"]["reporter"]
    a = advance(world, world["mine"], "submitted")
    a = assessment_transition(actor=reporter, assessment=a, name="withdraw")
    assert (a.status, a.submitted_at) == (Status.DRAFT, None)
    event = AuditEvent.objects.get(action="transition_withdraw")
    assert (event.actor, event.old, event.new) == (reporter, "submitted", "draft")


def test_no_withdrawal_once_verification_has_started(world: dict[str, Any]) -> None:
    a = advance(world, world["mine"], "under_verification")
    with pytest.raises(InvalidState) as info:
        assessment_transition(actor=world["users"]["reporter"], assessment=a, name="withdraw")
    assert info.value.message.startswith(("Verification has started", "Việc thẩm tra"))
    assert not AuditEvent.objects.filter(action="transition_withdraw").exists()


def test_no_withdrawal_after_the_deadline(world: dict[str, Any]) -> None:
    a = advance(world, world["mine"], "submitted")
    late = world["period"].self_deadline + dt.timedelta(hours=1)
    with pytest.raises(DeadlinePassed):
        assessment_transition(
            actor=world["users"]["reporter"], assessment=a, name="withdraw", now=late
        )


def _download(world: dict[str, Any]) -> bytes:
    response = _client(world).get(reverse("template_download", args=[world["mine"].pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _rows(content: bytes) -> dict[str, tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content))["Tự đánh giá"]
    return {str(r[0]): tuple(r[4:9]) for r in sheet.iter_rows(min_row=2, values_only=True)}


def test_the_template_comes_with_the_values_explanations_and_links(
    world: dict[str, Any],
) -> None:
    assessment_save_values(
        actor=world["users"]["reporter"],
        assessment=world["mine"],
        rows=[
            SelfInput("1.2", 40.0, 50.0, explanation="=Theo báo cáo"),
            SelfInput("1.3", None, None, applicable=False),
        ],
    )
    evidence_add(
        actor=world["users"]["reporter"],
        entry=entry(world["mine"], "1.2"),
        upload=None,
        url="https://so.example.gov.vn/bc",
    )
    rows = _rows(_download(world))
    # (G is "" where the framework allows no "not applicable")
    assert rows["1.2"] == (40, 50, "", "'=Theo báo cáo", "https://so.example.gov.vn/bc")
    assert rows["1.3"][2] == "x"
    assert rows["1.1"] == (None, None, "", None, None)


def test_uploading_the_template_back_changes_only_what_differs(
    world: dict[str, Any], tmp_path: Path
) -> None:
    _fill(world, **{"1.1": (1.0, None), "1.2": (40.0, 50.0), "2.2": (15.0, None)})
    assessment_save_values(
        actor=world["users"]["reporter"],
        assessment=world["mine"],
        rows=[SelfInput("1.1", 1.0, None, explanation="=1+1 máy chủ")],
    )
    versions = dict(world["mine"].entries.values_list("indicator", "version"))
    events = AuditEvent.objects.count()
    workbook = load_workbook(io.BytesIO(_download(world)))
    for row in workbook["Tự đánh giá"].iter_rows(min_row=2):
        if row[0].value == "2.2":
            row[4].value = 12
    path = tmp_path / "back.xlsx"
    workbook.save(path)
    assessment_import_workbook(
        actor=world["users"]["reporter"],
        assessment=world["mine"],
        path=path,
        file_name="back.xlsx",
    )
    after = dict(world["mine"].entries.values_list("indicator", "version"))
    assert {k for k in after if after[k] != versions[k]} == {"2.2"}
    new = AuditEvent.objects.order_by("id")[events:]
    assert [(e.action, e.field, e.old, e.new) for e in new if e.action == "entry_import"] == [
        ("entry_import", "self_value", 15.0, 12.0)
    ]


def test_the_upload_page_answers_for_the_unchanged_workbook(world: dict[str, Any]) -> None:
    _fill(world, **{"1.1": (1.0, None)})
    content = _download(world)
    response = _client(world).post(
        reverse("workbook_upload", args=[world["mine"].pk]),
        {"file": SimpleUploadedFile("tu-danh-gia.xlsx", content)},
    )
    assert response.status_code == 302
    assert entry(world["mine"], "1.1").version == 2  # the one save above; the upload: none
