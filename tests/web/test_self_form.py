"""The unit's form on the assessment page: several indicators saved as one action, nothing
typed lost on a refusal or an attachment, yes/no as a choice, hints matching the labels."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from tests.web.conftest import entry

from dti.web.assessments.form_labels import labels_for
from dti.web.assessments.models import Evidence
from dti.web.assessments.services import EntryChange, assessment_save_entries, entry_save_self
from dti.web.audit.models import AuditEvent
from dti.web.errors import InvalidInput, StaleVersion
from dti.web.frameworks.selectors import framework_parsed

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def _client(world: dict[str, Any], who: str = "reporter") -> Client:
    client = Client()
    client.force_login(world["users"][who])
    return client


def _page_rows(world: dict[str, Any]) -> dict[str, str]:
    """What the page's form would post untouched: every row as loaded (with its twins)."""
    data: dict[str, str] = {}
    for e in world["mine"].entries.all():
        p = f"e{e.pk}"
        value = "" if e.self_value is None else f"{e.self_value:g}".replace(".", ",")
        data.update(
            {
                f"{p}-version": str(e.version),
                f"{p}-value": value,
                f"initial-{p}-value": value,
                f"initial-{p}-denominator": "",
                f"initial-{p}-not_applicable": "False",
                f"initial-{p}-explanation": e.explanation,
                f"{p}-explanation": e.explanation,
            }
        )
    return data


def _url(world: dict[str, Any]) -> str:
    return reverse("entries_save", args=[world["mine"].pk])


def test_the_service_saves_several_indicators_in_one_call(world: dict[str, Any]) -> None:
    e11, e22 = entry(world["mine"], "1.1"), entry(world["mine"], "2.2")
    saved = assessment_save_entries(
        actor=world["users"]["reporter"],
        assessment=world["mine"],
        changes=[
            EntryChange("1.1", e11.version, 1.0, None, explanation="Có quyết định"),
            EntryChange("2.2", e22.version, 15.0, None),
        ],
    )
    assert saved.changed == 2
    assert saved.assessment.self_score == 25.0
    e11.refresh_from_db()
    e22.refresh_from_db()
    assert (e11.self_value, e11.explanation, e11.version) == (1.0, "Có quyết định", 2)
    assert (e22.self_value, e22.version) == (15.0, 2)
    fields = AuditEvent.objects.filter(action="entry_save_self").values_list("field", flat=True)
    assert sorted(fields) == ["explanation", "self_value", "self_value"]


def test_a_stale_row_refuses_the_whole_save_naming_it(world: dict[str, Any]) -> None:
    reporter = world["users"]["reporter"]
    e11, e22 = entry(world["mine"], "1.1"), entry(world["mine"], "2.2")
    entry_save_self(
        actor=reporter, entry=e22, version=e22.version, value=5.0, denominator=None, applicable=True
    )
    with pytest.raises(StaleVersion) as info:
        assessment_save_entries(
            actor=reporter,
            assessment=world["mine"],
            changes=[
                EntryChange("1.1", e11.version, 1.0, None),
                EntryChange("2.2", e22.version, 15.0, None),  # loaded before the save above
            ],
        )
    assert info.value.problems == ["2.2"]
    e11.refresh_from_db()
    assert e11.self_value is None and e11.version == 1  # nothing of the save was written


def test_the_engine_refusal_writes_nothing(world: dict[str, Any]) -> None:
    e11, e22 = entry(world["mine"], "1.1"), entry(world["mine"], "2.2")
    with pytest.raises(InvalidInput):
        assessment_save_entries(
            actor=world["users"]["reporter"],
            assessment=world["mine"],
            changes=[
                EntryChange("1.1", e11.version, 1.0, None),
                EntryChange("2.2", e22.version, 99.0, None),  # beyond the 20 points
            ],
        )
    e11.refresh_from_db()
    assert e11.self_value is None
    assert not AuditEvent.objects.filter(action="entry_save_self").exists()


