"""The framework-correction page: a preview of every score, rank and band that would move,
written nowhere, then the confirmed recompute, audited with its reason."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from tests.web.test_period_recompute import MINI, corrected, fill, scores

from dti.web.assessments.models import Assessment, PeriodFramework
from dti.web.audit.models import AuditEvent
from dti.web.frameworks.models import FrameworkVersion
from dti.web.results.templatetags.results_format import vn


def _page(world: dict[str, Any]) -> str:
    return reverse("period_framework_correction", args=[world["period"].pk])


def test_the_period_page_links_to_the_correction_for_an_admin(
    world: dict[str, Any], client: Any
) -> None:
    client.force_login(world["users"]["admin"])
    body = client.get(reverse("period_detail", args=[world["period"].pk])).content.decode()
    assert _page(world) in body


def test_the_preview_lists_what_would_move_and_changes_nothing(
    world: dict[str, Any], client: Any
) -> None:
    for key in ("mine", "theirs"):
        fill(world[key])
    version = corrected()
    before = scores()
    client.force_login(world["users"]["admin"])
    group = world["units"]["a"].group
    response = client.post(
        _page(world), {"step": "preview", "group": group.pk, "version": version.pk}
    )
    body = response.content.decode()
    assert response.status_code == 200
    # 1.2 at 6/10 was 15 points (target 80 %), would be 12 (target 100 %): 3 points less
    a = Assessment.objects.select_related("unit").get(pk=world["mine"].pk)
    old, new = vn(a.self_score), vn(a.self_score - 3)
    table = body[body.find("<table") : body.find("</table>")]
    assert f'<td class="num">{old}</td>' in table and f"<b>{new}</b>" in table, table
    assert "sẽ thay đổi" in body and 'name="step" value="confirm"' in body
    assert scores() == before
    assert PeriodFramework.objects.get(period=world["period"], group=group).framework != version
    assert not AuditEvent.objects.filter(action="framework_correct").exists()


def test_confirming_recomputes_the_group_with_the_reason_in_the_audit(
    world: dict[str, Any], client: Any
) -> None:
    fill(world["mine"])
    version = corrected()
    before = scores()["so-a"][0]
    client.force_login(world["users"]["admin"])
    group = world["units"]["a"].group
    response = client.post(
        _page(world),
        {
            "step": "confirm",
            "group": group.pk,
            "version": version.pk,
            "reason": "Đính chính ngưỡng chỉ số 1.2",
        },
    )
    assert response.status_code == 302
    assert scores()["so-a"][0] == before - 3
    event = AuditEvent.objects.get(action="framework_correct")
    assert event.reason == "Đính chính ngưỡng chỉ số 1.2"


def test_confirming_without_a_reason_is_refused_and_changes_nothing(
    world: dict[str, Any], client: Any
) -> None:
    fill(world["mine"])
    version = corrected()
    before = scores()
    client.force_login(world["users"]["admin"])
    group = world["units"]["a"].group
    response = client.post(
        _page(world), {"step": "confirm", "group": group.pk, "version": version.pk}
    )
    assert response.status_code == 200
    assert "Give the reason" in response.content.decode() or "lý do" in response.content.decode()
    assert scores() == before


def test_an_uploaded_version_with_other_indicators_is_refused_with_the_indicators_named(
    world: dict[str, Any], client: Any
) -> None:
    fill(world["mine"])
    text = MINI.replace('code: "1.3"', 'code: "1.4"').replace("code: test-mini", "code: other")
    client.force_login(world["users"]["admin"])
    response = client.post(
        _page(world),
        {
            "step": "preview",
            "group": world["units"]["a"].group.pk,
            "file": SimpleUploadedFile("other.yaml", text.encode(), content_type="text/yaml"),
        },
    )
    body = response.content.decode()
    assert "1.3" in body and "1.4" in body
    assert 'value="confirm"' not in body
    # the upload itself was valid, so it is stored as a version; the group was not moved
    assert FrameworkVersion.objects.filter(code="other").exists()


def test_only_an_admin_reaches_the_correction(world: dict[str, Any], client: Any) -> None:
    for role in ("reporter", "verifier", "leader"):
        client.force_login(world["users"][role])
        assert client.get(_page(world)).status_code == 403, role
        assert client.post(_page(world), {"step": "preview"}).status_code == 403, role
