"""The integrator's path, end to end: the suggestion channel (人民建议) is added to a running gateway by URL.

The hotline and suggestion stand-ins and their subgraphs run on real loopback HTTP, sharing one person-key secret
and the person directory in the real Redis. The gateway starts from a ``subgraphs.toml`` that lists only the
hotline; the test appends ``[subgraphs.suggestion]`` to the file and forces a reload (what ``SIGHUP`` does), and
the same gateway process — never restarted — then answers for suggestions, through the ``Appeal`` interface and in
a citizen's view. A suggestion SDL that does not compose leaves it serving the last good schema.
"""

from __future__ import annotations

import asyncio
import io
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from redis.asyncio import Redis

from auth.provider.provider import Provider
from auth.settings import AuthSettings
from auth.store import MemoryStore
from auth.users import UserStore, demo_users
from gateway.app import create_app
from gateway.live import LiveGateway
from gateway.reload import ReloadResult, SupergraphSource
from gateway.settings import GatewayOptions
from legacy.hotline.app import create_app as create_hotline_standin
from legacy.standin import StandinOptions
from legacy.suggestion.app import create_app as create_suggestion_standin
from legacy.suggestion.seed import suggestion_rows
from legacy.world import World, build_world
from resolvers.domain import normalize_phone, person_key
from subgraphs.hotline.app import create_app as create_hotline_subgraph
from subgraphs.settings import SubgraphSettings
from subgraphs.suggestion.app import create_app as create_suggestion_subgraph
from tests.conftest import REDIS_URL
from tests.support.principals import SUPERVISOR
from tests.support.servers import BackgroundServer, serve_aiohttp, serve_asgi

SECRET = "add-channel-test-person-key-secret"
GOLDEN_SUGGESTION = Path(__file__).resolve().parents[2] / "schema" / "subgraphs" / "suggestion.graphql"
JSON = {"content-type": "application/json"}


# -- the channel systems: stand-ins and subgraphs, one set per module --------------------------------------------


@pytest.fixture(scope="module")
def city() -> World:
    """The city both stand-ins are seeded from: the hotline stand-in builds ``build_world(1)`` itself."""
    return build_world(1)


def channel_settings(legacy_url: str) -> SubgraphSettings:
    """Every subgraph with the same person-key secret and the shared person directory in the real Redis."""
    return SubgraphSettings.model_validate(
        {
            "legacy_url": legacy_url,
            "person_key_secret": SECRET,
            "redis_url": REDIS_URL,
            "require_internal_token": False,  # the test gateway's key is not at the default JWKS URL
            # Nobody logs in here: the subgraphs act for a city-wide supervisor (督办员), who sees every item with
            # masked personal data (DOMAIN.md §8).
            "dev_roles": "supervisor",
            "dev_admin_codes": "4301",
        }
    )


@pytest.fixture(scope="module")
def hotline(city: World) -> Iterator[str]:
    """The hotline subgraph's URL, in front of its stand-in (one work order per hotline filing of the city)."""
    standin = serve_aiohttp(lambda: create_hotline_standin(StandinOptions(seed=1)))
    settings = channel_settings(standin.url)
    subgraph = serve_asgi(lambda: create_hotline_subgraph(settings))
    yield f"{subgraph.url}/graphql"
    subgraph.stop()
    standin.stop()


@pytest.fixture(scope="module")
def suggestion(city: World) -> Iterator[str]:
    """The suggestion subgraph's URL, in front of its stand-in (seeded with ``suggestion_rows(city, 1)``)."""
    standin = serve_aiohttp(lambda: create_suggestion_standin(StandinOptions(seed=1), world=city))
    settings = channel_settings(standin.url)
    subgraph = serve_asgi(lambda: create_suggestion_subgraph(settings))
    yield f"{subgraph.url}/graphql"
    subgraph.stop()
    standin.stop()


# -- the gateway, started from a config that lists only the hotline ----------------------------------------------


