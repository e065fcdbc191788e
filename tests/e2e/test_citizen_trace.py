"""One citizen view through the whole city, traced: every subgraph fetch is a span of the request's trace, and
the trace goes on to the legacy systems in ``traceparent``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import aiohttp
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from legacy.world import World
from tests.support.city import CITIZEN_VIEW, CITIZEN_VIEW_SYSTEMS, City, open_city


@pytest.fixture(scope="module")
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture(scope="module")
def city(exporter: InMemorySpanExporter) -> Iterator[City]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with open_city(tracer=provider.get_tracer("test")) as started:
        yield started
    provider.shutdown()


async def _finished(exporter: InMemorySpanExporter) -> tuple[ReadableSpan, ...]:
    """The spans once the request span has ended (it ends just after the answer is sent, on the server's thread)."""
    for _ in range(500):
        spans = exporter.get_finished_spans()
        if any(s.name == "graphql.request" for s in spans):
            return spans
        await asyncio.sleep(0.01)
    raise AssertionError(f"the request span never ended: {[s.name for s in exporter.get_finished_spans()]}")


CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c"
CLIENT_SPAN = "b7ad6b7169203331"


async def test_a_citizen_view_is_one_trace_with_every_fetch_a_child_span(
    city: City, exporter: InMemorySpanExporter, world: World
) -> None:
    exporter.clear()
    headers = {"Authorization": "Bearer supervisor", "traceparent": f"00-{CLIENT_TRACE}-{CLIENT_SPAN}-01"}
    body = {"query": CITIZEN_VIEW, "variables": {"phone": world.persons[0].phone}, "operationName": "CitizenView"}
    async with aiohttp.ClientSession() as http, http.post(city.gateway_url, json=body, headers=headers) as response:
        answer = await response.json()
    assert "errors" not in answer, answer
    citizen = answer["data"]["citizen"]
    assert all(citizen[f] for f in ("hotlineTickets", "petitions", "boardMessages", "gridEvents")), citizen

    spans = await _finished(exporter)
    by_id: dict[int, ReadableSpan] = {s.context.span_id: s for s in spans}
    (root,) = [s for s in spans if s.name == "graphql.request"]
    assert f"{root.context.trace_id:032x}" == CLIENT_TRACE  # the client's trace continues
    assert root.parent is not None and f"{root.parent.span_id:016x}" == CLIENT_SPAN
    assert root.attributes is not None and root.attributes["graphql.operation.name"] == "CitizenView"
    assert {s.context.trace_id for s in spans} == {root.context.trace_id}

    def ancestors(span: ReadableSpan) -> list[str]:
        names = []
        while span.parent is not None and span.parent.span_id in by_id:
            span = by_id[span.parent.span_id]
            names.append(span.name)
        return names

    stages = {s.name for s in spans if s.parent is not None and s.parent.span_id == root.context.span_id}
    assert {"graphql.parse", "graphql.validate", "graphql.plan", "graphql.execute"} <= stages
    fetches = [s for s in spans if s.name.startswith("fetch ")]
    assert {s.name.removeprefix("fetch ") for s in fetches} == set(CITIZEN_VIEW_SYSTEMS)  # the citizen in every system
    for fetch in fetches:
        assert ancestors(fetch) == ["graphql.execute", "graphql.request"], fetch.name

    # each subgraph passed the trace on to its legacy system: the legacy calls are children of its fetch span
    fetch_spans = {s.name.removeprefix("fetch "): f"{s.context.span_id:016x}" for s in fetches}
    for system in CITIZEN_VIEW_SYSTEMS:
        parents = {tp.split("-")[2] for tp in city.legacy_traceparents[system] if CLIENT_TRACE in tp}
        assert fetch_spans[system] in parents, (system, city.legacy_traceparents[system])


async def test_a_repeated_request_is_planned_from_the_cache(
    city: City, exporter: InMemorySpanExporter, world: World
) -> None:
    body = {"query": CITIZEN_VIEW, "variables": {"phone": world.persons[1].phone}}
    async with aiohttp.ClientSession(headers={"Authorization": "Bearer supervisor"}) as http:
        for _ in range(2):
            exporter.clear()
            async with http.post(city.gateway_url, json=body) as response:
                assert response.status == 200
                request_id = response.headers["x-request-id"]
            spans = await _finished(exporter)  # this request's spans, all ended
    (plan,) = [s for s in spans if s.name == "graphql.plan"]
    assert plan.attributes is not None and plan.attributes["minyi.plan.cache"] == "hit"
    assert not [s for s in spans if s.name in ("graphql.parse", "graphql.validate")]
    (root,) = [s for s in spans if s.name == "graphql.request"]
    assert root.attributes is not None and root.attributes["minyi.request_id"] == request_id
