"""Who is told about the exchanges between the working group and a unit: the one call site.

Every service of the clarification round and of disputes calls :func:`verification_notify`
once, inside its transaction; the notice reaches the listeners only after the commit (a
refused or rolled-back action tells nobody). The notification service (e-mail, the inbox)
registers its listener at start-up with :func:`on_verification_notice`; nothing here sends
mail itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction


class NoticeKind(StrEnum):
    CLARIFICATION_ASKED = "clarification_asked"  # to the unit's reporters
    CLARIFICATION_ANSWERED = "clarification_answered"  # to the verifiers who asked
    DISPUTE_FILED = "dispute_filed"  # to the chair (the admin without one)
    DISPUTE_DECIDED = "dispute_decided"  # to the unit's reporters


@dataclass(frozen=True)
class VerificationNotice:
    kind: NoticeKind
    assessment_id: int
    actor_id: int | None
    # The clarifications or disputes concerned (one notice for a round of questions).
    object_ids: tuple[int, ...]
    indicators: tuple[str, ...]


Listener = Callable[[VerificationNotice], None]
_listeners: list[Listener] = []


def on_verification_notice(listener: Listener) -> None:
    """Call ``listener(notice)`` after every committed clarification or dispute action."""
    if listener not in _listeners:
        _listeners.append(listener)


def forget_verification_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def verification_notify(notice: VerificationNotice) -> None:
    """The single call site for notifications of the clarification round and disputes."""

    def deliver() -> None:
        for listener in list(_listeners):
            listener(notice)

    transaction.on_commit(deliver)
