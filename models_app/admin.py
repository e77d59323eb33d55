from __future__ import annotations

from django.contrib import admin

from models_app.models import SqlModel


@admin.register(SqlModel)
class SqlModelAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "organization", "identifier", "version", "updated_at"]
    list_filter = ["organization", "source__type"]
    search_fields = ["name", "id", "query"]
    list_select_related = ["source", "organization"]
    readonly_fields = ["id", "version", "created_by", "created_at", "updated_at"]
    raw_id_fields = ["source"]
