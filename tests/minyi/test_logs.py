"""JSON logs: one object a line, with the request id of the request that logged it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import structlog

from gateway.app import create_app
from minyi.logs import configure_logging
from schema.supergraph import load_supergraph
from tests.support.servers import serve_asgi

SUPERGRAPH = Path(__file__).resolve().parents[1] / "e2e" / "scenarios" / "appeals" / "supergraph.graphql"


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    written = io.StringIO()
    configure_logging(format="json", stream=written)
    yield written
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def _lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_a_record_of_a_standard_logger_is_one_json_object_with_the_bound_request_id(json_logs: io.StringIO) -> None:
    with structlog.contextvars.bound_contextvars(request_id="r-42"):
        logging.getLogger("minyi.gateway").warning("subgraph %s is slow", "hotline")
    logging.getLogger("minyi.gateway").warning("after the request")

    first, second = _lines(json_logs.getvalue())
    assert first["event"] == "subgraph hotline is slow"
    assert first["level"] == "warning" and first["logger"] == "minyi.gateway"
    assert first["request_id"] == "r-42" and first["timestamp"].endswith("Z")
    assert "request_id" not in second


async def test_the_gateway_logs_a_refused_request_with_its_request_id(json_logs: io.StringIO) -> None:
    supergraph = load_supergraph(SUPERGRAPH.read_text())
    server = serve_asgi(lambda: create_app(supergraph))
    try:
        async with aiohttp.ClientSession(base_url=server.url) as client:
            async with client.post("/graphql", json={"query": "{ cases { id "}, headers={"X-Request-Id": "abc-1"}) as r:
                sent = r.headers
            async with client.post("/graphql", json={"query": "{ nope }"}) as r:
                fresh = r.headers
    finally:
        server.stop()

    assert sent["x-request-id"] == "abc-1"
    assert len(fresh["x-request-id"]) == 32  # made by the gateway when the client sends none
    logged = [line for line in _lines(json_logs.getvalue()) if line.get("logger") == "minyi.gateway.http"]
    assert [(line["request_id"], line["level"]) for line in logged] == [
        ("abc-1", "warning"),
        (fresh["x-request-id"], "warning"),
    ]
    assert "GRAPHQL_PARSE_FAILED" in logged[0]["event"]
