"""Start of the consent (from the wizard) and the vendor's redirect back to Syncline."""

from __future__ import annotations

import logging

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from social_core.actions import do_auth
from social_core.exceptions import SocialAuthBaseException
from social_django import views as social_views
from social_django.utils import load_backend, load_strategy

from connections.destinations.errors import DestinationError
from connections.destinations.registry import provider_for
from connections.oauth.errors import oauth_error_message
from connections.oauth.links import LinkRefused, oauth_link_open
from connections.oauth.pending import (
    link_done_seen,
    pending_get,
    pending_pop,
    pending_start,
    wizard_error_set,
)
from connections.registry import CONNECTION_TYPES
from organizations.roles import AdminsOnly

logger = logging.getLogger(__name__)

# After a failed auth_url consent: the link is spent, so the way on is a new one.
LINK_RETRY = "This sign-in link has now been used; ask whoever sent it to you for a new one."


def oauth_begin(request: HttpRequest, type_key: str) -> HttpResponse:
    """Redirect to the vendor's consent page; the wizard has saved what it needs (pending)."""
    strategy = load_strategy(request)
    backend = load_backend(strategy, type_key, reverse("social:complete", args=[type_key]))
    return do_auth(backend, redirect_name=REDIRECT_FIELD_NAME, user=request.user)


@never_cache
@csrf_exempt  # the vendor's redirect carries no CSRF token; the OAuth state protects it
def oauth_complete(request: HttpRequest, backend: str) -> HttpResponse:
    vendor = CONNECTION_TYPES[backend].name
    try:
        return social_views.complete(request, backend)
    except SocialAuthBaseException as error:
        logger.warning(
            "OAuth for %s did not complete: %s (stage %s, vendor code %s)",
            backend,
            error.code,
            error.stage,
            error.provider_code,
        )
        pending = pending_peek_own_app(request, backend)
        return _back_to_wizard(
            request, backend, oauth_error_message(error, vendor, own_app=pending)
        )
    except DestinationError as error:
        # The vendor's answer was unusable (e.g. an untrusted instance URL): nothing is saved.
        logger.warning("OAuth for %s returned an unusable answer: %s", backend, error.message)
        return _back_to_wizard(request, backend, error.message)
    except AdminsOnly as refused:  # no longer an admin when the vendor sent them back
        pending_pop(request.session, backend)
        return render(request, "403.html", {"reason": refused.message}, status=403)
    except Exception:
        # Never a stack trace (with DEBUG on it would show the token answer): log, say so.
        logger.exception("OAuth for %s failed unexpectedly", backend)
        return _back_to_wizard(
            request,
            backend,
            f"Something went wrong while connecting {vendor}, so nothing was connected. "
            "Try again; if it keeps happening, tell your Syncline administrator.",
        )


def pending_peek_own_app(request: HttpRequest, backend: str) -> bool:
    """Whether the consent used the connection's own OAuth app (its credentials were typed)."""
    pending = pending_get(request.session, backend)
    return bool(pending and provider_for(backend).uses_own_app(pending.configuration))


def _back_to_wizard(request: HttpRequest, backend: str, message: str) -> HttpResponse:
    """Forget the attempt (nothing was saved; a retry starts from the wizard) and say why."""
    pending = pending_pop(request.session, backend)
    if pending and pending.link_id:  # an auth_url's consent: no wizard to go back to
        return _link_page(
            request,
            problem=f"{message} {LINK_RETRY}",
            vendor=CONNECTION_TYPES[backend].name,
            status=400,
        )
    if pending and pending.connection_id:
        wizard_error_set(request.session, pending.connection_id, message)
        return redirect("connections:detail", pending.connection_id)
    wizard_error_set(request.session, backend, message)
    return redirect("connections:create", backend)


@never_cache
def oauth_link(request: HttpRequest, token: str) -> HttpResponse:
    """An `auth_url`: check and spend the link, then straight to the vendor's consent page."""
    from connections.models import Connection
    from connections.wizard import _oauth_app_missing

    try:
        link = oauth_link_open(token=token)
    except LinkRefused as refused:
        return _link_page(request, problem=refused.message, status=410)
    connection: Connection = link.connection
    provider = provider_for(connection.type)
    configuration, secrets = provider.reconnect_settings(connection)
    problem = _oauth_app_missing(provider, configuration)
    if problem:
        return _link_page(request, problem=problem, vendor=provider.name, status=503)
    pending_start(
        request.session,
        type=connection.type,
        organization_id=str(connection.organization_id),
        name=connection.name,
        connection_id=str(connection.pk),
        configuration=configuration,
        secrets=secrets or None,
        link_id=str(link.pk),
    )
    return oauth_begin(request, connection.type)


@never_cache
def oauth_link_done(request: HttpRequest, link_id: str) -> HttpResponse:
    """Where an auth_url's consent lands without a redirect_url; only for the browser that
    finished it (anyone else holding the address learns nothing)."""
    from connections.models import OAuthLink

    link = OAuthLink.objects.select_related("connection").filter(pk=link_id).first()
    if link is None or not link_done_seen(request.session, str(link_id)):
        return _link_page(
            request,
            problem="There is nothing to show at this address. If you were connecting a tool, "
            "open the sign-in link you were sent.",
            status=404,
        )
    connection = link.connection
    return _link_page(request, connection=connection, vendor=CONNECTION_TYPES[connection.type].name)


def _link_page(
    request: HttpRequest,
    *,
    problem: str = "",
    vendor: str = "",
    connection: object = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "connections/link_result.html",
        {"problem": problem, "vendor": vendor, "connection": connection},
        status=status,
    )
