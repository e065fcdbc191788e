"""Fixtures of the end-to-end tests: a test module names its scenario with ``SCENARIO = "<name>"``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.e2e.harness import Gateway, Scenario, open_gateway, start_scenario


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


@pytest.fixture
async def gateway(scenario: Scenario) -> AsyncIterator[Gateway]:
    async with open_gateway(scenario) as gw:
        scenario.reset()
        yield gw
