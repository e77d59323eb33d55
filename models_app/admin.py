from __future__ import annotations

from django.contrib import admin

from models_app.models import SqlModel


@admin.register(SqlModel)
class SqlModelAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "source",
        "organization",
        "field_count",
        "identifier",
        "version",
        "updated_at",
    ]
    list_filter = ["organization", "source__type"]
    search_fields = ["name", "id", "query"]
    list_select_related = ["source", "organization"]
    readonly_fields = [
        "id",
        "discovered_fields",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    # Fields are discovered from the warehouse by the model services, never typed by hand.
    exclude = ["fields"]

    @admin.display(description="Fields")
    def field_count(self, obj: SqlModel) -> int:
        return len(obj.fields)

    @admin.display(description="Discovered fields")
    def discovered_fields(self, obj: SqlModel) -> str:
        return ", ".join(f"{f['name']} ({f.get('type', '?')})" for f in obj.fields) or "none yet"

    raw_id_fields = ["source"]