@dataclass
class Gateway:
    server: BackgroundServer
    source: SupergraphSource
    live: LiveGateway
    config: Path
    token: str

    def on_loop(self, coro: Awaitable[Any]) -> Awaitable[Any]:
        """Run ``coro`` on the gateway's loop without blocking the test's loop."""
        return asyncio.to_thread(self.server.call, coro)

    async def reload(self) -> ReloadResult:
        """What ``SIGHUP`` does, awaited: force a reload and wait for its result (no polling, no sleeps)."""
        source = self.source

        async def force() -> ReloadResult:
            waiter = source.next_reload()
            source.request_reload()
            return await waiter

        result: ReloadResult = await self.on_loop(force())
        return result

    def add(self, name: str, url: str, *, sdl: str | None = None) -> None:
        """What the integrator does: append ``[subgraphs.NAME] url = "…"`` (and maybe ``sdl``) to the file."""
        lines = f'\n[subgraphs.{name}]\nurl = "{url}"\n' + (f'sdl = "{sdl}"\n' if sdl is not None else "")
        with self.config.open("a", encoding="utf-8") as file:
            file.write(lines)

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        body = orjson.dumps({"query": query, "variables": variables or {}})
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{self.server.url}/graphql",
                data=io.BytesIO(body),
                headers={**JSON, "Authorization": f"Bearer {self.token}"},
            ) as resp,
        ):
            return orjson.loads(await resp.read())

    async def health(self) -> Any:
        async with aiohttp.ClientSession() as session, session.get(f"{self.server.url}/health") as resp:
            return orjson.loads(await resp.read())


@pytest.fixture
async def gateway(tmp_path: Path, hotline: str, suggestion: str) -> AsyncIterator[Gateway]:
    config = tmp_path / "subgraphs.toml"
    config.write_text(f'poll_interval_s = 3600\n\n[subgraphs.hotline]\nurl = "{hotline}"\n', encoding="utf-8")
    source = SupergraphSource(config, timeout_s=10)  # the real composer, schema.compose
    initial = await source.load_initial()
    # The gateway's own login: the test acts as a city-wide supervisor (督办员) with a token of its provider.
    provider = Provider(AuthSettings().options(), kv=MemoryStore(), users=UserStore(None, demo_users("unused")))
    app = create_app(initial, GatewayOptions(), watch=source.watch, provider=provider)
    server = serve_asgi(lambda: app)
    try:
        token = server.call(provider.mint_access_token(SUPERVISOR))
        yield Gateway(server, source, app.state.gateway, config, token)
    finally:
        server.stop()


@pytest.fixture
async def added(gateway: Gateway, suggestion: str) -> Gateway:
    """The gateway after the suggestion subgraph was added to its config and a reload swapped to it."""
    gateway.add("suggestion", suggestion)
    result = await gateway.reload()
    assert result.swapped and result.ok, result.report
    return gateway


def codes(answer: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in answer.get("errors", [])]


# -- the tests ---------------------------------------------------------------------------------------------------

SUGGESTIONS = "{ suggestions(first: 3) { items { id system status sourceStatus } } }"


async def test_a_suggestion_subgraph_added_by_url_is_served_without_a_restart(
    gateway: Gateway, suggestion: str
) -> None:
    before = await gateway.health()
    assert before["status"] == "ok" and [s["name"] for s in before["subgraphs"]] == ["hotline"]
    assert codes(await gateway.query(SUGGESTIONS)) == ["GRAPHQL_VALIDATION_FAILED"]  # not in the graph yet

    gateway.add("suggestion", suggestion)
    result = await gateway.reload()

    assert result.swapped and result.ok, result.report
    answer = await gateway.query(SUGGESTIONS)
    assert "errors" not in answer, answer
    items = answer["data"]["suggestions"]["items"]
    assert len(items) == 3
    for item in items:
        assert item["id"].startswith("suggestion:") and item["system"] == "SUGGESTION"
        assert item["status"] and item["sourceStatus"]
    after = await gateway.health()
    assert after["status"] == "ok" and after["composition_errors"] == []
    assert after["schema"] == result.schema_hash != before["schema"]
    assert [(s["name"], s["url"]) for s in after["subgraphs"]] == [
        ("hotline", before["subgraphs"][0]["url"]),
        ("suggestion", suggestion),
    ]
    assert gateway.live.swaps == 1  # the same gateway, swapped once: no restart
    hotline = await gateway.query("{ hotlineTickets(first: 2) { items { id system } } }")
    assert [i["system"] for i in hotline["data"]["hotlineTickets"]["items"]] == ["HOTLINE", "HOTLINE"]


