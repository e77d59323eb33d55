"""/oauth/: the callback vendors redirect to. The namespace is social-auth's (it reverses it)."""

from __future__ import annotations

from django.urls import path

from connections.oauth import views

app_name = "social"

urlpatterns = [
    path("complete/<slug:backend>/", views.oauth_complete, name="complete"),
]
