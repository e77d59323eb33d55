from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from console.admin_mixins import (
    OrganizationScopedAdmin,
    OrganizationScopedMixin,
    SavedThroughServicesAdmin,
    organization_scope,
)
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
    # 50 rows a page: the admin renders each row's cells in Python, the page's main cost with
    # 100,000 executions (the queries are a few ms, docs/benchmarks.md P4).
    list_per_page = 50

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # History has many columns (counts, duration, a link to the console): the navigation
        # sidebar would push them out of a 1280-pixel screen.
        return super().changelist_view(
            request, {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        )

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
class SyncAdmin(OrganizationScopedAdmin, SavedThroughServicesAdmin):
    form = SyncAdminForm
    list_per_page = 50
    list_display = [
        "name",
        "organization",
        "model",
        "target_connection",
        "target_object",
        "mode",
        "active",
        "updated_at",
        "console",
    ]
    list_filter = ["active", "mode", "target_connection__type", "organization"]
    search_fields = ["name", "id", "target_object"]
    list_select_related = ["organization", "model", "target_connection"]
    readonly_fields = [
        "id",
        "created_by",
        "created_at",
        "updated_at",
        "executions_link",
        "console",
    ]
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

    @admin.display(description="Console")
    def console(self, obj: Sync) -> str:
        return _console_link(reverse("syncs:detail", kwargs={"sync_id": obj.pk}))


class RecordErrorInline(OrganizationScopedMixin, admin.TabularInline):
    model = RecordError
    organization_lookup = "execution__sync__organization_id"
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


class SyncFilter(admin.SimpleListFilter):
    """By sync: the most recently changed syncs, and the one chosen (a link from a sync's page
    or the search box finds any other). A list of every sync would be thousands long."""

    title = "sync"
    parameter_name = "sync__id__exact"
    SHOWN = 20

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        # Only the person's organization's syncs: a staff member of one never reads another's names.
        syncs = organization_scope(Sync.objects.all(), request, "organization_id")
        shown = list(syncs.order_by("-updated_at").values_list("pk", "name")[: self.SHOWN])
        chosen = self.value()
        if chosen and all(str(pk) != chosen for pk, _ in shown):
            try:
                shown = [*syncs.filter(pk=chosen).values_list("pk", "name"), *shown]
            except (ValueError, ValidationError):
                pass
        return [(str(pk), name) for pk, name in shown]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if not value:
            return queryset
        try:
            return queryset.filter(sync_id=value)
        except (ValueError, ValidationError):
            return queryset.none()


def _console_link(url: str) -> str:
    return format_html('<a href="{}">Open in the console</a>', url)


@admin.register(SyncExecution)
class SyncExecutionAdmin(OrganizationScopedAdmin, ReadOnlyHistoryAdmin):
    organization_lookup = "sync__organization_id"
    list_display = [
        "when",
        "sync",
        "status",
        "duration",
        "counts",
        "rejected",
        "console",
    ]
    list_filter = [
        SyncFilter,
        "status",
        ("created_at", admin.DateFieldListFilter),
        "trigger",
        "sync__target_connection__type",
    ]
    search_fields = ["=id", "sync__name"]
    list_select_related = ["sync"]
    # By date through the created_at filter: a date hierarchy reads every execution's date to
    # list the years and months (40 ms of 100,000 rows, docs/benchmarks.md P4).
    readonly_fields = ["record_errors_link", "duration", "console"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SyncExecution]:
        # The log, report and progress are JSON that can be large; the list shows none of them.
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.defer("log", "report", "progress", "errors", "identities")
        return queryset

    @admin.display(description="Console")
    def console(self, obj: SyncExecution) -> str:
        return _console_link(reverse("syncs:execution", kwargs={"execution_id": obj.pk}))

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

    @admin.display(description="When", ordering="created_at")
    def when(self, obj: SyncExecution) -> str:
        return timezone.localtime(obj.created_at).strftime("%b %-d %Y, %H:%M")

    @admin.display(description="Rows")
    def counts(self, obj: SyncExecution) -> str:
        # One column for the four counts, so a row fits a 1280-pixel screen beside the filters.
        updated = obj.update_count + obj.upsert_count
        return (
            f"{obj.insert_count:,} created, {updated:,} updated, {obj.delete_count:,} removed, "
            f"{obj.unchanged_count:,} unchanged (of {obj.total_count:,})"
        )

    @admin.display(description="Rejected", ordering="error_count")
    def rejected(self, obj: SyncExecution) -> str:
        return f"{obj.error_count:,}"

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
class RecordErrorAdmin(OrganizationScopedAdmin, ReadOnlyHistoryAdmin):
    organization_lookup = "execution__sync__organization_id"
    list_display = ["identity_value", "operation", "message", "execution", "created_at", "console"]
    list_filter = ["operation"]
    search_fields = ["identity_value", "message"]
    list_select_related = ["execution__sync"]
    raw_id_fields = ["execution"]
    readonly_fields = ["console"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RecordError]:
        queryset = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("changelist"):
            queryset = queryset.defer(
                "payload",
                "execution__log",
                "execution__report",
                "execution__progress",
                "execution__errors",
                "execution__identities",
            )
        return queryset

    @admin.display(description="Console")
    def console(self, obj: RecordError) -> str:
        url = reverse("syncs:execution", kwargs={"execution_id": obj.execution_id})
        return _console_link(f"{url}?q={quote(obj.identity_value)}#rejected")


@admin.register(SyncState)
class SyncStateAdmin(OrganizationScopedAdmin, ReadOnlyHistoryAdmin):
    organization_lookup = "sync__organization_id"
    list_display = ["identity_key", "sync", "destination_id", "values_hash", "updated_at"]
    search_fields = ["identity_key", "destination_id"]
    list_select_related = ["sync"]
    raw_id_fields = ["sync"]


@admin.register(Event)
class EventAdmin(OrganizationScopedAdmin, ReadOnlyHistoryAdmin):
    list_display = ("type", "organization", "created_at")
    list_filter = ("type",)
    list_select_related = ("organization",)
    date_hierarchy = "created_at"


@admin.register(Webhook)
class WebhookAdmin(OrganizationScopedAdmin):
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
class WebhookDeliveryAdmin(OrganizationScopedAdmin, ReadOnlyHistoryAdmin):
    organization_lookup = "webhook__organization_id"
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
