"""The assessment cycle's pages, thin: each view reads a form, asks a service or a selector and
renders; permission questions go to :mod:`dti.web.accounts.policy`.

* :mod:`.periods` — home, opening a period, its progress, bulk actions and results;
* :mod:`.assessment` — one assessment's sheet, transitions, notes, template, history;
* :mod:`.entries` — one indicator's save, verdict and evidence;
* :mod:`.correction` — a group moved to a corrected version of its framework;
* :mod:`.documents` — the unit's library (the evidence registry): documents, remarks, downloads;
* :mod:`.self_form` — the unit's form: many indicators saved at once, the submission's check.
"""

from dti.web.assessments.views.assessment import (
    assessment_detail,
    assessment_history,
    assessment_plan,
    assessment_transition,
    note_add,
    reopen_check,
    template_download,
    workbook_upload,
)
from dti.web.assessments.views.correction import period_framework_correction
from dti.web.assessments.views.documents import (
    document_delete,
    document_download,
    document_remark,
    unit_library,
)
from dti.web.assessments.views.entries import (
    entry_save,
    entry_verify,
    evidence_add,
    evidence_delete,
    evidence_download,
)
from dti.web.assessments.views.periods import (
    home,
    period_bulk,
    period_create,
    period_deadlines,
    period_detail,
    period_results,
)
from dti.web.assessments.views.self_form import entries_save, submit_check
from dti.web.assessments.views.verification import (
    clarification_answer,
    clarification_ask,
    dispute_decide,
    dispute_file,
    period_verifiers,
    verifier_unassign,
)

__all__ = [
    "assessment_detail",
    "assessment_history",
    "assessment_plan",
    "assessment_transition",
    "clarification_answer",
    "clarification_ask",
    "dispute_decide",
    "dispute_file",
    "document_delete",
    "document_download",
    "document_remark",
    "entries_save",
    "entry_save",
    "entry_verify",
    "evidence_add",
    "evidence_delete",
    "evidence_download",
    "home",
    "note_add",
    "period_bulk",
    "period_create",
    "period_deadlines",
    "period_detail",
    "period_framework_correction",
    "period_results",
    "period_verifiers",
    "reopen_check",
    "submit_check",
    "template_download",
    "unit_library",
    "verifier_unassign",
    "workbook_upload",
]
