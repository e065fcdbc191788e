"""Settings of the embedded OIDC provider, read once from the environment (prefix ``MINYI_AUTH_``) and the CLI.

:class:`AuthSettings` is pydantic (validation, environment parsing); :meth:`AuthSettings.options` turns it into the
frozen :class:`AuthOptions` that is passed down. Token lifetimes are explicit: access tokens live at most 15 minutes.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from auth.redis_client import DEFAULT_REDIS_TIMEOUT_S

__all__ = ["DEFAULT_PORTAL_REDIRECTS", "DEV_SERVICE_SECRET", "AuthOptions", "AuthSettings"]

DEFAULT_PORTAL_REDIRECTS = ("http://127.0.0.1:4000/portal/callback", "http://localhost:5173/callback")
DEFAULT_PORTAL_LOGOUT_REDIRECTS = ("http://127.0.0.1:4000/portal/", "http://localhost:5173/")
DEV_SERVICE_SECRET = "minyi-dev-service-secret"  # only ever accepted in dev mode


@dataclass(frozen=True, slots=True)
class AuthOptions:
    """What the provider needs, as plain values. Lifetimes in seconds."""

    issuer: str = "http://127.0.0.1:4000"
    audience: str = "minyi"
    access_ttl_s: int = 600
    id_ttl_s: int = 600
    refresh_idle_s: int = 8 * 3600
    refresh_absolute_s: int = 24 * 3600
    code_ttl_s: int = 60
    session_ttl_s: int = 8 * 3600
    login_window_s: int = 900
    login_max_per_account: int = 5
    login_max_per_ip: int = 20
    dev: bool = False
    key_alg: str = "RS256"
    portal_redirect_uris: tuple[str, ...] = DEFAULT_PORTAL_REDIRECTS
    portal_logout_redirect_uris: tuple[str, ...] = DEFAULT_PORTAL_LOGOUT_REDIRECTS
    service_client_secret: str | None = None
    cookie_secure: bool = False
    trusted_proxies: tuple[str, ...] = ()
    key_rotation_s: int | None = None  # rotate the signing key when the current one is this old (None: by hand)

    @property
    def oauth_base(self) -> str:
        """Where the provider's endpoints live: ``{issuer}/oauth``."""
        return self.issuer.rstrip("/") + "/oauth"

    @property
    def max_token_ttl_s(self) -> int:
        """The longest lifetime of anything a signing key signs (how long a retired key stays published)."""
        return max(self.access_ttl_s, self.id_ttl_s)


class AuthSettings(BaseSettings):
    """``issuer`` is the public base URL of the gateway (discovery lives at ``{issuer}/.well-known/…``).
    ``service_client_secret`` is the secret of the confidential service client ``minyi-service``; without it the
    client is only registered in dev mode (with a fixed development secret). ``trusted_proxies``
    (``MINYI_AUTH_TRUSTED_PROXIES``, comma-separated IPs/CIDRs or a JSON list) are the reverse proxies whose
    ``X-Forwarded-For`` names the client for the per-IP login limit (auth/proxies.py). ``redis_url`` (``MINYI_AUTH_REDIS_URL``,
    else ``MINYI_REDIS_URL``) holds sessions, keys and login limits shared by replicas; without it they live in
    process. ``redis_timeout_s`` (``MINYI_AUTH_REDIS_TIMEOUT_S``) bounds each connect and each command to that Redis:
    a Redis that does not answer costs a login or a token check this long, then an error (auth/redis_client.py).
    ``key_rotation_days`` (``MINYI_AUTH_KEY_ROTATION_DAYS``, at least an hour; unset: rotate by hand with
    ``minyi keys rotate``) rotates the signing key when the current one is that old (auth/keys.py)."""

    model_config = SettingsConfigDict(env_prefix="MINYI_AUTH_", extra="ignore")

    issuer: str = "http://127.0.0.1:4000"
    audience: str = "minyi"
    access_ttl_s: int = Field(600, ge=30, le=900)
    id_ttl_s: int = Field(600, ge=30, le=3600)
    refresh_idle_s: int = Field(8 * 3600, ge=60)
    refresh_absolute_s: int = Field(24 * 3600, ge=60)
    code_ttl_s: int = Field(60, ge=5, le=600)
    session_ttl_s: int = Field(8 * 3600, ge=60)
    login_window_s: int = Field(900, ge=1)
    login_max_per_account: int = Field(5, ge=1)
    login_max_per_ip: int = Field(20, ge=1)
    dev: bool = False
    key_alg: str = Field("RS256", pattern="^(RS256|ES256)$")
    redis_url: str | None = Field(
        None, validation_alias=AliasChoices("redis_url", "MINYI_AUTH_REDIS_URL", "MINYI_REDIS_URL")
    )
    redis_timeout_s: float = Field(DEFAULT_REDIS_TIMEOUT_S, gt=0, le=60)
    users_file: Path | None = None
    portal_redirect_uris: list[str] = Field(default_factory=lambda: list(DEFAULT_PORTAL_REDIRECTS))
    portal_logout_redirect_uris: list[str] = Field(default_factory=lambda: list(DEFAULT_PORTAL_LOGOUT_REDIRECTS))
    service_client_secret: str | None = None
    cookie_secure: bool = False
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    key_rotation_days: float | None = Field(None, ge=1 / 24)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # ValueError → a validation error naming the setting
        return value

    def options(self) -> AuthOptions:
        return AuthOptions(
            issuer=self.issuer.rstrip("/"),
            audience=self.audience,
            access_ttl_s=self.access_ttl_s,
            id_ttl_s=self.id_ttl_s,
            refresh_idle_s=self.refresh_idle_s,
            refresh_absolute_s=max(self.refresh_absolute_s, self.refresh_idle_s),
            code_ttl_s=self.code_ttl_s,
            session_ttl_s=self.session_ttl_s,
            login_window_s=self.login_window_s,
            login_max_per_account=self.login_max_per_account,
            login_max_per_ip=self.login_max_per_ip,
            dev=self.dev,
            key_alg=self.key_alg,
            portal_redirect_uris=tuple(self.portal_redirect_uris),
            portal_logout_redirect_uris=tuple(self.portal_logout_redirect_uris),
            service_client_secret=self.service_client_secret or (DEV_SERVICE_SECRET if self.dev else None),
            cookie_secure=self.cookie_secure,
            trusted_proxies=tuple(self.trusted_proxies),
            key_rotation_s=None if self.key_rotation_days is None else int(self.key_rotation_days * 86400),
        )
