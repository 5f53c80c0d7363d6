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
    path("units/import/", reg.unit_import, name="unit_import"),
    path("units/<int:pk>/", reg.unit_detail, name="unit_detail"),
    path("frameworks/", fw.framework_list, name="framework_list"),
    path("frameworks/upload/", fw.framework_upload, name="framework_upload"),
    path("frameworks/<int:pk>/", fw.framework_detail, name="framework_detail"),
    path("periods/new/", a.period_create, name="period_create"),
    path("periods/<int:pk>/", a.period_detail, name="period_detail"),
    path("periods/<int:pk>/bulk/", a.period_bulk, name="period_bulk"),
    path("periods/<int:pk>/deadlines/", a.period_deadlines, name="period_deadlines"),
    path("periods/<int:pk>/import/", imports.period_import, name="period_import"),
    path("imports/<int:pk>/", imports.values_import_detail, name="values_import_detail"),
    path("periods/<int:pk>/results/", a.period_results, name="period_results"),
    path("assessments/<int:pk>/", a.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/history/", a.assessment_history, name="assessment_history"),
    path("assessments/<int:pk>/template.xlsx", a.template_download, name="template_download"),
    path("assessments/<int:pk>/upload/", a.workbook_upload, name="workbook_upload"),
    path("assessments/<int:pk>/transition/", a.assessment_transition, name="assessment_transition"),
    path("assessments/<int:pk>/notes/", a.note_add, name="note_add"),
    path("assessments/<int:pk>/entries/<int:entry_pk>/", a.entry_save, name="entry_save"),
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
    path("audit/", audit.audit_list, name="audit_list"),
    # Published results, scorecards, comparison, charts and the decision appendix.
    path("", include("dti.web.results.urls")),
    # The REST API: token authentication, its own 401/404 answers (see dti.web.api).
    path("api/v1/", api_urls()),
    path("healthz/", ops.health, name="health"),
]

# A Vietnamese 503 page while the database is out of reach, never a stack trace.
handler500 = "dti.web.ops.views.server_error"
