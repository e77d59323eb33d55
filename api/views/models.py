"""/api/models and /api/model-preview (reference/polytomic-api.md §3), through
models_app.services: the same checks as the console (one read-only statement, fields
discovered at the warehouse)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from api.errors import ApiError, not_found, validation_message
from api.schema import envelope, errors
from api.serializers import (
    ModelCreateSerializer,
    ModelPreviewSerializer,
    ModelSerializer,
    ModelUpdateSerializer,
    model_fields,
)
from connections.models import Connection
from connections.registry import CONNECTION_TYPES, Role
from connections.selectors import connection_get
from models_app.models import SqlModel
from models_app.selectors import sql_model_get, sql_model_list
from models_app.services import (
    BrokenMappingsError,
    sql_model_create,
    sql_model_delete,
    sql_model_preview,
    sql_model_update,
)

SAMPLE_ROWS = 10


def _model(view: ApiView, model_id: object) -> SqlModel:
    model = sql_model_get(organization=view.organization, model_id=model_id)
    if model is None:
        raise not_found("model", model_id)
    return model


def _source(view: ApiView, connection_id: object) -> Connection:
    source = connection_get(organization=view.organization, connection_id=str(connection_id))
    if source is None:
        # Another organization's connection is as unknown as one that never existed.
        raise not_found("connection", connection_id)
    return source


def _refused(error: ValidationError) -> ApiError:
    """The warehouse's or the query check's words, as a 400 (the contract's model errors)."""
    return ApiError(400, validation_message(error), key="invalid_model")


def _form(serializer: type[serializers.Serializer], data: dict[str, Any]) -> dict[str, Any]:
    form = serializer(data=data)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


class ModelListView(ApiView):
    @extend_schema(
        operation_id="models_list", responses={200: envelope(ModelSerializer, many=True)}
    )
    def get(self, request: Request) -> Response:
        models = sql_model_list(organization=self.organization).select_related("created_by")
        return self.ok(ModelSerializer(models.order_by("name"), many=True).data)

    @extend_schema(
        operation_id="models_create",
        request=ModelCreateSerializer,
        responses={200: envelope(ModelSerializer), **errors(400, 401)},
    )
    def post(self, request: Request) -> Response:
        body = _form(ModelCreateSerializer, self.body())
        source = _source(self, body["connection_id"])
        try:
            model = sql_model_create(
                organization=self.organization,
                name=body["name"],
                source=source,
                query=body["configuration"]["query"],
            )
        except ValidationError as error:
            raise _refused(error) from error
        return self.ok(ModelSerializer(model).data)


class ModelDetailView(ApiView):
    @extend_schema(
        operation_id="models_get", responses={200: envelope(ModelSerializer), **errors(401, 404)}
    )
    def get(self, request: Request, model_id: object) -> Response:
        return self.ok(ModelSerializer(_model(self, model_id)).data)

    @extend_schema(
        operation_id="models_update",
        request=ModelUpdateSerializer,
        responses={200: envelope(ModelSerializer), **errors(400, 401, 404, 422)},
    )
    def put(self, request: Request, model_id: object) -> Response:
        model = _model(self, model_id)
        body = _form(ModelUpdateSerializer, self.body())
        if str(body["connection_id"]) != str(model.source_id):
            _source(self, body["connection_id"])  # 404 when it is not one of ours
            raise ApiError(
                400,
                "connection_id: a model's source can't change; create a new model for "
                "the other connection.",
            )
        query = body["configuration"]["query"]
        refresh = body["refresh"] or query != model.query
        try:
            model = sql_model_update(
                model=model, name=body["name"], query=query if refresh else None
            )
        except BrokenMappingsError as error:
            raise ApiError(
                422, validation_message(error), key="model_in_use", metadata=error.columns
            ) from error
        except ValidationError as error:
            raise _refused(error) from error
        return self.ok(ModelSerializer(model).data)

    @extend_schema(operation_id="models_remove", responses={204: None, **errors(401, 404, 422)})
    def delete(self, request: Request, model_id: object) -> Response:
        model = _model(self, model_id)
        try:
            sql_model_delete(model=model)
        except ValidationError as error:
            raise ApiError(422, validation_message(error), key="model_in_use") from error
        return self.no_content()


class ModelSampleView(ApiView):
    @extend_schema(
        operation_id="models_sample",
        responses={
            200: inline_serializer(
                name="ModelSampleEnvelope",
                fields={
                    "data": inline_serializer(
                        name="ModelSample",
                        fields={
                            "records": serializers.ListField(child=serializers.DictField()),
                            "warnings": serializers.ListField(child=serializers.CharField()),
                        },
                    )
                },
            ),
            **errors(400, 401, 404),
        },
    )
    def get(self, request: Request, model_id: object) -> Response:
        model = _model(self, model_id)
        try:
            preview = sql_model_preview(source=model.source, query=model.query, limit=SAMPLE_ROWS)
        except ValidationError as error:
            raise _refused(error) from error
        names = [field.name for field in preview.fields]
        records = [{str(model.pk): dict(zip(names, row, strict=False))} for row in preview.rows]
        return self.ok({"records": records, "warnings": []})


class ModelPreviewView(ApiView):
    @extend_schema(
        operation_id="models_preview",
        request=ModelCreateSerializer,
        responses={200: envelope(ModelPreviewSerializer), **errors(400, 401)},
    )
    def post(self, request: Request) -> Response:
        body = _form(ModelCreateSerializer, self.body())
        source = _source(self, body["connection_id"])
        if Role.SOURCE not in CONNECTION_TYPES[source.type].roles:
            raise ApiError(400, f"{source.name} is a destination; a model reads from a warehouse.")
        try:
            preview = sql_model_preview(
                source=source, query=body["configuration"]["query"], limit=0
            )
        except ValidationError as error:
            raise _refused(error) from error
        fields = [field.to_json() for field in preview.fields]
        return self.ok(
            {
                "name": body["name"],
                "connection_id": str(source.pk),
                "configuration": {"query": body["configuration"]["query"]},
                "fields": model_fields(source.pk, fields, body["configuration"]["query"]),
            }
        )
