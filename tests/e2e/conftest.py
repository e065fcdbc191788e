"""Fixtures of the end-to-end tests: a test module names its scenario with ``SCENARIO = "<name>"``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.e2e.harness import OPENERS, Gateway, Scenario, start_scenario


@pytest.fixture(scope="module")
def scenario_servers(request: pytest.FixtureRequest) -> Iterator[Scenario]:
    scenario = start_scenario(request.module.SCENARIO)
    yield scenario
    scenario.stop()


@pytest.fixture
def scenario(scenario_servers: Scenario) -> Iterator[Scenario]:
    scenario_servers.reset()
    yield scenario_servers
    scenario_servers.reset()


@pytest.fixture(params=sorted(OPENERS))
async def gateway(request: pytest.FixtureRequest, scenario: Scenario) -> AsyncIterator[Gateway]:
    """The gateway over the scenario: its staged functions called directly, and the real app over HTTP."""
    async with OPENERS[request.param](scenario) as gw:
        scenario.reset()
        yield gw
