"""/oauth/: the callback vendors redirect to. The namespace is social-auth's (it reverses it)."""

from __future__ import annotations

from django.urls import path

from connections.oauth import views

app_name = "social"

urlpatterns = [
    path("complete/<slug:backend>/", views.oauth_complete, name="complete"),
    # A connection's auth_url (connections/oauth/links.py) and where its consent lands.
    path("link/<str:token>", views.oauth_link, name="link"),
    path("link/<uuid:link_id>/done", views.oauth_link_done, name="link_done"),
]
