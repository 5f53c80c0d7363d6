"""Every action an audit event can record, named once (the audit pages label them)."""

from __future__ import annotations

from enum import StrEnum

from dti.web.assessments.workflow import TransitionName


class AuditAction(StrEnum):
    USER_CREATE = "user_create"
    USER_UPDATE = "user_update"
    USER_DEACTIVATE = "user_deactivate"
    USER_REACTIVATE = "user_reactivate"
    USER_INVITE = "user_invite"
    TWO_FACTOR_ENROL = "two_factor_enrol"
    PROVINCE_CREATE = "province_create"
    API_TOKEN_CREATE = "api_token_create"  # noqa: S105 - an action name, not a secret
    API_TOKEN_REVOKE = "api_token_revoke"  # noqa: S105 - an action name, not a secret
    UNIT_CREATE = "unit_create"
    UNIT_UPDATE = "unit_update"
    UNIT_END = "unit_end"
    UNIT_VALIDITY = "unit_validity"
    UNIT_IMPORT = "unit_import"
    UNIT_MERGE = "unit_merge"
    UNIT_SPLIT = "unit_split"
    UNIT_RENAME = "unit_rename"
    UNIT_TRANSFER = "unit_transfer"
    UNIT_SPLIT_MERGE = "unit_split_merge"
    UNIT_ABSORB = "unit_absorb"
    FRAMEWORK_STORE = "framework_store"
    FRAMEWORK_CORRECT = "framework_correct"
    PERIOD_OPEN = "period_open"
    PERIOD_DEADLINES = "period_deadlines"
    DEADLINE_EXTEND = "deadline_extend"
    SCORE_RECOMPUTE = "score_recompute"
    ENTRY_SAVE_SELF = "entry_save_self"
    ENTRY_IMPORT = "entry_import"
    ENTRY_VERIFY = "entry_verify"
    EVIDENCE_ADD = "evidence_add"
    EVIDENCE_DELETE = "evidence_delete"
    # The unit's documents (the evidence registry); evidence_add/_delete link and unlink them.
    DOCUMENT_ADD = "document_add"
    DOCUMENT_REMARK = "document_remark"
    DOCUMENT_DELETE = "document_delete"
    SITE_VISIT_NOTE_ADD = "site_visit_note_add"
    DECISION_SAVE = "decision_save"
    DECISION_APPROVE = "decision_approve"
    DECISION_PUBLISH = "decision_publish"
    PERIOD_PUBLISH = "period_publish"
    TRANSITION_SUBMIT = "transition_submit"
    TRANSITION_START_VERIFICATION = "transition_start_verification"
    TRANSITION_FINISH_VERIFICATION = "transition_finish_verification"
    TRANSITION_APPROVE = "transition_approve"
    TRANSITION_PUBLISH = "transition_publish"
    TRANSITION_REOPEN_TO_DRAFT = "transition_reopen_to_draft"
    TRANSITION_REOPEN_TO_VERIFICATION = "transition_reopen_to_verification"
    # Verification by assignment, the clarification round, disputes.
    VERIFIER_ASSIGN = "verifier_assign"
    VERIFIER_UNASSIGN = "verifier_unassign"
    VERIFICATION_CHAIR_NAME = "verification_chair_name"
    CLARIFICATION_ASK = "clarification_ask"
    CLARIFICATION_ANSWER = "clarification_answer"
    CLARIFICATION_CLOSE = "clarification_close"
    VERIFICATION_ACCEPT_REST = "verification_accept_rest"
    DISPUTE_FILE = "dispute_file"
    DISPUTE_DECIDE = "dispute_decide"
    TRANSITION_WITHDRAW = "transition_withdraw"
    NOTIFICATION_PREFERENCES = "notification_preferences"
    GROUP_ADD = "group_add"
    # Connectors: measured values pulled from other systems.
    CONNECTOR_SAVE = "connector_save"
    PULL_REQUEST = "pull_request"
    ENTRY_PULL = "entry_pull"
    # Continuous measurement: the plan, snapshots, the year closed from one.
    CONTINUOUS_SET = "continuous_set"
    SNAPSHOT_TAKE = "snapshot_take"
    PERIOD_CLOSE_FROM_SNAPSHOT = "period_close_from_snapshot"

    @classmethod
    def of_transition(cls, name: TransitionName) -> AuditAction:
        return cls(f"transition_{name.value}")

    @classmethod
    def of_lineage(cls, kind: str) -> AuditAction:
        """The action of a lineage event (``merge``, ``split``, ``rename``, ``transfer``)."""
        return cls(f"unit_{kind}")
