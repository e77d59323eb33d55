"""The whole social-auth pipeline: one step that saves the tokens on a Connection.

social-auth's default steps would find or create a user, link the vendor account to them in
UserSocialAuth (tokens in its extra_data) and sign them in. None of that fits a connection, which
belongs to an organization; this step replaces them all and ends the flow with a redirect to the
wizard's next step.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from social_core.backends.base import BaseAuth
from social_core.exceptions import AuthResponseError, AuthSessionError
from social_django.strategy import DjangoStrategy

from connections.destinations.registry import provider_for
from connections.models import Connection
from connections.oauth.links import oauth_link_for_pending
from connections.oauth.pending import link_done_remember, pending_get, pending_pop
from connections.selectors import connection_get
from connections.services import connection_authorize
from organizations.models import Membership


def connection_store_tokens(
    *,
    backend: BaseAuth,
    strategy: DjangoStrategy,
    response: dict[str, Any],
    user: Any = None,
    **kwargs: Any,
) -> HttpResponse:
    request = strategy.request
    # Read, not removed yet: if anything below fails, the error page still knows whether this
    # was a reconnect (oauth_complete forgets the attempt then).
    pending = pending_get(request.session, backend.name)
    link = None
    if pending is not None and pending.link_id:
        # Started by an auth_url: nobody is signed in; the link (checked and used when it was
        # opened, its id kept server-side in the session) names the connection and so the org.
        link = oauth_link_for_pending(link_id=pending.link_id, connection_id=pending.connection_id)
        if link is None:  # the connection was deleted while the person was at the vendor
            raise AuthSessionError(backend, code="session_context_missing", stage="pipeline")
        organization = link.connection.organization
        user = None
    else:
        membership = (
            Membership.objects.filter(user=user).select_related("organization").first()
            if user is not None and user.is_authenticated
            else None
        )
        # The consent must finish in the session, and for the organization, that started it.
        if pending is None or membership is None:
            raise AuthSessionError(backend, code="session_context_missing", stage="pipeline")
        if str(membership.organization_id) != pending.organization_id:
            raise AuthSessionError(backend, code="user_mismatch", stage="pipeline")
        organization = membership.organization
    for field in provider_for(backend.name).required_token_fields:
        if not response.get(field):
            raise AuthResponseError(backend, code="missing_claim", claim=field, stage="pipeline")
    existing = None
    if pending.connection_id:
        existing = connection_get(organization=organization, connection_id=pending.connection_id)
        if existing is None:  # deleted while the person was at the vendor
            raise AuthSessionError(backend, code="session_context_missing", stage="pipeline")
    connection = connection_authorize(
        organization=organization,
        type=backend.name,
        name=pending.name,
        token_response=response,
        configuration=pending.configuration,
        secrets=pending.secrets,
        connection=existing,
        created_by=user,
    )
    pending_pop(request.session, backend.name)
    if link is not None:
        link_done_remember(request.session, link)
        return strategy.redirect(link.redirect_url or reverse("social:link_done", args=[link.pk]))
    return strategy.redirect(wizard_next_url(connection, reconnected=existing is not None))


def wizard_next_url(connection: Connection, *, reconnected: bool = False) -> str:
    """A tool with an account choice (LinkedIn's ad accounts) asks for it, unless a reconnect
    finds the accounts already chosen; then the done page."""
    if (
        provider_for(connection.type).account_choice is not None
        and connection.status == Connection.Status.HEALTHY
        and not (reconnected and connection.configuration.get("accounts"))
    ):
        return reverse("connections:accounts", args=[connection.pk])
    return reverse("connections:done", args=[connection.pk])
