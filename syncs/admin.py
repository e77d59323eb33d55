from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from console.admin_mixins import SavedThroughServicesAdmin
from syncs.models import (
    Event,
    RecordError,
    Sync,
    SyncExecution,
    SyncState,
    Webhook,
    WebhookDelivery,
)
from syncs.services import (
    sync_check,
    sync_execution_cancel,
    sync_execution_start,
    sync_settings_normalised,
)


class ReadOnlyHistoryAdmin(admin.ModelAdmin):
    """History is what happened: viewable, never edited or added by hand."""

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Deleting an execution would forget its rejected records (DESIGN.md §5 invariants).
        return False


class SyncAdminForm(forms.ModelForm):
    """Checked by sync_validate, as the console and the API check a sync: the target exists on
    that connection and offers the mode, the mappings are well-formed, all in one organization.

    sync_validate asks the vendor for its targets: SavedThroughServicesAdmin keeps the admin's
    transaction away from that call.
    """

    class Meta:
        model = Sync
        fields = [
            "organization",
            "name",
            "model",
            "target_connection",
            "target_object",
            "target_create",
            "target_configuration",
            "mode",
            "identity",
            "fields",
            "override_fields",
            "schedule",
            "active",
            "sync_all_records",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        needed = ("organization", "model", "target_connection", "mode")
        if any(name in self.errors or data.get(name) is None for name in needed):
            return data
        settings = {
            name: data.get(name)
            for name in (
                "name",
                "target_object",
                "target_create",
                "mode",
                "identity",
                "fields",
                "override_fields",
                "schedule",
            )
        }
        settings.update(model=data["model"], target_connection=data["target_connection"])
        try:
            sync_check(
                organization=data["organization"],
                sync=self.instance if self.instance.pk else None,
                settings=sync_settings_normalised(settings),
            )
        except ValidationError as error:
            for name, sentences in error.message_dict.items():
                self.add_error(name if name in self.fields else None, sentences)
        return data


@admin.register(Sync)
class SyncAdmin(SavedThroughServicesAdmin):
    form = SyncAdminForm
    list_display = [
        "name",
        "organization",
        "model",
        "target_connection",
        "target_object",
        "mode",
        "active",
        "updated_at",
    ]
    list_filter = ["active", "mode", "target_connection__type", "organization"]
    search_fields = ["name", "id", "target_object"]
    list_select_related = ["organization", "model", "target_connection"]
    readonly_fields = ["id", "created_by", "created_at", "updated_at", "executions_link"]
    raw_id_fields = ["model", "target_connection"]
    actions = ["run_now", "resync_now", "dry_run_now"]

    def _start(self, request: HttpRequest, queryset: QuerySet[Sync], **options: bool) -> None:
        for sync in queryset:
            execution = sync_execution_start(sync=sync, **options)
            self.message_user(
                request,
                f"{sync.name}: run {execution.pk} is {execution.get_status_display().lower()}.",
                messages.SUCCESS,
            )

    @admin.action(description="Run the selected syncs now")
    def run_now(self, request: HttpRequest, queryset: QuerySet[Sync]) -> None:
        self._start(request, queryset)

    @admin.action(description="Resync the selected syncs (send every row again)")
    def resync_now(self, request: HttpRequest, queryset: QuerySet[Sync]) -> None:
        self._start(request, queryset, resync=True)

    @admin.action(description="Dry run: report what would change, send nothing")
    def dry_run_now(self, request: HttpRequest, queryset: QuerySet[Sync]) -> None:
        self._start(request, queryset, test=True)

    @admin.display(description="Executions")
    def executions_link(self, obj: Sync) -> str:
        url = reverse("admin:syncs_syncexecution_changelist") + f"?sync__id__exact={obj.pk}"
        return format_html('<a href="{}">See this sync\'s executions</a>', url)


class RecordErrorInline(admin.TabularInline):
    model = RecordError
    fields = ["identity_value", "operation", "message", "created_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "Rejected records (first 50; see all through the link above)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[RecordError]:
        queryset = super().get_queryset(request)
        first_ids = (
            list(
                queryset.filter(execution_id=request.resolver_match.kwargs.get("object_id"))
                .order_by("id")
                .values_list("id", flat=True)[:50]
            )
            if request.resolver_match
            else []
        )
        return queryset.filter(id__in=first_ids)


@admin.register(SyncExecution)
class SyncExecutionAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "created_at",
        "sync",
        "status",
        "trigger",
        "duration",
        "total_count",
        "insert_count",
        "update_count",
        "delete_count",
        "unchanged_count",
        "error_count",
    ]
    list_filter = ["status", "trigger", "sync__target_connection__type"]
    search_fields = ["id", "sync__name"]
    list_select_related = ["sync"]
    date_hierarchy = "created_at"
    readonly_fields = ["record_errors_link", "duration"]
    inlines = [RecordErrorInline]
    actions = ["cancel"]

    @admin.action(description="Cancel the selected runs")
    def cancel(self, request: HttpRequest, queryset: QuerySet[SyncExecution]) -> None:
        for execution in queryset:
            if execution.is_terminal:
                self.message_user(
                    request, f"Run {execution.pk} had already ended.", messages.WARNING
                )
                continue
            sync_execution_cancel(execution=execution)
            self.message_user(request, f"Run {execution.pk}: cancel requested.", messages.SUCCESS)

    @admin.display(description="Duration")
    def duration(self, obj: SyncExecution) -> str:
        seconds = obj.duration_seconds
        if seconds is None:
            return "—"
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s" if minutes else f"{seconds:.1f} s"

    @admin.display(description="Rejected records")
    def record_errors_link(self, obj: SyncExecution) -> str:
        url = reverse("admin:syncs_recorderror_changelist") + f"?execution__id__exact={obj.pk}"
        return format_html('<a href="{}">{} rejected record(s)</a>', url, obj.error_count)


@admin.register(RecordError)
class RecordErrorAdmin(ReadOnlyHistoryAdmin):
    list_display = ["identity_value", "operation", "message", "execution", "created_at"]
    list_filter = ["operation"]
    search_fields = ["identity_value", "message"]
    list_select_related = ["execution__sync"]
    raw_id_fields = ["execution"]


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyHistoryAdmin):
    list_display = ["identity_key", "sync", "destination_id", "values_hash", "updated_at"]
    search_fields = ["identity_key", "destination_id"]
    list_select_related = ["sync"]
    raw_id_fields = ["sync"]


@admin.register(Event)
class EventAdmin(ReadOnlyHistoryAdmin):
    list_display = ("type", "organization", "created_at")
    list_filter = ("type",)
    list_select_related = ("organization",)
    date_hierarchy = "created_at"


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    """Read here; created and changed through the API's rules (syncs/webhooks.py). The secret
    is never shown (only whether one is saved)."""

    list_display = ("organization", "endpoint", "enabled", "created_at")
    list_select_related = ("organization",)
    fields = ("organization", "endpoint", "enabled", "secret_saved", "created_at", "updated_at")
    readonly_fields = fields

    @admin.display(description="secret")
    def secret_saved(self, webhook: Webhook) -> str:
        return "saved" if webhook.secret else "none"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyHistoryAdmin):
    list_display = ("event", "status", "attempts", "last_status_code")
    list_filter = ("status",)
    list_select_related = ("event", "webhook")
    readonly_fields = (
        "event",
        "webhook",
        "status",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "delivered_at",
    )
