from __future__ import annotations

from django.urls import path

from dti.web.connectors import views

urlpatterns = [
    path("connectors/", views.connector_list, name="connector_list"),
    path("connectors/new/", views.connector_edit, name="connector_add"),
    path("connectors/<int:pk>/", views.connector_edit, name="connector_detail"),
    path("connectors/<int:pk>/pull/", views.connector_pull, name="connector_pull"),
    path("pulls/<int:pk>/", views.pull_detail, name="pull_detail"),
    path("pulls/payloads/<int:pk>/", views.payload_download, name="payload_download"),
]
