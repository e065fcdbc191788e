"""Settings of a system subgraph process, read once from the environment (prefix ``MINYI_``) and the CLI."""

from __future__ import annotations

import os

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from auth.principal import ANONYMOUS, Principal
from resilience import BreakerPolicy, RetryPolicy
from resolvers.adapters.http import AdapterOptions

__all__ = ["DEFAULT_LEGACY_PORTS", "DEFAULT_SUBGRAPH_PORTS", "DEV_PERSON_KEY_SECRET", "SubgraphSettings"]

DEV_PERSON_KEY_SECRET = "minyi-dev-person-key-secret"  # public: only ever used in dev mode

DEFAULT_SUBGRAPH_PORTS = {
    "hotline": 4001,
    "petition": 4002,
    "board": 4003,
    "grid": 4004,
    "appeals": 4005,
    "suggestion": 4006,
}
DEFAULT_LEGACY_PORTS = {"hotline": 4101, "petition": 4102, "board": 4103, "grid": 4104, "suggestion": 4105}


class SubgraphSettings(BaseSettings):
    """``legacy_url`` defaults to the stand-in's default port; credentials default to the stand-ins' service
    accounts. ``person_key_secret`` (``MINYI_PERSON_KEY_SECRET``) must be the same in every subgraph (it makes
    person keys comparable). Outside dev mode it must be set, and not to the public development secret: the
    settings refuse to load without it, so a subgraph does not start. In dev mode (``dev``, ``MINYI_DEV=1``; the
    demo runs so) an unset secret is :data:`DEV_PERSON_KEY_SECRET`.

    ``dev_roles`` / ``dev_admin_codes`` (development only; empty in production): requests that carry no principal
    (no verified internal token) act as a ``minyi-dev`` principal with these space-separated roles and admin codes,
    so a demo without a login still shows data; when empty such requests are anonymous (DOMAIN.md §8: public board
    posts only).

    ``require_internal_token`` (on by default): every call must carry an internal token of the gateway
    (:mod:`auth.internal`), verified with the key set at ``internal_jwks_url`` (``MINYI_INTERNAL_JWKS_URL``); a call
    without one is refused with 401 ``UNAUTHENTICATED``. Turn it off only for a subgraph that is not behind the
    project's gateway, and in tests that call a subgraph directly.

    The cross-system ``appeals`` subgraph reads the systems named in ``appeals_systems`` (``MINYI_APPEALS_SYSTEMS``,
    space-separated: hotline petition board grid suggestion), each at ``legacy_urls[name]`` (``MINYI_LEGACY_URLS``,
    a JSON object) or its stand-in's default port, with the same service account.

    ``warning_limits`` (``MINYI_WARNING_LIMITS``, a JSON object): the three-colour warnings' limits — working days
    per appeal type (``"COMPLAINT": 15``) or per system and type (``"hotline.CONSULT": 2``), and thresholds by name
    (``"late_red_workdays"``, ``"group_size"``, ``"petition_days"`` …); the rest keep DOMAIN defaults.

    ``holiday_dirs`` (``MINYI_HOLIDAY_DIRS``, paths separated by ``os.pathsep``): folders with more holiday
    schedules (``YYYY.txt`` in the State Council's 放假安排 form), read after the shipped one.

    Each legacy system has a timeout (``legacy_timeout_s``, or its own in ``legacy_timeouts``,
    ``MINYI_LEGACY_TIMEOUTS='{"petition": 5}'``) and a circuit breaker: ``legacy_breaker_failures`` failures in a
    row open it (a call still unanswered after half its timeout counts as failed from then on, so that a system
    that hangs is recognised before the calls time out), and it lets one trial call through every
    ``legacy_breaker_open_s`` seconds until one succeeds.
    Reads are retried up to ``legacy_retries`` times after a refused connection or a 502/503/504."""

    model_config = SettingsConfigDict(env_prefix="MINYI_", extra="ignore")

    legacy_url: str = ""
    legacy_username: str = "minyi-service"
    legacy_password: str = "minyi-service-pass"
    legacy_timeout_s: float = Field(2.0, gt=0, le=60)
    legacy_max_concurrency: int = Field(8, ge=1, le=256)
    dev: bool = False
    person_key_secret: str = ""
    legacy_timeouts: dict[str, float] = Field(default_factory=dict)
    legacy_breaker_failures: int = Field(5, ge=1, le=1000)
    legacy_breaker_open_s: float = Field(1.0, gt=0, le=600)
    legacy_retries: int = Field(2, ge=0, le=10)
    redis_url: str = ""
    dev_roles: str = ""
    dev_admin_codes: str = ""
    require_internal_token: bool = True  # off only for tests and subgraphs outside the project
    internal_jwks_url: str = "http://127.0.0.1:4000/internal/jwks"  # the gateway's /internal/jwks
    internal_issuer: str = "minyi-gateway"
    # the cross-system appeals subgraph reads several legacy systems: which, and where (JSON object name → URL;
    # a system not named there is read at its stand-in's default port)
    appeals_systems: str = "hotline petition board grid suggestion"
    legacy_urls: dict[str, str] = Field(default_factory=dict)
    # 三色预警 limits of the appeals subgraph (JSON object): {"COMPLAINT": 15, "hotline.CONSULT": 2, "group_size": 5}
    warning_limits: dict[str, float] = Field(default_factory=dict)
    holiday_dirs: str = Field("", validation_alias=AliasChoices("holiday_dirs", "MINYI_HOLIDAY_DIRS"))

    @model_validator(mode="after")
    def _person_key_secret_outside_dev_mode(self) -> SubgraphSettings:
        if self.dev:
            self.person_key_secret = self.person_key_secret or DEV_PERSON_KEY_SECRET
        elif not self.person_key_secret:
            raise ValueError(
                "MINYI_PERSON_KEY_SECRET is not set: set it (the same secret in every subgraph), or run in dev "
                "mode (MINYI_DEV=1) to use the public development secret"
            )
        elif self.person_key_secret == DEV_PERSON_KEY_SECRET:
            raise ValueError(
                "MINYI_PERSON_KEY_SECRET is the public development secret: set a secret of your own outside dev "
                "mode (MINYI_DEV=1)"
            )
        return self

    def holiday_folders(self) -> list[str]:
        return [d for d in self.holiday_dirs.split(os.pathsep) if d.strip()]

    def dev_principal(self) -> Principal:
        if not self.dev_roles.strip():
            return ANONYMOUS
        jurisdiction = {"admin_codes": self.dev_admin_codes.split(), "grid_codes": []}
        return Principal.from_claims(
            {"sub": "minyi-dev", "roles": self.dev_roles.split(), "jurisdiction": jurisdiction}
        )

    def adapter_options(self, system: str, *, with_credentials: bool = True) -> AdapterOptions:
        """How to reach ``system``: its URL, the service account (unless ``with_credentials`` is off: the write
        path logs in through the credential broker), its timeout, breaker and retries."""
        timeout = self.legacy_timeouts.get(system, self.legacy_timeout_s)
        if not 0 < timeout <= 60:
            raise ValueError(f"the timeout of {system} must be over 0 and at most 60 s, not {timeout:g}")
        return AdapterOptions(
            base_url=self.legacy_url_for(system),
            username=self.legacy_username if with_credentials else "",
            password=self.legacy_password if with_credentials else "",
            timeout_s=timeout,
            max_concurrency=self.legacy_max_concurrency,
            breaker=BreakerPolicy(
                failures=self.legacy_breaker_failures, open_s=self.legacy_breaker_open_s, slow_s=timeout / 2
            ),
            retry=RetryPolicy(retries=self.legacy_retries),
        )

    def legacy_url_for(self, system: str) -> str:
        found = self.legacy_urls.get(system) or self.legacy_url
        return found or f"http://127.0.0.1:{DEFAULT_LEGACY_PORTS[system]}"
