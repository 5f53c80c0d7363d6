"""Settings, language, number formats, login throttling, demo loading."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.test import Client
from django.urls import reverse
from tests.web.conftest import FIXTURES, PASSWORD

REPO = Path(__file__).resolve().parents[2]


def test_vietnamese_by_default_english_on_request(world: dict[str, Any]) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")  # an English browser still gets vi
    body = client.get(reverse("login")).content.decode()
    assert 'lang="vi"' in body and "Đăng nhập" in body
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("login")).content.decode()


def test_numbers_in_vietnamese_format(world: dict[str, Any]) -> None:
    from django.template import Context, Template
    from django.utils import translation

    with translation.override("vi"):
        text = Template('{{ x|floatformat:"2g" }} {{ y|floatformat:"-2g" }}').render(
            Context({"x": 760.385, "y": 1000})
        )
    assert text == "760,39 1.000"


def test_passwords_are_argon2(world: dict[str, Any], settings: Any) -> None:
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert make_password("x").startswith("argon2")


def test_login_is_throttled(world: dict[str, Any]) -> None:
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        client.post(reverse("login"), {"username": "reporter", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "reporter", "password": PASSWORD})
    assert response.status_code == 429 or "_auth_user_id" not in client.session


def test_check_deploy_is_clean_with_production_settings() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dti.web.settings_production",
        "DTI_SECRET_KEY": "x" * 20 + "Y7#kq2!zP0vR9@mL4$wT6^nB8&cD1*eF3(gH5)jK",
        "DTI_ALLOWED_HOSTS": "dti.quangnam.gov.vn",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dataset_loader_replays_the_workflow(db: None) -> None:
    """The loader behind ``load_demo`` takes any dataset through the ordinary services."""
    import datetime as dt

    from dti.web.accounts.models import Role
    from dti.web.assessments.models import Assessment, Status
    from dti.web.demo import Adjustment, Dataset, GroupSpec, PeriodSpec, UnitSpec, dataset_load
    from dti.web.registry.models import UnitKind

    tz = dt.UTC
    dataset = Dataset(
        groups=[
            GroupSpec("so", "Sở", "Departments", UnitKind.DEPARTMENT, str(FIXTURES / "mini.yaml"))
        ],
        units=[UnitSpec("a", "Sở A", "so"), UnitSpec("b", "Sở B", "so")],
        periods=[
            PeriodSpec(
                year=2022,
                name="2022",
                self_deadline=dt.datetime(2023, 3, 1, tzinfo=tz),
                verification_deadline=dt.datetime(2023, 5, 1, tzinfo=tz),
                values={
                    "a": {"1.1": (1.0, None, True), "1.2": (40.0, 50.0, True)},
                    "b": {"1.1": (0.0, None, True)},
                },
                states={"a": Status.PUBLISHED, "b": Status.SUBMITTED},
                adjustments=[Adjustment("a", "1.2", 20.0, 50.0, "Thiếu minh chứng")],
            )
        ],
        accounts=[
            ("admin", PASSWORD, Role.ADMIN, "", "Quản trị"),
            ("verifier", PASSWORD, Role.VERIFIER, "", "Thẩm tra"),
        ],
    )
    dataset_load(dataset, log=lambda _: None)
    a = Assessment.objects.get(unit__code="a")
    assert (a.status, a.self_score, a.verified_score) == (Status.PUBLISHED, 30.0, 20.0)
    assert Assessment.objects.get(unit__code="b").status == Status.SUBMITTED


def test_postgresql_statements_are_prepared_unless_a_pooler_forbids_it() -> None:
    from dti.web.settings import database_from_env

    url = "postgres://dti@db.example:5433/dti"
    prepared = database_from_env({"DTI_DATABASE_URL": url})
    assert prepared["OPTIONS"] == {"server_side_binding": True, "prepare_threshold": 2}
    assert prepared["PORT"] == "5433"
    pooled = database_from_env({"DTI_DATABASE_URL": url, "DTI_DB_PREPARED": "0"})
    assert pooled["OPTIONS"] == {}
    assert database_from_env({})["ENGINE"] == "django.db.backends.sqlite3"
