"""/api/connections and /api/connection_types (reference/polytomic-api.md §2)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from api.errors import ApiError, not_found, validation_message
from api.schema import envelope, errors
from api.serializers import (
    ConnectionCreateSerializer,
    ConnectionSerializer,
    ConnectionTypeDetailSerializer,
    ConnectionUpdateSerializer,
    CreatedConnectionSerializer,
    ParameterSerializer,
)
from connections.destinations.errors import DestinationError
from connections.destinations.provider import API_KEY, AUTH_METHOD
from connections.destinations.registry import destination_for, tool_provider
from connections.models import Connection
from connections.oauth.links import auth_url_for, redirect_url_clean
from connections.registry import CONNECTION_TYPES, Role
from connections.selectors import connection_get, connection_list
from connections.services import (
    connection_accounts_set,
    connection_api_key_save,
    connection_create,
    connection_delete,
    connection_name_check,
    connection_test,
    connection_update,
)
from connections.sources.base import SourceError

# §2.9: keys a configuration must have (400 without them).
REQUIRED_KEYS = {"snowflake": ("account", "username", "dbname"), "salesforce": ("domain",)}
# The contract's spelling of a key → the one Syncline's connectors read.
KEY_ALIASES = {"postgresql": {"hostname": "host"}}
# A secret sent back as Polytomic masks it (GET → edit → PUT) keeps its saved value.
MASK = "******"


def _auth_url(connection: Connection, redirect_url: str) -> str:
    """The signed, single-use link that runs the vendor's consent for `connection`
    (connections/oauth/links.py)."""
    return auth_url_for(connection, redirect_url or None)


def _redirect_url(body: dict[str, Any]) -> str:
    """redirect_url checked before anything is saved (400 for anything but http(s))."""
    try:
        return redirect_url_clean(body.get("redirect_url"))
    except ValidationError as error:
        raise ApiError(400, validation_message(error), key="invalid") from error


def _connection(view: ApiView, connection_id: object) -> Connection:
    connection = connection_get(organization=view.organization, connection_id=str(connection_id))
    if connection is None:
        raise not_found("connection", connection_id)
    return connection


def _is_warehouse(type_key: str) -> bool:
    return CONNECTION_TYPES[type_key].roles == (Role.SOURCE,)


# What a tool's configuration may set through the API besides its start form's fields.
TOOL_KEYS = {AUTH_METHOD, API_KEY, "accounts"}


def _settable(type_key: str) -> set[str] | None:
    """The configuration keys a caller may set on a tool; None for a warehouse (any key).

    A tool's other settings — its API host, team or instance URL — are what its OAuth consent
    stored, and tokens are sent where they point: no request may change them."""
    provider = tool_provider(type_key)
    if provider is None:
        return None
    keys = TOOL_KEYS if provider.api_key is not None else TOOL_KEYS - {API_KEY}
    return keys | (set(provider.start_form.base_fields) - {"name"})


def _values(type_key: str, configuration: dict[str, Any]) -> dict[str, Any]:
    aliases = KEY_ALIASES.get(type_key, {})
    secret_keys = CONNECTION_TYPES[type_key].secret_keys
    settable = _settable(type_key)
    values: dict[str, Any] = {}
    for key, value in configuration.items():
        if key in secret_keys and value in (None, MASK):
            continue  # kept as saved
        if settable is not None and key not in settable:
            continue  # not the caller's to set (docs/api.md)
        values[aliases.get(key, key)] = value
    return values


def _check_type(type_key: str) -> None:
    if type_key not in CONNECTION_TYPES:
        known = ", ".join(sorted(CONNECTION_TYPES))
        raise ApiError(400, f"Unknown connection type '{type_key}'. Known types: {known}.")


def _check_required(type_key: str, values: dict[str, Any]) -> None:
    missing = [key for key in REQUIRED_KEYS.get(type_key, ()) if values.get(key) in (None, "")]
    if missing:
        raise ApiError(
            400,
            f"A {CONNECTION_TYPES[type_key].name} configuration needs {', '.join(missing)}.",
            metadata={"missing": missing},
        )


def _uses_oauth(type_key: str, values: dict[str, Any]) -> bool:
    """Whether the tool is connected through its OAuth consent (an auth_url), not a pasted key.

    A tool whose start form offers ways to sign in (Salesforce's `connect_mode`: Syncline's
    connected app or the connection's own) takes those; others, such as a client-credentials
    flow, Syncline does not run (422)."""
    if _is_warehouse(type_key):
        return False
    provider = tool_provider(type_key)
    if str(values.get(AUTH_METHOD) or "").lower() == API_KEY and provider and provider.api_key:
        return False
    field = provider.start_form.base_fields.get("connect_mode") if provider else None
    if field is not None and values.get("connect_mode") not in (None, ""):
        offered = [str(value) for value, _ in field.choices]
        if str(values["connect_mode"]) not in offered:
            raise ApiError(
                422,
                f"{CONNECTION_TYPES[type_key].name} connect_mode '{values['connect_mode']}' is "
                f"not supported by Syncline; use one of {', '.join(offered)} and open the "
                "auth_url to sign in.",
            )
    return True


def _source_check(type_key: str, values: dict[str, Any], existing: Connection | None) -> None:
    try:
        connection_test(type=type_key, values=values, existing=existing)
    except SourceError as error:
        raise ApiError(422, error.message, key="connection_check_failed") from error


def created(connection: Connection, auth_url: str | None) -> dict[str, Any]:
    return CreatedConnectionSerializer(connection, context={"auth_url": auth_url}).data


class ConnectionListView(ApiView):
    @extend_schema(
        operation_id="connections_list", responses={200: envelope(ConnectionSerializer, many=True)}
    )
    def get(self, request: Request) -> Response:
        connections = connection_list(organization=self.organization).select_related("created_by")
        return self.ok(ConnectionSerializer(connections, many=True).data)

    @extend_schema(
        operation_id="connections_create",
        request=ConnectionCreateSerializer,
        responses={200: envelope(CreatedConnectionSerializer), **errors(400, 401, 422)},
    )
    def post(self, request: Request) -> Response:
        form = ConnectionCreateSerializer(data=self.body())
        form.is_valid(raise_exception=True)
        body = form.validated_data
        type_key, name = body["type"], body["name"].strip()
        _check_type(type_key)
        values = _values(type_key, body["configuration"])
        _check_required(type_key, values)
        connection_name_check(organization=self.organization, name=name)
        redirect_url = _redirect_url(body)
        if _is_warehouse(type_key):
            if body["validate"]:
                _source_check(type_key, values, None)
            connection = connection_create(
                organization=self.organization, name=name, type=type_key, values=values
            )
            return self.ok(created(connection, None))
        if not _uses_oauth(type_key, values):
            connection = _api_key_save(self, type_key, name, values, None)
            return self.ok(created(connection, None))
        connection = connection_create(
            organization=self.organization,
            name=name,
            type=type_key,
            values=values,
            awaiting_consent=True,
        )
        return self.ok(created(connection, _auth_url(connection, redirect_url)))


def _api_key_save(
    view: ApiView, type_key: str, name: str, values: dict[str, Any], existing: Connection | None
) -> Connection:
    api_key = values.get(API_KEY)
    if not isinstance(api_key, str) or not api_key.strip():
        if existing is not None and existing.secrets.get(API_KEY):
            api_key = existing.secrets[API_KEY]
        else:
            raise ApiError(400, "auth_method api_key needs the api_key in the configuration.")
    try:
        return connection_api_key_save(
            organization=view.organization,
            type=type_key,
            name=name,
            api_key=api_key,
            connection=existing,
        )
    except DestinationError as error:
        raise ApiError(422, error.message, key="connection_check_failed") from error


class ConnectionDetailView(ApiView):
    @extend_schema(
        operation_id="connections_get",
        responses={200: envelope(ConnectionSerializer), **errors(401, 404)},
    )
    def get(self, request: Request, connection_id: object) -> Response:
        return self.ok(ConnectionSerializer(_connection(self, connection_id)).data)

    @extend_schema(
        operation_id="connections_update",
        request=ConnectionUpdateSerializer,
        responses={200: envelope(CreatedConnectionSerializer), **errors(400, 401, 404, 422)},
    )
    def put(self, request: Request, connection_id: object) -> Response:
        connection = _connection(self, connection_id)
        form = ConnectionUpdateSerializer(data=self.body())
        form.is_valid(raise_exception=True)
        body = form.validated_data
        if body.get("type") not in (None, connection.type):
            raise ApiError(
                400, f"The type of a connection can't change (this one is {connection.type})."
            )
        name = body["name"].strip()
        values = _values(connection.type, body["configuration"])
        connection_name_check(organization=self.organization, name=name, connection=connection)
        redirect_url = _redirect_url(body)
        if _is_warehouse(connection.type):
            # A full replacement: a setting left out is cleared (secrets: kept, see _values).
            secret_keys = CONNECTION_TYPES[connection.type].secret_keys
            cleared = {key: "" for key in connection.configuration if key not in values}
            values = {**cleared, **values}
            _check_required(connection.type, {**values})
            if body["validate"]:
                typed = {k: v for k, v in values.items() if v != "" or k not in secret_keys}
                _source_check(connection.type, _present(typed), connection)
            connection = connection_update(connection=connection, name=name, values=values)
            return self.ok(created(connection, None))
        if not _uses_oauth(connection.type, {**connection.configuration, **values}):
            connection = _api_key_save(self, connection.type, name, values, connection)
            return self.ok(created(connection, None))
        accounts = values.pop("accounts", None)
        # A tool's configuration also holds what its consent left (an API host, a team): kept.
        connection = connection_update(connection=connection, name=name, values=values or None)
        if accounts is not None:
            connection = connection_accounts_set(
                connection=connection, accounts=_account_ids(accounts)
            )
        auth_url = None
        if body["reconnect"] or connection.status == Connection.Status.NEEDS_AUTH:
            auth_url = _auth_url(connection, redirect_url)
        return self.ok(created(connection, auth_url))

    @extend_schema(exclude=True)
    def post(self, request: Request, connection_id: object) -> Response:
        return self.put(request, connection_id)  # the docs' curl examples update with POST

    @extend_schema(
        operation_id="connections_remove",
        parameters=[OpenApiParameter("force", bool)],
        responses={204: None, **errors(401, 404, 422)},
    )
    def delete(self, request: Request, connection_id: object) -> Response:
        connection = _connection(self, connection_id)
        connection_delete(connection=connection, force=self.flag("force"))
        return self.no_content()


def _present(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, "")}


def _account_ids(accounts: Any) -> list[str]:
    if not isinstance(accounts, list):
        raise ApiError(400, "configuration.accounts must be a list of ad account ids.")
    ids = []
    for account in accounts:
        value = account.get("value") if isinstance(account, dict) else account
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            raise ApiError(
                400,
                "Each of configuration.accounts must be an id, or {label, value} as "
                "parameter_values lists them.",
            )
        ids.append(str(value))
    return ids


class ConnectionParameterValuesView(ApiView):
    @extend_schema(
        operation_id="connections_get_parameter_values",
        responses={200: envelope(ParameterSerializer, mapping=True), **errors(401, 404, 422)},
    )
    def get(self, request: Request, connection_id: object) -> Response:
        connection = _connection(self, connection_id)
        return self.ok(parameter_values(connection))


def needs_tool(connection: Connection) -> None:
    if Role.DESTINATION not in CONNECTION_TYPES[connection.type].roles:
        raise ApiError(
            400,
            f"{connection.name} is a warehouse: only tools (Salesloft, Gong, LinkedIn Ads, "
            "Salesforce) have targets.",
        )
    if connection.status == Connection.Status.NEEDS_AUTH:
        raise ApiError(
            422,
            f"{connection.name} is not authorized yet: open its auth_url to finish connecting "
            "(PUT the connection with reconnect=true for a fresh one).",
            key="needs_auth",
        )


def parameter_values(connection: Connection) -> dict[str, Any]:
    if _is_warehouse(connection.type):
        return {}
    needs_tool(connection)
    destination = destination_for(connection)
    try:
        found = destination.parameter_values()
    except DestinationError as error:
        raise ApiError(422, error.message, key="destination_error") from error
    finally:
        destination.close()
    return {
        name: {
            "allows_creation": False,
            "values": [{"label": str(v.get("label", v["value"])), "value": v["value"]} for v in vs],
        }
        for name, vs in found.items()
    }


def connection_type_detail(type_key: str) -> dict[str, Any]:
    spec = CONNECTION_TYPES[type_key]
    return {
        "id": spec.key,
        "name": spec.name,
        "use_oauth": not _is_warehouse(type_key),
        "capabilities": {
            "source": Role.SOURCE in spec.roles,
            "destination": Role.DESTINATION in spec.roles,
            "enrichment": False,
            "logging": False,
            "orchestration": False,
        },
    }


class ConnectionTypeListView(ApiView):
    @extend_schema(
        operation_id="connections_get_types",
        responses={200: envelope(ConnectionTypeDetailSerializer, many=True)},
    )
    def get(self, request: Request) -> Response:
        return self.ok([connection_type_detail(key) for key in CONNECTION_TYPES])


class ConnectionTypeSchemaView(ApiView):
    @extend_schema(
        operation_id="connections_get_connection_type_schema",
        responses={200: dict, **errors(401, 404)},
    )
    def get(self, request: Request, type_key: str) -> Response:
        if type_key not in CONNECTION_TYPES:
            raise not_found("connection type", type_key)
        spec = CONNECTION_TYPES[type_key]
        required = list(REQUIRED_KEYS.get(type_key, ()))
        properties = {key: {"type": "string"} for key in required}
        properties.update({key: {"type": "string", "writeOnly": True} for key in spec.secret_keys})
        # A bare JSON Schema, without the envelope (reference/polytomic-api.md §2.8).
        return Response(
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "title": spec.name,
                "type": "object",
                "properties": properties,
                "required": required,
            }
        )
