"""A tiny OIDC issuer for tests: discovery, a JWKS that counts its requests, and signing keys that rotate.

It stands for an external issuer (the province's unified login) or for any JWKS the gateway fetches. It runs on
loopback with :func:`tests.support.servers.serve_asgi`; the counter is read from the test thread.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from joserfc import jwk, jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.support.servers import BackgroundServer, free_port, serve_asgi

AUDIENCE = "minyi"


class TinyIssuer:
    def __init__(self, issuer: str, *, alg: str = "RS256") -> None:
        self.issuer = issuer
        self.alg = alg
        self.keys: list[jwk.Key] = [self.new_key("k1")]
        self._lock = threading.Lock()
        self.jwks_requests = 0
        self.cache_control: str | None = None  # sent with the JWKS when set
        self.discovery_requests = 0

    def new_key(self, kid: str) -> jwk.Key:
        params: Any = {"kid": kid, "use": "sig", "alg": self.alg}
        if self.alg == "ES256":
            return jwk.ECKey.generate_key("P-256", parameters=params)
        if self.alg == "Ed25519":
            return jwk.OKPKey.generate_key("Ed25519", parameters=params)
        return jwk.RSAKey.generate_key(2048, parameters=params)

    def rotate(self, kid: str) -> None:
        self.keys.append(self.new_key(kid))

    def withdraw(self, kid: str) -> None:
        """Take a key out of the published key set (rotated out, or compromised)."""
        self.keys = [k for k in self.keys if k.kid != kid]

    @property
    def current(self) -> jwk.Key:
        return self.keys[-1]

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": "u-1001",
            "iat": now,
            "exp": now + 300,
            "scope": "openid appeals:read",
            "roles": ["supervisor"],
            "unit": "U-430102",
            "jurisdiction": {"admin_codes": ["430102"], "grid_codes": []},
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, key: jwk.Key | None = None, header: dict[str, Any] | None = None, **claims: Any) -> str:
        key = key or self.current
        head = {k: v for k, v in {"alg": self.alg, "kid": key.kid, "typ": "at+jwt", **(header or {})}.items() if v}
        return jwt.encode(head, self.claims(**claims), key, algorithms=[head["alg"]])

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.as_dict(private=False) for k in self.keys]}

    def app(self) -> Starlette:
        async def discovery(request: Request) -> JSONResponse:
            with self._lock:
                self.discovery_requests += 1
            return JSONResponse(
                {
                    "issuer": self.issuer,
                    "jwks_uri": f"{self.issuer}/jwks",
                    "authorization_endpoint": f"{self.issuer}/authorize",
                    "token_endpoint": f"{self.issuer}/token",
                    "id_token_signing_alg_values_supported": [self.alg],
                }
            )

        async def keys(request: Request) -> JSONResponse:
            with self._lock:
                self.jwks_requests += 1
            headers = {"Cache-Control": self.cache_control} if self.cache_control else None
            return JSONResponse(self.jwks(), headers=headers)

        return Starlette(routes=[Route("/.well-known/openid-configuration", discovery), Route("/jwks", keys)])


def serve_issuer(alg: str = "RS256") -> tuple[TinyIssuer, BackgroundServer]:
    port = free_port()
    issuer = TinyIssuer(f"http://127.0.0.1:{port}", alg=alg)
    return issuer, serve_asgi(issuer.app, port)
