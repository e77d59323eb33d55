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


def error_responses_everywhere(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation may answer an error, always in
    the Error shape (a 401 for a bad key, a 409 for an Idempotency-Key in flight, a 413 or
    429 from the limits), so each gets those responses documented."""
    error = {
        "description": "An error, in the contract's shape (reference/polytomic-api.md §1.6).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for code in ("400", "401", "404", "409", "413", "422", "429"):
                responses.setdefault(code, error)
    return result
