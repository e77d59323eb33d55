"""social-django's strategy, minus Django's authentication framework.

social-django hands the token response to django.contrib.auth.authenticate(), which only reaches
backends listed in AUTHENTICATION_BACKENDS, i.e. backends that can sign people in. Ours must
never sign anyone in, so they stay out of that list and the pipeline is run directly.
"""

from __future__ import annotations

from typing import Any

from social_core.backends.base import BaseAuth
from social_django.strategy import DjangoStrategy


class ConnectionStrategy(DjangoStrategy):
    def get_backends(self) -> list[str]:
        # Each tool's provider description names its backend, so a new tool needs no setting.
        from connections.destinations.registry import tool_providers

        return [provider.oauth_backend for provider in tool_providers()]

    def authenticate(self, backend: BaseAuth, **kwargs: Any) -> Any:
        kwargs.update(strategy=self, storage=self.storage, backend=backend)
        kwargs.pop("request", None)
        # The request goes first, as django.contrib.auth.authenticate() would pass it.
        return backend.authenticate(self.request, **kwargs)
