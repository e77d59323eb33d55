from __future__ import annotations

from django.urls import path

from console import members, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("settings/organization/", views.organization_settings, name="organization"),
    path("settings/notifications/", views.notification_settings_view, name="notifications"),
    path("audit/", views.audit_trail, name="audit"),
    path("settings/api-keys/", views.api_keys, name="api_keys"),
    path("settings/members/", members.members, name="members"),
    path("invitations/<str:token>", members.invitation, name="invitation"),
    path("walkthroughs/", views.walkthroughs, name="walkthroughs"),
]
