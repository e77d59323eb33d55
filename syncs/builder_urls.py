"""The sync builder's pages: /syncs/new/... and /syncs/<id>/edit/... (syncs/builder.py).

Included from config/urls.py with ``path("", include("syncs.builder_urls"))``, before the
``syncs/`` pages, so its full paths sit next to them.
"""

from __future__ import annotations

from django.urls import path

from syncs import builder

app_name = "builder"

urlpatterns = [
    path("syncs/new/", builder.builder_new, name="new"),
    path("syncs/new/<slug:step>/", builder.builder_step, name="new_step"),
    path("syncs/<uuid:sync_id>/edit/", builder.builder_edit, name="edit"),
    path("syncs/<uuid:sync_id>/edit/<slug:step>/", builder.builder_step, name="edit_step"),
]
