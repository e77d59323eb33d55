"""The console's sync pages (/syncs/...). The builder's pages (new, edit) live in
syncs/builder_urls.py."""

from __future__ import annotations

from django.urls import path

from syncs import views

app_name = "syncs"

urlpatterns = [
    path("", views.sync_index, name="list"),
    path("<uuid:sync_id>/", views.sync_detail, name="detail"),
    path("<uuid:sync_id>/progress/", views.sync_progress, name="progress"),
    path("<uuid:sync_id>/run/", views.sync_run, name="run"),
    path("<uuid:sync_id>/active/", views.sync_active, name="active"),
    path("<uuid:sync_id>/delete/", views.sync_delete_view, name="delete"),
    path("runs/<uuid:execution_id>/", views.execution_detail, name="execution"),
    path("runs/<uuid:execution_id>/cancel/", views.execution_cancel, name="cancel"),
    path("runs/<uuid:execution_id>/rejected.csv", views.execution_errors_csv, name="errors_csv"),
]
