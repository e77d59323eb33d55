from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from console import views as console_views

admin.site.site_header = "Syncline administration"
admin.site.site_title = "Syncline admin"
admin.site.index_title = "Organizations, connections, models, syncs and their history"

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says; the logo answers.
    path("favicon.ico", console_views.favicon),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("connections/", include("connections.urls")),
    path("oauth/", include("connections.oauth.urls")),
    path("models/", include("models_app.urls")),
    path("", include("console.urls")),
]
