"""The embedded OIDC provider's parts in one object with a lifecycle: options, keys, users, clients, sessions and
the login limiter (with the trusted proxies naming a login's client address), all sharing one Redis (or the in-process fallback)."""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from auth.clients import ClientRegistry
from auth.errors import Unauthenticated
from auth.keys import KeyStore, KeyStoreJwks
from auth.principal import Principal
from auth.provider.tokens import mint_access_token
from auth.proxies import TrustedProxies
from auth.ratelimit import LoginLimiter
from auth.sessions import SessionCheck, SessionStore
from auth.settings import AuthOptions
from auth.store import KeyValue, MemoryStore
from auth.user_store import Users
from auth.users import UserStore
from auth.verify import SessionBoundVerifier, TokenVerifier

__all__ = ["Provider"]


class Provider:
    def __init__(
        self,
        options: AuthOptions,
        *,
        kv: KeyValue | None = None,
        users: Users | None = None,
        clients: ClientRegistry | None = None,
        key_refresh_s: float = 10.0,
    ) -> None:
        self.options = options
        self.kv: KeyValue = kv if kv is not None else MemoryStore()
        self.users: Users = users if users is not None else UserStore.demo()
        self.clients = clients if clients is not None else ClientRegistry.from_options(options)
        self.keys = KeyStore(
            self.kv,
            alg=options.key_alg,
            max_token_ttl_s=options.max_token_ttl_s,
            refresh_s=key_refresh_s,
            rotate_every_s=options.key_rotation_s,
        )
        self.sessions = SessionStore(
            self.kv,
            session_ttl_s=options.session_ttl_s,
            code_ttl_s=options.code_ttl_s,
            refresh_idle_s=options.refresh_idle_s,
            refresh_absolute_s=options.refresh_absolute_s,
        )
        self.limiter = LoginLimiter(
            self.kv,
            window_s=options.login_window_s,
            max_per_account=options.login_max_per_account,
            max_per_ip=options.login_max_per_ip,
        )
        self.proxies = TrustedProxies(options.trusted_proxies)

    @property
    def issuer(self) -> str:
        return self.options.issuer

    def verifier(self, *, session_alive_ttl_s: float = 5.0) -> SessionBoundVerifier:
        """The gateway's verifier of this provider's access tokens: its key ring (re-read on an unknown ``kid``),
        its issuer and audience, and the login session of a token with ``sid`` still open (logout refuses it)."""
        tokens = TokenVerifier(
            KeyStoreJwks(self.keys), issuer=self.issuer, audience=self.options.audience, min_refresh_interval_s=1.0
        )
        return SessionBoundVerifier(tokens, SessionCheck(self.sessions, alive_ttl_s=session_alive_ttl_s))

    async def mint_access_token(
        self, principal: Principal, audience: str | None = None, lifetime: int | None = None
    ) -> str:
        """An access token for ``principal`` signed with the current key (CLI ``minyi token``, tests)."""
        ring = await self.keys.ring()
        ttl = min(lifetime or self.options.access_ttl_s, 900)
        return mint_access_token(
            ring, principal, issuer=self.issuer, audience=audience or self.options.audience, lifetime_s=ttl
        )

    async def read_access_token(self, token: str) -> dict[str, Any]:
        """The claims of one of this provider's own access tokens (introspection, userinfo; the gateway: auth/verify.py)."""
        ring = await self.keys.ring()
        try:
            decoded = jwt.decode(token, ring.public_key_set(), algorithms=[self.options.key_alg])
            jwt.JWTClaimsRegistry(
                leeway=30,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.options.audience},
                exp={"essential": True},
            ).validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise Unauthenticated("the access token is not valid") from error
        if decoded.header.get("typ") != "at+jwt":
            raise Unauthenticated("not an access token")
        if decoded.claims.get("exp", 0) < time.time() - 30:
            raise Unauthenticated("the access token has expired")
        return dict(decoded.claims)
