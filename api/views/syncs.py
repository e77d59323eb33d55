"""/api/syncs (reference/polytomic-api.md §5) through syncs/services.py: the console's rules,
the console's services."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from api.errors import ApiError, not_found, validation_message, validation_metadata
from api.pagination import keyset_page, page_limit
from api.schema import envelope, errors
from api.sync_shapes import (
    SyncBodySerializer,
    SyncListItemSerializer,
    SyncOutSerializer,
    referenced_model_ids,
    settings_from,
    sync_json,
    sync_list_item,
)
from connections.selectors import connection_get
from models_app.selectors import sql_model_get
from syncs.models import Sync, SyncExecution
from syncs.services import sync_create, sync_delete, sync_execution_cancel, sync_set_active
from syncs.services import sync_update as sync_update_service

SCHEDULE_OPTIONS = (
    ("manual", "Manual", "Runs only when started.", []),
    ("continuous", "Continuous", "Runs again shortly after each run ends.", []),
    ("hourly", "Hourly", "Runs every hour at a minute.", ["minute"]),
    ("daily", "Daily", "Runs every day at a time (UTC).", ["hour", "minute"]),
    ("weekly", "Weekly", "Runs every week on a day at a time.", ["day_of_week", "hour", "minute"]),
    (
        "custom",
        "Custom",
        "Runs on a cron schedule.",
        ["minute", "hour", "day_of_month", "month", "day_of_week"],
    ),
    ("runafter", "Run after", "Runs after other syncs finish.", ["run_after"]),
)


def sync_of(view: ApiView, sync_id: object) -> Sync:
    sync = (
        Sync.objects.filter(organization=view.organization, pk=sync_id)
        .select_related("created_by")
        .first()
    )
    if sync is None:
        raise not_found("sync", sync_id)
    return sync


def _refused(error: ValidationError) -> ApiError:
    return ApiError(
        422, validation_message(error), key="invalid_sync", metadata=validation_metadata(error)
    )


def _parts(view: ApiView, body: dict[str, Any]) -> dict[str, Any]:
    """The model and target connection a body names, both of this organization (404 else)."""
    model_ids = referenced_model_ids(body)
    if not model_ids:
        raise ApiError(
            400,
            "Map at least one model column: an identity or a field whose source names the "
            "model ({'field': 'email', 'model_id': '...'}).",
        )
    if len(model_ids) > 1:
        raise ApiError(422, "A sync reads from one model; every source.model_id must be the same.")
    model = sql_model_get(organization=view.organization, model_id=_uuid(model_ids[0]))
    if model is None:
        raise not_found("model", model_ids[0])
    connection_id = body["target"]["connection_id"]
    connection = connection_get(organization=view.organization, connection_id=str(connection_id))
    if connection is None:
        raise not_found("connection", connection_id)
    return {"model": model, "target_connection": connection}


def _uuid(value: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(str(value)))
    except ValueError as error:
        raise not_found("model", value) from error


def _body(view: ApiView) -> dict[str, Any]:
    form = SyncBodySerializer(data=view.body())
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


class SyncListView(ApiView):
    @extend_schema(
        operation_id="model_sync_list",
        parameters=[
            OpenApiParameter("active", bool),
            OpenApiParameter("mode", str),
            OpenApiParameter("target_connection_id", str),
            OpenApiParameter("page_token", str),
            OpenApiParameter("limit", int),
        ],
        responses={200: envelope(SyncListItemSerializer, many=True, paginated=True), **errors(400)},
    )
    def get(self, request: Request) -> Response:
        syncs = Sync.objects.filter(organization=self.organization).select_related("created_by")
        params = request.query_params
        if params.get("active") not in (None, ""):
            syncs = syncs.filter(active=self.flag("active"))
        if params.get("mode"):
            syncs = syncs.filter(mode=params["mode"])
        if params.get("target_connection_id"):
            try:
                syncs = syncs.filter(target_connection_id=_uuid(params["target_connection_id"]))
            except ApiError:
                syncs = syncs.none()
        page, token = keyset_page(
            syncs,
            field="updated_at",
            descending=True,
            token=params.get("page_token"),
            limit=page_limit(params.get("limit")),
        )
        return self.ok(
            [sync_list_item(sync) for sync in page], pagination={"next_page_token": token}
        )

    @extend_schema(
        operation_id="model_sync_create",
        request=SyncBodySerializer,
        responses={200: envelope(SyncOutSerializer), **errors(400, 401, 404, 422)},
    )
    def post(self, request: Request) -> Response:
        body = _body(self)
        parts = _parts(self, body)
        try:
            sync = sync_create(
                organization=self.organization, user=None, **parts, **settings_from(body)
            )
        except ValidationError as error:
            raise _refused(error) from error
        return self.ok(sync_json(sync))


class SyncDetailView(ApiView):
    @extend_schema(
        operation_id="model_sync_get",
        responses={200: envelope(SyncOutSerializer), **errors(401, 404)},
    )
    def get(self, request: Request, sync_id: object) -> Response:
        return self.ok(sync_json(sync_of(self, sync_id)))

    @extend_schema(
        operation_id="model_sync_update",
        request=SyncBodySerializer,
        responses={200: envelope(SyncOutSerializer), **errors(400, 401, 404, 422)},
    )
    def put(self, request: Request, sync_id: object) -> Response:
        sync = sync_of(self, sync_id)
        body = _body(self)
        parts = _parts(self, body)
        try:
            sync = sync_update_service(sync=sync, user=None, **parts, **settings_from(body))
        except ValidationError as error:
            raise _refused(error) from error
        return self.ok(sync_json(sync))

    @extend_schema(exclude=True)
    def patch(self, request: Request, sync_id: object) -> Response:
        return self.put(request, sync_id)  # older API versions update with PATCH

    @extend_schema(operation_id="model_sync_remove", responses={204: None, **errors(401, 404)})
    def delete(self, request: Request, sync_id: object) -> Response:
        sync_delete(sync=sync_of(self, sync_id), user=None)
        return self.no_content()


class ActivateSerializer(serializers.Serializer):
    active = serializers.BooleanField()

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict) and not isinstance(data.get("active", True), bool):
            raise serializers.ValidationError({"active": ["must be true or false."]})
        return super().to_internal_value(data)


class SyncActivateView(ApiView):
    @extend_schema(
        operation_id="model_sync_activate",
        request=ActivateSerializer,
        responses={
            200: inline_serializer(
                name="ActivateSyncEnvelope",
                fields={
                    "data": inline_serializer(
                        name="ActivateSync",
                        fields={
                            "id": serializers.CharField(),
                            "active": serializers.BooleanField(),
                        },
                    )
                },
            ),
            **errors(400, 401, 404),
        },
    )
    def post(self, request: Request, sync_id: object) -> Response:
        sync = sync_of(self, sync_id)
        form = ActivateSerializer(data=self.body())
        form.is_valid(raise_exception=True)
        sync = sync_set_active(sync=sync, active=form.validated_data["active"], user=None)
        return self.ok({"id": str(sync.pk), "active": sync.active})


class SyncCancelView(ApiView):
    @extend_schema(
        operation_id="model_sync_cancel",
        request=None,
        responses={
            200: inline_serializer(
                name="CancelSyncEnvelope",
                fields={
                    "data": inline_serializer(
                        name="CancelSync", fields={"message": serializers.CharField()}
                    )
                },
            ),
            **errors(401, 404),
        },
    )
    def post(self, request: Request, sync_id: object) -> Response:
        sync = sync_of(self, sync_id)
        live = list(sync.executions.exclude(status__in=SyncExecution.TERMINAL))
        for execution in live:
            sync_execution_cancel(execution=execution)
        message = "cancellation requested" if live else "nothing was running"
        return self.ok({"message": message})


class SyncSchedulesView(ApiView):
    @extend_schema(
        operation_id="model_sync_get_schedules",
        responses={
            200: inline_serializer(
                name="ScheduleOptionsEnvelope",
                fields={
                    "data": inline_serializer(
                        name="ScheduleOptions",
                        fields={
                            "schedule_options": serializers.ListField(child=serializers.DictField())
                        },
                    )
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        options = [
            {
                "frequency": frequency,
                "label": label,
                "description": description,
                "configuration": {
                    "type": "object",
                    "properties": {key: {"type": "string"} for key in keys},
                },
            }
            for frequency, label, description, keys in SCHEDULE_OPTIONS
        ]
        return self.ok({"schedule_options": options})
