"""The base of every vendor emulator: routing, JSON helpers, bearer auth, the consent page."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from string import Template
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.oauth import Grant, OAuthError, OAuthPolicy, TokenError

if TYPE_CHECKING:
    from sandbox.app import Sandbox


class Reply(Exception):
    """Raised by a handler to answer at once (an auth failure, a 429, a validation error)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body), status=status, headers=headers or {}, content_type="application/json"
    )


class Emulator:
    """One vendor. Subclasses declare `key`, `title`, `policy`, `rules()` and `on_<endpoint>`s."""

    key: ClassVar[str]
    title: ClassVar[str]
    policy: ClassVar[OAuthPolicy]
    account_label: ClassVar[str] = "account"
    # Endpoints that faults (5xx, 429, slowness) never touch: the consent page a person sees.
    fault_exempt: ClassVar[frozenset[str]] = frozenset({"oauth_authorize"})

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.store = sandbox.store
        self.oauth = sandbox.oauth
        self.url_map = Map(
            [
                Rule(f"/{self.key}{rule.rule}", endpoint=rule.endpoint, methods=rule.methods)
                for rule in self.rules()
            ],
            strict_slashes=False,
            merge_slashes=False,
        )

    # -- to implement ----------------------------------------------------------------------
    def rules(self) -> list[Rule]:
        raise NotImplementedError

    def seed(self) -> None:
        """Put the walkthroughs' records in the store (called at start and on reset)."""

    def default_account(self) -> str:
        """The vendor-side tenant a person approves access to on the consent page."""
        raise NotImplementedError

    def server_error(self, request: Request) -> Response:
        return json_response({"error": "Internal server error"}, 500)

    def rate_limited(self, request: Request, retry_after: int) -> Response:
        return json_response({"error": "Too many requests"}, 429)

    def unauthorized(self, request: Request, reason: str) -> Response:
        return json_response({"error": f"Unauthorized ({reason})"}, 401)

    # -- helpers ---------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """This vendor's root on the running sandbox, e.g. http://127.0.0.1:8900/salesloft."""
        return f"{self.sandbox.public_url}/{self.key}"

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.store.table(self.key, name)

    def next_id(self, name: str, start: int = 1) -> int:
        return self.store.next_id(self.key, name, start)

    @staticmethod
    def bearer(request: Request) -> str | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    def require_token(self, request: Request) -> dict[str, Any]:
        """The OAuth grant behind the request's bearer token, or the vendor's 401."""
        try:
            return self.oauth.authenticate(self.key, self.bearer(request))
        except TokenError as error:
            raise Reply(self.unauthorized(request, error.reason)) from error

    @staticmethod
    def body(request: Request) -> dict[str, Any]:
        """A JSON object body, or form fields (some vendors accept both)."""
        if request.mimetype == "application/json" or (
            request.data and request.data.lstrip()[:1] in (b"{", b"[")
        ):
            try:
                value = json.loads(request.get_data(as_text=True) or "{}")
            except json.JSONDecodeError as error:
                raise Reply(
                    json_response({"error": f"Malformed JSON: {error.msg}"}, 400)
                ) from error
            return value if isinstance(value, dict) else {"_list": value}
        return {key: request.form.get(key) for key in request.form}

    def form_or_query(self, request: Request, name: str) -> str:
        return request.form.get(name) or request.args.get(name) or ""

    # -- OAuth consent page (shared) -------------------------------------------------------
    def oauth_authorize_page(self, request: Request, *, scope: str = "") -> Response:
        """GET shows Allow / Deny; POST carries the decision back to the app's redirect_uri."""
        params = request.form if request.method == "POST" else request.args
        client_id = params.get("client_id", "")
        redirect_uri = params.get("redirect_uri", "")
        state = params.get("state", "")
        scope = params.get("scope", scope)
        try:
            client = self.oauth.check_authorize(client_id, redirect_uri)
            if params.get("response_type", "code") != "code":
                raise OAuthError(
                    "unsupported_response_type", "Only response_type=code is supported."
                )
        except OAuthError as error:
            return self._consent_error(error)
        if request.method == "GET":
            return self._consent_page(client.name, client_id, redirect_uri, state, scope)
        if request.form.get("decision") != "allow":
            query = {"error": "access_denied", "error_description": "The user denied access."}
        else:
            code = self.oauth.issue_code(
                vendor=self.key,
                policy=self.policy,
                client_id=client_id,
                redirect_uri=redirect_uri,
                scope=scope,
                account=self.default_account(),
            )
            query = {"code": code, **self.authorize_redirect_extras(scope)}
        if state:
            query["state"] = state
        separator = "&" if "?" in redirect_uri else "?"
        return Response(
            status=302, headers={"Location": redirect_uri + separator + urlencode(query)}
        )

    def grant(
        self, grant_type: str, *, client_id: str, client_secret: str, param: Callable[[str], str]
    ) -> Grant:
        """The token endpoint's two grants; raises OAuthError in RFC 6749 terms."""
        if grant_type == "authorization_code":
            return self.oauth.exchange_code(
                vendor=self.key,
                policy=self.policy,
                client_id=client_id,
                client_secret=client_secret,
                code=param("code"),
                redirect_uri=param("redirect_uri"),
            )
        if grant_type == "refresh_token":
            return self.oauth.refresh(
                vendor=self.key,
                policy=self.policy,
                client_id=client_id,
                client_secret=client_secret,
                refresh_token=param("refresh_token"),
            )
        raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported.")

    @staticmethod
    def oauth_error(error: OAuthError) -> Response:
        """RFC 6749 §5.2 error body."""
        return json_response(
            {"error": error.error, "error_description": error.description}, error.status
        )

    def authorize_redirect_extras(self, scope: str) -> dict[str, str]:
        """Extra query parameters the vendor adds to the redirect (Salesloft: context, scope)."""
        return {}

    def _consent_page(
        self, client_name: str, client_id: str, redirect_uri: str, state: str, scope: str
    ) -> Response:
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
            for name, value in (
                ("client_id", client_id),
                ("redirect_uri", redirect_uri),
                ("state", state),
                ("scope", scope),
                ("response_type", "code"),
            )
        )
        scopes = "".join(f"<li>{html.escape(item)}</li>" for item in scope.split() if item)
        page = CONSENT_PAGE.substitute(
            title=html.escape(self.title),
            client=html.escape(client_name),
            account=html.escape(self.default_account()),
            account_label=html.escape(self.account_label),
            scopes=f"<ul>{scopes}</ul>" if scopes else "<p>Read and write access.</p>",
            hidden=hidden,
        )
        return Response(page, content_type="text/html; charset=utf-8")

    def _consent_error(self, error: OAuthError) -> Response:
        page = ERROR_PAGE.substitute(
            title=html.escape(self.title),
            error=html.escape(error.error),
            description=html.escape(error.description),
        )
        return Response(page, status=400, content_type="text/html; charset=utf-8")


