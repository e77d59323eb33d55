"""/api/events, /api/events_types and /api/webhooks, as Polytomic has them
(https://apidocs.polytomic.com/guides/events; the paths and bodies of the official client's
events and webhooks modules). Thin: syncs/selectors.py lists, syncs/webhooks.py writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from api.errors import ApiError, not_found, validation_message, validation_metadata
from api.pagination import page_limit
from api.schema import envelope, errors
from api.serializers import StrictCharField
from syncs.events import event_data, timestamp
from syncs.models import Webhook
from syncs.selectors import event_list, event_types, webhook_get, webhook_list
from syncs.webhooks import webhook_create, webhook_delete, webhook_set_enabled, webhook_update


class EventSerializer(serializers.Serializer):
    id = serializers.CharField()
    organization_id = serializers.CharField()
    type = serializers.CharField()
    created_at = serializers.DateTimeField()
    event = serializers.DictField()


class WebhookSerializer(serializers.Serializer):
    """The secret is never shown again (DESIGN.md §9): only whether the webhook is enabled."""

    id = serializers.CharField()
    organization_id = serializers.CharField()
    endpoint = serializers.CharField()
    enabled = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class WebhookBodySerializer(serializers.Serializer):
    endpoint = StrictCharField(max_length=2000)
    secret = StrictCharField(max_length=1000, trim_whitespace=False)
    organization_id = StrictCharField(required=False, allow_null=True, allow_blank=True)


def webhook_json(webhook: Webhook) -> dict[str, Any]:
    return {
        "id": str(webhook.pk),
        "organization_id": str(webhook.organization_id),
        "endpoint": webhook.endpoint,
        "enabled": webhook.enabled,
        "created_at": timestamp(webhook.created_at),
    }


def _refused(error: ValidationError) -> ApiError:
    return ApiError(
        422, validation_message(error), key="invalid_webhook", metadata=validation_metadata(error)
    )


def _when(view: ApiView, name: str) -> dt.datetime | None:
    raw = view.request.query_params.get(name)
    if raw in (None, ""):
        return None
    # A "+" in a query string arrives as a space (2025-11-22T14:03:07 00:00).
    value = parse_datetime(raw.replace(" ", "+"))
    if value is None:
        raise ApiError(
            400, f"{name} must be a date and time such as 2025-11-22T14:03:07Z, not '{raw}'."
        )
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _own_organization(view: ApiView, organization_id: str | None) -> None:
    """`organization_id` (the client may send it): this key's organization, or not found."""
    if organization_id and organization_id != str(view.organization.pk):
        raise not_found("organization", organization_id)


def _webhook(view: ApiView, webhook_id: object) -> Webhook:
    webhook = webhook_get(organization=view.organization, webhook_id=str(webhook_id))
    if webhook is None:
        raise not_found("webhook", webhook_id)
    return webhook


def _body(view: ApiView) -> dict[str, Any]:
    form = WebhookBodySerializer(data=view.body())
    form.is_valid(raise_exception=True)
    _own_organization(view, form.validated_data.get("organization_id"))
    return dict(form.validated_data)


class EventListView(ApiView):
    @extend_schema(
        operation_id="events_list",
        parameters=[
            OpenApiParameter("organization_id", str),
            OpenApiParameter("type", str, enum=event_types()),
            OpenApiParameter("starting_after", dt.datetime),
            OpenApiParameter("ending_before", dt.datetime),
            OpenApiParameter("page_token", str),
            OpenApiParameter("limit", int),
        ],
        responses={200: envelope(EventSerializer, many=True, paginated=True), **errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        _own_organization(self, params.get("organization_id"))
        try:
            page = event_list(
                organization=self.organization,
                type=params.get("type") or None,
                starting_after=_when(self, "starting_after"),
                ending_before=_when(self, "ending_before"),
                page_token=params.get("page_token") or None,
                limit=page_limit(params.get("limit")),
            )
        except ValidationError as error:
            raise ApiError(
                400, validation_message(error), metadata=validation_metadata(error)
            ) from error
        return self.ok(
            [event_data(event) for event in page.events],
            pagination={"next_page_token": page.next_page_token},
        )


class EventTypesView(ApiView):
    @extend_schema(
        operation_id="events_get_types",
        responses={
            200: inline_serializer(
                name="EventTypesEnvelope",
                fields={"data": serializers.ListField(child=serializers.CharField())},
            ),
            **errors(401),
        },
    )
    def get(self, request: Request) -> Response:
        return self.ok(event_types())


class WebhookListView(ApiView):
    @extend_schema(
        operation_id="webhooks_list",
        responses={200: envelope(WebhookSerializer, many=True), **errors(401)},
    )
    def get(self, request: Request) -> Response:
        return self.ok([webhook_json(w) for w in webhook_list(organization=self.organization)])

    @extend_schema(
        operation_id="webhooks_create",
        request=WebhookBodySerializer,
        responses={200: envelope(WebhookSerializer), **errors(400, 401, 404, 422)},
    )
    def post(self, request: Request) -> Response:
        body = _body(self)
        try:
            webhook = webhook_create(
                organization=self.organization, endpoint=body["endpoint"], secret=body["secret"]
            )
        except ValidationError as error:
            raise _refused(error) from error
        return self.ok(webhook_json(webhook))


class WebhookDetailView(ApiView):
    @extend_schema(
        operation_id="webhooks_get",
        responses={200: envelope(WebhookSerializer), **errors(401, 404)},
    )
    def get(self, request: Request, webhook_id: object) -> Response:
        return self.ok(webhook_json(_webhook(self, webhook_id)))

    @extend_schema(
        operation_id="webhooks_update",
        request=WebhookBodySerializer,
        responses={200: envelope(WebhookSerializer), **errors(400, 401, 404, 422)},
    )
    def put(self, request: Request, webhook_id: object) -> Response:
        webhook = _webhook(self, webhook_id)
        body = _body(self)
        try:
            webhook = webhook_update(
                webhook=webhook, endpoint=body["endpoint"], secret=body["secret"]
            )
        except ValidationError as error:
            raise _refused(error) from error
        return self.ok(webhook_json(webhook))

    @extend_schema(operation_id="webhooks_remove", responses={204: None, **errors(401, 404)})
    def delete(self, request: Request, webhook_id: object) -> Response:
        webhook_delete(webhook=_webhook(self, webhook_id))
        return self.no_content()


class WebhookEnableView(ApiView):
    enabled = True

    @extend_schema(
        operation_id="webhooks_enable",
        request=None,
        responses={200: envelope(WebhookSerializer), **errors(401, 404)},
    )
    def post(self, request: Request, webhook_id: object) -> Response:
        webhook = webhook_set_enabled(webhook=_webhook(self, webhook_id), enabled=self.enabled)
        return self.ok(webhook_json(webhook))


class WebhookDisableView(WebhookEnableView):
    enabled = False

    @extend_schema(
        operation_id="webhooks_disable",
        request=None,
        responses={200: envelope(WebhookSerializer), **errors(401, 404)},
    )
    def post(self, request: Request, webhook_id: object) -> Response:
        return super().post(request, webhook_id)
