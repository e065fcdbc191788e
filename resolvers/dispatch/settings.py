"""Settings of an outbox worker process, read once from the environment (prefix ``MINYI_``) and the CLI."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from resolvers.dispatch.saga import RetryPolicy
from resolvers.dispatch.worker import WorkerOptions

__all__ = ["WorkerSettings"]


class WorkerSettings(BaseSettings):
    """``redis_url`` is the outbox (required: the outbox lives in Redis). The legacy systems are reached at
    ``hotline_url``, ``grid_url``, ``board_url``, ``petition_url`` and ``suggestion_url`` with the service accounts the broker logs in with. ``max_attempts`` bounds the
    attempts of one step before its dispatch fails; the wait between attempts doubles from ``retry_base_s`` up to
    ``retry_cap_s``, with jitter. ``worker_metrics_port`` (``MINYI_WORKER_METRICS_PORT``, on
    ``worker_metrics_host``) serves ``/metrics`` with the outbox depth (:mod:`resolvers.dispatch.metrics`)."""

    model_config = SettingsConfigDict(env_prefix="MINYI_", extra="ignore")

    redis_url: str = "redis://127.0.0.1:6379/0"
    hotline_url: str = "http://127.0.0.1:4101"
    grid_url: str = "http://127.0.0.1:4104"
    board_url: str = "http://127.0.0.1:4103"
    petition_url: str = "http://127.0.0.1:4102"
    suggestion_url: str = "http://127.0.0.1:4105"
    legacy_username: str = "minyi-service"
    legacy_password: str = "minyi-service-pass"
    legacy_timeout_s: float = Field(5.0, gt=0, le=60)
    legacy_max_concurrency: int = Field(16, ge=1, le=256)
    worker_concurrency: int = Field(32, ge=1, le=1024)
    worker_claim_idle_ms: int = Field(5000, ge=100)
    worker_lease_ms: int = Field(15000, ge=500)
    max_attempts: int = Field(10, ge=1, le=100)
    retry_base_s: float = Field(0.5, gt=0)
    retry_cap_s: float = Field(20.0, gt=0)
    worker_metrics_port: int | None = Field(None, ge=1, le=65535)  # /metrics (outbox depth) when set
    worker_metrics_host: str = "127.0.0.1"

    def worker_options(self) -> WorkerOptions:
        return WorkerOptions(
            concurrency=self.worker_concurrency,
            claim_idle_ms=self.worker_claim_idle_ms,
            lease_ms=self.worker_lease_ms,
            retry=RetryPolicy(base_s=self.retry_base_s, cap_s=self.retry_cap_s, max_attempts=self.max_attempts),
        )
