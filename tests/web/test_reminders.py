"""Deadline reminders through a real SMTP server: exactly the reporters of the units not yet
submitted, once per unit, user and threshold, each unit's own deadline respected."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from tests.web.conftest import PASSWORD, advance
from tests.web.smtp import Inbox

from dti.web.accounts.models import Role
from dti.web.accounts.services import user_create
from dti.web.assessments.models import Assessment
from dti.web.notifications.kinds import Kind
from dti.web.notifications.models import Notification, ReminderSent
from dti.web.notifications.services import preferences_set
from dti.web.notifications.tasks import deadline_reminders_task

Run = Callable[[], int]


def _with_email(user: User) -> User:
    user.email = f"{user.username}@so-a.gov.vn"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def reporters(world: dict[str, Any]) -> dict[str, User]:
    """The fixtures' two reporters and a second reporter of unit A, each with an address."""
    second = user_create(
        actor=None,
        username="reporter2",
        password=PASSWORD,
        role=Role.REPORTER,
        unit=world["units"]["a"],
        check_role=False,
    )
    users = {"reporter": world["users"]["reporter"], "outsider": world["users"]["outsider"]}
    users["reporter2"] = second
    for user in [*users.values(), world["users"]["admin"]]:
        _with_email(user)
    return users


@pytest.fixture
def remind(django_capture_on_commit_callbacks: Any) -> Run:
    """Run the periodic reminder task through the queue (immediate mode), its e-mails sent
    after commit; returns how many reminders it gave (a periodic task stores no result)."""

    def run() -> int:
        before = ReminderSent.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            deadline_reminders_task()
        return ReminderSent.objects.count() - before

    return run


def _deadline_in(world: dict[str, Any], delta: dt.timedelta) -> None:
    period = world["period"]
    period.self_deadline = timezone.now() + delta
    period.save(update_fields=["self_deadline"])


def test_the_seven_day_reminder_reaches_exactly_the_reporters_of_units_not_yet_submitted(
    world: dict[str, Any], reporters: dict[str, User], smtp: Inbox, remind: Run
) -> None:
    advance(world, world["theirs"], "submitted")  # unit B has submitted: not reminded
    smtp.messages.clear()  # the submission's own receipt
    _deadline_in(world, dt.timedelta(days=6, hours=12))
    assert remind() == 2
    assert sorted(str(m["To"]) for m in smtp.messages) == [
        "reporter2@so-a.gov.vn",
        "reporter@so-a.gov.vn",
    ]
    message = smtp.messages[0]
    assert message["Subject"] == "[DTI] Còn 7 ngày đến hạn nộp"
    body = message.get_content()
    assert "Sở Giao thông vận tải" in body and "Đánh giá năm 2023" in body
    deadline = timezone.localtime(world["period"].self_deadline).date()
    assert deadline.strftime("%d/%m/%Y") in body  # the Vietnamese date
    assert f"/assessments/{world['mine'].pk}/" in body


def test_a_reminder_is_sent_once_however_often_the_task_runs(
    world: dict[str, Any], reporters: dict[str, User], smtp: Inbox, remind: Run
) -> None:
    _deadline_in(world, dt.timedelta(days=6))
    first = remind()
    assert first == 3  # two reporters of A, one of B; the district has no reporter
    assert remind() == 0
    assert len(smtp.messages) == 3
    assert Notification.objects.filter(kind=Kind.DEADLINE_7_DAYS).count() == 3


def test_the_one_day_reminder_follows_the_seven_day_one_once(
    world: dict[str, Any], reporters: dict[str, User], smtp: Inbox, remind: Run
) -> None:
    _deadline_in(world, dt.timedelta(days=6))
    remind()
    _deadline_in(world, dt.timedelta(hours=20))
    assert remind() == 3
    assert remind() == 0
    subjects = [str(m["Subject"]) for m in smtp.to("reporter@so-a.gov.vn")]
    assert subjects == ["[DTI] Còn 7 ngày đến hạn nộp", "[DTI] Còn 1 ngày đến hạn nộp"]


def test_a_unit_first_seen_a_day_before_gets_only_the_one_day_reminder(
    world: dict[str, Any], reporters: dict[str, User], smtp: Inbox, remind: Run
) -> None:
    _deadline_in(world, dt.timedelta(hours=10))
    remind()
    assert {str(m["Subject"]) for m in smtp.messages} == {"[DTI] Còn 1 ngày đến hạn nộp"}


def test_nothing_is_sent_far_from_the_deadline_or_after_it(
    world: dict[str, Any], reporters: dict[str, User], smtp: Inbox, remind: Run
) -> None:
    _deadline_in(world, dt.timedelta(days=8))
    assert remind() == 0
    _deadline_in(world, -dt.timedelta(hours=1))
    assert remind() == 0
    assert smtp.messages == []


def test_a_units_extension_moves_its_reminders(
    world: dict[str, Any], reporters: dict[str, User], smtp: Inbox, remind: Run
) -> None:
    _deadline_in(world, dt.timedelta(days=5))
    Assessment.objects.filter(pk=world["mine"].pk).update(
        self_deadline_override=timezone.now() + dt.timedelta(days=20)
    )
    remind()
    assert smtp.to("reporter@so-a.gov.vn") == []  # unit A has its own, later deadline
    assert len(smtp.to("outsider@so-a.gov.vn")) == 1
    # The extension comes near: now unit A is reminded of it.
    Assessment.objects.filter(pk=world["mine"].pk).update(
        self_deadline_override=timezone.now() + dt.timedelta(days=3)
    )
    remind()
    assert len(smtp.to("reporter@so-a.gov.vn")) == 1
    assert len(smtp.to("outsider@so-a.gov.vn")) == 1


def test_an_extension_after_the_period_deadline_passed_is_reminded_of(
    world: dict[str, Any], reporters: dict[str, User], smtp: Inbox, remind: Run
) -> None:
    _deadline_in(world, -dt.timedelta(days=2))
    Assessment.objects.filter(pk=world["mine"].pk).update(
        self_deadline_override=timezone.now() + dt.timedelta(hours=12)
    )
    assert remind() == 2
    assert sorted(str(m["To"]) for m in smtp.messages) == [
        "reporter2@so-a.gov.vn",
        "reporter@so-a.gov.vn",
    ]


def test_a_reporter_who_turned_reminder_emails_off_finds_them_in_the_inbox_only(
    world: dict[str, Any], reporters: dict[str, User], smtp: Inbox, remind: Run
) -> None:
    reporter = reporters["reporter"]
    preferences_set(user=reporter, emailed=[k for k in Kind if k != Kind.DEADLINE_7_DAYS])
    _deadline_in(world, dt.timedelta(days=6))
    remind()
    assert smtp.to("reporter@so-a.gov.vn") == []
    assert len(smtp.to("reporter2@so-a.gov.vn")) == 1
    assert Notification.objects.filter(user=reporter, kind=Kind.DEADLINE_7_DAYS).count() == 1


def test_the_reminders_run_every_hour_on_the_queue(db: None) -> None:
    from huey.contrib.djhuey import HUEY

    hours = [dt.datetime(2024, 3, 1, h, 7) for h in range(24)]
    assert all(
        deadline_reminders_task.task_class in {type(t) for t in HUEY.read_periodic(at)}
        for at in hours
    )
    assert deadline_reminders_task.task_class not in {
        type(t) for t in HUEY.read_periodic(dt.datetime(2024, 3, 1, 9, 8))
    }