_STYLE = (
    "body{font-family:system-ui,'DejaVu Sans',sans-serif;background:#f3f4f6;margin:0;color:#111827}"
    "main{max-width:28rem;margin:4rem auto;background:#fff;border-radius:12px;padding:2rem;"
    "box-shadow:0 1px 3px rgba(0,0,0,.12)}h1{font-size:1.3rem;margin-top:0}"
    ".sandbox{font-size:.8rem;color:#6b7280;text-transform:uppercase;letter-spacing:.05em}"
    "button{font:inherit;font-weight:600;padding:.6rem 1.4rem;border-radius:6px;border:1px solid"
    " #d1d5db;background:#fff;cursor:pointer;margin-right:.5rem}"
    "button.allow{background:#2563eb;border-color:#2563eb;color:#fff}"
)
CONSENT_PAGE = Template(
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>${title} — authorize</title>"
    "<style>" + _STYLE + "</style></head><body><main>"
    "<p class='sandbox'>${title} · Syncline sandbox</p>"
    "<h1>${client} wants to access your ${title} ${account_label}</h1>"
    "<p>Signed in to <strong>${account}</strong>. It will be able to:</p>${scopes}"
    "<form method='post'>${hidden}"
    "<button class='allow' type='submit' name='decision' value='allow'>Allow</button>"
    "<button type='submit' name='decision' value='deny'>Deny</button></form>"
    "</main></body></html>"
)
ERROR_PAGE = Template(
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>${title} — error</title>"
    "<style>" + _STYLE + "</style></head><body><main>"
    "<p class='sandbox'>${title} · Syncline sandbox</p><h1>This app can't be authorized</h1>"
    "<p>${description}</p><p class='sandbox'>error: ${error}</p></main></body></html>"
)