async def test_added_suggestions_appear_through_the_appeal_interface(added: Gateway) -> None:
    answer = await added.query(
        """{ suggestions(first: 5) { items {
             __typename ... on Appeal { id system appealType status receivedAt } } } }"""
    )
    assert "errors" not in answer, answer
    items = answer["data"]["suggestions"]["items"]
    assert len(items) == 5
    for item in items:
        assert item["__typename"] == "Suggestion"
        assert item["id"].startswith("suggestion:") and item["system"] == "SUGGESTION"
        assert item["appealType"] == "SUGGESTION" and item["status"] and item["receivedAt"]


def _citizen_in_both(city: World) -> tuple[str, int, int]:
    """A phone with work orders in the hotline stand-in and suggestions in the suggestion stand-in, and how many.

    The hotline stand-in holds one work order per ``city.filings_for("hotline")``; the suggestion stand-in holds
    ``suggestion_rows(city, 1)``, whose contact numbers are sometimes written with dashes."""
    tickets = Counter(f.person.phone for f in city.filings_for("hotline"))
    suggestions = Counter(normalize_phone(r["lxdh"]) for r in suggestion_rows(city, 1))
    both = sorted((phone for phone in tickets if suggestions[phone]), key=lambda p: (-tickets[p] - suggestions[p], p))
    assert both, "the seeded city has nobody in both systems"
    phone = both[0]
    return phone, tickets[phone], suggestions[phone]


async def test_a_citizen_in_both_systems_shows_tickets_and_suggestions_in_one_request(
    added: Gateway, city: World, redis: Redis
) -> None:
    phone, ticket_count, suggestion_count = _citizen_in_both(city)
    answer = await added.query(
        """query($p: String) { citizen(phone: $p) {
             personKey hotlineTickets { id system } suggestions { id system status sourceStatus } } }""",
        {"p": phone},
    )
    assert "errors" not in answer, answer
    citizen = answer["data"]["citizen"]
    assert citizen["personKey"] == person_key(SECRET.encode(), phone=phone)
    assert len(citizen["hotlineTickets"]) == ticket_count
    assert {t["system"] for t in citizen["hotlineTickets"]} == {"HOTLINE"}
    assert len(citizen["suggestions"]) == suggestion_count
    assert {s["system"] for s in citizen["suggestions"]} == {"SUGGESTION"}
    assert all(s["id"].startswith("suggestion:") for s in citizen["suggestions"])
    assert phone not in str(answer)  # only the person key travels


def _broken_suggestion_sdl(folder: Path) -> Path:
    """The suggestion SDL with ``Unit`` declared without ``@shareable``: it clashes with the hotline's ``Unit``."""
    good = GOLDEN_SUGGESTION.read_text(encoding="utf-8")
    broken = good.replace("type Unit implements Node @shareable {", "type Unit implements Node {")
    assert broken != good
    path = folder / "suggestion_broken.graphql"
    path.write_text(broken, encoding="utf-8")
    return path


async def test_a_broken_suggestion_sdl_leaves_the_last_good_schema_served(
    added: Gateway, suggestion: str, hotline: str
) -> None:
    good = await added.health()
    broken = _broken_suggestion_sdl(added.config.parent)
    added.config.write_text(f'poll_interval_s = 3600\n\n[subgraphs.hotline]\nurl = "{hotline}"\n', encoding="utf-8")
    added.add("suggestion", suggestion, sdl=broken.name)

    result = await added.reload()

    assert not result.swapped and not result.ok
    health = await added.health()
    assert health["status"] == "degraded" and health["schema"] == good["schema"]
    clashes = {(e["code"], e["subgraph"], e["type"], e["field"]) for e in health["composition_errors"]}
    assert ("INVALID_FIELD_SHARING", "suggestion", "Unit", "code") in clashes, health["composition_errors"]
    assert ("INVALID_FIELD_SHARING", "suggestion", "Unit", "name") in clashes, health["composition_errors"]
    answer = await added.query(SUGGESTIONS)  # still the last good schema, suggestions included
    assert "errors" not in answer and len(answer["data"]["suggestions"]["items"]) == 3

    added.config.write_text(f'poll_interval_s = 3600\n\n[subgraphs.hotline]\nurl = "{hotline}"\n', encoding="utf-8")
    added.add("suggestion", suggestion)  # fixed: the same schema again, and healthy
    fixed = await added.reload()
    assert not fixed.swapped and fixed.ok
    # the same as before the broken SDL, apart from when it reloaded and the circuits the queries since have used
    unchanging = {"last_reload": None, "circuits": None}
    assert (await added.health()) | unchanging == good | unchanging
