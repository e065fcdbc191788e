"""The ``minyi`` command: run the legacy stand-ins, the subgraphs, the gateway and the demo; print query plans."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from subgraphs.settings import DEFAULT_LEGACY_PORTS, DEFAULT_SUBGRAPH_PORTS

if TYPE_CHECKING:
    from schema.supergraph import Supergraph

__all__ = ["app", "main"]

SYSTEMS = ("hotline", "petition", "board", "grid")

app = typer.Typer(
    name="minyi",
    help="Minyi (民意): one GraphQL graph over a city's legacy public-appeal systems.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def _check_system(name: str) -> str:
    if name not in SYSTEMS:
        raise typer.BadParameter(f"unknown system {name!r}; choose one of: {', '.join(SYSTEMS)}")
    return name


@app.command()
def legacy(
    name: Annotated[str, typer.Argument(help="Which stand-in: hotline, petition, board or grid.")],
    port: Annotated[int | None, typer.Option(help="Port to listen on (default 4101-4104 by system).")] = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    db: Annotated[
        Path | None, typer.Option(help="SQLite file; created and seeded when empty. Default: in memory.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic city; the same seed gives the same data.")] = 1,
    people: Annotated[int, typer.Option(help="How many citizens the synthetic city has.")] = 400,
    latency_ms: Annotated[int, typer.Option(help="Injected delay before every answer, in ms.")] = 0,
    failure_rate: Annotated[float, typer.Option(help="Share of requests answered with HTTP 503 (0-1).")] = 0.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run one legacy stand-in with its own database and native protocol."""
    from legacy.standin import StandinOptions, run_standin

    _setup_logging(verbose)
    system = _check_system(name)
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
    name: Annotated[str, typer.Argument(help="Which subgraph: hotline, petition, board or grid.")],
    port: Annotated[int | None, typer.Option(help="Port to listen on (default 4001-4004 by system).")] = None,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    legacy_url: Annotated[
        str | None, typer.Option(help="Base URL of the legacy system (default: its stand-in's default port).")
    ] = None,
    redis_url: Annotated[
        str | None, typer.Option(help="Redis for the shared person directory, e.g. redis://127.0.0.1:6379/0.")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run one system subgraph (Strawberry, Federation v2) reading through to its legacy system.

    Other settings come from the environment: MINYI_LEGACY_USERNAME, MINYI_LEGACY_PASSWORD,
    MINYI_LEGACY_TIMEOUT_S, MINYI_LEGACY_MAX_CONCURRENCY, MINYI_PERSON_KEY_SECRET, MINYI_REDIS_URL.
    """
    from subgraphs.common.app import serve
    from subgraphs.settings import SubgraphSettings

    _setup_logging(verbose)
    system = _check_system(name)
    overrides: dict[str, object] = {}
    if legacy_url:
        overrides["legacy_url"] = legacy_url
    if redis_url:
        overrides["redis_url"] = redis_url
    settings = SubgraphSettings(**overrides)  # type: ignore[arg-type]
    module = importlib.import_module(f"subgraphs.{system}.app")
    serve(module.create_app(settings), host, port or DEFAULT_SUBGRAPH_PORTS[system])


@app.command()
def demo(
    data_dir: Annotated[Path, typer.Option(help="Where the stand-ins keep their SQLite files.")] = Path(".minyi/demo"),
    seed: Annotated[int, typer.Option(help="Seed of the synthetic city.")] = 1,
    port_offset: Annotated[
        int, typer.Option(help="Add this to every default port (to run a second demo beside the first).")
    ] = 0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Start the four legacy stand-ins, the four subgraphs and the gateway, print their URLs, stop them all on Ctrl-C."""
    from gateway.demo import run_demo

    _setup_logging(verbose)
    raise typer.Exit(run_demo(data_dir=data_dir, seed=seed, port_offset=port_offset))


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


@app.command()
def gateway(
    supergraph: Annotated[
        str | None, typer.Option(help="Supergraph SDL: a file path or an http(s) URL (read once at start).")
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
) -> None:
    """Run the federation gateway: one GraphQL endpoint (/graphql) over the supergraph's subgraphs.

    Other settings come from the environment (prefix MINYI_GATEWAY_): MAX_BODY_BYTES, MAX_TOKENS, MAX_DEPTH,
    MAX_ALIASES, MAX_ROOT_FIELDS, SUBGRAPH_TIMEOUT_S, DOCUMENT_CACHE_SIZE, PLAN_CACHE_SIZE.
    """
    import uvicorn

    from gateway.app import create_app
    from gateway.settings import GatewaySettings

    _setup_logging(verbose)
    overrides: dict[str, object] = {}
    if supergraph is not None:
        overrides["supergraph"] = supergraph
    if port is not None:
        overrides["port"] = port
    if host is not None:
        overrides["host"] = host
    if dev:
        overrides["dev"] = True
    settings = GatewaySettings(**overrides)  # type: ignore[arg-type]
    if subgraph_url:
        settings.subgraph_urls = {**settings.subgraph_urls, **_subgraph_url_overrides(subgraph_url)}
    loaded = _load_supergraph_or_exit(settings.supergraph)
    try:
        asgi = create_app(loaded, settings.options())
    except ValueError as error:
        typer.echo(f"cannot start the gateway: {error}", err=True)
        raise typer.Exit(1) from None
    loop = "uvloop" if importlib.util.find_spec("uvloop") is not None else "asyncio"
    logging.getLogger("minyi.gateway").info(
        "gateway on http://%s:%d/graphql over %s (schema %s)%s",
        settings.host,
        settings.port,
        settings.supergraph,
        loaded.schema_hash[:12],
        " in dev mode" if settings.dev else "",
    )
    uvicorn.run(
        asgi,
        host=settings.host,
        port=settings.port,
        loop=loop,
        http="httptools" if importlib.util.find_spec("httptools") is not None else "h11",
        log_level="debug" if verbose else "warning",
        access_log=False,
    )


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


def main() -> None:
    app()


if __name__ == "__main__":
    main()
