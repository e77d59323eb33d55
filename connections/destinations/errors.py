"""The one error type destinations raise: it says whether retrying could help."""

from __future__ import annotations


class DestinationError(Exception):
    """A failure explained for a person; `permanent` if retrying the same call won't help;
    `in_doubt` if the call may have been applied all the same (a create that timed out or got a
    500/502/504), so its records must be reconciled before they are sent again."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = True,
        status: int | None = None,
        in_doubt: bool = False,
        code: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status
        self.in_doubt = in_doubt
        self.code = code  # the vendor's error code, when it gave one


class NeedsReauthorization(DestinationError):
    """The vendor refused the refresh token: a person must reconnect (status needs_auth)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True, status=401)
