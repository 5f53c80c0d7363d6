"""What a notification can be about, and the text each kind shows (with its parameters)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PERIOD_OPENED = "period_opened", _("A period is opened")
    DEADLINE_7_DAYS = "deadline_7_days", _("The deadline is 7 days away")
    DEADLINE_1_DAY = "deadline_1_day", _("The deadline is 1 day away")
    SUBMISSION_RECEIVED = "submission_received", _("A self-assessment is submitted")
    CLARIFICATION_ASKED = "clarification_asked", _("A verifier asks for clarification")
    CLARIFICATION_ANSWERED = "clarification_answered", _("A unit answers a clarification")
    VERIFICATION_FINISHED = "verification_finished", _("Verification is finished")
    RESULTS_PUBLISHED = "results_published", _("Results are published")


# The sentence of each kind; its %(name)s parameters are stored with the notification as text
# (``deadline`` as an ISO date, shown in the reader's format), so each reader sees it in their
# own language.
TEXTS = {
    Kind.PERIOD_OPENED: _(
        "The period “%(period)s” is open for %(unit)s: self-assessment due by %(deadline)s."
    ),
    Kind.DEADLINE_7_DAYS: _(
        "7 days left: %(unit)s has not yet submitted its self-assessment for “%(period)s” "
        "(due by %(deadline)s)."
    ),
    Kind.DEADLINE_1_DAY: _(
        "1 day left: %(unit)s has not yet submitted its self-assessment for “%(period)s” "
        "(due by %(deadline)s)."
    ),
    Kind.SUBMISSION_RECEIVED: _(
        "The self-assessment of %(unit)s for “%(period)s” was submitted and received."
    ),
    Kind.CLARIFICATION_ASKED: _(
        "The verifier asks %(unit)s for clarification in “%(period)s”: %(detail)s"
    ),
    Kind.CLARIFICATION_ANSWERED: _(
        "%(unit)s answered the clarification in “%(period)s”: %(detail)s"
    ),
    Kind.VERIFICATION_FINISHED: _(
        "Verification of %(unit)s for “%(period)s” is finished: see the verified score."
    ),
    Kind.RESULTS_PUBLISHED: _("The results of %(unit)s for “%(period)s” are published."),
}

# Reminder thresholds: days before the unit's deadline, and the kind each one sends.
REMINDERS = {7: Kind.DEADLINE_7_DAYS, 1: Kind.DEADLINE_1_DAY}
