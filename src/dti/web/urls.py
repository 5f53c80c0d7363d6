from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from dti.web.accounts.views import LoginView
from dti.web.api.urls import api_urls
from dti.web.assessments import import_views as imports
from dti.web.assessments import views as a
from dti.web.audit import views as audit
from dti.web.frameworks import views as fw
from dti.web.notifications import views as notes
from dti.web.ops import views as ops
from dti.web.registry import views as reg
from dti.web.registry import views_changes as reg_changes
from dti.web.registry import views_groups as reg_groups
from dti.web.registry import views_import as reg_import
from dti.web.results import dashboard_views as dashboard
from dti.web.snapshots import views as snaps

urlpatterns = [
    path("", a.home, name="home"),
    # Each user's own inbox and e-mail choices (dti.web.notifications).
    path("notifications/", notes.notification_inbox, name="notification_inbox"),
    path("notifications/<int:pk>/open/", notes.notification_open, name="notification_open"),
    path("notifications/read/", notes.notification_read_all, name="notification_read_all"),
    path(
        "notifications/preferences/",
        notes.notification_preferences,
        name="notification_preferences",
    ),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password change for everyone signed in; reset by e-mail (Django's one-time tokens).
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Public so that the login page can switch language too.
    # No CSRF token on the language switch: it is on every public page, and those are cached
    # whole and shared (results.page_cache); forging it only changes a visitor's language.
    path("i18n/setlang/", csrf_exempt(login_not_required(set_language)), name="set_language"),
    path("units/", reg.unit_list, name="unit_list"),
    path("units/groups/", reg_groups.group_list, name="group_list"),
    path("units/import/", reg_import.unit_import, name="unit_import"),
    path(
        "units/import/<str:job_id>/",
        reg_import.unit_import_progress,
        name="unit_import_progress",
    ),
    path("units/new/", reg_changes.unit_add, name="unit_add"),
    *(
        path(f"units/<int:pk>/{action}/", reg_changes.unit_change, {"action": action}, name=name)
        for action, name in reg_changes.URL_NAMES.items()
    ),
    path("units/<int:pk>/", reg.unit_detail, name="unit_detail"),
    path("frameworks/", fw.framework_list, name="framework_list"),
    path("frameworks/upload/", fw.framework_upload, name="framework_upload"),
    path("frameworks/<int:pk>/", fw.framework_detail, name="framework_detail"),
    path("frameworks/<int:pk>/workbook.xlsx", fw.framework_workbook, name="framework_workbook"),
    path("periods/new/", a.period_create, name="period_create"),
    path("periods/<int:pk>/", a.period_detail, name="period_detail"),
    path("periods/<int:pk>/bulk/", a.period_bulk, name="period_bulk"),
    path("periods/<int:pk>/deadlines/", a.period_deadlines, name="period_deadlines"),
    path(
        "periods/<int:pk>/framework/",
        a.period_framework_correction,
        name="period_framework_correction",
    ),
    path("periods/<int:pk>/import/", imports.period_import, name="period_import"),
    path("imports/<int:pk>/", imports.values_import_detail, name="values_import_detail"),
    path("periods/<int:pk>/results/", a.period_results, name="period_results"),
    path("periods/<int:pk>/dashboard/", dashboard.period_dashboard, name="period_dashboard"),
    path("assessments/<int:pk>/", a.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/history/", a.assessment_history, name="assessment_history"),
    path("assessments/<int:pk>/template.xlsx", a.template_download, name="template_download"),
    path("assessments/<int:pk>/plan.xlsx", a.assessment_plan, name="assessment_plan"),
    path("assessments/<int:pk>/upload/", a.workbook_upload, name="workbook_upload"),
    path("assessments/<int:pk>/transition/", a.assessment_transition, name="assessment_transition"),
    path("assessments/<int:pk>/notes/", a.note_add, name="note_add"),
    path("assessments/<int:pk>/entries/<int:entry_pk>/", a.entry_save, name="entry_save"),
    path("assessments/<int:pk>/entries/", a.entries_save, name="entries_save"),
    path("assessments/<int:pk>/submit/", a.submit_check, name="submit_check"),
    path("assessments/<int:pk>/reopen/<str:name>/", a.reopen_check, name="reopen_check"),
    path(
        "assessments/<int:pk>/entries/<int:entry_pk>/verify/", a.entry_verify, name="entry_verify"
    ),
    path(
        "assessments/<int:pk>/entries/<int:entry_pk>/evidence/",
        a.evidence_add,
        name="evidence_add",
    ),
    path("evidence/<int:evidence_pk>/", a.evidence_download, name="evidence_download"),
    path("evidence/<int:evidence_pk>/delete/", a.evidence_delete, name="evidence_delete"),
    # The unit's library: its documents stored once, linked to any indicators and periods.
    path("units/<int:unit_pk>/documents/", a.unit_library, name="unit_library"),
    path("documents/<int:document_pk>/download/", a.document_download, name="document_download"),
    path("documents/<int:document_pk>/remark/", a.document_remark, name="document_remark"),
    path("documents/<int:document_pk>/delete/", a.document_delete, name="document_delete"),
    # The working group: assignments and chair, the clarification round, disputes.
    path("periods/<int:pk>/verifiers/", a.period_verifiers, name="period_verifiers"),
    path(
        "periods/<int:pk>/verifiers/<int:assignment_pk>/remove/",
        a.verifier_unassign,
        name="verifier_unassign",
    ),
    path(
        "assessments/<int:pk>/entries/<int:entry_pk>/ask/",
        a.clarification_ask,
        name="clarification_ask",
    ),
    path(
        "assessments/<int:pk>/questions/<int:clarification_pk>/answer/",
        a.clarification_answer,
        name="clarification_answer",
    ),
    path(
        "assessments/<int:pk>/entries/<int:entry_pk>/dispute/",
        a.dispute_file,
        name="dispute_file",
    ),
    path(
        "assessments/<int:pk>/disputes/<int:dispute_pk>/decide/",
        a.dispute_decide,
        name="dispute_decide",
    ),
    path("periods/<int:pk>/snapshots/", snaps.period_snapshots, name="period_snapshots"),
    path("periods/<int:pk>/snapshots/plan/", snaps.period_plan_set, name="period_plan_set"),
    path(
        "periods/<int:pk>/snapshots/take/", snaps.period_snapshot_take, name="period_snapshot_take"
    ),
    path("snapshots/<int:pk>/", snaps.snapshot_detail, name="snapshot_detail"),
    path("snapshots/<int:pk>/close/", snaps.snapshot_close, name="snapshot_close"),
    path("assessments/<int:pk>/trend/", snaps.assessment_trend, name="assessment_trend"),
    path("audit/", audit.audit_list, name="audit_list"),
    # Account administration (the admin's province) and two-factor sign-in.
    path("", include("dti.web.accounts.urls")),
    path("", include("dti.web.connectors.urls")),
    path("audit/export.xlsx", audit.audit_export, name="audit_export"),
    # Published results, scorecards, comparison, charts and the decision appendix.
    path("", include("dti.web.results.urls")),
    # The REST API: token authentication, its own 401/404 answers (see dti.web.api).
    path("api/v1/", api_urls()),
    path("healthz/", ops.health, name="health"),
]

# A Vietnamese 503 page while the database is out of reach, never a stack trace.
handler500 = "dti.web.ops.views.server_error"
