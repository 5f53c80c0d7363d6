"""What officials read on the audit pages: a label for every action and field, and values
in the language's format (numbers 1.234,5; dates dd/mm/yyyy; yes/no; statuses by name)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from dti.web.accounts.models import Role
from dti.web.assessments.models import DocumentKind, Status, Verdict
from dti.web.audit.actions import AuditAction

__all__ = ["ACTION_LABELS", "FIELD_LABELS", "action_label", "field_label", "value_text"]

ACTION_LABELS: dict[AuditAction, Promise] = {
    AuditAction.USER_CREATE: _("Account created"),
    AuditAction.API_TOKEN_CREATE: _("API token created"),
    AuditAction.API_TOKEN_REVOKE: _("API token revoked"),
    AuditAction.UNIT_CREATE: _("Unit created"),
    AuditAction.UNIT_UPDATE: _("Unit changed"),
    AuditAction.UNIT_END: _("Unit ended"),
    AuditAction.UNIT_VALIDITY: _("Unit's dates changed"),
    AuditAction.UNIT_IMPORT: _("Units imported"),
    AuditAction.UNIT_MERGE: _("Units merged"),
    AuditAction.UNIT_SPLIT: _("Unit split"),
    AuditAction.UNIT_RENAME: _("Unit renamed"),
    AuditAction.UNIT_TRANSFER: _("Unit transferred"),
    AuditAction.FRAMEWORK_STORE: _("Framework stored"),
    AuditAction.FRAMEWORK_CORRECT: _("Framework corrected"),
    AuditAction.PERIOD_OPEN: _("Period opened"),
    AuditAction.PERIOD_DEADLINES: _("Period deadlines changed"),
    AuditAction.DEADLINE_EXTEND: _("Deadline extended"),
    AuditAction.SCORE_RECOMPUTE: _("Scores recomputed"),
    AuditAction.ENTRY_SAVE_SELF: _("Self-assessment value saved"),
    AuditAction.ENTRY_IMPORT: _("Values imported"),
    AuditAction.ENTRY_PULL: _("Measured value pulled"),
    AuditAction.CONNECTOR_SAVE: _("Connector saved"),
    AuditAction.PULL_REQUEST: _("Pull requested"),
    AuditAction.ENTRY_VERIFY: _("Indicator verified"),
    AuditAction.EVIDENCE_ADD: _("Evidence added"),
    AuditAction.EVIDENCE_DELETE: _("Evidence removed"),
    AuditAction.DOCUMENT_ADD: _("Document filed"),
    AuditAction.DOCUMENT_REMARK: _("Remark on a document"),
    AuditAction.DOCUMENT_DELETE: _("Document removed"),
    AuditAction.SITE_VISIT_NOTE_ADD: _("Site-visit note added"),
    AuditAction.DECISION_SAVE: _("Decision saved"),
    AuditAction.TRANSITION_SUBMIT: _("Submitted"),
    AuditAction.TRANSITION_START_VERIFICATION: _("Verification started"),
    AuditAction.TRANSITION_FINISH_VERIFICATION: _("Verification finished"),
    AuditAction.TRANSITION_APPROVE: _("Approved"),
    AuditAction.TRANSITION_PUBLISH: _("Published"),
    AuditAction.TRANSITION_REOPEN_TO_DRAFT: _("Reopened for the unit"),
    AuditAction.TRANSITION_REOPEN_TO_VERIFICATION: _("Reopened for verification"),
    AuditAction.USER_UPDATE: _("Account changed"),
    AuditAction.USER_DEACTIVATE: _("Account deactivated"),
    AuditAction.USER_REACTIVATE: _("Account reactivated"),
    AuditAction.USER_INVITE: _("Set-password link sent"),
    AuditAction.TWO_FACTOR_ENROL: _("Two-factor sign-in set up"),
    AuditAction.PROVINCE_CREATE: _("Province created"),
    AuditAction.UNIT_SPLIT_MERGE: _("Part of a split unit merged"),
    AuditAction.UNIT_ABSORB: _("Unit absorbed into another"),
    AuditAction.DECISION_APPROVE: _("Decision approved"),
    AuditAction.DECISION_PUBLISH: _("Decision published"),
    AuditAction.PERIOD_PUBLISH: _("Period's results published"),
    AuditAction.TRANSITION_WITHDRAW: _("Submission withdrawn"),
    AuditAction.NOTIFICATION_PREFERENCES: _("E-mail preferences changed"),
    AuditAction.GROUP_ADD: _("Unit group added"),
    AuditAction.CONTINUOUS_SET: _("Continuous measurement set"),
    AuditAction.SNAPSHOT_TAKE: _("Snapshot taken"),
    AuditAction.PERIOD_CLOSE_FROM_SNAPSHOT: _("Year closed from a snapshot"),
    AuditAction.VERIFIER_ASSIGN: _("Verifier assigned"),
    AuditAction.VERIFIER_UNASSIGN: _("Verifier assignment removed"),
    AuditAction.VERIFICATION_CHAIR_NAME: _("Working group's chair named"),
    AuditAction.CLARIFICATION_ASK: _("Clarification asked"),
    AuditAction.CLARIFICATION_ANSWER: _("Clarification answered"),
    AuditAction.CLARIFICATION_CLOSE: _("Clarification settled"),
    AuditAction.VERIFICATION_ACCEPT_REST: _("Remaining indicators accepted as declared"),
    AuditAction.DISPUTE_FILE: _("Adjustment disputed"),
    AuditAction.DISPUTE_DECIDE: _("Dispute decided"),
}

FIELD_LABELS: dict[str, Promise] = {
    "self_value": _("Value"),
    "measured": _("Measured value"),
    "self_denominator": _("Denominator"),
    "self_applicable": _("Applicable"),
    "explanation": _("Explanation"),
    "verdict": _("Verdict"),
    "verified_value": _("Verified value"),
    "verified_denominator": _("Verified denominator"),
    "verified_applicable": _("Verified applicable"),
    "verifier_reason": _("Verifier's reason"),
    "status": _("Status"),
    "self_deadline": _("Self-assessment deadline"),
    "verification_deadline": _("Verification deadline"),
    "self_deadline_override": _("The unit's own deadline"),
    "self_score": _("Self-assessed score"),
    "verified_score": _("Verified score"),
    "name": _("Name"),
    "group": _("Group"),
    "parent": _("Parent unit"),
    "active": _("Active"),
    "valid_from": _("First day"),
    "valid_to": _("Last day"),
    "predecessors": _("Predecessors"),
    "predecessor": _("Predecessor"),
    "successor": _("Successor"),
    "weight": _("Weight"),
    "basis": _("Legal basis"),
    "unit": _("Unit"),
    "period": _("Period"),
    "framework": _("Framework"),
    "version": _("Version"),
    "code": _("Code"),
    "file": _("File"),
    "link": _("Link"),
    "number": _("Number"),
    "date": _("Date"),
    "note": _("Note"),
    "year": _("Year"),
    "frameworks": _("Frameworks by group"),
    "username": _("Username"),
    "role": _("Role"),
    "units": _("Units"),
    "kind": _("Kind"),
    "issued_on": _("Date issued"),
    "issuer": _("Issuer"),
    "title": _("Title"),
    "remark": _("Remark"),
    "rhythm": _("Rhythm"),
    "as_of": _("As of"),
    "snapshot": _("Snapshot"),
}

_CHOICES: dict[str, object] = {**dict(Status.choices), **dict(Verdict.choices)}
# A role's name only where the field is a role ("admin" is also a username).
_ROLES: dict[str, object] = dict(Role.choices)
# A document's kind where the field is a kind ("other" is also a clarification's reason).
_KINDS: dict[str, object] = dict(DocumentKind.choices)
# Numbers that are names rather than quantities: never grouped (2024, not 2.024).
_PLAIN_NUMBERS = {"year", "version", "code"}
_DATE_FIELDS = {"self_deadline", "verification_deadline", "self_deadline_override"}


def action_label(action: str) -> str:
    """The action's label; an action this version does not know is shown by its name."""
    try:
        return str(ACTION_LABELS[AuditAction(action)])
    except ValueError:
        return action


