"""Writes of the assessment cycle, by entity (HackSoft style: ``<entity>_<action>``, keyword
arguments, one transaction each, the audit event written inside it):

* :mod:`.periods` — opening a period, moving its deadlines;
* :mod:`.entries` — the unit's own data, one indicator or many at once;
* :mod:`.workbook` — the filled-in template uploaded by the unit;
* :mod:`.documents` — the unit's documents filed once (the evidence registry), remarks on them;
* :mod:`.evidence` — documents linked to an indicator (a new one filed from the form, or one
  of the registry), and unlinked;
* :mod:`.verification` — the working group's verdicts and site-visit notes;
* :mod:`.assignments` — verifiers assigned to units or pillars, the group's chair;
* :mod:`.clarifications` — the clarification round (questions, the unit's answers);
* :mod:`.disputes` — the unit's dispute of an adjustment, the chair's decision;
* :mod:`.verification_notices` — the one call site telling people of those exchanges;
* :mod:`.transitions` — the state machine carried out;
* :mod:`.scores` — a unit's scores computed by the engine and stored;
* :mod:`.recompute` — the whole period rescored, a framework corrected.

Who may do what is asked of :mod:`dti.web.accounts.policy`; which value counts and what a
transition does are stated in :mod:`dti.web.assessments.workflow`.
"""

from dti.web.assessments.services.assignments import (
    verification_chair_name,
    verifier_unassign,
    verifiers_assign,
)
from dti.web.assessments.services.clarifications import (
    Question,
    clarification_answer,
    clarifications_ask,
)
from dti.web.assessments.services.disputes import dispute_decide, dispute_file
from dti.web.assessments.services.documents import (
    DocumentDetails,
    document_add,
    document_delete,
    document_remark,
)
from dti.web.assessments.services.entries import (
    EntriesSaved,
    EntryChange,
    SelfInput,
    assessment_save_entries,
    assessment_save_values,
    entry_save_self,
)
from dti.web.assessments.services.evidence import evidence_add, evidence_delete, evidence_link
from dti.web.assessments.services.periods import (
    deadline_extend,
    period_open,
    period_set_deadlines,
)
from dti.web.assessments.services.recompute import (
    RecomputeReport,
    locked_for_scoring,
    period_framework_correct,
    period_recompute,
)
from dti.web.assessments.services.scores import (
    SCORE_FIELDS,
    assessment_recompute,
    pillar_names,
    store_scores,
)
from dti.web.assessments.services.transitions import assessment_transition, period_transition_all
from dti.web.assessments.services.verification import entry_verify, site_visit_note_add
from dti.web.assessments.services.workbook import (
    assessment_import_workbook,
    assessment_template,
    template_values,
)

__all__ = [
    "SCORE_FIELDS",
    "DocumentDetails",
    "EntriesSaved",
    "EntryChange",
    "Question",
    "RecomputeReport",
    "SelfInput",
    "assessment_import_workbook",
    "assessment_recompute",
    "assessment_save_entries",
    "assessment_save_values",
    "assessment_template",
    "assessment_transition",
    "clarification_answer",
    "clarifications_ask",
    "deadline_extend",
    "dispute_decide",
    "dispute_file",
    "document_add",
    "document_delete",
    "document_remark",
    "entry_save_self",
    "entry_verify",
    "evidence_add",
    "evidence_delete",
    "evidence_link",
    "locked_for_scoring",
    "period_framework_correct",
    "period_open",
    "period_recompute",
    "period_set_deadlines",
    "period_transition_all",
    "pillar_names",
    "site_visit_note_add",
    "store_scores",
    "template_values",
    "verification_chair_name",
    "verifier_unassign",
    "verifiers_assign",
]
