"""The ``minyi`` command: run the legacy stand-ins, the subgraphs, the gateway and the demo."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Annotated

import typer

from subgraphs.settings import DEFAULT_LEGACY_PORTS, DEFAULT_SUBGRAPH_PORTS

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
    """Start the four legacy stand-ins and the four subgraphs, print their URLs, stop them all on Ctrl-C."""
    from gateway.demo import run_demo

    _setup_logging(verbose)
    raise typer.Exit(run_demo(data_dir=data_dir, seed=seed, port_offset=port_offset))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
