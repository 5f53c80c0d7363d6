"""A notification as words: its text in the current language, and the e-mail (Vietnamese)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats, translation
from django.utils.translation import gettext as _

from dti.web.notifications.kinds import TEXTS, Kind
from dti.web.notifications.models import Notification


def notification_text(notification: Notification) -> str:
    """The sentence in the active language (dates in its format: 31/03/2024 in Vietnamese)."""
    params = {"unit": "", "period": "", "deadline": "", "detail": ""}
    params.update({k: str(v) for k, v in notification.params.items()})
    if params["deadline"]:
        try:
            day = dt.date.fromisoformat(params["deadline"][:10])
        except ValueError:
            pass
        else:
            params["deadline"] = formats.date_format(day, "SHORT_DATE_FORMAT")
    return str(TEXTS[Kind(notification.kind)]) % params


def notification_email(notification: Notification, *, site: str) -> EmailMessage:
    """The e-mail of one notification, in Vietnamese whatever language the sender's page was."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = "[DTI] " + str(Kind(notification.kind).label)
        lines = [notification_text(notification), ""]
        if notification.link:
            lines.append(_("Open: %(url)s") % {"url": site.rstrip("/") + notification.link})
        lines += [
            "",
            _(
                "You receive this e-mail because of your account on the DTI assessment system; "
                "choose which e-mails you receive on its notifications page."
            ),
        ]
    return EmailMessage(subject=subject, body="\n".join(lines), to=[notification.user.email])
