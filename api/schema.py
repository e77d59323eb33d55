"""The OpenAPI document's shapes for the envelope and the errors (drf-spectacular)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from api.serializers import ErrorSerializer

_made: dict[str, Any] = {}


class PaginationSerializer(serializers.Serializer):
    next_page_token = serializers.CharField(allow_null=True, required=False)


def _name(serializer: Any) -> str:
    return serializer.__name__.removesuffix("Serializer")


def envelope(
    serializer: Any,
    *,
    many: bool = False,
    mapping: bool = False,
    paginated: bool = False,
    **siblings: Any,
) -> Any:
    """`{"data": <serializer>}` (a list with `many`, an object of them with `mapping`), plus
    `pagination` and any other sibling fields."""
    kind = "List" if many else "Map" if mapping else ""
    name = f"{_name(serializer)}{kind}{'Page' if paginated else ''}Envelope"
    if siblings:
        name = f"{name}With{''.join(k.title().replace('_', '') for k in siblings)}"
    if name in _made:
        return _made[name]
    if mapping:
        data: Any = serializers.DictField(child=serializer())
    else:
        data = serializer(many=many)
    fields: dict[str, Any] = {"data": data}
    if paginated:
        fields["pagination"] = PaginationSerializer(required=False)
    fields.update(siblings)
    _made[name] = inline_serializer(name=name, fields=fields)
    return _made[name]


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}
