"""Settings of a system subgraph process, read once from the environment (prefix ``MINYI_``) and the CLI."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_LEGACY_PORTS", "DEFAULT_SUBGRAPH_PORTS", "SubgraphSettings"]

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
    accounts. ``person_key_secret`` must be the same in every subgraph (it makes person keys comparable) and
    must be set in production."""

    model_config = SettingsConfigDict(env_prefix="MINYI_", extra="ignore")

    legacy_url: str = ""
    legacy_username: str = "minyi-service"
    legacy_password: str = "minyi-service-pass"
    legacy_timeout_s: float = Field(2.0, gt=0, le=60)
    legacy_max_concurrency: int = Field(8, ge=1, le=256)
    person_key_secret: str = "minyi-dev-person-key-secret"
    redis_url: str = ""

    def legacy_url_for(self, system: str) -> str:
        return self.legacy_url or f"http://127.0.0.1:{DEFAULT_LEGACY_PORTS[system]}"
