"""/api/...: Polytomic's paths, without trailing slashes (reference/polytomic-api.md §1.1)."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from api.errors import api_not_found
from api.views import connections, events, executions, models, syncs, targets

app_name = "api"

EXECUTION = "syncs/<uuid:sync_id>/executions/<uuid:execution_id>"

urlpatterns = [
    path(
        "schema",
        SpectacularAPIView.as_view(authentication_classes=[], permission_classes=[]),
        name="schema",
    ),
    path("connections", connections.ConnectionListView.as_view(), name="connections"),
    path(
        "connections/<uuid:connection_id>",
        connections.ConnectionDetailView.as_view(),
        name="connection",
    ),
    path(
        "connections/<uuid:connection_id>/parameter_values",
        connections.ConnectionParameterValuesView.as_view(),
        name="connection-parameter-values",
    ),
    path(
        "connections/<uuid:connection_id>/modelsync/targetobjects",
        targets.TargetObjectsView.as_view(),
        name="target-objects",
    ),
    path(
        "connections/<uuid:connection_id>/modelsync/targetobjects/properties/<str:property_id>",
        targets.TargetPropertyView.as_view(),
        name="target-property",
    ),
    path(
        "connections/<uuid:connection_id>/modelsync/target/fields",
        targets.TargetFieldsView.as_view(),
        name="target-fields",
    ),
    path("connection_types", connections.ConnectionTypeListView.as_view(), name="types"),
    path(
        "connection_types/<slug:type_key>",
        connections.ConnectionTypeSchemaView.as_view(),
        name="type",
    ),
    path("models", models.ModelListView.as_view(), name="models"),
    path("model-preview", models.ModelPreviewView.as_view(), name="model-preview"),
    path("models/<uuid:model_id>", models.ModelDetailView.as_view(), name="model"),
    path("models/<uuid:model_id>/sample", models.ModelSampleView.as_view(), name="model-sample"),
    path("syncs", syncs.SyncListView.as_view(), name="syncs"),
    # Before syncs/<id>: "schedules" is not an id (reference/polytomic-api.md §1.1).
    path("syncs/schedules", syncs.SyncSchedulesView.as_view(), name="sync-schedules"),
    path("syncs/<uuid:sync_id>", syncs.SyncDetailView.as_view(), name="sync"),
    path("syncs/<uuid:sync_id>/activate", syncs.SyncActivateView.as_view(), name="sync-activate"),
    path("syncs/<uuid:sync_id>/cancel", syncs.SyncCancelView.as_view(), name="sync-cancel"),
    path("syncs/<uuid:sync_id>/status", executions.SyncStatusView.as_view(), name="sync-status"),
    path(
        "syncs/<uuid:sync_id>/executions",
        executions.ExecutionListView.as_view(),
        name="executions",
    ),
    path(EXECUTION, executions.ExecutionDetailView.as_view(), name="execution"),
    path(
        f"{EXECUTION}/cancel",
        executions.ExecutionCancelView.as_view(),
        name="execution-cancel",
    ),
    path(
        f"{EXECUTION}/<slug:log_type>",
        executions.ExecutionLogUrlsView.as_view(),
        name="execution-logs",
    ),
    path(
        f"{EXECUTION}/<slug:log_type>/<str:filename>",
        executions.ExecutionLogFileView.as_view(),
        name="execution-log-file",
    ),
    # Events and the organization's webhook (api/views/events.py, the api-extras work).
    path("events", events.EventListView.as_view(), name="events"),
    path("events_types", events.EventTypesView.as_view(), name="event-types"),
    path("webhooks", events.WebhookListView.as_view(), name="webhooks"),
    path("webhooks/<uuid:webhook_id>", events.WebhookDetailView.as_view(), name="webhook"),
    path(
        "webhooks/<uuid:webhook_id>/enable",
        events.WebhookEnableView.as_view(),
        name="webhook-enable",
    ),
    path(
        "webhooks/<uuid:webhook_id>/disable",
        events.WebhookDisableView.as_view(),
        name="webhook-disable",
    ),
    # Anything else under /api answers in the contract's error shape, not an HTML page.
    re_path(r"^.*$", api_not_found),
]
