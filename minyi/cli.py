"""The ``minyi`` command: run the legacy stand-ins, the subgraphs, the gateway and the demo; print query plans;
compose the subgraphs into a supergraph and check a composition for breaking changes."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

import typer

from minyi.logs import LogFormat, configure_logging
from subgraphs.settings import DEFAULT_LEGACY_PORTS, DEFAULT_SUBGRAPH_PORTS

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Coroutine

    from auth.principal import Role
    from auth.provider import Provider
    from auth.verify import TokenVerifier
    from gateway.composition import Composed
    from gateway.pipeline import SupergraphView
    from gateway.reload import SupergraphSource
    from schema.supergraph import Supergraph
    from subgraphs.settings import SubgraphSettings

__all__ = ["app", "main"]

SYSTEMS = ("hotline", "petition", "board", "grid", "suggestion")  # suggestion: the integrator's worked example

app = typer.Typer(
    name="minyi",
    help="Minyi (民意): one GraphQL graph over a city's legacy public-appeal systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_log_format: list[LogFormat] = ["text"]  # set by the --log-format option of the minyi command itself


@app.callback()
def _options(
    log_format: Annotated[
        str,
        typer.Option(
            "--log-format",
            envvar="MINYI_LOG_FORMAT",
            help="text (for a terminal) or json (one object a line, with the request id, for a log pipeline).",
        ),
    ] = "text",
) -> None:
    if log_format not in ("text", "json"):
        raise typer.BadParameter("choose text or json", param_hint="--log-format")
    _log_format[0] = "json" if log_format == "json" else "text"


def _setup_logging(verbose: bool) -> None:
    configure_logging(verbose=verbose, format=_log_format[0])


def _check_system(name: str) -> str:
    if name not in SYSTEMS:
        raise typer.BadParameter(f"unknown system {name!r}; choose one of: {', '.join(SYSTEMS)}")
    return name


@app.command()
def legacy(
    name: Annotated[str, typer.Argument(help="Which stand-in: hotline, petition, board, grid or suggestion.")],
    port: Annotated[int | None, typer.Option(help="Port to listen on (default 4101-4105 by system).")] = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    db: Annotated[
        Path | None, typer.Option(help="SQLite file; created and seeded when empty. Default: in memory.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic city; the same seed gives the same data.")] = 1,
    people: Annotated[int, typer.Option(help="How many citizens the synthetic city has.")] = 400,
    latency_ms: Annotated[int, typer.Option(help="Injected delay before every answer, in ms.")] = 0,
    failure_rate: Annotated[float, typer.Option(help="Share of requests answered with HTTP 503 (0-1).")] = 0.0,
    pairs: Annotated[
        Path | None,
        typer.Option(
            help="Also write the seeded city's labelled pairs (duplicate / distinct, with hard negatives) to this "
            "file as JSON lines, for measuring duplicate detection (bench/dedupe.py)."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run one legacy stand-in with its own database and native protocol."""
    from legacy.standin import StandinOptions, run_standin

    _setup_logging(verbose)
    system = _check_system(name)
    if pairs is not None:
        from legacy.pairs import labelled_pairs, write_pairs
        from legacy.world import build_world

        written = write_pairs(pairs, labelled_pairs(build_world(seed, people=people), seed=seed))
        typer.echo(f"{written} labelled pairs written to {pairs}")
    options = StandinOptions(
        host=host,
        port=port or DEFAULT_LEGACY_PORTS[system],
        db=db,
        seed=seed,
        people=people,
        latency_ms=latency_ms,
        failure_rate=failure_rate,
    )
    module = importlib.import_module(f"legacy.{system}.app")
    run_standin(module.create_app(options), options)


