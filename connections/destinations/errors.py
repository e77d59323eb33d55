"""The one error type destinations raise: it says whether retrying could help."""

from __future__ import annotations


class DestinationError(Exception):
    """A failure explained for a person; `permanent` if retrying the same call won't help."""

    def __init__(self, message: str, *, permanent: bool = True, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status


class NeedsReauthorization(DestinationError):
    """The vendor refused the refresh token: a person must reconnect (status needs_auth)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True, status=401)
