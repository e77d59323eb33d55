"""What Syncline knows about one tool, said in one place: its provider description.

Each vendor package holds one (`connections/destinations/<vendor>/provider.py`), as Sentry's
IntegrationProvider or healthchecks' transports do: the vendor's OAuth app and token refresher,
what a token response leaves on the Connection, how access is revoked, how the connection is
checked, the facts its page shows and the wizard's extra steps (signing in with an API key
instead of the consent page, choosing accounts after it). `registry.PROVIDERS` maps the type key
to it. The shared code (wizard, OAuth pipeline, services, selectors, templates) reads these
answers and never asks which vendor it has; tests/connections/test_no_vendor_in_shared_code.py
keeps it that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.conf import settings

from connections.destinations.tokens import Refresher, expires_at_from, token_refresher
from connections.forms import ToolStartForm
from connections.models import Connection
from connections.registry import CONNECTION_TYPES

# How a connection that signs in with a pasted key says so in its configuration.
AUTH_METHOD = "auth_method"
API_KEY = "api_key"


@dataclass(frozen=True)
class Revocation:
    """The request that ends Syncline's access at the vendor (RFC 7009 or the vendor's own)."""

    url: str
    data: dict[str, str]


@dataclass(frozen=True)
class ApiKeySignIn:
    """Signing in with an API key pasted on the start page, instead of the consent page.

    The key is checked with the vendor (the provider's `check`) before anything is saved, and
    replaces any OAuth tokens: the connection's configuration says `auth_method: api_key`.
    """

    form: type[forms.Form]  # fields `name` and `api_key`; its help text says where to find one


@dataclass(frozen=True)
class AccountChoice:
    """A wizard step after the consent: which of the vendor's accounts the connection uses.

    The choices are the destination's `parameter_values()["accounts"]`; the chosen ids are saved
    as the connection's `accounts` setting.
    """

    form: type[forms.Form]  # one field, `accounts`, built with `choices=`
    step: str  # the step's name: in the wizard's steps, as the page title and as a button
    question: str  # the page's lead, after "<name> is connected."
    none_found: str  # what to do when the vendor lists no account for the person


class ToolProvider:
    """The description every tool gives; a vendor overrides what differs from the defaults."""

    key: ClassVar[str]  # the connection type: CONNECTION_TYPES, settings.VENDORS, OAuth backend
    oauth_backend: ClassVar[str]  # dotted path of its social-auth backend (its name is `key`)
    tagline: ClassVar[str]  # what it is for, on the "New connection" card
    consent: ClassVar[str]  # what the person will allow, above "Connect with …"
    start_form: ClassVar[type[ToolStartForm]] = ToolStartForm
    api_key: ClassVar[ApiKeySignIn | None] = None
    account_choice: ClassVar[AccountChoice | None] = None
    # Token-response fields without which the connection cannot work.
    required_token_fields: ClassVar[tuple[str, ...]] = ()

    @property
    def name(self) -> str:
        return CONNECTION_TYPES[self.key].name

    def vendor_settings(self) -> dict[str, Any]:
        """URLs and the OAuth app's credentials (config/vendors.py)."""
        return settings.VENDORS[self.key]

    # -- OAuth ---------------------------------------------------------------------------------

    def uses_own_app(self, configuration: dict[str, Any]) -> bool:
        """Whether the connection signs in through an OAuth app the person set up themselves."""
        return False

    def oauth_app_configured(self, configuration: dict[str, Any]) -> bool:
        return self.uses_own_app(configuration) or bool(self.vendor_settings().get("client_id"))

    def reconnect_settings(self, connection: Connection) -> tuple[dict[str, Any], dict[str, Any]]:
        """(configuration, secrets) a Reconnect's consent needs from the saved connection."""
        return {}, {}

    def refresher(self, connection: Connection) -> Refresher:
        """How an access token is renewed: the shared refresh_token grant by default."""
        vendor = self.vendor_settings()
        return token_refresher(
            token_url=vendor["token_url"],
            client_id=vendor["client_id"],
            client_secret=vendor["client_secret"],
        )

    def token_values(self, response: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(secrets, configuration) to save from the token response of a finished consent."""
        secrets: dict[str, Any] = {"access_token": response["access_token"]}
        if response.get("refresh_token"):
            secrets["refresh_token"] = response["refresh_token"]
        expires_at = expires_at_from(response)
        if expires_at is not None:
            secrets["expires_at"] = expires_at
        return secrets, self.token_configuration(response)

    def token_configuration(self, response: dict[str, Any]) -> dict[str, Any]:
        """What else the token response leaves on the connection (an API host, a team).

        Raises DestinationError when the answer is unusable; nothing is saved then.
        """
        return {}

    def revocation(
        self, configuration: dict[str, Any], secrets: dict[str, Any]
    ) -> Revocation | None:
        """The request that revokes Syncline's access, or None where the vendor has no way,
        none is configured, or there is no OAuth token (an API key)."""
        vendor = self.vendor_settings()
        url = vendor.get("revoke_url", "")
        token = secrets.get("access_token")
        if not url or not token:
            return None
        # RFC 7009: the token and the client's credentials, form-encoded.
        data = {
            "token": token,
            "client_id": vendor.get("client_id", ""),
            "client_secret": vendor.get("client_secret", ""),
        }
        return Revocation(url, data)

    # -- health and what the connection page shows ---------------------------------------------

    def check(self, connection: Connection) -> None:
        """Raises DestinationError (NeedsReauthorization) saying what is wrong."""
        from connections.destinations.registry import destination_for

        destination_for(connection).check()

    def facts(self, connection: Connection) -> list[tuple[str, str]]:
        """(label, value) pairs for the connection page, in words; never a secret."""
        return []


def signs_in_with_api_key(connection: Connection) -> bool:
    return connection.configuration.get(AUTH_METHOD) == API_KEY
