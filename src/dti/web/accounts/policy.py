"""Who may see and do what. Services and views ask these questions; nothing else decides."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dti.web.accounts.models import Membership, Role
from dti.web.errors import Forbidden

if TYPE_CHECKING:
    from dti.web.assessments.models import Assessment


def membership_of(user: Any) -> Membership | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        membership: Membership = user.membership
    except Membership.DoesNotExist:
        return None
    return membership


def role_of(user: Any) -> Role | None:
    membership = membership_of(user)
    return Role(membership.role) if membership else None


def has_role(user: Any, *roles: Role) -> bool:
    return role_of(user) in roles


def require_role(user: Any, *roles: Role) -> Membership:
    membership = membership_of(user)
    if membership is None or membership.role not in roles:
        raise Forbidden("Your role does not allow this action.")
    return membership


def can_view_assessment(user: Any, assessment: Assessment) -> bool:
    from dti.web.assessments.workflow import VISIBLE_TO_REVIEWERS

    membership = membership_of(user)
    if membership is None:
        return False
    if membership.role == Role.ADMIN:
        return True
    if membership.role == Role.REPORTER:
        return membership.unit_id == assessment.unit_id
    return assessment.status in VISIBLE_TO_REVIEWERS


def require_view(user: Any, assessment: Assessment) -> Membership:
    if not can_view_assessment(user, assessment):
        raise Forbidden("You cannot see this assessment.")
    membership = membership_of(user)
    assert membership is not None
    return membership


def require_reporter_of(user: Any, assessment: Assessment) -> Membership:
    membership = require_role(user, Role.REPORTER)
    if membership.unit_id != assessment.unit_id:
        raise Forbidden("You report for another unit.")
    return membership


# -- results (dti.web.results) -----------------------------------------------------------------


def can_preview_results(user: Any) -> bool:
    """Staff may open scorecards of verified, not yet published results (marked as such);
    everyone else sees published results only."""
    return has_role(user, Role.ADMIN, Role.LEADER, Role.VERIFIER)


def can_preview_appendix(user: Any) -> bool:
    """The decision appendix before publication: admin and leader (who sign it off)."""
    return has_role(user, Role.ADMIN, Role.LEADER)
