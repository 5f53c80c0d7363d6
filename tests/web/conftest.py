"""Fixtures for the web tests: the mini framework, three units and one user per role.

The users are ``admin``, ``reporter`` (unit A), ``outsider`` (reporter of unit B, same group),
``verifier`` and ``leader``; every permission test runs against all of them. The world is the
fixture province: a single-province installation that leaves provinces empty (its accounts, like
its groups and period, belong to no province).

``second_province`` adds another province (``tinh-b``) to the same database, with its own groups,
units, open period and one account per role (``admin_b``, ``reporter_b``, ``verifier_b``,
``leader_b``): none of them may see or touch anything of the world, nor the world's accounts
anything of theirs.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import django
import pytest

# Configured here (not in pyproject) so that the engine's own tests never import Django.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dti.web.settings")
# Tasks run in the caller (huey's immediate mode) unless a test starts a real consumer.
os.environ.setdefault("DTI_TASKS", "immediate")
django.setup()

from tests.web.accounts_world import other_province  # noqa: E402, F401 - a second province
from tests.web.evidence_world import year_2024  # noqa: E402, F401 - a second period
from tests.web.measured_world import measured  # noqa: E402, F401 - a period with quality rules
from tests.web.smtp import smtp  # noqa: E402, F401 - the SMTP server fixture, for every web test

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: nothing a previous test computed leaks in."""
    from django.core.cache import cache

    from dti.web.results.page_cache import forget_local_copies

    cache.clear()
    forget_local_copies()


@pytest.fixture
def audit_tampered() -> None:
    """Requested by a test that breaks the audit trail on purpose (no check afterwards)."""


@pytest.fixture(autouse=True)
def _audit_trail_intact(request: pytest.FixtureRequest, _media: None, _fresh_cache: None) -> Any:
    """After every test that used the world, every audit chain must still verify: whatever
    the test wrote (saves, imports, recomputes, transitions) was linked correctly. (After the
    other autouse fixtures: the world's users need the tests' password hasher.)"""
    checked = "world" in request.fixturenames and "audit_tampered" not in request.fixturenames
    if checked:
        request.getfixturevalue("world")  # set up first, so torn down after this check
    yield
    if checked:
        from dti.web.audit.verify import audit_verify

        result = audit_verify()
        assert result.intact, [str(b) for b in result.breaks]


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    from django.utils import timezone

    from dti.web.accounts.models import Role
    from dti.web.accounts.services import user_create
    from dti.web.assessments.services import period_open
    from dti.web.frameworks.services import framework_store
    from dti.web.registry.models import UnitKind
    from dti.web.registry.services import group_ensure, unit_create

    system = None
    so = group_ensure(code="so", name="Sở", unit_kind=UnitKind.DEPARTMENT, order=0)
    huyen = group_ensure(code="huyen", name="Huyện", unit_kind=UnitKind.DISTRICT, order=1)
    version = framework_store(
        actor=system, yaml_text=(FIXTURES / "mini.yaml").read_text(), check_role=False
    )
    a = unit_create(
        actor=system, code="so-a", name="Sở Giao thông vận tải", group=so, check_role=False
    )
    b = unit_create(actor=system, code="so-b", name="Sở Xây dựng", group=so, check_role=False)
    c = unit_create(
        actor=system, code="huyen-c", name="Huyện Núi Thành", group=huyen, check_role=False
    )
    users = {
        "admin": user_create(
            actor=system, username="admin", password=PASSWORD, role=Role.ADMIN, check_role=False
        ),
        "reporter": user_create(
            actor=system,
            username="reporter",
            password=PASSWORD,
            role=Role.REPORTER,
            unit=a,
            check_role=False,
        ),
        "outsider": user_create(
            actor=system,
            username="outsider",
            password=PASSWORD,
            role=Role.REPORTER,
            unit=b,
            check_role=False,
        ),
        "verifier": user_create(
            actor=system,
            username="verifier",
            password=PASSWORD,
            role=Role.VERIFIER,
            check_role=False,
        ),
        "leader": user_create(
            actor=system, username="leader", password=PASSWORD, role=Role.LEADER, check_role=False
        ),
    }
    now = timezone.now()
    period = period_open(
        actor=users["admin"],
        year=2023,
        name="Đánh giá năm 2023",
        self_deadline=now + dt.timedelta(days=30),
        verification_deadline=now + dt.timedelta(days=60),
        frameworks={so: version, huyen: version},
    )
    assessments = {a_.unit.code: a_ for a_ in period.assessments.select_related("unit")}
    return {
        "users": users,
        "units": {"a": a, "b": b, "c": c},
        "period": period,
        "framework": version,
        "mine": assessments["so-a"],
        "theirs": assessments["so-b"],
        "district": assessments["huyen-c"],
    }


