"""The account administration and two-factor pages (included from dti.web.urls)."""

from __future__ import annotations

from django.urls import path

from dti.web.accounts import account_views as acc
from dti.web.accounts import bulk_views as bulk
from dti.web.accounts import two_factor_views as tf

urlpatterns = [
    path("users/", acc.account_list, name="account_list"),
    path("users/new/", acc.account_create, name="account_create"),
    path("users/reporters/", bulk.reporters_bulk, name="reporters_bulk"),
    path(
        "users/reporters/template.xlsx",
        bulk.reporters_template_download,
        name="reporters_template",
    ),
    path("users/<int:pk>/", acc.account_edit, name="account_edit"),
    path("users/<int:pk>/active/", acc.account_set_active, name="account_set_active"),
    path("users/<int:pk>/invite/", acc.account_send_link, name="account_send_link"),
    path("accounts/two-factor/", tf.two_factor_verify_page, name="two_factor_verify"),
    path("accounts/two-factor/enrol/", tf.two_factor_enrol_page, name="two_factor_enrol"),
]
