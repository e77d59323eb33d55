from __future__ import annotations

from django.urls import path

from models_app import views

app_name = "models"

urlpatterns = [
    path("", views.model_index, name="list"),
    path("new", views.model_new, name="new"),
    path("<uuid:model_id>", views.model_detail, name="detail"),
    path("<uuid:model_id>/delete", views.model_delete_view, name="delete"),
]
