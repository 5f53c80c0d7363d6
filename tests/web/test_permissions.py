"""Every page and action against every role: the matrix below is the access policy."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from tests.web.conftest import advance, entry
from tests.web.test_results_public import without_missing_list

from dti.web import urls as project_urls

ROLES = ("admin", "reporter", "outsider", "verifier", "leader")
ALL = dict.fromkeys(ROLES, 200)
ADMIN = {"admin": 200, "reporter": 403, "outsider": 403, "verifier": 403, "leader": 403}
ADMIN_LEADER = {**ADMIN, "leader": 200}
STAFF = {**ADMIN_LEADER, "verifier": 200}
# A draft of unit A: its own reporter and the admin only; others do not learn it exists.
DRAFT_OF_A = {"admin": 200, "reporter": 200, "outsider": 404, "verifier": 404, "leader": 404}
# A submitted assessment of unit B: reviewers see it, the reporter of A does not.
SUBMITTED_OF_B = {"admin": 200, "reporter": 404, "outsider": 200, "verifier": 200, "leader": 200}

Url = Callable[[dict[str, Any]], str]
PAGES: list[tuple[str, Url, dict[str, int]]] = [
    # (a leader's home is the newest period's dashboard: a redirect)
    ("home", lambda w: reverse("home"), {**ALL, "leader": 302}),
    ("period_dashboard", lambda w: reverse("period_dashboard", args=[w["period"].pk]), STAFF),
    (
        "period_framework_correction",
        lambda w: reverse("period_framework_correction", args=[w["period"].pk]),
        ADMIN,
    ),
    ("unit_list", lambda w: reverse("unit_list"), ADMIN_LEADER),
    ("unit_detail", lambda w: reverse("unit_detail", args=[w["units"]["a"].pk]), ADMIN_LEADER),
    ("unit_import", lambda w: reverse("unit_import"), ADMIN),
    ("framework_list", lambda w: reverse("framework_list"), STAFF),
    ("framework_detail", lambda w: reverse("framework_detail", args=[w["framework"].pk]), STAFF),
    ("framework_upload", lambda w: reverse("framework_upload"), ADMIN),
    ("period_create", lambda w: reverse("period_create"), ADMIN),
    ("period_detail", lambda w: reverse("period_detail", args=[w["period"].pk]), STAFF),
    ("period_results", lambda w: reverse("period_results", args=[w["period"].pk]), STAFF),
    ("period_deadlines", lambda w: reverse("period_deadlines", args=[w["period"].pk]), ADMIN),
    ("audit_list", lambda w: reverse("audit_list"), ADMIN),
    ("draft", lambda w: reverse("assessment_detail", args=[w["mine"].pk]), DRAFT_OF_A),
    ("draft_history", lambda w: reverse("assessment_history", args=[w["mine"].pk]), DRAFT_OF_A),
    (
        "draft_template",
        lambda w: reverse("template_download", args=[w["mine"].pk]),
        DRAFT_OF_A,
    ),
    ("submitted", lambda w: reverse("assessment_detail", args=[w["theirs"].pk]), SUBMITTED_OF_B),
    (
        "submitted_history",
        lambda w: reverse("assessment_history", args=[w["theirs"].pk]),
        SUBMITTED_OF_B,
    ),
    (
        "submitted_template",
        lambda w: reverse("template_download", args=[w["theirs"].pk]),
        {**SUBMITTED_OF_B, "verifier": 403, "leader": 403},
    ),
    # Nothing of 2023 is published here: the public page does not exist yet (dti.web.results).
    (
        "public_results",
        lambda w: reverse("public_results", args=[2023]),
        dict.fromkeys(ROLES, 404),
    ),
]


def client_for(world: dict[str, Any], role: str) -> Client:
    client = Client()
    client.force_login(world["users"][role])
    return client


@pytest.mark.parametrize(("page", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("role", ROLES)
def test_page_access(
    world: dict[str, Any], role: str, page: str, url: Url, expected: dict[str, int]
) -> None:
    advance(world, world["theirs"], "submitted")
    response = client_for(world, role).get(url(world))
    assert response.status_code == expected[role], (page, role)


def _all_paths() -> list[tuple[str, str]]:
    """Every URL of the project with its parameters filled in."""
    out = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                path = (prefix + route).replace("<int:pk>", "1").replace("<int:entry_pk>", "1")
                path = path.replace("<int:evidence_pk>", "1").replace("<int:year>", "2023")
                path = re.sub(r"<int:\w+>", "1", path)  # any other id
                out.append((p.name or path, "/" + path))

    walk(project_urls.urlpatterns, "")
    return out


PUBLIC = {"login", "set_language", "public_results", "health"}
# Resetting a forgotten password happens before signing in (Django's one-time tokens).
PUBLIC |= {
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
# The results app's public pages (published results only; see tests/web/test_results_*.py).
PUBLIC |= {
    "public_index",
    "results_compare",
    "results_chart_svg",
    "results_chart_png",
    "results_scorecard",
    "results_scorecard_pdf",
    "results_unit_plan",
    "results_appendix_xlsx",
    "results_appendix_pdf",
    "results_open_data",
    "results_restated",
}

# The REST API's operations open to anonymous callers (dti.web.api).
API_PUBLIC = {
    "openapi-json",
    "openapi-view",
    "framework_list",
    "framework_detail",
    "unit_list",
    "period_list",
    "period_detail",
    "period_results",
    "period_rankings",
    "unit_scorecard",
    "unit_explain",
}


@pytest.mark.parametrize(("name", "path"), _all_paths(), ids=[n for n, _ in _all_paths()])
def test_anonymous_is_sent_to_login_everywhere_but_public_pages(
    world: dict[str, Any], name: str, path: str
) -> None:
    response = Client().get(path)
    if path.startswith("/api/"):
        # The REST API answers anonymous callers itself, never with a login redirect: reference
        # data and published results are public (an unfilled id is refused with 422); all
        # else is 401 (see tests/web/test_api_*.py).
        # GET on a write operation is 405; the bare prefix /api/v1/ is 404.
        expected = {200, 422} if name in API_PUBLIC else {401, 404, 405}
        assert response.status_code in expected, name
        return
    if name in PUBLIC:
        assert response.status_code != 302 or "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/login/")


def test_public_results_show_only_published_units(world: dict[str, Any]) -> None:
    advance(world, world["theirs"], "published")
    body = Client().get(reverse("public_results", args=[2023])).content.decode()
    assert "Sở Xây dựng" in body  # published
    # Still a draft: out of the ranking, named only among the units its group still misses.
    assert "Sở Giao thông vận tải" not in without_missing_list(body)


# -- actions (POST) ------------------------------------------------------------------------------

POSTS: list[tuple[str, Callable[[dict[str, Any]], tuple[str, dict[str, Any]]], dict[str, int]]] = [
    (
        "entry_save",
        lambda w: (
            reverse("entry_save", args=[w["mine"].pk, entry(w["mine"], "1.1").pk]),
            {"version": 1, "value": "1"},
        ),
        {"admin": 403, "reporter": 302, "outsider": 404, "verifier": 404, "leader": 404},
    ),
    (
        "evidence_add",
        lambda w: (
            reverse("evidence_add", args=[w["mine"].pk, entry(w["mine"], "1.1").pk]),
            {"url": "https://example.org/quyet-dinh.pdf"},
        ),
        {"admin": 403, "reporter": 302, "outsider": 404, "verifier": 404, "leader": 404},
    ),
    (
        "submit",
        lambda w: (reverse("assessment_transition", args=[w["mine"].pk]), {"name": "submit"}),
        {"admin": 403, "reporter": 302, "outsider": 404, "verifier": 404, "leader": 404},
    ),
    (
        "period_bulk",
        lambda w: (reverse("period_bulk", args=[w["period"].pk]), {"name": "approve"}),
        {"admin": 302, "reporter": 403, "outsider": 403, "verifier": 403, "leader": 403},
    ),
    (
        "framework_upload",
        lambda w: (reverse("framework_upload"), {"text": "code: x"}),
        {"admin": 200, "reporter": 403, "outsider": 403, "verifier": 403, "leader": 403},
    ),
]


@pytest.mark.parametrize(("action", "make", "expected"), POSTS, ids=[p[0] for p in POSTS])
@pytest.mark.parametrize("role", ROLES)
def test_action_access(
    world: dict[str, Any], role: str, action: str, make: Any, expected: dict[str, int]
) -> None:
    url, data = make(world)
    response = client_for(world, role).post(url, data)
    assert response.status_code == expected[role], (action, role)


VERIFY_POSTS = {"admin": 403, "reporter": 404, "outsider": 403, "verifier": 302, "leader": 403}


@pytest.mark.parametrize("role", ROLES)
def test_verification_actions_are_the_verifiers(world: dict[str, Any], role: str) -> None:
    theirs = advance(world, world["theirs"], "under_verification")
    e = entry(theirs, "1.1")
    client = client_for(world, role)
    response = client.post(
        reverse("entry_verify", args=[theirs.pk, e.pk]),
        {"version": e.version, "decision": "adjust", "value": "0", "reason": "Không có minh chứng"},
    )
    assert response.status_code == VERIFY_POSTS[role]
    response = client.post(
        reverse("note_add", args=[theirs.pk]), {"visited_on": "2024-03-01", "text": "Đã kiểm tra"}
    )
    assert response.status_code == VERIFY_POSTS[role]


def test_verifier_cannot_change_self_assessment_values(world: dict[str, Any]) -> None:
    theirs = advance(world, world["theirs"], "under_verification")
    e = entry(theirs, "1.1")
    response = client_for(world, "verifier").post(
        reverse("entry_save", args=[theirs.pk, e.pk]), {"version": e.version, "value": "1"}
    )
    assert response.status_code == 403
    e.refresh_from_db()
    assert e.self_value is None


def test_evidence_download_checks_the_unit(world: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dti.web.assessments.services import evidence_add

    pdf = SimpleUploadedFile("qd.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n")
    ev = evidence_add(
        actor=world["users"]["reporter"], entry=entry(world["mine"], "1.1"), upload=pdf
    )
    url = reverse("evidence_download", args=[ev.pk])
    assert client_for(world, "outsider").get(url).status_code == 404
    assert client_for(world, "verifier").get(url).status_code == 404  # still a draft
    response = client_for(world, "reporter").get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_an_entry_under_another_assessments_url_is_not_found(world: dict[str, Any]) -> None:
    # The reporter's own assessment in the URL, another unit's entry: the pair must match.
    theirs = entry(world["theirs"], "1.1")
    response = client_for(world, "reporter").post(
        reverse("entry_save", args=[world["mine"].pk, theirs.pk]),
        {"version": theirs.version, "value": "1"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.self_value is None


# -- a second province -------------------------------------------------------------------------
# One deployment, two provinces: the world (the fixture province) and province B. Every account
# of one against every page and action of the other's: a page its role opens answers 404 for
# the other province's record (nothing learnt of it), a page its role does not open 403.

KIND = {
    "admin": "admin",
    "reporter": "reporter",
    "outsider": "reporter",
    "verifier": "verifier",
    "leader": "leader",
    **{f"{kind}_b": kind for kind in ("admin", "reporter", "verifier", "leader")},
}
# The role gate first (403), then the province (404).
GATE_ADMIN = {"admin": 404, "reporter": 403, "verifier": 403, "leader": 403}
GATE_STAFF = {**GATE_ADMIN, "verifier": 404, "leader": 404}
GATE_READERS = {**GATE_ADMIN, "leader": 404}
NOT_FOUND = dict.fromkeys(("admin", "reporter", "verifier", "leader"), 404)


def _targets(world: dict[str, Any], b: dict[str, Any], side: str) -> dict[str, Any]:
    """The records of one side: its period, a unit, a draft and an assessment under review."""
    if side == "world":
        return {"period": world["period"], "unit": world["units"]["a"], "draft": world["mine"]}
    return {"period": b["period"], "unit": b["units"]["one"], "draft": b["own"]}


Target = Callable[[dict[str, Any]], str]
CROSS_PAGES: list[tuple[str, Target, dict[str, int]]] = [
    ("unit_detail", lambda t: reverse("unit_detail", args=[t["unit"].pk]), GATE_READERS),
    ("period_detail", lambda t: reverse("period_detail", args=[t["period"].pk]), GATE_STAFF),
    ("period_results", lambda t: reverse("period_results", args=[t["period"].pk]), GATE_STAFF),
    ("period_deadlines", lambda t: reverse("period_deadlines", args=[t["period"].pk]), GATE_ADMIN),
    ("period_import", lambda t: reverse("period_import", args=[t["period"].pk]), GATE_ADMIN),
    ("values_import", lambda t: reverse("values_import_detail", args=[t["job"].pk]), GATE_ADMIN),
    # (the admin drafts the decision, the leader approves it)
    ("decision", lambda t: reverse("results_decision", args=[t["period"].pk]), GATE_READERS),
    # (the robustness report: those who sign the ranking off)
    ("robustness", lambda t: reverse("results_robustness", args=[t["period"].pk]), GATE_READERS),
    (
        "robustness_xlsx",
        lambda t: reverse("results_robustness_xlsx", args=[t["period"].pk]),
        GATE_READERS,
    ),
    ("draft", lambda t: reverse("assessment_detail", args=[t["draft"].pk]), NOT_FOUND),
    ("history", lambda t: reverse("assessment_history", args=[t["draft"].pk]), NOT_FOUND),
    ("template", lambda t: reverse("template_download", args=[t["draft"].pk]), NOT_FOUND),
    ("evidence", lambda t: reverse("evidence_download", args=[t["evidence"].pk]), NOT_FOUND),
]
WORLD_ROLES = ("admin", "reporter", "verifier", "leader")
B_ROLES = tuple(f"{kind}_b" for kind in WORLD_ROLES)
# (viewer, the side whose records it asks for): every account of each side against the other.
CROSS = [(v, "world") for v in B_ROLES] + [(v, "b") for v in ROLES]
# The account of the records' own side with the same kind of role (the page's sanity check).
OWN = {
    "world": dict(zip(WORLD_ROLES, WORLD_ROLES, strict=True)),
    "b": dict(zip(WORLD_ROLES, B_ROLES, strict=True)),
}
ASSESSMENT_PAGES = ("draft", "history", "template", "evidence")


def _with_job_and_evidence(world: dict[str, Any], b: dict[str, Any], side: str) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dti.web.assessments.models import ValuesImport
    from dti.web.assessments.services import evidence_add

    target = _targets(world, b, side)
    target["job"] = ValuesImport.objects.create(
        period=target["period"], original_name="gia-tri.csv", file="imports/gia-tri.csv"
    )
    reporter = world["users"]["reporter"] if side == "world" else b["users"]["reporter_b"]
    pdf = SimpleUploadedFile("qd.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n")
    target["evidence"] = evidence_add(
        actor=reporter, entry=entry(target["draft"], "1.1"), upload=pdf
    )
    return target


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("page", "url", "expected"), CROSS_PAGES, ids=[p[0] for p in CROSS_PAGES])
@pytest.mark.parametrize(("viewer", "target"), CROSS, ids=[f"{v}-on-{t}" for v, t in CROSS])
def test_another_province_s_pages_are_not_found_or_refused(
    world: dict[str, Any],
    second_province: dict[str, Any],
    viewer: str,
    target: str,
    page: str,
    url: Target,
    expected: dict[str, int],
) -> None:
    records = _with_job_and_evidence(world, second_province, target)
    users = {**world["users"], **second_province["users"]}
    response = _login(users[viewer]).get(url(records))
    assert response.status_code == expected[KIND[viewer]], (page, viewer)
    # Not vacuous: the same page opens for the records' own province's account of that kind.
    if expected[KIND[viewer]] == 404:
        kind = "admin" if page in ASSESSMENT_PAGES else KIND[viewer]  # the admin sees drafts
        opened = _login(users[OWN[target][kind]]).get(url(records))
        if opened.streaming:  # read the download to its end: the client then closes the file
            b"".join(opened.streaming_content)  # type: ignore[attr-defined]
        assert opened.status_code == 200, page


@pytest.mark.parametrize("viewer", ["admin_b", "leader_b"])
def test_listings_show_only_the_own_province(
    world: dict[str, Any], second_province: dict[str, Any], viewer: str
) -> None:
    client = _login(second_province["users"][viewer])
    pages = ["home", "unit_list"] + (["audit_list", "period_create"] if viewer == "admin_b" else [])
    for name in pages:
        # (a leader's home is a redirect to the newest period's dashboard: followed)
        body = client.get(reverse(name), follow=True).content.decode()
        assert "Sở Giao thông vận tải" not in body and "Đánh giá năm 2023" not in body, name
        if name in ("home", "unit_list"):
            assert "Sở Nội vụ tỉnh B" in body or "Tỉnh B: đánh giá năm 2023" in body, name
    body = client.get(reverse("unit_list")).content.decode()
    assert "Sở Nội vụ tỉnh B" in body


def test_the_audit_page_shows_the_own_province_s_trail(
    world: dict[str, Any], second_province: dict[str, Any]
) -> None:
    world_page = _login(world["users"]["admin"]).get(reverse("audit_list"))
    b_page = _login(second_province["users"]["admin_b"]).get(reverse("audit_list"))
    world_events = {e.pk for e in world_page.context["page"].object_list}
    b_events = {e.pk for e in b_page.context["page"].object_list}
    both = [
        (e.action, e.object_type, e.actor_id)
        for e in b_page.context["page"].object_list
        if e.pk in world_events
    ]
    assert world_events and b_events and not both, both
    labels = {e.object_label for e in b_page.context["page"].object_list}
    assert "Tỉnh B: đánh giá năm 2023" in labels and "Sở Nội vụ tỉnh B" in labels
    assert "Đánh giá năm 2023" not in labels and "Sở Giao thông vận tải" not in labels