@app.command()
def subgraph(
    name: Annotated[
        str, typer.Argument(help="Which subgraph: hotline, petition, board, grid, suggestion, or appeals.")
    ],
    port: Annotated[
        int | None, typer.Option(help="Port to listen on (default 4001-4004, appeals 4005, suggestion 4006).")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    legacy_url: Annotated[
        list[str] | None,
        typer.Option(
            help="Base URL of the legacy system (default: its stand-in's default port). For appeals, which reads "
            "several, NAME=URL, repeatable (e.g. petition=http://127.0.0.1:4102)."
        ),
    ] = None,
    systems: Annotated[
        str | None,
        typer.Option(
            help="appeals only: the systems it reads, space-separated (default: hotline petition board grid)."
        ),
    ] = None,
    redis_url: Annotated[
        str | None, typer.Option(help="Redis for the shared person directory, e.g. redis://127.0.0.1:6379/0.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run one subgraph (Strawberry, Federation v2) reading through to its legacy system; ``appeals`` reads all of
    them (the cross-system lookup).

    Other settings come from the environment: MINYI_LEGACY_USERNAME, MINYI_LEGACY_PASSWORD,
    MINYI_LEGACY_TIMEOUT_S, MINYI_LEGACY_MAX_CONCURRENCY, MINYI_PERSON_KEY_SECRET, MINYI_REDIS_URL,
    MINYI_APPEALS_SYSTEMS and MINYI_LEGACY_URLS (appeals).
    """
    from subgraphs.common.app import serve

    _setup_logging(verbose)
    system = name if name == "appeals" else _check_system(name)
    overrides: dict[str, object] = {}
    if legacy_url and system == "appeals":
        overrides["legacy_urls"] = _named_urls(legacy_url, "--legacy-url")
    elif legacy_url:
        overrides["legacy_url"] = legacy_url[-1]
    if systems is not None:
        overrides["appeals_systems"] = systems
    if redis_url:
        overrides["redis_url"] = redis_url
    settings = _subgraph_settings(**overrides)
    module = importlib.import_module(f"subgraphs.{system}.app")
    serve(module.create_app(settings), host, port or DEFAULT_SUBGRAPH_PORTS[system])


def _subgraph_settings(**overrides: object) -> SubgraphSettings:
    """The subgraph settings from the environment and ``overrides``; a setting that does not hold (no person-key
    secret outside dev mode, say) ends the command with its message, exit code 2."""
    from pydantic import ValidationError

    from subgraphs.settings import SubgraphSettings

    try:
        return SubgraphSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        for problem in error.errors():
            where = ".".join(str(part) for part in problem["loc"])
            typer.echo(f"{where + ': ' if where else ''}{problem['msg'].removeprefix('Value error, ')}", err=True)
        raise typer.Exit(2) from None


def _named_urls(values: list[str], option: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or name not in SYSTEMS or not url.startswith(("http://", "https://")):
            raise typer.BadParameter(f"{option} {value!r} is not NAME=URL with NAME one of {', '.join(SYSTEMS)}")
        found[name] = url
    return found


@app.command()
def worker(
    redis_url: Annotated[
        str | None, typer.Option(help="The outbox's Redis (default MINYI_REDIS_URL or :6379/0).")
    ] = None,
    hotline_url: Annotated[str | None, typer.Option(help="The hotline system (default 127.0.0.1:4101).")] = None,
    grid_url: Annotated[str | None, typer.Option(help="The grid system (default 127.0.0.1:4104).")] = None,
    board_url: Annotated[str | None, typer.Option(help="The message board (default 127.0.0.1:4103).")] = None,
    petition_url: Annotated[str | None, typer.Option(help="The petition system (default 127.0.0.1:4102).")] = None,
    suggestion_url: Annotated[str | None, typer.Option(help="The suggestion system (default 127.0.0.1:4105).")] = None,
    concurrency: Annotated[int | None, typer.Option(help="Dispatches applied at once by this worker.")] = None,
    metrics_port: Annotated[
        int | None, typer.Option(help="Serve /metrics (the outbox depth, this worker's counts) on this port.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run one outbox worker: apply accepted writes to the legacy systems (any number may run at once).

    Other settings come from the environment: MINYI_LEGACY_USERNAME, MINYI_LEGACY_PASSWORD, MINYI_LEGACY_TIMEOUT_S,
    MINYI_MAX_ATTEMPTS, MINYI_RETRY_BASE_S, MINYI_RETRY_CAP_S, MINYI_WORKER_CLAIM_IDLE_MS, MINYI_WORKER_LEASE_MS.
    """
    from resolvers.dispatch.process import run_worker
    from resolvers.dispatch.settings import WorkerSettings

    _setup_logging(verbose)
    overrides: dict[str, object] = {
        k: v
        for k, v in (
            ("redis_url", redis_url),
            ("hotline_url", hotline_url),
            ("grid_url", grid_url),
            ("board_url", board_url),
            ("petition_url", petition_url),
            ("suggestion_url", suggestion_url),
            ("worker_concurrency", concurrency),
            ("worker_metrics_port", metrics_port),
        )
        if v is not None
    }
    asyncio.run(run_worker(WorkerSettings(**overrides)))  # type: ignore[arg-type]


@app.command()
def demo(
    data_dir: Annotated[Path, typer.Option(help="Where the stand-ins keep their SQLite files.")] = Path(".minyi/demo"),
    seed: Annotated[int, typer.Option(help="Seed of the synthetic city.")] = 1,
    port_offset: Annotated[
        int, typer.Option(help="Add this to every default port (to run a second demo beside the first).")
    ] = 0,
    start_timeout_s: Annotated[
        float,
        typer.Option(
            help="How long every process together may take to answer its health check before the demo gives up."
        ),
    ] = 180.0,
    redis_url: Annotated[
        str | None,
        typer.Option(
            help="The Redis every process shares (logins, the person directory, the outbox of writes); by default "
            "redis://127.0.0.1:6379/0 when it answers, else none."
        ),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Start the five legacy stand-ins, the five system subgraphs, the cross-system appeals subgraph and the gateway,
    print their URLs, stop them all on Ctrl-C."""
    from minyi.demo import run_demo

    _setup_logging(verbose)
    raise typer.Exit(
        run_demo(
            data_dir=data_dir,
            seed=seed,
            port_offset=port_offset,
            start_timeout_s=start_timeout_s,
            redis_url=redis_url,
        )
    )


def _subgraph_url_overrides(values: list[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for value in values:
        name, sep, url = value.partition("=")
        if not sep or not name or not url.startswith(("http://", "https://")):
            raise typer.BadParameter(f"{value!r} is not NAME=URL (e.g. hotline=http://127.0.0.1:4001/graphql)")
        overrides[name] = url
    return overrides


def _load_supergraph_or_exit(source: str) -> Supergraph:
    """The supergraph at ``source`` (file or URL), or a clear message and exit code 1."""
    from gateway.source import SupergraphSourceError, read_supergraph_source
    from schema.errors import SupergraphError
    from schema.supergraph import load_supergraph

    try:
        return load_supergraph(read_supergraph_source(source))
    except (SupergraphSourceError, SupergraphError) as error:
        typer.echo(f"cannot load the supergraph: {error}", err=True)
        raise typer.Exit(1) from None


def _compose_or_exit(config_path: Path, timeout_s: float) -> Composed:
    """Read the config and every subgraph's SDL and compose them; on any problem, a report and exit code 1."""
    from gateway.composition import compose_subgraphs, default_compose, format_problems
    from gateway.subgraph_config import SubgraphConfigError, load_subgraph_config

    try:
        config = load_subgraph_config(config_path)
    except SubgraphConfigError as error:
        typer.echo(f"cannot read the subgraphs: {error}", err=True)
        raise typer.Exit(1) from None
    try:
        compose = default_compose()
    except ImportError as error:
        typer.echo(f"composition is not available in this installation: {error}", err=True)
        raise typer.Exit(1) from None
    composed = asyncio.run(compose_subgraphs(config, compose, timeout_s=timeout_s))
    if not composed.ok:
        typer.echo(format_problems(composed) or "composition produced no supergraph", err=True)
        raise typer.Exit(1)
    return composed


def _load_composed_or_exit(sdl: str) -> Supergraph:
    from schema.errors import SupergraphError
    from schema.supergraph import load_supergraph

    try:
        return load_supergraph(sdl)
    except SupergraphError as error:
        typer.echo(f"the composed supergraph cannot be loaded (a composer bug): {error}", err=True)
        raise typer.Exit(1) from None


ConfigOption = Annotated[
    Path, typer.Option("--config", "-c", help="The subgraphs: a TOML file with [subgraphs.NAME] url = / sdl = .")
]
TimeoutOption = Annotated[float, typer.Option("--timeout", help="Seconds to wait for each subgraph's SDL.")]


@app.command()
def compose(
    config: ConfigOption = Path("subgraphs.toml"),
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the supergraph SDL here (default: standard output).")
    ] = None,
    timeout: TimeoutOption = 10.0,
) -> None:
    """Compose the subgraphs named in CONFIG (SDL files, or `_service { sdl }` from their URLs) into a supergraph.

    Exits 1 with every composition error, grouped by subgraph, type and field, when they do not compose.
    """
    composed = _compose_or_exit(config, timeout)
    sdl = composed.supergraph_sdl
    assert sdl is not None
    loaded = _load_composed_or_exit(sdl)
    names = ", ".join(s.name for s in composed.sdls)
    if output is None:
        typer.echo(sdl, nl=not sdl.endswith("\n"))
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(sdl, encoding="utf-8")
        typer.echo(f"composed {names} into {output} (schema {loaded.schema_hash[:12]})", err=True)


@app.command()
def check(
    config: ConfigOption = Path("subgraphs.toml"),
    against: Annotated[Path, typer.Option(help="The supergraph clients rely on today (the checked-in one).")] = Path(
        "schema/supergraph.graphql"
    ),
    timeout: TimeoutOption = 10.0,
) -> None:
    """Check that the subgraphs in CONFIG compose and that the result breaks no client of AGAINST.

    Exits 1 on composition errors or breaking changes (removed types, fields, arguments or enum values, changed
    types, narrowed nullability, new required arguments…); dangerous changes are listed but do not fail.
    """
    from schema.breaking import find_schema_changes, format_changes
    from schema.errors import SupergraphError
    from schema.supergraph import load_supergraph

    composed = _compose_or_exit(config, timeout)
    sdl = composed.supergraph_sdl
    assert sdl is not None
    new = _load_composed_or_exit(sdl)
    try:
        old = load_supergraph(against.read_text(encoding="utf-8"))
    except FileNotFoundError:
        typer.echo(f"there is no supergraph at {against} to check against", err=True)
        raise typer.Exit(1) from None
    except (OSError, UnicodeDecodeError, SupergraphError) as error:
        typer.echo(f"cannot load the supergraph {against}: {error}", err=True)
        raise typer.Exit(1) from None
    changes = find_schema_changes(old.api_schema, new.api_schema)
    typer.echo(f"the subgraphs compose ({', '.join(s.name for s in composed.sdls)}); compared with {against}:")
    typer.echo(format_changes(changes))
    if new.schema_hash != old.schema_hash:
        typer.echo(f"note: {against} differs from the composed supergraph; `minyi compose -o {against}` updates it")
    if any(c.severity == "breaking" for c in changes):
        raise typer.Exit(1)


def _start_from_subgraphs(config_path: Path, timeout_s: float) -> tuple[SupergraphView, SupergraphSource]:
    """The first composed supergraph and the source that recomposes it while the gateway runs (or exit 1)."""
    from gateway.reload import ReloadError, SupergraphSource

    source = SupergraphSource(config_path, timeout_s=timeout_s, handle_sighup=True)
    try:
        initial = asyncio.run(source.load_initial())
    except ReloadError as error:
        typer.echo(f"cannot compose the subgraphs of {config_path}:\n{error}", err=True)
        raise typer.Exit(1) from None
    except ImportError as error:
        typer.echo(f"composition is not available in this installation: {error}", err=True)
        raise typer.Exit(1) from None
    return initial, source


def _external_verifier(issuer: str | None, audience: str, require_at_jwt: bool = True) -> TokenVerifier | None:
    """The verifier for ``--oidc-issuer`` (discovery + JWKS, fetched on first use), or ``None`` without one."""
    if issuer is None:
        return None
    from auth.discovery import external_verifier

    logging.getLogger("minyi.gateway").info("trusting access tokens of the external issuer %s", issuer)
    return external_verifier(issuer, audience, require_access_token_type=require_at_jwt)


def _embedded_provider(host: str, port: int) -> tuple[Provider, list[Callable[[], Awaitable[object]]]]:
    """The embedded OIDC provider of a gateway at ``host:port``: issuer = MINYI_AUTH_ISSUER or the gateway's URL;
    sessions, keys and login limits in Redis (MINYI_AUTH_REDIS_URL / MINYI_REDIS_URL) or, without one, in process."""
    from auth.provider import Provider
    from auth.settings import AuthSettings
    from auth.store import MemoryStore

    log = logging.getLogger("minyi.gateway")
    auth = AuthSettings.model_validate({})
    if "issuer" not in auth.model_fields_set:
        public_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        auth.issuer = f"http://{public_host}:{port}"
    if "portal_redirect_uris" not in auth.model_fields_set:
        auth.portal_redirect_uris = [*auth.portal_redirect_uris, f"{auth.issuer.rstrip('/')}/portal/callback"]
    if "portal_logout_redirect_uris" not in auth.model_fields_set:
        auth.portal_logout_redirect_uris = [*auth.portal_logout_redirect_uris, f"{auth.issuer.rstrip('/')}/portal/"]
    closers: list[Callable[[], Awaitable[object]]] = []
    users: object = None
    kv: object
    if auth.redis_url:
        from auth.redis_client import open_redis
        from auth.user_store import RedisUserStore

        client = open_redis(auth.redis_url, timeout_s=auth.redis_timeout_s)
        kv = client
        users = RedisUserStore(client, dev=auth.dev)  # shared by replicas; demo users when empty in dev mode
        closers.append(client.aclose)
        where = auth.redis_url.rpartition("@")[2]  # never the password of a redis://user:pass@host URL
        log.info("login sessions, signing keys and login limits in Redis %s (shared by replicas)", where)
    else:
        kv = MemoryStore()
        users = _file_users(None)
        log.info(
            "login sessions, signing keys and login limits in process (no MINYI_REDIS_URL): one replica only, "
            "and a restart logs everyone out"
        )
    provider = Provider(auth.options(), kv=kv, users=users)  # type: ignore[arg-type]
    log.info(
        "embedded OIDC provider: issuer %s, login at %s/authorize%s",
        provider.issuer,
        provider.options.oauth_base,
        " (dev mode)" if provider.options.dev else "",
    )
    return provider, closers


@app.command()
def gateway(
    supergraph: Annotated[
        str | None, typer.Option(help="Supergraph SDL: a file path or an http(s) URL (read once at start).")
    ] = None,
    subgraphs: Annotated[
        Path | None,
        typer.Option(
            help="Compose the subgraphs of this TOML file instead of reading a supergraph, recompose every "
            "poll_interval_s and on SIGHUP, and swap to a changed schema while serving."
        ),
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (default 4000).")] = None,
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    dev: Annotated[
        bool, typer.Option("--dev", help="Development mode: header X-Minyi-Plan: 1 returns the query plan.")
    ] = False,
    subgraph_url: Annotated[
        list[str] | None,
        typer.Option("--subgraph-url", help="NAME=URL: call subgraph NAME at URL instead (repeatable)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every request (DEBUG).")] = False,
    oidc_issuer: Annotated[
        str | None,
        typer.Option(
            "--oidc-issuer",
            help="Trust this external OIDC issuer (discovery + JWKS) for access tokens; the embedded provider is "
            "then off.",
        ),
    ] = None,
    no_merge_inflight: Annotated[
        bool,
        typer.Option(
            "--no-merge-inflight",
            help="Send every subgraph query, even while an identical one (same body, same headers: the same user) "
            "is in flight; by default such queries share one call.",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=0,
            help="Processes serving the port together (SO_REUSEPORT); 0 or left out: one per core. Without Redis "
            "(MINYI_REDIS_URL) the embedded login keeps its sessions in process, so it runs one.",
        ),
    ] = None,
) -> None:
    """Run the federation gateway: one GraphQL endpoint (/graphql) over the supergraph's subgraphs.

    Other settings come from the environment (prefix MINYI_GATEWAY_): MAX_BODY_BYTES, MAX_TOKENS, MAX_DEPTH,
    MAX_ALIASES, MAX_ROOT_FIELDS, SUBGRAPH_TIMEOUT_S, SUBGRAPH_TIMEOUTS, SUBGRAPH_RETRIES, BREAKER_FAILURES,
    BREAKER_OPEN_S, DOCUMENT_CACHE_SIZE, PLAN_CACHE_SIZE, SUBGRAPHS, OIDC_ISSUER, OIDC_AUDIENCE, MERGE_INFLIGHT;
    REDIS_URL (or MINYI_REDIS_URL: shared plans, persisted queries, trusted documents), PLAN_CACHE_TTL_S, APQ,
    APQ_TTL_S, TRUSTED_DOCUMENTS; RATE_LIMIT_USER, RATE_LIMIT_CLIENT, RATE_LIMIT_IP (e.g. 600/60s), TRUSTED_PROXIES;
    MAX_COST, DEFAULT_LIST_SIZE (demand control); HEADERS_FILE (header propagation rules); WORKERS,
    SHUTDOWN_TIMEOUT_S, DRAIN_S. On SIGTERM the gateway stops accepting, finishes the requests in flight within
    SHUTDOWN_TIMEOUT_S (30 s) and exits; with DRAIN_S it first answers /health with 503 for that long while still
    serving, so that a load balancer stops sending before the port closes.
    """
    import uvicorn

    from gateway.app import create_app
    from gateway.settings import GatewaySettings

    _setup_logging(verbose)
    if subgraphs is not None and supergraph is not None:
        raise typer.BadParameter("give either --supergraph or --subgraphs, not both")
    if subgraphs is not None and subgraph_url:
        raise typer.BadParameter("with --subgraphs, set each subgraph's url in the subgraphs file")
    overrides: dict[str, object] = {}
    if supergraph is not None:
        overrides["supergraph"] = supergraph
    if subgraphs is not None:
        overrides["subgraphs"] = subgraphs
    if port is not None:
        overrides["port"] = port
    if host is not None:
        overrides["host"] = host
    if dev:
        overrides["dev"] = True
    if oidc_issuer is not None:
        overrides["oidc_issuer"] = oidc_issuer
    if no_merge_inflight:
        overrides["merge_inflight"] = False
    if workers is not None:
        overrides["workers"] = workers
    settings = GatewaySettings(**overrides)  # type: ignore[arg-type]
    shared = _shared_store_url()
    if settings.worker_of is None:
        count = settings.worker_count()
        if count > 1 and shared is None:
            logging.getLogger("minyi.gateway").warning(
                "one worker process, not %d: without Redis (MINYI_REDIS_URL) login sessions, signing keys and the "
                "internal key live in process and cannot be shared by workers",
                count,
            )
        elif count > 1:
            import os
            import sys

            from minyi.workers import run_workers

            argv = [sys.executable, "-m", "minyi.cli", *sys.argv[1:]]
            raise typer.Exit(
                run_workers(
                    count,
                    argv,
                    os.environ,
                    shutdown_timeout_s=settings.shutdown_timeout_s,
                    drain_s=settings.drain_s,
                )
            )
    if supergraph is not None:
        settings.subgraphs = None  # --supergraph wins over MINYI_GATEWAY_SUBGRAPHS
    if subgraph_url:
        settings.subgraph_urls = {**settings.subgraph_urls, **_subgraph_url_overrides(subgraph_url)}
    source: SupergraphSource | None = None
    loaded: SupergraphView
    if settings.subgraphs is not None:
        loaded, source = _start_from_subgraphs(settings.subgraphs, settings.subgraph_timeout_s)
    else:
        loaded = _load_supergraph_or_exit(settings.supergraph)
    provider: Provider | None = None
    closers: list[Callable[[], Awaitable[object]]] = []
    if settings.oidc_issuer is None:
        provider, closers = _embedded_provider(settings.host, settings.port)
    tracer = None
    if settings.otlp_endpoint is not None:
        from gateway.tracing import otlp_tracer

        tracer, tracer_provider = otlp_tracer(settings.otlp_endpoint)
        closers.append(lambda: asyncio.to_thread(tracer_provider.shutdown))  # flushes the last batch of spans
    redis_client = None
    if settings.redis_url:
        from redis.asyncio import Redis

        redis_client = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        closers.append(redis_client.aclose)
    minter = None if shared is None else asyncio.run(_shared_minter(shared))
    metrics = None
    if settings.metrics_dir is not None:
        from gateway.metrics import GatewayMetrics

        metrics = GatewayMetrics(multiprocess_dir=settings.metrics_dir)
    try:
        options = settings.options()
        asgi = create_app(
            loaded,
            options,
            redis=redis_client,
            watch=source.watch if source is not None else None,
            verifier=_external_verifier(options.oidc_issuer, options.oidc_audience, options.oidc_require_at_jwt),
            provider=provider,
            on_close=closers,
            tracer=tracer,
            minter=minter,
            metrics=metrics,
        )
    except ValueError as error:
        typer.echo(f"cannot start the gateway: {error}", err=True)
        raise typer.Exit(1) from None
    loop = "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"
    logging.getLogger("minyi.gateway").info(
        "gateway on http://%s:%d/graphql over %s (schema %s)%s",
        settings.host,
        settings.port,
        f"the subgraphs of {settings.subgraphs} (recomposed every {source.poll_interval_s:g} s and on SIGHUP)"
        if source is not None
        else settings.supergraph,
        loaded.schema_hash[:12],
        " in dev mode" if settings.dev else "",
    )
    _log_executor_mode()
    # the schema, caches and plans frozen out of the collector's reach (full collections walked them on every
    # request: ~10% of gateway CPU, bench/overhead.py), young collections every 50,000 allocations
    from subgraphs.common.heap import settle_heap

    settle_heap()
    config = uvicorn.Config(
        asgi,
        host=settings.host,
        port=settings.port,
        loop=loop,
        proxy_headers=False,
        http=_http_protocol(),
        log_level="debug" if verbose else "warning",
        access_log=False,
        timeout_graceful_shutdown=int(max(1, settings.shutdown_timeout_s)),  # then open requests are cancelled
    )
    from minyi.workers import DrainingServer

    server = DrainingServer(config, drain_s=settings.drain_s, on_drain=lambda: setattr(asgi.state, "draining", True))
    if settings.worker_of is not None:  # one of --workers: the port is shared with the other workers
        from minyi.workers import reuse_port_socket

        server.run(sockets=[reuse_port_socket(settings.host, settings.port)])
    else:
        server.run()


def _http_protocol() -> type[asyncio.Protocol] | Literal["h11"]:
    """httptools with each answer's head and body in one write (one send() and one wake-up of the client per
    answer, as the subgraphs do), else h11."""
    if importlib.util.find_spec("httptools") is None:
        return "h11"
    from subgraphs.common.http_protocol import HeadWithBodyProtocol

    return HeadWithBodyProtocol


def _log_executor_mode() -> None:
    """One line: whether the executor's hot path runs compiled (``bash scripts/native.sh``) or as pure Python."""
    from gateway.executor.native import native_status

    status = native_status()
    log = logging.getLogger("minyi.gateway")
    if status.stale:
        log.warning(
            "executor: %s, but %s changed after the build and run the old code: "
            "`bash scripts/native.sh` again (or --clean for pure Python)",
            status.mode,
            ", ".join(f"gateway/executor/{name}.py" for name in status.stale),
        )
    else:
        log.info("executor: %s", status.mode)


def _shared_store_url() -> str | None:
    """The Redis that replicas and workers share (MINYI_AUTH_REDIS_URL / MINYI_REDIS_URL), if any."""
    from auth.settings import AuthSettings

    return AuthSettings.model_validate({}).redis_url or None


async def _shared_minter(redis_url: str) -> Any:
    """The internal-token minter with the key every replica and worker shares in Redis, so that a subgraph
    verifies the tokens of each with the one key set it fetches."""
    from redis.asyncio import Redis

    from auth.internal import InternalTokenMinter

    client = Redis.from_url(redis_url)
    try:
        return await InternalTokenMinter.from_store(client)  # type: ignore[arg-type]  # redis-py fits KeyValue
    finally:
        await client.aclose()


@app.command()
def plan(
    query: Annotated[str, typer.Argument(help="The GraphQL operation to plan.")],
    supergraph: Annotated[str, typer.Option(help="Supergraph SDL: a file path or an http(s) URL.")],
    operation_name: Annotated[str | None, typer.Option(help="Which operation of the document to plan.")] = None,
) -> None:
    """Print the query plan the gateway would run for QUERY (validated against the supergraph's API schema)."""
    from graphql import GraphQLError, parse, validate

    loaded = _load_supergraph_or_exit(supergraph)
    try:
        document = parse(query)
    except GraphQLError as error:
        typer.echo(f"cannot parse the query: {error.message}", err=True)
        raise typer.Exit(1) from None
    invalid = validate(loaded.api_schema, document)
    if invalid:
        for problem in invalid:
            typer.echo(f"invalid: {problem.message}", err=True)
        raise typer.Exit(1)
    from gateway.planner import build_query_plan, print_plan

    try:
        built = build_query_plan(loaded, document, operation_name)
    except Exception as error:
        typer.echo(f"cannot plan the query: {error}", err=True)
        raise typer.Exit(1) from None
    typer.echo(print_plan(built))


# --- the duplicate-detection index (resolvers/dedupe/) --------------------------------------------------------
index_app = typer.Typer(
    help="The duplicate-detection index in Redis: keys, fingerprints and times of every appeal, no personal data.",
    no_args_is_help=True,
)
app.add_typer(index_app, name="index")


@index_app.command("rebuild")
def index_rebuild(
    redis_url: Annotated[
        str | None, typer.Option(help="The index's Redis (default MINYI_REDIS_URL or redis://127.0.0.1:6379/0).")
    ] = None,
    legacy_url: Annotated[
        list[str] | None,
        typer.Option(help="NAME=URL of a legacy system (repeatable; default: each stand-in's default port)."),
    ] = None,
    systems: Annotated[
        str | None, typer.Option(help="The systems to read, space-separated (default: all five).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Read every appeal of the legacy systems and index it for duplicate detection, with a progress bar; the
    appeals subgraph keeps the index up to date afterwards from what it reads and writes."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from resolvers.adapters.http import close_shared_session
    from resolvers.dedupe.index import IndexUnavailable, RedisIndex
    from resolvers.dedupe.rebuild import rebuild_index
    from resolvers.domain import SourceSystem
    from resolvers.persons import connect_redis
    from subgraphs.appeals.app import SYSTEM_NAMES, sources_for
    from subgraphs.settings import SubgraphSettings

    _setup_logging(verbose)
    overrides: dict[str, object] = {}
    if legacy_url:
        overrides["legacy_urls"] = _named_urls(legacy_url, "--legacy-url")
    if systems is not None:
        overrides["appeals_systems"] = systems
    settings = SubgraphSettings(**overrides)  # type: ignore[arg-type]
    url = redis_url or settings.redis_url or "redis://127.0.0.1:6379/0"
    names = {system: name for name, system in SYSTEM_NAMES.items()}

    async def run() -> int:
        redis = connect_redis(url)
        sources = sources_for(settings)
        try:
            with Progress(
                TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
            ) as bar:
                tasks = {s: bar.add_task(names[s], total=None) for s in sources}

                def advance(system: SourceSystem, count: int) -> None:
                    bar.update(tasks[system], advance=count)

                done = await rebuild_index(sources, RedisIndex(redis), advance)
                for system in sources:
                    bar.update(tasks[system], total=done.indexed.get(system, 0))
        except IndexUnavailable as exc:
            typer.echo(f"INDEX_UNAVAILABLE: {exc}", err=True)
            return 1
        finally:
            await redis.aclose()
            await close_shared_session()
        for system, error in done.failed.items():
            typer.echo(f"{names[system]}: not indexed ({error.code})", err=True)
        typer.echo(f"indexed {sum(done.indexed.values())} appeals into {url}")
        return 1 if done.failed else 0

    raise typer.Exit(asyncio.run(run()))


# --- signing keys of the embedded OIDC provider (auth/keys.py) -------------------------------------------------
keys_app = typer.Typer(
    help="The embedded OIDC provider's signing keys, in Redis (minyi:jwks:keyset) shared by every gateway replica.",
    no_args_is_help=True,
)
app.add_typer(keys_app, name="keys")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Make a new current signing key. The old one stays published until every token it signed has expired, so
    those tokens keep working; the gateways sign with the new key within seconds (they re-read the key set every
    10 s). Needs MINYI_REDIS_URL (or MINYI_AUTH_REDIS_URL): without Redis the keys live in the gateway process,
    and MINYI_AUTH_KEY_ROTATION_DAYS is how they rotate there."""
    from redis.exceptions import RedisError

    from auth.keys import KeyStore
    from auth.redis_client import open_redis
    from auth.settings import AuthSettings

    settings = AuthSettings.model_validate({})
    if not settings.redis_url:
        typer.echo(
            "no MINYI_REDIS_URL: the signing keys live in the gateway process, where MINYI_AUTH_KEY_ROTATION_DAYS "
            "rotates them",
            err=True,
        )
        raise typer.Exit(2)
    options = settings.options()
    redis_url = settings.redis_url

    async def rotate() -> tuple[str, list[tuple[str, int | None]]]:
        client = open_redis(redis_url, timeout_s=settings.redis_timeout_s)
        try:
            store = KeyStore(client, alg=options.key_alg, max_token_ttl_s=options.max_token_ttl_s)  # type: ignore[arg-type]
            ring = await store.rotate()
            return ring.current.kid, [(k.kid, k.publish_until) for k in ring.keys if k.retired_at is not None]
        finally:
            await client.aclose()

    try:
        current, retired = asyncio.run(rotate())
    except RedisError as error:
        typer.echo(f"the key store in Redis is unavailable ({type(error).__name__})", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"current signing key: {current}")
    for kid, until in retired:
        typer.echo(f"retired, published until {until} (its tokens have expired by then): {kid}")


# --- trusted documents of the gateway (gateway/manifest.py, gateway/document_stores.py) ------------------------
documents_app = typer.Typer(
    help="Manage the gateway's trusted documents: the operations that run when MINYI_GATEWAY_TRUSTED_DOCUMENTS is on, "
    "registered in Redis (MINYI_GATEWAY_REDIS_URL or MINYI_REDIS_URL) for every replica.",
    no_args_is_help=True,
)
app.add_typer(documents_app, name="documents")


@documents_app.command("push")
def documents_push(
    file: Annotated[
        Path, typer.Argument(help="A manifest: Apollo's persisted query manifest, or a JSON id → text map.")
    ],
    redis_url: Annotated[
        str | None, typer.Option(help="The gateway's Redis (default MINYI_GATEWAY_REDIS_URL or MINYI_REDIS_URL).")
    ] = None,
) -> None:
    """Register the operations of FILE as trusted documents (added to those already registered)."""
    from redis.asyncio import Redis

    from gateway.document_stores import DocumentStoreUnavailable, RedisTrustedDocuments
    from gateway.manifest import ManifestError, read_manifest
    from gateway.settings import GatewaySettings

    try:
        documents = read_manifest(file.read_bytes())
    except OSError as error:
        typer.echo(f"cannot read {file}: {error.strerror}", err=True)
        raise typer.Exit(1) from None
    except ManifestError as error:
        typer.echo(f"refused {file}: {error}", err=True)
        raise typer.Exit(1) from None
    url = redis_url or GatewaySettings().redis_url  # type: ignore[call-arg]
    if not url:
        typer.echo("refused: no Redis to register in (set MINYI_GATEWAY_REDIS_URL or pass --redis-url)", err=True)
        raise typer.Exit(1)

    async def push() -> tuple[int, int]:
        client = Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        try:
            store = RedisTrustedDocuments(client)
            added = await store.push(documents)
            return added, await store.count()
        finally:
            await client.aclose()

    try:
        added, _ = asyncio.run(push())
    except DocumentStoreUnavailable as error:
        typer.echo(f"the trusted documents in Redis are unavailable ({error})", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{len(documents)} operation(s) registered from {file} ({added} new)")


# --- users and dev tokens of the embedded OIDC provider (auth/) ------------------------------------------------
users_app = typer.Typer(
    help="Manage the embedded OIDC provider's users: in Redis (minyi:users) when MINYI_REDIS_URL is set, else in "
    "MINYI_AUTH_USERS_FILE; --file always edits that file.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")
UsersFile = Annotated[
    Path | None,
    typer.Option(
        "--file",
        help="A JSON user store (default: Redis when MINYI_REDIS_URL is set, else MINYI_AUTH_USERS_FILE or "
        ".minyi/users.json).",
    ),
]
T = TypeVar("T")


def _file_users(path: Path | None) -> object:
    from auth.settings import AuthSettings
    from auth.users import UserStore

    return UserStore.demo(path or AuthSettings.model_validate({}).users_file or Path(".minyi/users.json"))


def _with_users(path: Path | None, action: Callable[[Any], Coroutine[Any, Any, T]]) -> T:
    """Run ``action`` on the configured user store (auth.user_store.Users): ``path``'s file when given, else Redis
    when MINYI_REDIS_URL is set, else the users file."""
    from redis.exceptions import RedisError

    from auth.redis_client import open_redis
    from auth.settings import AuthSettings
    from auth.user_store import RedisUserStore

    settings = AuthSettings.model_validate({})
    if path is not None or not settings.redis_url:
        return asyncio.run(action(_file_users(path)))
    redis_url = settings.redis_url

    async def run() -> T:
        client = open_redis(redis_url, timeout_s=settings.redis_timeout_s)
        try:
            return await action(RedisUserStore(client, dev=settings.dev))
        finally:
            await client.aclose()

    try:
        return asyncio.run(run())
    except RedisError as error:
        typer.echo(f"the user store in Redis is unavailable ({type(error).__name__})", err=True)
        raise typer.Exit(1) from None


def _roles(values: list[str]) -> tuple[Role, ...]:
    from auth.principal import Role

    try:
        return tuple(Role(v) for v in values)
    except ValueError:
        raise typer.BadParameter(f"roles are: {', '.join(r.value for r in Role)}") from None


@users_app.command("list")
def users_list(file: UsersFile = None) -> None:
    """List users with roles, unit and jurisdiction."""

    async def listed(store: Any) -> list[Any]:
        return list(await store.list_users())

    for u in _with_users(file, listed):
        roles = ",".join(r.value for r in u.roles)
        typer.echo(
            f"{u.username}\t{u.name}\t{roles}\t{u.unit or '-'}\t{','.join(u.admin_codes) or '-'}\t{','.join(u.grid_codes) or '-'}"
        )


@users_app.command("add")
def users_add(
    username: str,
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[list[str], typer.Option("--role", help="Role (repeatable).")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    unit: Annotated[str | None, typer.Option(help="Unit code (承办单位).")] = None,
    admin_code: Annotated[list[str] | None, typer.Option("--admin-code")] = None,
    grid_code: Annotated[list[str] | None, typer.Option("--grid-code")] = None,
    phone: Annotated[
        str | None,
        typer.Option(
            help="A citizen's phone: their tokens then carry its person key (MINYI_PERSON_KEY_SECRET, as the "
            "subgraphs use), so they see their own appeals."
        ),
    ] = None,
    file: UsersFile = None,
) -> None:
    """Add a user."""
    from auth.users import User, hash_password
    from resolvers.domain import person_key

    roles = _roles(role)
    secret = _subgraph_settings().person_key_secret.encode()  # read from the environment
    key = person_key(secret, phone=phone) if phone else None
    user = User(
        username,
        name,
        roles,
        hash_password(password),
        unit,
        tuple(admin_code or ()),
        tuple(grid_code or ()),
        person_key=key,
    )

    async def add(store: Any) -> bool:
        if await store.get_user(username) is not None:
            return False
        await store.put_user(user)
        return True

    if not _with_users(file, add):
        typer.echo(f"user {username!r} exists", err=True)
        raise typer.Exit(1)
    typer.echo(f"added {username}")


@users_app.command("set-password")
def users_set_password(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    file: UsersFile = None,
) -> None:
    """Set a user's password."""
    from dataclasses import replace

    from auth.users import hash_password

    hashed = hash_password(password)

    async def change(store: Any) -> bool:
        user = await store.get_user(username)
        if user is not None:
            await store.put_user(replace(user, password_hash=hashed))
        return user is not None

    if not _with_users(file, change):
        typer.echo(f"no user {username!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"password of {username} set")


@users_app.command("set-roles")
def users_set_roles(
    username: str, role: Annotated[list[str], typer.Option("--role", help="Role (repeatable).")], file: UsersFile = None
) -> None:
    """Replace a user's roles."""
    from dataclasses import replace

    roles = _roles(role)

    async def change(store: Any) -> bool:
        user = await store.get_user(username)
        if user is not None:
            await store.put_user(replace(user, roles=roles))
        return user is not None

    if not _with_users(file, change):
        typer.echo(f"no user {username!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"roles of {username} set")


@users_app.command("remove")
def users_remove(username: str, file: UsersFile = None) -> None:
    """Remove a user."""

    async def remove(store: Any) -> bool:
        return bool(await store.remove_user(username))

    if not _with_users(file, remove):
        typer.echo(f"no user {username!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"removed {username}")


@app.command()
def token(
    user: Annotated[str, typer.Argument(help="A user of the store (e.g. a demo user: dispatcher).")],
    scope: Annotated[str, typer.Option(help="Space-separated API scopes.")] = "appeals:read",
    dev: Annotated[bool, typer.Option("--dev", help="Development mode (or MINYI_AUTH_DEV=1).")] = False,
    gateway_url: Annotated[
        str | None,
        typer.Option(
            "--gateway",
            help="Log in through this running gateway (e.g. http://127.0.0.1:4000) and print its access token.",
        ),
    ] = None,
    password: Annotated[
        str | None, typer.Option(help="The user's password with --gateway (default: the demo password).")
    ] = None,
    file: UsersFile = None,
) -> None:
    """Print an access token for USER — only when the embedded provider runs in dev mode.

    With --gateway the token comes from a login at that gateway (the demo's way: it works whether the gateway keeps
    its keys in Redis or in process, and logging out of that session refuses it). Without it the token is signed
    here with the key ring shared through Redis (MINYI_REDIS_URL) and the issuer MINYI_AUTH_ISSUER."""
    from auth.settings import AuthSettings

    settings = AuthSettings.model_validate({})
    if not (dev or settings.dev):
        typer.echo("refused: `minyi token` works only in dev mode (MINYI_AUTH_DEV=1 or --dev)", err=True)
        raise typer.Exit(2)
    if gateway_url is not None:
        typer.echo(_token_through_gateway(gateway_url, user, password, scope))
        return
    if not settings.redis_url:
        typer.echo(
            "refused: without --gateway the token is signed with the key ring in Redis, and no MINYI_REDIS_URL is "
            "set (a key made here would be accepted by no gateway); use --gateway http://127.0.0.1:4000",
            err=True,
        )
        raise typer.Exit(2)
    typer.echo(_token_from_shared_keys(settings, user, scope, file))


def _token_through_gateway(gateway_url: str, user: str, password: str | None, scope: str) -> str:
    from auth.password_login import LoginFailed, log_in_through
    from auth.users import DEMO_PASSWORD

    base = gateway_url.rstrip("/")
    try:
        tokens = asyncio.run(
            log_in_through(
                base,
                user,
                password if password is not None else DEMO_PASSWORD,
                redirect_uri=f"{base}/portal/callback",
                scope=" ".join(dict.fromkeys(["openid", *scope.split()])),
            )
        )
    except LoginFailed as error:
        typer.echo(f"cannot get a token: {error}", err=True)
        raise typer.Exit(1) from None
    return str(tokens["access_token"])


def _token_from_shared_keys(settings: object, user: str, scope: str, file: Path | None) -> str:
    from auth.provider import Provider
    from auth.redis_client import open_redis
    from auth.settings import AuthSettings

    assert isinstance(settings, AuthSettings) and settings.redis_url
    settings.dev = True

    async def lookup(store: Any) -> Any:
        return await store.get_user(user)

    found = _with_users(file, lookup)
    if found is None or found.disabled:
        typer.echo(f"no user {user!r}", err=True)
        raise typer.Exit(1)
    redis_url = settings.redis_url

    async def mint() -> str:
        client = open_redis(redis_url, timeout_s=settings.redis_timeout_s)
        try:
            provider = Provider(settings.options(), kv=client)  # type: ignore[arg-type]
            return await provider.mint_access_token(found.principal(scopes=scope.split(), client_id="minyi-cli"))
        finally:
            await client.aclose()

    return asyncio.run(mint())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
