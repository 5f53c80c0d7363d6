"""URLs of the results app. Everything under ``public/`` is open to anonymous visitors and
shows published results only; the decision form needs an admin."""

from __future__ import annotations

from django.urls import path

from dti.web.results import robustness_views as rv
from dti.web.results import views as v

urlpatterns = [
    path("public/", v.public_index, name="public_index"),
    path("public/compare/", v.compare, name="results_compare"),
    path("public/<int:year>/", v.public_results, name="public_results"),
    path("public/<int:year>/restated/", v.public_restated, name="results_restated"),
    path(
        "public/<int:year>/charts/<slug:name>.svg",
        v.chart_download,
        {"fmt": "svg"},
        name="results_chart_svg",
    ),
    path(
        "public/<int:year>/charts/<slug:name>.png",
        v.chart_download,
        {"fmt": "png"},
        name="results_chart_png",
    ),
    path("public/<int:year>/units/<slug:unit>/", v.scorecard, name="results_scorecard"),
    path(
        "public/<int:year>/units/<slug:unit>/scorecard.pdf",
        v.scorecard_pdf,
        name="results_scorecard_pdf",
    ),
    path(
        "public/<int:year>/units/<slug:unit>/plan.xlsx",
        v.unit_plan,
        name="results_unit_plan",
    ),
    path(
        "public/<int:year>/appendix.xlsx",
        v.appendix_download,
        {"fmt": "xlsx"},
        name="results_appendix_xlsx",
    ),
    path(
        "public/<int:year>/appendix.pdf",
        v.appendix_download,
        {"fmt": "pdf"},
        name="results_appendix_pdf",
    ),
    path(
        "public/open-data/<slug:province>/<int:year>/<str:name>",
        v.open_data_file,
        name="results_open_data",
    ),
    path("periods/<int:pk>/decision/", v.decision_edit, name="results_decision"),
    path("periods/<int:pk>/robustness/", rv.period_robustness_page, name="results_robustness"),
    path(
        "periods/<int:pk>/robustness.xlsx",
        rv.period_robustness_xlsx,
        name="results_robustness_xlsx",
    ),
]
