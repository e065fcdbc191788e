"""Settings of a gateway process, read once from the environment (prefix ``MINYI_GATEWAY_``) and the CLI.

:class:`GatewaySettings` is pydantic (validation, environment parsing); :meth:`GatewaySettings.options` turns it
into the small frozen :class:`GatewayOptions` that is passed down, so nothing on the request path touches pydantic.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from gateway.header_rules import NO_RULES, HeaderRules, load_header_rules
from gateway.introspection import DEFAULT_INTROSPECTION_ROLES
from gateway.limits import DEFAULT_LIMITS, OperationLimits
from gateway.rate_limits import RateLimit, parse_rate
from resilience import BreakerPolicy, RetryPolicy

__all__ = ["DEFAULT_GATEWAY_PORT", "DEFAULT_OPTIONS", "GatewayOptions", "GatewaySettings"]

DEFAULT_GATEWAY_PORT = 4000
MIB = 1024 * 1024


DEFAULT_BREAKER = BreakerPolicy()  # 5 failures in a row open a subgraph's circuit for 1 s
DEFAULT_RETRY = RetryPolicy()  # a query is sent up to twice more after a broken connection or a 502/503/504


@dataclass(frozen=True, slots=True)
class GatewayOptions:
    """What the app and the pipeline need, as plain values."""

    limits: OperationLimits = DEFAULT_LIMITS
    max_body_bytes: int = MIB
    dev: bool = False
    document_cache_size: int = 2000
    plan_cache_size: int = 2000
    subgraph_timeout_s: float = 10.0
    max_subgraph_response_bytes: int = 16 * MIB  # a larger answer is dropped: the subgraph's fields null + error
    subgraph_timeouts: tuple[tuple[str, float], ...] = ()  # a subgraph's own timeout, by name
    subgraph_breaker: BreakerPolicy = DEFAULT_BREAKER
    subgraph_retry: RetryPolicy = DEFAULT_RETRY  # queries only
    merge_inflight: bool = True  # identical subgraph queries in flight share one call (same body and headers)
    subgraph_urls: tuple[tuple[str, str], ...] = field(default=())  # overrides of the supergraph's URLs
    oidc_issuer: str | None = None  # an external issuer to trust (discovery + JWKS); None: the embedded provider
    oidc_audience: str = "minyi"  # the ``aud`` access tokens must name
    oidc_require_at_jwt: bool = True  # refuse external tokens without ``typ: at+jwt`` (RFC 9068)
    holiday_dirs: tuple[Path, ...] = ()  # more holiday schedule folders (YYYY.txt 放假安排), after the shipped one
    graphiql: bool = False  # GraphiQL for browsers at GET /graphql
    introspection_roles: frozenset[str] = DEFAULT_INTROSPECTION_ROLES  # may read the schema outside dev mode
    introspection_scopes: frozenset[str] = frozenset()  # so may tokens with one of these scopes
    redis_url: str | None = None  # the shared tiers (plans, persisted queries, trusted documents, rate limits)
    plan_cache_ttl_s: int = 7 * 24 * 3600  # how long a plan stays in the shared tier
    apq: bool = True  # automatic persisted queries
    apq_ttl_s: int = 24 * 3600  # how long a registered persisted query stays in the shared tier
    trusted_documents: bool = False  # only operations of the registered manifest run (needs redis_url)
    rate_limit_user: RateLimit | None = None  # per signed-in user
    rate_limit_client: RateLimit | None = None  # per OAuth client (or apollographql-client-name)
    rate_limit_ip: RateLimit | None = None  # per client address
    trusted_proxies: tuple[str, ...] = ()  # whose X-Forwarded-For names the client address
    max_cost: int | None = None  # demand control: the largest estimated cost that runs (None: no limit)
    default_list_size: int = 10  # the size of a list whose @listSize says nothing
    header_rules: HeaderRules = NO_RULES  # which client headers go to which subgraph, and which come back


DEFAULT_OPTIONS = GatewayOptions()


class GatewaySettings(BaseSettings):
    """``supergraph`` is a file path or an http(s) URL. ``subgraphs``, when set, is a ``subgraphs.toml`` to compose
        (and recompose while running) instead. ``subgraph_urls`` overrides subgraph URLs by name
        (``MINYI_GATEWAY_SUBGRAPH_URLS='{"hotline": "http://…/graphql"}'``). ``oidc_issuer`` makes the gateway trust
    an external OIDC issuer (discovery + JWKS) instead of the embedded provider; ``oidc_audience`` is the ``aud``
    access tokens must name (``MINYI_GATEWAY_OIDC_ISSUER``, ``MINYI_GATEWAY_OIDC_AUDIENCE``); its tokens must have
    ``typ: at+jwt`` unless ``oidc_require_at_jwt`` is off (``MINYI_GATEWAY_OIDC_REQUIRE_AT_JWT=false``, for an
    issuer that does not send it). ``otlp_endpoint``
    (``MINYI_GATEWAY_OTLP_ENDPOINT``, e.g. ``http://collector:4318/v1/traces``) turns tracing on, exported over
    OTLP/HTTP. ``holiday_dirs`` (``MINYI_HOLIDAY_DIRS``, shared with the subgraphs; folders separated by
    ``os.pathsep``) adds holiday schedule folders; ``/health`` warns about a year in use that none of them, nor
    the package, covers. ``max_subgraph_response_bytes`` (``MINYI_GATEWAY_MAX_SUBGRAPH_RESPONSE_BYTES``, default
    16 MiB) caps one subgraph answer: a larger one costs that subgraph's fields, with an error naming it. ``graphiql`` (``MINYI_GATEWAY_GRAPHIQL``) serves GraphiQL to browsers at
    ``GET /graphql``; unset, it follows ``dev``. Outside dev mode only principals with a role in
    ``introspection_roles`` (``MINYI_GATEWAY_INTROSPECTION_ROLES``, space-separated, default ``admin``) or a scope
    in ``introspection_scopes`` (``MINYI_GATEWAY_INTROSPECTION_SCOPES``, default none) may introspect the schema
    and get "Did you mean …?" suggestions in errors (:mod:`gateway.introspection`).

    ``redis_url`` (``MINYI_GATEWAY_REDIS_URL``, else ``MINYI_REDIS_URL``) puts the shared tiers in Redis: query
    plans (kept ``plan_cache_ttl_s``), automatic persisted queries (``apq``, on by default, kept ``apq_ttl_s``) and
    the trusted documents; ``trusted_documents`` (``MINYI_GATEWAY_TRUSTED_DOCUMENTS``) runs only the operations
    registered with ``minyi documents push`` and needs Redis.

    ``rate_limit_user``, ``rate_limit_client``, ``rate_limit_ip`` (``MINYI_GATEWAY_RATE_LIMIT_USER`` …) are rates
    such as ``600/60s`` or ``100/1m`` (empty: no limit), token buckets in Redis when ``redis_url`` is set;
    ``trusted_proxies`` (comma-separated addresses or networks; default ``MINYI_AUTH_TRUSTED_PROXIES``) are the load
    balancers whose ``X-Forwarded-For`` names the client. ``max_cost`` (0: off) refuses operations whose estimated
    cost is larger, ``default_list_size`` sizes lists that ``@listSize`` does not. ``headers_file``
    (``MINYI_GATEWAY_HEADERS_FILE``) holds the header propagation rules (:mod:`gateway.header_rules`).

    ``subgraph_timeout_s`` bounds every subgraph call, ``subgraph_timeouts`` gives some subgraphs their own
    (``MINYI_GATEWAY_SUBGRAPH_TIMEOUTS='{"petition": 15}'``). Each subgraph has a circuit breaker:
    ``breaker_failures`` failures in a row open it, and every ``breaker_open_s`` seconds one trial call may go
    until one succeeds. Queries are retried up to ``subgraph_retries`` times after a broken connection or a
    502/503/504.

    ``workers`` (``--workers``, ``MINYI_GATEWAY_WORKERS``; 0, the default, means one per core) processes serve the
    port together (``SO_REUSEPORT``). On SIGTERM a process stops accepting and finishes its requests in flight
    within ``shutdown_timeout_s`` (``MINYI_GATEWAY_SHUTDOWN_TIMEOUT_S``, 30 s), then exits. Behind a load balancer,
    ``drain_s`` (``MINYI_GATEWAY_DRAIN_S``) first answers ``/health`` with 503 ``draining`` for that long while
    still serving, so the balancer takes the replica out before its port closes."""

    model_config = SettingsConfigDict(env_prefix="MINYI_GATEWAY_", extra="ignore")

    supergraph: str = "schema/supergraph.graphql"
    subgraphs: Path | None = None
    host: str = "127.0.0.1"
    port: int = Field(DEFAULT_GATEWAY_PORT, ge=0, le=65535)
    dev: bool = False
    max_body_bytes: int = Field(MIB, ge=1024)
    max_tokens: int = Field(20_000, ge=10)
    max_depth: int = Field(32, ge=1)
    max_aliases: int = Field(200, ge=0)
    max_root_fields: int = Field(50, ge=1)
    document_cache_size: int = Field(2000, ge=1)
    plan_cache_size: int = Field(2000, ge=1)
    subgraph_timeout_s: float = Field(10.0, gt=0, le=300)
    max_subgraph_response_bytes: int = Field(16 * MIB, ge=1024)
    subgraph_timeouts: dict[str, Annotated[float, Field(gt=0, le=300)]] = Field(default_factory=dict)
    breaker_failures: int = Field(5, ge=1, le=1000)
    breaker_open_s: float = Field(1.0, gt=0, le=600)
    subgraph_retries: int = Field(2, ge=0, le=10)
    merge_inflight: bool = True
    subgraph_urls: dict[str, str] = Field(default_factory=dict)
    oidc_issuer: str | None = Field(None, pattern=r"^https?://")
    oidc_audience: str = Field("minyi", min_length=1)
    oidc_require_at_jwt: bool = True
    otlp_endpoint: str | None = Field(None, pattern=r"^https?://")
    holiday_dirs: str = Field("", validation_alias=AliasChoices("holiday_dirs", "MINYI_HOLIDAY_DIRS"))
    graphiql: bool | None = None
    introspection_roles: str = " ".join(sorted(DEFAULT_INTROSPECTION_ROLES))
    introspection_scopes: str = ""
    redis_url: str | None = Field(
        None,
        pattern=r"^(redis|rediss|unix)://",
        validation_alias=AliasChoices("redis_url", "MINYI_GATEWAY_REDIS_URL", "MINYI_REDIS_URL"),
    )
    plan_cache_ttl_s: int = Field(7 * 24 * 3600, ge=60)
    apq: bool = True
    apq_ttl_s: int = Field(24 * 3600, ge=60)
    trusted_documents: bool = False
    rate_limit_user: str = ""
    rate_limit_client: str = ""
    rate_limit_ip: str = ""
    trusted_proxies: str = Field(
        "",
        validation_alias=AliasChoices("trusted_proxies", "MINYI_GATEWAY_TRUSTED_PROXIES", "MINYI_AUTH_TRUSTED_PROXIES"),
    )
    max_cost: int = Field(0, ge=0)
    default_list_size: int = Field(10, ge=1, le=100_000)
    headers_file: Path | None = None
    workers: int = Field(0, ge=0, le=256)  # 0: one per core
    shutdown_timeout_s: float = Field(30.0, gt=0, le=3600)
    drain_s: float = Field(0.0, ge=0, le=600)
    worker_of: int | None = None  # set by the parent of ``--workers``: this process is one of its workers
    metrics_dir: Path | None = Field(
        None, validation_alias=AliasChoices("metrics_dir", "PROMETHEUS_MULTIPROC_DIR")
    )  # the workers' shared Prometheus files

    def worker_count(self) -> int:
        """How many worker processes serve the port: ``workers``, or one per core."""
        return self.workers or os.cpu_count() or 1

    def options(self) -> GatewayOptions:
        return GatewayOptions(
            limits=OperationLimits(
                max_tokens=self.max_tokens,
                max_depth=self.max_depth,
                max_aliases=self.max_aliases,
                max_root_fields=self.max_root_fields,
            ),
            max_body_bytes=self.max_body_bytes,
            dev=self.dev,
            document_cache_size=self.document_cache_size,
            plan_cache_size=self.plan_cache_size,
            subgraph_timeout_s=self.subgraph_timeout_s,
            max_subgraph_response_bytes=self.max_subgraph_response_bytes,
            subgraph_timeouts=tuple(sorted(self.subgraph_timeouts.items())),
            subgraph_breaker=BreakerPolicy(failures=self.breaker_failures, open_s=self.breaker_open_s),
            subgraph_retry=RetryPolicy(retries=self.subgraph_retries),
            merge_inflight=self.merge_inflight,
            subgraph_urls=tuple(sorted(self.subgraph_urls.items())),
            oidc_issuer=self.oidc_issuer,
            oidc_audience=self.oidc_audience,
            oidc_require_at_jwt=self.oidc_require_at_jwt,
            holiday_dirs=tuple(Path(d) for d in self.holiday_dirs.split(os.pathsep) if d.strip()),
            graphiql=self.dev if self.graphiql is None else self.graphiql,
            introspection_roles=frozenset(self.introspection_roles.split()),
            introspection_scopes=frozenset(self.introspection_scopes.split()),
            redis_url=self.redis_url,
            plan_cache_ttl_s=self.plan_cache_ttl_s,
            apq=self.apq,
            apq_ttl_s=self.apq_ttl_s,
            trusted_documents=self.trusted_documents,
            rate_limit_user=parse_rate(self.rate_limit_user),
            rate_limit_client=parse_rate(self.rate_limit_client),
            rate_limit_ip=parse_rate(self.rate_limit_ip),
            trusted_proxies=tuple(p.strip() for p in self.trusted_proxies.split(",") if p.strip()),
            max_cost=self.max_cost or None,
            default_list_size=self.default_list_size,
            header_rules=load_header_rules(self.headers_file) if self.headers_file is not None else NO_RULES,
        )
