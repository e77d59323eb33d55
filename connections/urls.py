from __future__ import annotations

from django.urls import path

from connections import views

app_name = "connections"

urlpatterns = [
    path("", views.connection_index, name="list"),
    path("new", views.connection_new, name="new"),
    path("new/<slug:type_key>", views.connection_create_view, name="create"),
    path("<uuid:connection_id>", views.connection_detail, name="detail"),
]
