"""UserInfo (OIDC Core §5.3) on authlib's :class:`~authlib.oidc.core.UserInfoEndpoint`.

authlib checks the bearer token through a :class:`~authlib.oauth2.rfc6749.ResourceProtector` asking for scope
``openid``; the token validator here knows the provider's own access tokens (:class:`AccessTokenValidator`: they
verify — signature, issuer, audience, ``typ: at+jwt``, lifetime — their login session is still open, the client they
were issued to is registered and their user exists and is enabled). Access tokens carry the scope the client was
granted, ``openid`` and ``profile`` included, so a token issued without ``openid`` (a client-credentials token, a
login that did not ask for it) is refused with ``insufficient_scope``.

What the answer holds depends on the token's scope (:class:`UserClaims`): ``openid`` gives ``sub``; ``profile``
gives ``name`` and the user's post — ``roles``, ``unit`` and ``jurisdiction`` (admin and grid codes).

authlib's endpoint asks the protector for the token without naming the request (its Flask protector reads Flask's
request global); :class:`BearerProtector` is handed the request the endpoint is answering, in the worker thread
that answers it.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ClassVar

from authlib.oauth2.rfc6749 import OAuth2Request, ResourceProtector
from authlib.oauth2.rfc6750 import BearerTokenValidator, InvalidTokenError
from authlib.oidc.core import UserInfo, UserInfoEndpoint

from auth.provider.provider import Provider
from auth.provider.server import OAuthClient, ReadRequest, on_loop
from auth.provider.token_state import AccessTokenState, find_access_token
from auth.users import User

__all__ = ["AccessToken", "AccessTokenValidator", "BearerProtector", "ProviderUserInfo", "UserClaims"]


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An access token as authlib's resource protector and userinfo endpoint see it."""

    state: AccessTokenState
    client: OAuthClient | None
    user: User | None

    @property
    def scope(self) -> str:
        return self.state.get_scope()

    def get_scope(self) -> str:
        return self.state.get_scope()

    def is_expired(self) -> bool:
        return self.state.is_expired()

    def is_revoked(self) -> bool:
        return self.state.is_revoked()

    def get_client(self) -> OAuthClient | None:
        return self.client

    def get_user(self) -> User | None:
        return self.user


class AccessTokenValidator(BearerTokenValidator):  # type: ignore[misc]
    """Bearer tokens that are the provider's own access tokens, for a registered client and an enabled user."""

    def __init__(self, provider: Provider) -> None:
        super().__init__()
        self.provider = provider

    def authenticate_token(self, token_string: str) -> AccessToken | None:
        state = find_access_token(self.provider, token_string.strip())
        if state is None:
            return None
        client = self.provider.clients.get(str(state.claims.get("client_id") or ""))
        user = on_loop(self.provider.users.get_user, str(state.claims.get("sub") or ""))
        return AccessToken(state, None if client is None else OAuthClient(client), user)

    def validate_token(self, token: AccessToken | None, scopes: list[str] | None, request: OAuth2Request) -> None:
        super().validate_token(token, scopes, request)  # found, unexpired, session open, scope sufficient
        assert token is not None
        if token.client is None or token.user is None or token.user.disabled:
            raise InvalidTokenError(description="the token's client or user is no longer registered")


class BearerProtector(ResourceProtector):  # type: ignore[misc]
    """authlib's resource protector with ``acquire_token(scopes)`` for the request being answered (see the module
    docstring): :meth:`answering` names it, in the thread that then calls ``acquire_token``."""

    def __init__(self, validator: AccessTokenValidator) -> None:
        super().__init__()
        self.register_token_validator(validator)
        self._request: ContextVar[OAuth2Request | None] = ContextVar("bearer_request", default=None)

    def answering(self, request: OAuth2Request) -> None:
        self._request.set(request)

    def acquire_token(self, scopes: str | list[str] | None = None) -> AccessToken:
        request = self._request.get()
        if request is None:
            raise RuntimeError("acquire_token outside of an endpoint's answer")
        required = [scopes] if isinstance(scopes, str) else scopes
        token: AccessToken = self.validate_request(required, request)
        return token


class UserClaims(UserInfo):  # type: ignore[misc]
    """authlib's standard claims, with Minyi's post claims given by ``profile`` too."""

    SCOPES_CLAIMS_MAPPING: ClassVar[dict[str, list[str]]] = {
        **UserInfo.SCOPES_CLAIMS_MAPPING,
        "profile": [*UserInfo.SCOPES_CLAIMS_MAPPING["profile"], "roles", "unit", "jurisdiction"],
    }


class ProviderUserInfo(UserInfoEndpoint):  # type: ignore[misc]
    def __init__(self, provider: Provider) -> None:
        super().__init__(resource_protector=BearerProtector(AccessTokenValidator(provider)))
        self.provider = provider

    def create_endpoint_request(self, request: ReadRequest | OAuth2Request) -> OAuth2Request:
        oauth_request: OAuth2Request = super().create_endpoint_request(request)
        self.resource_protector.answering(oauth_request)
        return oauth_request

    def get_issuer(self) -> str:
        return self.provider.issuer

    def generate_user_info(self, user: User, scope: str) -> Any:
        claims: dict[str, Any] = {"sub": user.username, "name": user.name, "roles": [r.value for r in user.roles]}
        if user.unit:
            claims["unit"] = user.unit
        claims["jurisdiction"] = {"admin_codes": list(user.admin_codes), "grid_codes": list(user.grid_codes)}
        return UserClaims(claims).filter(scope)