def field_label(field: str) -> str:
    """A field's label (an indicator code, as evidence events name, stays as it is)."""
    label = FIELD_LABELS.get(field)
    return str(label) if label is not None else field


def _date_text(text: str) -> str | None:
    try:
        if len(text) == 10:
            return formats.date_format(dt.date.fromisoformat(text), "SHORT_DATE_FORMAT")
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


def value_text(value: Any, field: str = "") -> str:
    """An old or new value as it reads in the active language."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _g("Yes") if value else _g("No")
    if isinstance(value, int | float) and field in _PLAIN_NUMBERS:
        return str(value)
    if isinstance(value, int | float):
        number = int(value) if isinstance(value, float) and value.is_integer() else value
        return formats.number_format(number, use_l10n=True, force_grouping=True)
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(str(k))}: {value_text(v, str(k))}"
            for k, v in value.items()
            if v not in (None, "")
        )
    if isinstance(value, list):
        return ", ".join(value_text(v, field) for v in value)
    text = str(value)
    if field == "role" and text in _ROLES:
        return str(_ROLES[text])
    if field == "kind" and text in _KINDS:
        return str(_KINDS[text])
    if text in _CHOICES:
        return str(_CHOICES[text])
    if field in _DATE_FIELDS or (len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-"):
        shown = _date_text(text)
        if shown is not None:
            return shown
    return text