SECOND_ROLES = ("admin_b", "reporter_b", "verifier_b", "leader_b")


def member(username: str, role: Any, province: Any, units: Any = ()) -> Any:
    """An account of ``province`` with ``role`` (a reporter: of ``units``)."""
    from dti.web.accounts.services import user_create

    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        units=list(units),
        province=province,
        check_role=False,
    )


@pytest.fixture
def second_province(world: dict[str, Any]) -> dict[str, Any]:
    """Another province in the world's database: groups, units, a period, an account per role."""
    from django.utils import timezone

    from dti.web.accounts.models import Role
    from dti.web.assessments.services import period_open
    from dti.web.registry.models import UnitKind
    from dti.web.registry.services import group_ensure, province_ensure, unit_create

    province = province_ensure(code="tinh-b", name="Tỉnh B")
    so = group_ensure(
        code="so", name="Sở (tỉnh B)", unit_kind=UnitKind.DEPARTMENT, province=province
    )
    units = [
        unit_create(actor=None, code=code, name=name, group=so, check_role=False)
        for code, name in (("b-so-1", "Sở Nội vụ tỉnh B"), ("b-so-2", "Sở Tài chính tỉnh B"))
    ]
    users = {
        "admin_b": member("admin_b", Role.ADMIN, province),
        "reporter_b": member("reporter_b", Role.REPORTER, province, units[:1]),
        "verifier_b": member("verifier_b", Role.VERIFIER, province),
        "leader_b": member("leader_b", Role.LEADER, province),
    }
    now = timezone.now()
    period = period_open(
        actor=users["admin_b"],
        year=2023,
        name="Tỉnh B: đánh giá năm 2023",
        self_deadline=now + dt.timedelta(days=30),
        verification_deadline=now + dt.timedelta(days=60),
        frameworks={so: world["framework"]},
        province=province,
    )
    assessments = {a.unit.code: a for a in period.assessments.select_related("unit")}
    return {
        "province": province,
        "group": so,
        "users": users,
        "units": {"one": units[0], "two": units[1]},
        "period": period,
        "own": assessments["b-so-1"],
        "other": assessments["b-so-2"],
    }


def entry(assessment: Any, code: str) -> Any:
    return assessment.entries.get(indicator=code)


def advance(world: dict[str, Any], assessment: Any, to: str) -> Any:
    """Move an assessment along the happy path up to status ``to`` (through the services)."""
    from dti.web.assessments.services import assessment_transition

    users = world["users"]
    path = [
        ("submitted", "submit", "reporter" if assessment.unit.code == "so-a" else "outsider"),
        ("under_verification", "start_verification", "verifier"),
        ("verified", "finish_verification", "verifier"),
        ("approved", "approve", "admin"),
        ("published", "publish", "admin"),
    ]
    if assessment.unit.code == "huyen-c":
        raise ValueError("no reporter for huyen-c in the fixtures")
    order = ["draft"] + [status for status, _, _ in path]
    for status, name, who in path:
        if order.index(assessment.status) >= order.index(to):
            break
        if order.index(status) <= order.index(assessment.status):
            continue
        # Publication as the period's publication takes it (a group published whole, or marked
        # provisional on every page): tests/web/test_publication.py covers that route.
        assessment = assessment_transition(
            actor=users[who],
            assessment=assessment,
            name=name,
            accept_rest=name == "finish_verification",  # the rest accepted as declared
            within_group=name == "publish",
        )
        assert assessment.status == status
    return assessment
