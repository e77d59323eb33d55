"""Target discovery (reference/polytomic-api.md §4): what a tool's connection can be synced
into, the properties of a target it can create, and a target's fields and modes. Everything is
asked of the destination (connections/destinations), outside any transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from api.errors import ApiError, not_found
from api.schema import errors
from api.views.connections import _connection, needs_tool
from connections.destinations.base import Destination, Mode, TargetField, TargetObject
from connections.destinations.errors import DestinationError
from connections.destinations.registry import destination_for
from syncs.models import SyncMode

T = TypeVar("T")

FUNCTION_LABELS = {
    "Equality": "Equal to",
    "ISubstring": "Contains (case-insensitive)",
    "OneOf": "One of",
    "DomainMatch": "Domain matches",
    "HostnameMatch": "Hostname matches",
}
MODE_DESCRIPTIONS = {
    "create": "Add records (or members); existing ones are left as they are.",
    "update": "Update records that already exist; nothing is created.",
    "updateOrCreate": "Update records that exist and create the others.",
    "remove": "Remove the model's records (or members).",
    "replace": "Make the target hold exactly the model's records.",
    "append": "Add every record, without matching.",
    "snapshot": "Write the model's records as they are now.",
}


def _ask(connection_name: str, destination: Destination, call: Callable[[], T]) -> T:
    try:
        return call()
    except DestinationError as error:
        status = 404 if error.status == 404 else 422
        raise ApiError(status, error.message, key="destination_error") from error


def _target_object_json(target: TargetObject) -> dict[str, Any]:
    return target.to_json()


def _field_json(field: TargetField) -> dict[str, Any]:
    data = field.to_json()
    data["identity_functions"] = [
        {"id": f, "label": FUNCTION_LABELS.get(f, f)} for f in field.identity_functions
    ]
    if field.supports_identity and not data["identity_functions"]:
        data["identity_functions"] = [{"id": "Equality", "label": "Equal to"}]
    data.update(
        filterable=False,
        multiple_associations=False,
        encryptable=False,
        filter_functions=[],
    )
    return data


def _mode_json(mode: Mode) -> dict[str, Any]:
    label = SyncMode(mode.id).label if mode.id in SyncMode.values else mode.id
    return {
        "mode": mode.id,
        "label": label,
        "description": MODE_DESCRIPTIONS.get(mode.id, label),
        "requires_identity": mode.requires_identity,
        "supports_field_sync_mode": mode.supports_per_field_mode,
        "supports_target_filters": mode.supports_target_filters,
    }


def _creation_json(destination: Destination, include_values: bool, name: str) -> dict[str, Any]:
    properties = []
    for prop in _ask(name, destination, destination.target_creation):
        item: dict[str, Any] = {"id": prop.id, "title": prop.title, "enum": prop.enum}
        if include_values and prop.enum:
            found = _ask(name, destination, lambda p=prop: destination.target_property_values(p.id))
            item["values"] = [{"label": str(v["label"]), "value": str(v["value"])} for v in found]
        properties.append(item)
    return {"supported": bool(properties), "properties": properties}


TARGET_OBJECTS = inline_serializer(
    name="TargetObjectsEnvelope",
    fields={
        "data": serializers.ListField(child=serializers.DictField()),
        "target_creation": serializers.DictField(),
    },
)


class TargetObjectsView(ApiView):
    @extend_schema(
        operation_id="model_sync_targets_list",
        parameters=[OpenApiParameter("include_target_creation_values", bool)],
        responses={200: TARGET_OBJECTS, **errors(400, 401, 404, 422)},
    )
    def get(self, request: Request, connection_id: object) -> Response:
        connection = _connection(self, connection_id)
        needs_tool(connection)
        include_values = self.flag("include_target_creation_values")
        destination = destination_for(connection)
        try:
            targets = _ask(connection.name, destination, destination.target_objects)
            creation = _creation_json(destination, include_values, connection.name)
        finally:
            destination.close()
        return self.ok([_target_object_json(t) for t in targets], target_creation=creation)

    @extend_schema(exclude=True)
    def post(self, request: Request, connection_id: object) -> Response:
        return self.get(request, connection_id)  # the docs' curl examples list with POST


class TargetPropertyView(ApiView):
    @extend_schema(
        operation_id="model_sync_targets_get_target_property_values",
        responses={
            200: inline_serializer(
                name="TargetPropertyValuesEnvelope", fields={"data": serializers.DictField()}
            ),
            **errors(401, 404, 422),
        },
    )
    def get(self, request: Request, connection_id: object, property_id: str) -> Response:
        connection = _connection(self, connection_id)
        needs_tool(connection)
        destination = destination_for(connection)
        try:
            creation = _ask(connection.name, destination, destination.target_creation)
            prop = next((p for p in creation if p.id == property_id), None)
            if prop is None:
                raise not_found("target creation property", property_id)
            values = (
                _ask(
                    connection.name,
                    destination,
                    lambda: destination.target_property_values(property_id),
                )
                if prop.enum
                else []
            )
        finally:
            destination.close()
        return self.ok(
            {
                "id": prop.id,
                "title": prop.title,
                "enum": prop.enum,
                "values": [{"label": str(v["label"]), "value": str(v["value"])} for v in values],
            }
        )


def properties_of(request: Request) -> dict[str, str]:
    """`properties[key]=value` query parameters, as the client flattens a dict."""
    found = {}
    for name, value in request.query_params.items():
        if name.startswith("properties[") and name.endswith("]"):
            found[name[len("properties[") : -1]] = value
    return found


class TargetFieldsView(ApiView):
    @extend_schema(
        operation_id="model_sync_targets_get_target_fields",
        parameters=[OpenApiParameter("target", str), OpenApiParameter("refresh", bool)],
        responses={
            200: inline_serializer(
                name="TargetResponseEnvelope", fields={"data": serializers.DictField()}
            ),
            **errors(400, 401, 404, 422),
        },
    )
    def get(self, request: Request, connection_id: object) -> Response:
        connection = _connection(self, connection_id)
        target_id = request.query_params.get("target", "")
        properties = properties_of(request)
        if bool(target_id) == bool(properties):
            raise ApiError(
                400,
                "Give exactly one of target=<target object id> or properties[<key>]=<value> "
                "(one per creation property).",
            )
        self.flag("refresh")  # accepted (checked); fields are always read fresh
        needs_tool(connection)
        destination = destination_for(connection)
        try:
            targets = _ask(connection.name, destination, destination.target_objects)
            if target_id:
                target = next((t for t in targets if t.id == target_id), None)
                if target is None:
                    raise not_found("target", target_id)
                name, modes, fields_of = target.name, target.modes, target_id
            else:
                creation = {
                    p.id for p in _ask(connection.name, destination, destination.target_creation)
                }
                unknown = sorted(set(properties) - creation)
                if not creation or unknown:
                    raise ApiError(
                        400,
                        f"{connection.name} can't create a target with "
                        f"{', '.join(unknown) or 'these properties'}; it takes "
                        f"{', '.join(sorted(creation)) or 'none'}.",
                    )
                # A new target's fields are those of its kind (the `type` property where the
                # tool has one, e.g. LinkedIn's user or company audience); its modes are
                # those its tool gives every target it creates.
                name = properties.get("name") or "New target"
                fields_of = properties.get("type") or next(iter(properties.values()))
                modes = targets[0].modes if targets else (Mode("create", requires_identity=False),)
            fields = _ask(
                connection.name, destination, lambda: destination.target_fields(fields_of)
            )
        finally:
            destination.close()
        return self.ok(
            {
                "id": target_id or "new",
                "name": name,
                "fields": [_field_json(f) for f in fields],
                "modes": [_mode_json(m) for m in modes],
                "properties": {
                    "target_creator": bool(properties),
                    "supports_field_creation": False,
                },
                "refreshed_at": None,
            }
        )
