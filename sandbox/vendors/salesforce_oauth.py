"""Salesforce's OAuth 2.0 web-server flow and identity service, for the Salesforce emulator.

Docs (authorize, token, refresh; revoke; identity URL and userinfo):
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm
https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_openid.htm
Token responses carry no expires_in: a session lasts the org's timeout and its
end shows up as 401 INVALID_SESSION_ID on the API. Refresh tokens are not rotated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.emulator import Reply, json_response
from sandbox.oauth import OAuthError, TokenError
from sandbox.warehouse_data import salesforce_id

if TYPE_CHECKING:
    from sandbox.emulator import Emulator

    _Base = Emulator
else:
    _Base = object

ORG_ID = salesforce_id("00D", 4_242)
USER_ID = salesforce_id("005", 1)
ORG_NAME = "Acme Corp"
USERNAME = "admin@acme.example.com"
# Scopes that make the token endpoint hand out a refresh token.
OFFLINE_SCOPES = {"refresh_token", "offline_access"}


class SalesforceOAuth(_Base):
    """/services/oauth2/* and the identity URL; the emulator supplies the OAuth server."""

    def _is_oauth(self, request: Request) -> bool:
        """Login-host paths answer OAuth-style errors, not the REST API's JSON arrays."""
        return request.path.startswith((f"/{self.key}/services/oauth2/", f"/{self.key}/id/"))

    @property
    def instance_url(self) -> str:
        return f"{self.base_url}/instance"

    @property
    def identity_url(self) -> str:
        return f"{self.base_url}/id/{ORG_ID}/{USER_ID}"

    # -- OAuth -----------------------------------------------------------------------------
    def on_oauth_authorize(self, request: Request) -> Response:
        return self.oauth_authorize_page(request, scope="api refresh_token")

    def _signature(self, client_id: str, issued_at: str) -> str:
        """Base64 HMAC-SHA256 of identity URL + issued_at, keyed with the client secret."""
        secret = self.oauth.clients[client_id].client_secret.encode()
        digest = hmac.new(secret, (self.identity_url + issued_at).encode(), hashlib.sha256)
        return base64.b64encode(digest.digest()).decode()

    def on_oauth_token(self, request: Request) -> Response:
        params = self.body(request)
        client_id = params.get("client_id") or ""
        client_secret = params.get("client_secret") or ""
        if request.authorization and request.authorization.type == "basic":
            client_id = request.authorization.username or client_id
            client_secret = request.authorization.password or client_secret
        grant_type = params.get("grant_type", "")

        def oauth_error(error: str, description: str) -> Response:
            return json_response({"error": error, "error_description": description}, 400)

        if client_id not in self.oauth.clients:
            return oauth_error("invalid_client_id", "client identifier invalid")
        try:
            if grant_type == "authorization_code":
                code = params.get("code", "")
                entry = self.store.oauth["codes"].get(code)
                redirect_uri = params.get("redirect_uri", "")
                if entry and not entry["used"] and entry["redirect_uri"] != redirect_uri:
                    return oauth_error(
                        "redirect_uri_mismatch", "redirect_uri must match configuration"
                    )
                grant = self.oauth.exchange_code(
                    vendor=self.key,
                    policy=self.policy,
                    client_id=client_id,
                    client_secret=client_secret,
                    code=code,
                    redirect_uri=redirect_uri,
                )
            elif grant_type == "refresh_token":
                grant = self.oauth.refresh(
                    vendor=self.key,
                    policy=self.policy,
                    client_id=client_id,
                    client_secret=client_secret,
                    refresh_token=params.get("refresh_token", ""),
                )
            else:
                return oauth_error("unsupported_grant_type", "grant type not supported")
        except OAuthError as error:
            if error.error == "invalid_client":
                return oauth_error("invalid_client", "invalid client credentials")
            return oauth_error("invalid_grant", "expired access/refresh token")
        issued_at = str(int(grant.issued_at * 1000))
        body = {
            "access_token": grant.access_token,
            "signature": self._signature(client_id, issued_at),
            "scope": grant.scope,
            "instance_url": self.instance_url,
            "id": self.identity_url,
            "token_type": "Bearer",
            "issued_at": issued_at,
        }
        if grant_type == "authorization_code" and OFFLINE_SCOPES & set(grant.scope.split()):
            body["refresh_token"] = grant.refresh_token
        return json_response(body)

    def on_oauth_revoke(self, request: Request) -> Response:
        token = self.form_or_query(request, "token")
        if token and self.oauth.revoke(self.key, token):
            return Response(status=200)
        body = {
            "error": "unsupported_token_type",
            "error_description": "this token type is not supported",
        }
        return json_response(body, 400)

    def _session(self, request: Request) -> None:
        """Identity and userinfo take the token as bearer or ?access_token= (social-core)."""
        token = self.bearer(request) or self.form_or_query(request, "access_token")
        try:
            self.oauth.authenticate(self.key, token)
        except TokenError as error:
            raise Reply(
                Response("Bad_OAuth_Token", status=403, content_type="text/plain")
            ) from error

    def _urls(self) -> dict[str, str]:
        rest_base = f"{self.instance_url}/services/data/v{{version}}"
        return {
            "enterprise": f"{self.instance_url}/services/Soap/c/{{version}}/{ORG_ID[:15]}",
            "partner": f"{self.instance_url}/services/Soap/u/{{version}}/{ORG_ID[:15]}",
            "rest": f"{rest_base}/",
            "sobjects": f"{rest_base}/sobjects/",
            "query": f"{rest_base}/query/",
            "limits": f"{rest_base}/limits/",
            "profile": f"{self.instance_url}/{USER_ID}",
            "custom_domain": self.instance_url,
        }

    def on_identity(self, request: Request, org_id: str, user_id: str) -> Response:
        self._session(request)
        if (org_id, user_id) != (ORG_ID, USER_ID):
            return Response("Bad_Id", status=403, content_type="text/plain")
        user = self.table("User")[USER_ID]
        return json_response({
            "id": self.identity_url, "asserted_user": True, "user_id": USER_ID,
            "organization_id": ORG_ID, "username": USERNAME, "nick_name": "aadmin",
            "display_name": user["Name"], "email": user["Email"], "email_verified": True,
            "first_name": user["FirstName"], "last_name": user["LastName"],
            "timezone": user["TimeZoneSidKey"], "photos": {}, "mobile_phone": None,
            "status": {"created_date": None, "body": None}, "urls": self._urls(), "active": True,
            "user_type": "STANDARD", "language": "en_US", "locale": "en_US",
            "utcOffset": -28800000, "last_modified_date": user["LastModifiedDate"],
            "is_app_installed": True,
        })  # fmt: skip

    def on_userinfo(self, request: Request) -> Response:
        self._session(request)
        user = self.table("User")[USER_ID]
        return json_response({
            "sub": self.identity_url, "user_id": USER_ID, "organization_id": ORG_ID,
            "preferred_username": USERNAME, "nickname": "aadmin", "name": user["Name"],
            "email": user["Email"], "email_verified": True, "given_name": user["FirstName"],
            "family_name": user["LastName"], "zoneinfo": user["TimeZoneSidKey"], "photos": {},
            "profile": f"{self.instance_url}/{USER_ID}", "address": {}, "urls": self._urls(),
            "active": True, "user_type": "STANDARD", "language": "en_US", "locale": "en_US",
            "utcOffset": -28800000, "updated_at": user["LastModifiedDate"],
            "is_app_installed": True,
        })  # fmt: skip
