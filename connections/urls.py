from __future__ import annotations

from django.urls import path

from connections import views, wizard

app_name = "connections"

urlpatterns = [
    path("", views.connection_index, name="list"),
    path("new", views.connection_new, name="new"),
    path("new/<slug:type_key>", views.connection_create_view, name="create"),
    path("<uuid:connection_id>", views.connection_detail, name="detail"),
    path("<uuid:connection_id>/delete", views.connection_delete_view, name="delete"),
    path("<uuid:connection_id>/check", wizard.connection_check_view, name="check"),
    path("<uuid:connection_id>/reconnect", wizard.tool_reconnect, name="reconnect"),
    path("<uuid:connection_id>/accounts", wizard.tool_accounts, name="accounts"),
    path("<uuid:connection_id>/done", wizard.tool_done, name="done"),
]
