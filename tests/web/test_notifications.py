"""Notifications of the workflow's events: in the inbox at once, by e-mail (Vietnamese,
through a real SMTP server) once the change commits, as each user chose; the inbox and
preferences pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.conftest import advance
from tests.web.smtp import Inbox

from dti.web.assessments.services import assessment_transition, period_open
from dti.web.audit.models import AuditEvent
from dti.web.notifications.kinds import Kind
from dti.web.notifications.mailing import notifications_email
from dti.web.notifications.models import Notification
from dti.web.notifications.services import notify, preferences_set

# Real commits: each service's transaction commits, so its e-mail task runs as in production
# (after the commit; the queue in immediate mode runs it at once).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mailed(world: dict[str, Any], smtp: Inbox) -> None:
    """Every user with an address. (The world's own period opening is checked on its own:
    its notices are cleared here.)"""
    Notification.objects.all().delete()
    for user in world["users"].values():
        user.email = f"{user.username}@dti.gov.vn"
        user.save(update_fields=["email"])


def _subject(message: Any) -> str:
    # Django folds a long encoded subject starting with a newline; readers drop the whitespace.
    return " ".join(str(message["Subject"]).split())


def _kinds(user: User) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_a_submission_is_acknowledged_to_the_units_reporters_and_the_admins(
    world: dict[str, Any], mailed: Any, smtp: Inbox
) -> None:
    advance(world, world["mine"], "submitted")
    users = world["users"]
    assert _kinds(users["reporter"]) == [Kind.SUBMISSION_RECEIVED]
    assert _kinds(users["admin"]) == [Kind.SUBMISSION_RECEIVED]
    assert _kinds(users["outsider"]) == [] and _kinds(users["verifier"]) == []
    assert sorted(str(m["To"]) for m in smtp.messages) == [
        "admin@dti.gov.vn",
        "reporter@dti.gov.vn",
    ]
    message = smtp.to("reporter@dti.gov.vn")[0]
    assert _subject(message) == "[DTI] Hồ sơ tự đánh giá đã được gửi"
    assert "Hồ sơ tự đánh giá của Sở Giao thông vận tải" in message.get_content()


def test_verification_finished_and_results_published_reach_the_unit(
    world: dict[str, Any], mailed: Any, smtp: Inbox
) -> None:
    advance(world, world["mine"], "published")
    assert _kinds(world["users"]["reporter"]) == [
        Kind.RESULTS_PUBLISHED,
        Kind.VERIFICATION_FINISHED,
        Kind.SUBMISSION_RECEIVED,
    ]
    subjects = [_subject(m) for m in smtp.to("reporter@dti.gov.vn")]
    assert subjects == [
        "[DTI] Hồ sơ tự đánh giá đã được gửi",
        "[DTI] Đã hoàn thành thẩm tra",
        "[DTI] Kết quả được công bố",
    ]


def test_opening_a_period_tells_each_units_reporters_their_deadline(
    world: dict[str, Any], mailed: Any, smtp: Inbox
) -> None:
    deadline = timezone.now() + dt.timedelta(days=40)
    period_open(
        actor=world["users"]["admin"],
        year=2024,
        name="Đánh giá năm 2024",
        self_deadline=deadline,
        verification_deadline=deadline + dt.timedelta(days=30),
        frameworks={world["units"]["a"].group: world["framework"]},
    )
    assert sorted(str(m["To"]) for m in smtp.messages) == [
        "outsider@dti.gov.vn",
        "reporter@dti.gov.vn",
    ]
    body = smtp.to("reporter@dti.gov.vn")[0].get_content()
    assert "Kỳ đánh giá “Đánh giá năm 2024” đã mở cho Sở Giao thông vận tải" in body
    assert timezone.localtime(deadline).strftime("%d/%m/%Y") in body


def test_a_transition_rolled_back_leaves_no_notification_and_sends_nothing(
    world: dict[str, Any], mailed: Any, smtp: Inbox
) -> None:
    def submit_then_fail() -> None:
        with transaction.atomic():
            assessment_transition(
                actor=world["users"]["reporter"], assessment=world["mine"], name="submit"
            )
            raise RuntimeError("the request failed after the transition")

    with pytest.raises(RuntimeError, match="failed after"):
        submit_then_fail()
    assert Notification.objects.count() == 0
    assert smtp.messages == []


def test_emails_follow_each_users_choice_and_the_inbox_keeps_everything(
    world: dict[str, Any], mailed: Any, smtp: Inbox
) -> None:
    admin = world["users"]["admin"]
    preferences_set(user=admin, emailed=[Kind.RESULTS_PUBLISHED])
    advance(world, world["mine"], "submitted")
    assert smtp.to("admin@dti.gov.vn") == []
    assert len(smtp.to("reporter@dti.gov.vn")) == 1
    assert _kinds(admin) == [Kind.SUBMISSION_RECEIVED]
    change = AuditEvent.objects.get(action="notification_preferences")
    assert change.actor_id == admin.pk and Kind.SUBMISSION_RECEIVED in change.new


def test_an_email_task_run_twice_sends_each_email_once(
    world: dict[str, Any], mailed: Any, smtp: Inbox
) -> None:
    with transaction.atomic():
        rows = notify(
            users=[world["users"]["verifier"]],
            kind=Kind.CLARIFICATION_ASKED,
            params={
                "unit": "Sở Xây dựng",
                "period": "Đánh giá năm 2023",
                "detail": "Thiếu minh chứng 1.1",
            },
            link="/assessments/1/",
        )
    assert notifications_email([r.pk for r in rows]) == 0  # the commit already sent it
    assert len(smtp.messages) == 1
    assert "Thiếu minh chứng 1.1" in smtp.messages[0].get_content()


def test_a_mail_server_that_is_down_leaves_the_email_to_be_retried(
    world: dict[str, Any], settings: Any, smtp: Inbox
) -> None:
    user = world["users"]["reporter"]
    user.email = "reporter@dti.gov.vn"
    user.save(update_fields=["email"])
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there: the task fails (and is to be retried)
    rows = notify(users=[user], kind=Kind.RESULTS_PUBLISHED, params={"unit": "A", "period": "P"})
    assert Notification.objects.get(pk=rows[0].pk).emailed_at is None
    with pytest.raises(ConnectionRefusedError):
        notifications_email([rows[0].pk])
    settings.EMAIL_PORT = port
    assert notifications_email([rows[0].pk]) == 1
    assert notifications_email([rows[0].pk]) == 0
    assert len(smtp.messages) == 1


# -- the pages ----------------------------------------------------------------------------------


def test_the_header_counts_unread_notifications_and_the_inbox_lists_them(
    world: dict[str, Any], mailed: Any
) -> None:
    advance(world, world["mine"], "verified")
    client = Client()
    client.force_login(world["users"]["reporter"])
    home = client.get(reverse("home")).content.decode()
    assert 'data-unread="2"' in home
    page = client.get(reverse("notification_inbox")).content.decode()
    assert "Đã hoàn thành thẩm tra Sở Giao thông vận tải" in page
    assert page.count('class="notification unread"') == 2
    first = Notification.objects.filter(user=world["users"]["reporter"]).first()
    assert first is not None
    opened = client.post(reverse("notification_open", args=[first.pk]))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("assessment_detail", args=[world["mine"].pk])
    assert 'data-unread="1"' in client.get(reverse("home")).content.decode()
    client.post(reverse("notification_read_all"))
    assert "data-unread" not in client.get(reverse("home")).content.decode()


def test_nobody_opens_anothers_notification(world: dict[str, Any], mailed: Any) -> None:
    advance(world, world["mine"], "submitted")
    mine = Notification.objects.filter(user=world["users"]["reporter"]).get()
    client = Client()
    client.force_login(world["users"]["outsider"])
    assert client.post(reverse("notification_open", args=[mine.pk])).status_code == 404
    assert "Sở Giao thông vận tải" not in client.get(reverse("notification_inbox")).content.decode()
    assert Notification.objects.get(pk=mine.pk).read_at is None


def test_the_preferences_page_turns_emails_off_and_on(world: dict[str, Any]) -> None:
    client = Client()
    reporter = world["users"]["reporter"]
    client.force_login(reporter)
    url = reverse("notification_preferences")
    page = client.get(url).content.decode()
    assert "Còn 7 ngày đến hạn nộp" in page and page.count("checked") == len(Kind)
    response = client.post(url, {"emailed": [Kind.DEADLINE_1_DAY, Kind.RESULTS_PUBLISHED]})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert page.count("checked") == 2
    assert "Đã lưu lựa chọn nhận thư." in page
    assert client.post(url, {"emailed": ["not-a-kind"]}).status_code == 200  # refused, shown


def test_the_inbox_pages_need_a_login(db: None) -> None:
    for name in ("notification_inbox", "notification_preferences"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
