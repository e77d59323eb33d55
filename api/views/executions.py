"""/api/syncs/{id}/executions and /status (reference/polytomic-api.md §6), and the execution
logs by type as downloadable JSON."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from api.base import ApiView
from api.errors import ApiError, not_found
from api.pagination import keyset_page, page_limit
from api.schema import envelope, errors
from api.serializers import StrictBooleanField, StrictCharField
from api.views.syncs import sync_of
from syncs.models import RecordError, Sync, SyncExecution
from syncs.services import SyncNotRunnable, sync_execution_cancel, sync_execution_start

try:
    VERSION = version("syncline")
except PackageNotFoundError:  # pragma: no cover - run from a checkout without install
    VERSION = "0.0.0"

LOG_TYPES = ("records", "errors", "warnings", "inserts", "updates", "deletes")
# Which dry-run report section (SyncExecution.report) each record-log type reads.
REPORT_SECTIONS = {"inserts": "create", "updates": "update", "deletes": "gone"}
OPERATIONS = {"inserts": ("insert",), "updates": ("update", "upsert"), "deletes": ("delete",)}


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    insert = serializers.IntegerField()
    update = serializers.IntegerField()
    upserts = serializers.IntegerField()
    delete = serializers.IntegerField()
    error = serializers.IntegerField()
    warnings = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class ExecutionSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField()
    type = serializers.CharField(source="trigger")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    counts = serializers.SerializerMethodField()
    errors = serializers.ListField(child=serializers.CharField())
    version = serializers.SerializerMethodField()

    @extend_schema_field(CountsSerializer)
    def get_counts(self, execution: SyncExecution) -> dict[str, int]:
        return {
            "total": execution.total_count,
            "insert": execution.insert_count,
            "update": execution.update_count,
            "upserts": execution.upsert_count,
            "delete": execution.delete_count,
            "error": execution.error_count,
            "warnings": execution.warning_count,
            "unchanged": execution.unchanged_count,
        }

    def get_version(self, execution: SyncExecution) -> str:
        return VERSION

    def to_representation(self, instance: SyncExecution) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["errors"] = [str(e) for e in instance.errors or []]
        return data


class StartSerializer(serializers.Serializer):
    resync = StrictBooleanField(required=False, default=False)
    test = StrictBooleanField(required=False, default=False)
    identities = serializers.ListField(child=StrictCharField(), required=False, allow_null=True)
    source_identities = serializers.ListField(
        child=serializers.ListField(child=serializers.DictField()),
        required=False,
        allow_null=True,
        max_length=1000,
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("identities") and attrs.get("source_identities"):
            raise serializers.ValidationError("Give identities or source_identities, not both.")
        return attrs


def _execution(sync: Sync, execution_id: object) -> SyncExecution:
    execution = SyncExecution.objects.filter(sync=sync, pk=execution_id).first()
    if execution is None:
        raise not_found("execution", execution_id)
    return execution


def execution_json(execution: SyncExecution | None) -> dict[str, Any] | None:
    return ExecutionSerializer(execution).data if execution is not None else None


class ExecutionListView(ApiView):
    @extend_schema(
        operation_id="model_sync_executions_list",
        parameters=[
            OpenApiParameter("page_token", str),
            OpenApiParameter("only_completed", bool),
            OpenApiParameter("ascending", bool),
            OpenApiParameter("limit", int),
        ],
        responses={
            200: envelope(ExecutionSerializer, many=True, paginated=True),
            **errors(400, 401, 404),
        },
    )
    def get(self, request: Request, sync_id: object) -> Response:
        sync = sync_of(self, sync_id)
        executions = SyncExecution.objects.filter(sync=sync)
        if self.flag("only_completed"):
            executions = executions.filter(status__in=SyncExecution.TERMINAL)
        page, token = keyset_page(
            executions,
            field="created_at",
            descending=not self.flag("ascending"),
            token=request.query_params.get("page_token"),
            limit=page_limit(request.query_params.get("limit")),
        )
        return self.ok(
            ExecutionSerializer(page, many=True).data, pagination={"next_page_token": token}
        )

    @extend_schema(
        operation_id="model_sync_start",
        request=StartSerializer,
        responses={
            200: inline_serializer(
                name="StartModelSyncEnvelope",
                fields={
                    "data": inline_serializer(
                        name="StartModelSync",
                        fields={
                            "id": serializers.CharField(),
                            "status": serializers.CharField(),
                            "created_at": serializers.DateTimeField(),
                        },
                    )
                },
            ),
            **errors(400, 401, 404, 422),
        },
    )
    def post(self, request: Request, sync_id: object) -> Response:
        sync = sync_of(self, sync_id)
        form = StartSerializer(data=self.body())
        form.is_valid(raise_exception=True)
        options = form.validated_data
        if not sync.active:
            raise ApiError(
                422, f"{sync.name} is not active: activate it first.", key="sync_inactive"
            )
        identities = list(options.get("identities") or [])
        for group in options.get("source_identities") or []:
            identities.extend(str(item.get("value", "")) for item in group)
        try:
            execution = sync_execution_start(
                sync=sync,
                trigger=SyncExecution.Trigger.API,
                resync=options["resync"],
                test=options["test"],
                identities=identities,
            )
        except SyncNotRunnable as error:
            raise ApiError(422, str(error), key="sync_not_runnable") from error
        data = ExecutionSerializer(execution).data
        return self.ok({key: data[key] for key in ("id", "status", "created_at")})


class SyncStatusView(ApiView):
    @extend_schema(
        operation_id="model_sync_get_status",
        responses={
            200: inline_serializer(
                name="SyncStatusEnvelope",
                fields={
                    "data": inline_serializer(
                        name="SyncStatus",
                        fields={
                            "current_execution": ExecutionSerializer(allow_null=True),
                            "last_execution": ExecutionSerializer(allow_null=True),
                            "next_execution_time": serializers.DateTimeField(allow_null=True),
                        },
                    )
                },
            ),
            **errors(401, 404),
        },
    )
    def get(self, request: Request, sync_id: object) -> Response:
        sync = sync_of(self, sync_id)
        executions = SyncExecution.objects.filter(sync=sync).order_by("-created_at")
        current = executions.exclude(status__in=SyncExecution.TERMINAL).first()
        last = executions.first()
        next_time = sync.next_run_at if sync.active else None
        return self.ok(
            {
                "current_execution": execution_json(current),
                "last_execution": execution_json(last),
                "next_execution_time": serializers.DateTimeField().to_representation(next_time)
                if next_time
                else None,
            }
        )


class ExecutionDetailView(ApiView):
    @extend_schema(
        operation_id="model_sync_executions_get",
        responses={200: envelope(ExecutionSerializer), **errors(401, 404)},
    )
    def get(self, request: Request, sync_id: object, execution_id: object) -> Response:
        return self.ok(ExecutionSerializer(_execution(sync_of(self, sync_id), execution_id)).data)


class ExecutionCancelView(ApiView):
    @extend_schema(
        operation_id="model_sync_executions_cancel",
        request=None,
        responses={
            200: inline_serializer(
                name="CancelExecutionEnvelope",
                fields={
                    "data": inline_serializer(
                        name="CancelExecution", fields={"message": serializers.CharField()}
                    )
                },
            ),
            **errors(400, 401, 404),
        },
    )
    def post(self, request: Request, sync_id: object, execution_id: object) -> Response:
        execution = _execution(sync_of(self, sync_id), execution_id)
        if execution.is_terminal:
            raise ApiError(
                400,
                f"Execution {execution.pk} has already finished ({execution.status}); there is "
                "nothing to cancel.",
                key="execution_finished",
            )
        sync_execution_cancel(execution=execution)
        return self.ok({"message": "cancellation requested"})


def _log_type(type_name: str) -> str:
    if type_name not in LOG_TYPES:
        raise not_found("log type", type_name)
    return type_name


def log_records(execution: SyncExecution, type_name: str) -> list[dict[str, Any]]:
    """What Syncline keeps of an execution's records of one type.

    errors: every rejected record (identity, operation, the tool's words, the values sent).
    inserts/updates/deletes/records: Syncline keeps counts per run, not each delivered
    record; a dry run (test) keeps samples of what it would do, and those are returned. A
    record that was rejected is in errors, with what it was to be (insert, update, ...).
    warnings: none are recorded per record.
    """
    if type_name == "errors":
        return [
            {
                "identity": error.identity_value,
                "operation": error.operation,
                "message": error.message,
                "record": error.payload,
                "created_at": serializers.DateTimeField().to_representation(error.created_at),
            }
            for error in RecordError.objects.filter(execution=execution).order_by("id")
        ]
    if type_name == "warnings":
        return []
    report = execution.report or {}
    sections = [REPORT_SECTIONS[type_name]] if type_name in REPORT_SECTIONS else list(report.keys())
    records = []
    for section in sections:
        for sample in (report.get(section) or {}).get("samples", []):
            records.append({"change": section, **sample})
    return records


class ExecutionLogUrlsView(ApiView):
    @extend_schema(
        operation_id="model_sync_executions_get_log_urls",
        responses={
            200: inline_serializer(
                name="ExecutionLogsEnvelope",
                fields={
                    "data": inline_serializer(
                        name="ExecutionLogs",
                        fields={
                            "urls": serializers.ListField(child=serializers.CharField()),
                            "expires": serializers.DateTimeField(allow_null=True),
                        },
                    )
                },
            ),
            **errors(401, 404),
        },
    )
    def get(
        self, request: Request, sync_id: object, execution_id: object, log_type: str
    ) -> Response:
        execution = _execution(sync_of(self, sync_id), execution_id)
        log_type = _log_type(log_type)
        path = reverse(
            "api:execution-log-file",
            args=[execution.sync_id, execution.pk, log_type, f"{log_type}.json"],
        )
        # Not signed: the file is fetched with the same API key (docs/api.md, differences).
        return self.ok({"urls": [request.build_absolute_uri(path)], "expires": None})


class ExecutionLogFileView(ApiView):
    @extend_schema(
        operation_id="model_sync_executions_get_log_file",
        parameters=[OpenApiParameter("filename", str, OpenApiParameter.PATH)],
        responses={(200, "application/json"): dict, **errors(401, 404)},
    )
    def get(
        self,
        request: Request,
        sync_id: object,
        execution_id: object,
        log_type: str,
        filename: str,
    ) -> HttpResponse:
        execution = _execution(sync_of(self, sync_id), execution_id)
        log_type = _log_type(log_type)
        if filename != f"{log_type}.json":
            raise not_found("log file", filename)
        records = log_records(execution, log_type)
        response = HttpResponse(
            json.dumps(records, cls=JSONEncoder), content_type="application/json"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="execution-{execution.pk}-{log_type}.json"'
        )
        return response
