"""Web hardening: headers, CSRF, login throttling, expired sessions, IDOR, anonymous POSTs.

The role × page matrix and the anonymous GET walk live in test_permissions.py; these add what an
attacker tries next.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.conftest import PASSWORD, advance, entry
from tests.web.test_permissions import _all_paths
from tests.web.test_uploads import PDF, filled_template

from dti.web.assessments.models import Evidence, IndicatorEntry, SiteVisitNote
from dti.web.audit.models import AuditEvent

WEB = Path(__file__).resolve().parents[2] / "src" / "dti" / "web"


def _client(world: dict[str, Any], role: str, **kwargs: Any) -> Client:
    client = Client(**kwargs)
    client.force_login(world["users"][role])
    return client


def _state() -> tuple[Any, ...]:
    return (
        AuditEvent.objects.count(),
        Evidence.objects.count(),
        SiteVisitNote.objects.count(),
        list(IndicatorEntry.objects.order_by("pk").values_list("self_value", "version", "verdict")),
    )


# -- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "reporter"])
def test_security_headers(world: dict[str, Any], who: str) -> None:
    client = Client() if who == "anonymous" else _client(world, who)
    url = reverse("login") if who == "anonymous" else reverse("assessment_detail", args=[1])
    if who == "reporter":
        url = reverse("assessment_detail", args=[world["mine"].pk])
    response = client.get(url)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_templates_have_no_inline_script_or_style() -> None:
    """What makes the CSP above possible: scripts and styles come only from static files."""
    offenders = []
    patterns = {
        "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
        "<style> block": re.compile(r"<style\b", re.I),
        "style= attribute": re.compile(r"\sstyle\s*=", re.I),
        "on…= handler": re.compile(r"\son[a-z]+\s*=", re.I),
        "javascript: URL": re.compile(r"javascript:", re.I),
    }
    for template in sorted(WEB.rglob("templates/**/*.html")):
        text = template.read_text()
        offenders += [
            f"{template.relative_to(WEB)}: {what}"
            for what, pattern in patterns.items()
            if pattern.search(text)
        ]
    assert not offenders, offenders


# -- CSRF, sessions, throttling ------------------------------------------------------------------


def test_posts_without_a_csrf_token_are_refused(world: dict[str, Any]) -> None:
    client = _client(world, "reporter", enforce_csrf_checks=True)
    mine = world["mine"]
    e = entry(mine, "1.1")
    before = _state()
    posts = [
        (reverse("entry_save", args=[mine.pk, e.pk]), {"version": e.version, "value": "1"}),
        (reverse("assessment_transition", args=[mine.pk]), {"name": "submit"}),
        (reverse("evidence_add", args=[mine.pk, e.pk]), {"url": "https://example.org/a.pdf"}),
        (reverse("logout"), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert _state() == before
    # With the token from the page the same save goes through.
    page = client.get(reverse("assessment_detail", args=[mine.pk]))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    token = token or client.cookies["csrftoken"].value
    url, data = posts[0]
    assert client.post(url, {**data, "csrfmiddlewaretoken": token}).status_code == 302
    assert entry(mine, "1.1").self_value == 1


def test_expired_sessions_are_sent_to_login_and_write_nothing(world: dict[str, Any]) -> None:
    from django.contrib.sessions.models import Session

    client = Client()
    client.post(reverse("login"), {"username": "reporter", "password": PASSWORD})
    mine = world["mine"]
    assert client.get(reverse("assessment_detail", args=[mine.pk])).status_code == 200
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    before = _state()
    e = entry(mine, "1.1")
    response = client.post(
        reverse("entry_save", args=[mine.pk, e.pk]), {"version": e.version, "value": "1"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(reverse("home")).status_code == 302
    assert _state() == before


def test_brute_force_login_is_locked_out(world: dict[str, Any], settings: Any) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "reporter", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    response = client.post(reverse("login"), {"username": "reporter", "password": "wrong"})
    assert response.status_code == 429  # the last failure allowed locks the pair
    # Now even the right password is refused, for this user from this address.
    response = client.post(reverse("login"), {"username": "reporter", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked out by it.
    assert (
        client.post(reverse("login"), {"username": "admin", "password": PASSWORD}).status_code
        == 302
    )


def test_session_cookie_flags(world: dict[str, Any]) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "reporter", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"].lower() == "lax"


# -- IDOR: the reporter of unit B against every object of unit A ---------------------------------


def test_a_reporter_of_another_unit_reaches_no_object_of_unit_a(
    world: dict[str, Any], tmp_path: Path
) -> None:
    from dti.web.assessments.services import evidence_add

    mine = world["mine"]
    e = entry(mine, "1.1")
    evidence = evidence_add(
        actor=world["users"]["reporter"], entry=e, upload=SimpleUploadedFile("qd.pdf", PDF)
    )
    workbook = filled_template(world, tmp_path, {"1.1": (1, None, None, None)})
    outsider = _client(world, "outsider")
    gets = [
        reverse("assessment_detail", args=[mine.pk]),
        reverse("assessment_history", args=[mine.pk]),
        reverse("template_download", args=[mine.pk]),
        reverse("evidence_download", args=[evidence.pk]),
    ]
    for url in gets:
        assert outsider.get(url).status_code in (403, 404), url
    before = _state()
    posts = [
        (reverse("entry_save", args=[mine.pk, e.pk]), {"version": e.version, "value": "1"}),
        (
            reverse("entry_verify", args=[mine.pk, e.pk]),
            {"version": e.version, "decision": "accept"},
        ),
        (reverse("evidence_add", args=[mine.pk, e.pk]), {"url": "https://example.org/x.pdf"}),
        (reverse("evidence_delete", args=[evidence.pk]), {}),
        (reverse("assessment_transition", args=[mine.pk]), {"name": "submit"}),
        (reverse("note_add", args=[mine.pk]), {"visited_on": "2024-03-01", "text": "x"}),
        (
            reverse("workbook_upload", args=[mine.pk]),
            {"file": SimpleUploadedFile("tu-danh-gia.xlsx", workbook.read_bytes())},
        ),
    ]
    for url, data in posts:
        assert outsider.post(url, data).status_code in (403, 404), url
    # The entry of unit A addressed through unit B's own assessment: still not found.
    theirs = world["theirs"]
    response = outsider.post(
        reverse("entry_save", args=[theirs.pk, e.pk]), {"version": e.version, "value": "1"}
    )
    assert response.status_code == 404
    assert _state() == before
    assert Path(evidence.file.path).exists()


def test_a_reporter_cannot_read_another_units_published_history(world: dict[str, Any]) -> None:
    theirs = advance(world, world["theirs"], "published")
    client = _client(world, "reporter")
    assert client.get(reverse("assessment_history", args=[theirs.pk])).status_code in (403, 404)


# -- IDOR: another province's accounts against every object and action of the world ----------


def _period_state(world: dict[str, Any]) -> tuple[Any, ...]:
    from dti.web.assessments.models import Assessment, Period, ValuesImport
    from dti.web.registry.models import Unit
    from dti.web.results.models import Decision

    period = Period.objects.get(pk=world["period"].pk)
    return (
        period.self_deadline,
        period.verification_deadline,
        list(Assessment.objects.order_by("pk").values_list("status", "self_deadline_override")),
        ValuesImport.objects.count(),
        Decision.objects.count(),
        Unit.objects.count(),
    )


@pytest.mark.parametrize("who", ["admin_b", "reporter_b", "verifier_b", "leader_b"])
def test_an_account_of_another_province_reaches_no_object_of_this_one(
    world: dict[str, Any], second_province: dict[str, Any], tmp_path: Path, who: str
) -> None:
    from dti.web.assessments.services import evidence_add

    mine = world["mine"]
    e = entry(mine, "1.1")
    evidence = evidence_add(
        actor=world["users"]["reporter"], entry=e, upload=SimpleUploadedFile("qd.pdf", PDF)
    )
    theirs = advance(world, world["theirs"], "under_verification")
    t = entry(theirs, "1.1")
    workbook = filled_template(world, tmp_path, {"1.1": (1, None, None, None)})
    period = world["period"]
    client = Client()
    client.force_login(second_province["users"][who])
    before = (_state(), _period_state(world))
    posts = [
        (reverse("entry_save", args=[mine.pk, e.pk]), {"version": e.version, "value": "1"}),
        (
            reverse("entry_verify", args=[theirs.pk, t.pk]),
            {"version": t.version, "decision": "adjust", "value": "0", "reason": "Không có"},
        ),
        (reverse("evidence_add", args=[mine.pk, e.pk]), {"url": "https://example.org/x.pdf"}),
        (reverse("evidence_delete", args=[evidence.pk]), {}),
        (reverse("assessment_transition", args=[mine.pk]), {"name": "submit"}),
        (reverse("assessment_transition", args=[theirs.pk]), {"name": "finish_verification"}),
        (reverse("note_add", args=[theirs.pk]), {"visited_on": "2024-03-01", "text": "x"}),
        (
            reverse("workbook_upload", args=[mine.pk]),
            {"file": SimpleUploadedFile("tu-danh-gia.xlsx", workbook.read_bytes())},
        ),
        (reverse("period_bulk", args=[period.pk]), {"name": "approve"}),
        (
            reverse("period_deadlines", args=[period.pk]),
            {
                "form": "period",
                "self_deadline": "2099-01-01T17:00",
                "verification_deadline": "2099-02-01T17:00",
                "reason": "Gia hạn",
            },
        ),
        (
            reverse("period_deadlines", args=[period.pk]),
            {
                "form": "extension",
                "unit": world["units"]["a"].pk,
                "deadline": "2099-01-01T17:00",
                "reason": "Gia hạn",
            },
        ),
        (
            reverse("period_import", args=[period.pk]),
            {"file": SimpleUploadedFile("gia-tri.csv", b"unit,period,indicator,value\n")},
        ),
        (
            reverse("results_decision", args=[period.pk]),
            {"issuer": "UBND", "number": "1/QĐ", "date": "2024-03-01"},
        ),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (403, 404), url
    assert (_state(), _period_state(world)) == before
    assert Path(evidence.file.path).exists()


def _writes(
    actor: Any, province: Any, group: Any, period: Any, assessment: Any, world: Any, units: Path
) -> list[tuple[str, Any]]:
    """Every administration a province's admin does, aimed at ``province``'s records."""
    from dti.web.accounts.models import Role
    from dti.web.accounts.services import user_create
    from dti.web.assessments.period_import import values_import_start
    from dti.web.assessments.services import (
        deadline_extend,
        period_open,
        period_recompute,
        period_set_deadlines,
        period_transition_all,
    )
    from dti.web.registry.services import unit_create, units_import
    from dti.web.results.publication import decision_save

    later = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    upload = SimpleUploadedFile("gia-tri.csv", b"unit,period,indicator,value\n")
    return [
        (
            "open a period",
            lambda: period_open(
                actor=actor,
                year=2030,
                name="Kỳ 2030",
                self_deadline=later,
                verification_deadline=later,
                frameworks={group: world["framework"]},
                province=province,
            ),
        ),
        ("import units", lambda: units_import(actor=actor, path=units, province=province)),
        ("add a unit", lambda: unit_create(actor=actor, code="x-2", name="Xã Hai", group=group)),
        (
            "make an account",
            lambda: user_create(
                actor=actor, username="moi", password=None, role=Role.LEADER, province=province
            ),
        ),
        (
            "move deadlines",
            lambda: period_set_deadlines(
                actor=actor,
                period=period,
                self_deadline=later,
                verification_deadline=later,
                reason="x",
            ),
        ),
        (
            "extend a deadline",
            lambda: deadline_extend(
                actor=actor, assessments=[assessment], deadline=later, reason="x"
            ),
        ),
        ("approve all", lambda: period_transition_all(actor=actor, period=period, name="approve")),
        ("recompute", lambda: period_recompute(actor=actor, period=period)),
        ("import values", lambda: values_import_start(actor=actor, period=period, upload=upload)),
        (
            "save the decision",
            lambda: decision_save(actor=actor, period=period, issuer="UBND", number="1", date=None),
        ),
    ]


def test_an_admin_cannot_open_periods_import_units_or_make_accounts_for_another_province(
    world: dict[str, Any], second_province: dict[str, Any], tmp_path: Path
) -> None:
    from dti.web.assessments.models import Period
    from dti.web.errors import Forbidden
    from dti.web.registry.models import Unit

    b = second_province
    admin, admin_b = world["users"]["admin"], b["users"]["admin_b"]
    units = tmp_path / "units.csv"
    units.write_text("unit,name,group,parent,predecessors\nx-1,Xã Một,so,,\n")
    sides = (
        (admin, b["province"], b["group"], b["period"], b["own"]),
        (admin_b, None, world["units"]["a"].group, world["period"], world["mine"]),
    )
    for actor, province, group, period, assessment in sides:
        for name, attempt in _writes(actor, province, group, period, assessment, world, units):
            if name == "make an account" and province is None:
                continue  # (no province given: the account is the admin's own province's)
            with pytest.raises(Forbidden):  # noqa: PT012 - say which attempt got through
                attempt()
                pytest.fail(f"{actor} could {name}")
    assert not Period.objects.filter(year=2030).exists()
    assert not Unit.objects.filter(code__in=["x-1", "x-2"]).exists()
    # Through the pages: the other province is no choice of the admin's forms.
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("period_create"),
        {
            "province": b["province"].pk,
            "year": 2030,
            "name": "Kỳ 2030",
            "self_deadline": "2099-01-01T17:00",
            "verification_deadline": "2099-02-01T17:00",
            "fw_tinh-b_so": world["framework"].pk,
            "confirm_left_out": "on",
        },
    )
    assert response.status_code == 200
    response = client.post(
        reverse("unit_import"),
        {"province": b["province"].pk, "file": SimpleUploadedFile("u.csv", units.read_bytes())},
    )
    assert response.status_code == 200 and response.context["form"].errors["province"]
    assert not Period.objects.filter(year=2030).exists()
    assert not Unit.objects.filter(code="x-1").exists()


# -- anonymous POSTs -----------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "path"), _all_paths(), ids=[n for n, _ in _all_paths()])
def test_anonymous_posts_change_nothing(world: dict[str, Any], name: str, path: str) -> None:
    """Every URL POSTed by a stranger: refused, or a public page that writes nothing."""
    advance(world, world["theirs"], "published")
    public = Client().get(path)
    is_public = public.status_code < 300 or (
        public.status_code == 302 and not public["Location"].startswith("/accounts/login/")
    )
    before = _state()
    response = Client().post(path, {"name": "submit", "value": "1", "version": "1"})
    assert response.status_code < 500, name
    if not is_public:  # only what anyone may read answers a stranger at all
        assert response.status_code in (302, 401, 403, 404, 405), name
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), name
    assert _state() == before
