"""The cache of published results (:mod:`dti.web.results.scoring`) and of whole public pages
(:mod:`dti.web.results.page_cache`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from tests.web import results_fixtures
from tests.web.test_results_public import without_missing_list

from dti.web.assessments.models import Assessment, Period
from dti.web.assessments.services import assessment_transition
from dti.web.results import scoring

province = results_fixtures.province_fixture
client_for = results_fixtures.client_for


def test_reopening_and_republishing_invalidate_the_cache(province: dict[int, Period]) -> None:
    admin = User.objects.get(username="admin")
    period = province[2023]
    before_key = scoring.cache_key("scores", [period])
    assert "Sở Xây dựng" in Client().get("/public/2023/").content.decode()  # cached now
    svg = Client().get("/public/2023/charts/totals-so.svg").content.decode()
    assert "Sở Xây dựng" in svg
    b = Assessment.objects.get(period=period, unit__code="so-b")
    b = assessment_transition(actor=admin, assessment=b, name="reopen_to_verification", reason="x")
    assert scoring.cache_key("scores", [period]) != before_key
    # Out of the ranking; named only in the list of units its provisional group misses.
    page = Client().get("/public/2023/").content.decode()
    assert "Sở Xây dựng" not in without_missing_list(page)
    assert "Sở Xây dựng" not in Client().get("/public/2023/charts/totals-so.svg").content.decode()
    assert Client().get("/public/2023/units/so-b/").status_code == 404
    when = period.verification_deadline - dt.timedelta(days=1)  # a fixed clock
    verifier = User.objects.get(username="verifier")
    b = assessment_transition(
        actor=verifier, assessment=b, name="finish_verification", now=when, accept_rest=True
    )
    b = assessment_transition(actor=admin, assessment=b, name="approve")
    b = assessment_transition(actor=admin, assessment=b, name="publish", within_group=True)
    assert "Sở Xây dựng" in Client().get("/public/2023/").content.decode()
    assert Client().get("/public/2023/units/so-b/").status_code == 200


def test_a_recreated_counter_never_reuses_an_earlier_cache_key(
    province: dict[int, Period],
) -> None:
    """A period id can come back (a restore, a recreated database) with its counter at the
    same number: the key must still differ, or stale results from the cache would be served."""
    from dti.web.results.models import PublishedVersion
    from dti.web.results.services import published_version_bump

    period = province[2023]
    first = scoring.cache_key("scores", [period])
    version = PublishedVersion.objects.get(period=period).version
    PublishedVersion.objects.filter(period=period).delete()
    for _ in range(version):
        published_version_bump(period_id=period.pk)
    assert PublishedVersion.objects.get(period=period).version == version
    assert scoring.cache_key("scores", [period]) != first


def test_the_publication_hook_bumps_the_counter(province: dict[int, Period]) -> None:
    """Results listen to the workflow's publication hook (registered at start-up)."""
    from dti.web.assessments.workflow import publication_changed
    from dti.web.results.models import PublishedVersion

    period = province[2023]
    before = scoring.cache_key("scores", [period])
    version = PublishedVersion.objects.get(period=period).version
    publication_changed(period.pk)
    assert PublishedVersion.objects.get(period=period).version == version + 1
    assert scoring.cache_key("scores", [period]) != before


def test_published_results_are_served_from_the_cache(
    province: dict[int, Period], django_assert_max_num_queries: Any
) -> None:
    Client().get("/public/2023/")
    with django_assert_max_num_queries(12):
        Client().get("/public/2023/?group=so")  # a new page from the cached results


def test_a_public_page_is_served_whole_from_the_cache_without_a_query(
    province: dict[int, Period], django_assert_num_queries: Any
) -> None:
    first = Client().get("/public/2023/")
    assert "X-Cache" not in first
    with django_assert_num_queries(0):
        again = Client().get("/public/2023/")
    assert again["X-Cache"] == "hit"
    assert again.content == first.content
    card = Client().get("/public/2023/units/so-a/").content
    with django_assert_num_queries(0):
        assert Client().get("/public/2023/units/so-a/").content == card


def test_cached_pages_keep_languages_apart(province: dict[int, Period]) -> None:
    from django.conf import settings

    vietnamese = Client().get("/public/2023/").content.decode()
    reader = Client()
    reader.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = reader.get("/public/2023/").content.decode()
    assert "Published results" in english and "Published results" not in vietnamese


def test_signed_in_users_and_session_holders_are_never_served_or_stored(
    province: dict[int, Period],
) -> None:
    admin = client_for("admin")
    assert "X-Cache" not in admin.get("/public/2023/")
    assert "X-Cache" not in admin.get("/public/2023/")  # their page was not stored either
    anonymous = Client()
    anonymous.get("/public/2023/")
    assert anonymous.get("/public/2023/")["X-Cache"] == "hit"


def test_saving_the_decision_retires_cached_pages(province: dict[int, Period]) -> None:
    from dti.web.results.publication import decision_save

    Client().get("/public/2023/")
    decision_save(
        actor=User.objects.get(username="admin"),
        period=province[2023],
        issuer="UBND tỉnh",
        number="99/QĐ-UBND",
        date=dt.date(2024, 5, 1),
    )
    assert "X-Cache" not in Client().get("/public/2023/")