def test_a_row_sent_with_its_own_data_is_not_written_or_audited(world: dict[str, Any]) -> None:
    e11 = entry(world["mine"], "1.1")
    saved = assessment_save_entries(
        actor=world["users"]["reporter"],
        assessment=world["mine"],
        changes=[EntryChange("1.1", e11.version, None, None)],
    )
    assert saved.changed == 0
    e11.refresh_from_db()
    assert e11.version == 1
    assert not AuditEvent.objects.filter(action="entry_save_self").exists()


def test_the_page_posts_whole_and_only_changed_rows_are_saved(world: dict[str, Any]) -> None:
    data = _page_rows(world)
    e11, e22 = entry(world["mine"], "1.1"), entry(world["mine"], "2.2")
    data[f"e{e11.pk}-value"] = "1"
    data[f"e{e22.pk}-value"] = "12,5"
    response = _client(world).post(_url(world), data)
    assert response.status_code == 302
    assert response.url.endswith("#e-1.1")
    versions = dict(world["mine"].entries.values_list("indicator", "version"))
    assert versions["1.1"] == versions["2.2"] == 2
    assert {v for k, v in versions.items() if k not in ("1.1", "2.2")} == {1}
    e22.refresh_from_db()
    assert e22.self_value == 12.5


def test_a_refused_save_shows_the_page_again_with_what_was_typed(world: dict[str, Any]) -> None:
    data = _page_rows(world)
    e11, e22 = entry(world["mine"], "1.1"), entry(world["mine"], "2.2")
    data[f"e{e11.pk}-value"] = "1"
    data[f"e{e22.pk}-value"] = "99"  # refused by the engine: more than the maximum
    data[f"e{e22.pk}-explanation"] = "Theo báo cáo số 12/BC"
    response = _client(world).post(_url(world), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(rf'name="e{e22.pk}-value"[^>]*value="99"', html)
    assert "Theo báo cáo số 12/BC" in html
    assert re.search(rf'name="e{e11.pk}-value" value="1" checked', html)
    e11.refresh_from_db()
    assert e11.self_value is None


def test_a_number_that_is_not_one_is_shown_back_in_place(world: dict[str, Any]) -> None:
    data = _page_rows(world)
    e13 = entry(world["mine"], "1.3")
    data[f"e{e13.pk}-value"] = "ba"
    response = _client(world).post(_url(world), data)
    assert response.status_code == 422
    assert re.search(rf'name="e{e13.pk}-value"[^>]*value="ba"', response.content.decode())


def test_attaching_evidence_without_javascript_keeps_the_typed_value(
    world: dict[str, Any],
) -> None:
    data: dict[str, Any] = _page_rows(world)
    e11 = entry(world["mine"], "1.1")
    data[f"e{e11.pk}-value"] = "1"
    data["attach"] = str(e11.pk)
    data[f"e{e11.pk}-file"] = SimpleUploadedFile("qd.pdf", PDF, "application/pdf")
    response = _client(world).post(_url(world), data)
    assert response.status_code == 302
    e11.refresh_from_db()
    assert e11.self_value == 1.0  # saved with the attachment, not dropped
    assert Evidence.objects.filter(entry=e11, document__original_name="qd.pdf").exists()


def test_attaching_evidence_from_the_script_touches_no_value(world: dict[str, Any]) -> None:
    e11 = entry(world["mine"], "1.1")
    response = _client(world).post(
        _url(world),
        {"attach": str(e11.pk), f"e{e11.pk}-url": "https://so.example.gov.vn/qd-12"},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["ok"] and "https://so.example.gov.vn/qd-12" in answer["evidence"][str(e11.pk)]
    e11.refresh_from_db()
    assert e11.version == 1
    assert not AuditEvent.objects.filter(action="entry_save_self").exists()


def test_the_script_gets_new_versions_points_and_progress(world: dict[str, Any]) -> None:
    e11 = entry(world["mine"], "1.1")
    p = f"e{e11.pk}"
    response = _client(world).post(
        _url(world),
        {f"{p}-version": "1", f"{p}-value": "1", f"initial-{p}-value": ""},
        headers={"X-Requested-With": "fetch"},
    )
    answer = response.json()
    assert answer["rows"][str(e11.pk)] == {"version": 2, "self_points": 10.0}
    assert "1/3" in answer["nav_html"]  # pillar 1: one of its three leaves filled


def test_a_stale_save_from_the_script_answers_409_naming_the_row(world: dict[str, Any]) -> None:
    e11 = entry(world["mine"], "1.1")
    p = f"e{e11.pk}"
    entry_save_self(
        actor=world["users"]["reporter"],
        entry=e11,
        version=1,
        value=0.0,
        denominator=None,
        applicable=True,
    )
    response = _client(world).post(
        _url(world),
        {f"{p}-version": "1", f"{p}-value": "1", f"initial-{p}-value": ""},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 409
    assert response.json()["problems"] == ["1.1"]


@pytest.mark.parametrize("who", ["outsider", "verifier", "leader"])
def test_only_the_units_reporter_may_save_the_form(world: dict[str, Any], who: str) -> None:
    data = _page_rows(world)
    e11 = entry(world["mine"], "1.1")
    data[f"e{e11.pk}-value"] = "1"
    response = _client(world, who).post(_url(world), data)
    # Another unit's reporter learns nothing (404); staff are refused (403): drafts are
    # not theirs to see or change.
    assert response.status_code in (403, 404)
    e11.refresh_from_db()
    assert e11.self_value is None


def test_yes_no_is_a_choice_and_the_hints_name_the_fields(world: dict[str, Any]) -> None:
    html = _client(world).get(reverse("assessment_detail", args=[world["mine"].pk])).content
    text = html.decode()
    e11 = entry(world["mine"], "1.1")
    assert f'type="radio" name="e{e11.pk}-value" value="1"' in text
    assert f'type="radio" name="e{e11.pk}-value" value="0"' in text
    framework = framework_parsed(world["framework"])
    leaves = {n.code: n for p in framework.tree for n, _ in p.walk() if n.is_leaf}
    for code in ("1.2", "2.1"):  # the ratio rules: numerator and denominator
        labels = labels_for(leaves[code])
        assert labels.value.lower() in labels.hint.lower()
        assert labels.denominator.lower() in labels.hint.lower()
    labels = labels_for(leaves["1.3"])
    assert labels.value.lower() in labels.hint.lower()


def test_the_pillar_navigation_counts_filled_and_unfilled(world: dict[str, Any]) -> None:
    e11 = entry(world["mine"], "1.1")
    entry_save_self(
        actor=world["users"]["reporter"],
        entry=e11,
        version=1,
        value=1.0,
        denominator=None,
        applicable=True,
    )
    html = _client(world).get(reverse("assessment_detail", args=[world["mine"].pk])).content
    nav = html.decode().split('id="pillar-nav"')[1].split("</nav>")[0]
    assert "1/3" in nav and "0/2" in nav  # pillar 1: 1 of 3; pillar 2 (so): 0 of 2


def test_a_refused_attachment_after_a_save_keeps_the_saved_values(world: dict[str, Any]) -> None:
    data: dict[str, Any] = _page_rows(world)
    e11 = entry(world["mine"], "1.1")
    data[f"e{e11.pk}-value"] = "1"
    data["attach"] = str(e11.pk)
    data[f"e{e11.pk}-file"] = SimpleUploadedFile("qd.exe", b"MZ\x90\x00" * 64)
    response = _client(world).post(_url(world), data)
    assert response.status_code == 302  # back to the page, which loads the saved rows
    e11.refresh_from_db()
    assert (e11.self_value, e11.version) == (1.0, 2)
    assert not Evidence.objects.filter(entry=e11).exists()


def test_entry_keys_above_999_are_not_written_with_a_thousands_dot(world: dict[str, Any]) -> None:
    """The Vietnamese pages group thousands (1.000): an entry's key printed that way in the
    attach button ("1.015") named no entry, and the file was silently not attached — in every
    run long enough for the keys to pass 999."""
    from dti.web.assessments.models import IndicatorEntry

    one = entry(world["mine"], "1.3")
    IndicatorEntry.objects.filter(pk=one.pk).update(id=5015)
    page = _client(world).get(reverse("assessment_detail", args=[world["mine"].pk]))
    body = page.content.decode()
    assert 'name="attach" value="5015"' in body
    assert 'data-entry="5015"' in body and 'id="ev-5015"' in body
    assert "5.015" not in body
