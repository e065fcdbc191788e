"""One graph over the five systems, as a frontend team meets it: through the gateway, over real loopback HTTP
(the five system subgraphs and the cross-system appeals subgraph).

The five stand-ins are seeded from one city; each subgraph accepts only the gateway's internal tokens, verified
with the key set the gateway publishes at ``/internal/jwks``; the gateway serves the checked-in supergraph and its
own login, and the tests ask it with access tokens of its provider — a city-wide supervisor (督办员), who sees every
appeal of the city with masked personal data. The cross-system appeals subgraph reads the same five stand-ins and
writes its audit log to the real Redis stream.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from redis.asyncio import Redis

from auth.principal import Principal
from auth.provider.provider import Provider
from auth.settings import AuthSettings
from auth.store import MemoryStore
from auth.users import UserStore, demo_users
from gateway.app import create_app as create_gateway
from gateway.settings import GatewayOptions
from legacy.board.app import create_app as board_standin
from legacy.grid.app import create_app as grid_standin
from legacy.hotline.app import create_app as hotline_standin
from legacy.petition.app import create_app as petition_standin
from legacy.standin import StandinOptions
from legacy.suggestion.app import create_app as suggestion_standin
from legacy.world import World
from resolvers.audit import AUDIT_STREAM
from schema.supergraph import load_supergraph
from subgraphs.appeals.app import create_app as appeals_subgraph
from subgraphs.board.app import create_app as board_subgraph
from subgraphs.grid.app import create_app as grid_subgraph
from subgraphs.hotline.app import create_app as hotline_subgraph
from subgraphs.petition.app import create_app as petition_subgraph
from subgraphs.settings import SubgraphSettings
from subgraphs.suggestion.app import create_app as suggestion_subgraph
from tests.conftest import REDIS_URL
from tests.support.principals import ADMIN, CITY, SUPERVISOR
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"

STANDINS: dict[str, Callable[[World], web.Application]] = {
    "hotline": lambda world: hotline_standin(StandinOptions(seed=1)),
    "petition": lambda world: petition_standin(StandinOptions(seed=1)),
    "board": lambda world: board_standin(StandinOptions(seed=1), world=world),
    "grid": lambda world: grid_standin(StandinOptions(seed=1)),
    "suggestion": lambda world: suggestion_standin(StandinOptions(seed=1), world=world),
}
SUBGRAPHS: dict[str, Callable[[SubgraphSettings], Any]] = {
    "hotline": hotline_subgraph,
    "petition": petition_subgraph,
    "board": board_subgraph,
    "grid": grid_subgraph,
    "suggestion": suggestion_subgraph,
}
# each system's list field and type
LISTS = {
    "hotline": ("hotlineTickets", "HotlineTicket"),
    "petition": ("petitions", "Petition"),
    "board": ("boardMessages", "BoardMessage"),
    "grid": ("gridEvents", "GridEvent"),
    "suggestion": ("suggestions", "Suggestion"),
}


@dataclass
class Graph:
    url: str
    provider: Provider
    server: BackgroundServer

    def token(self, principal: Principal) -> str:
        token: str = self.server.call(self.provider.mint_access_token(principal))
        return token

    async def query(
        self, query: str, variables: dict[str, Any] | None = None, *, principal: Principal = SUPERVISOR
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token(principal)}"}
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url, json={"query": query, "variables": variables or {}}, headers=headers) as r,
        ):
            body: dict[str, Any] = await r.json()
            return body


@pytest.fixture(scope="module")
def graph(world: World) -> Iterator[Graph]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    servers: list[BackgroundServer] = []
    urls: list[tuple[str, str]] = []
    legacy_urls: dict[str, str] = {}
    for name, standin in STANDINS.items():
        legacy = serve_aiohttp(lambda standin=standin: standin(world))  # type: ignore[misc]
        settings = SubgraphSettings(
            legacy_url=legacy.url, redis_url=REDIS_URL, internal_jwks_url=f"{base}/internal/jwks"
        )
        subgraph = serve_asgi(lambda make=SUBGRAPHS[name], settings=settings: make(settings))  # type: ignore[misc]
        servers += [legacy, subgraph]
        urls.append((name, f"{subgraph.url}/graphql"))
        legacy_urls[name] = legacy.url
    appeals_settings = SubgraphSettings(
        legacy_urls=legacy_urls, redis_url=REDIS_URL, internal_jwks_url=f"{base}/internal/jwks"
    )
    appeals = serve_asgi(lambda: appeals_subgraph(appeals_settings))
    servers.append(appeals)
    urls.append(("appeals", f"{appeals.url}/graphql"))
    provider = Provider(
        AuthSettings(issuer=base).options(), kv=MemoryStore(), users=UserStore(None, demo_users("unused"))
    )
    app = create_gateway(
        load_supergraph(SUPERGRAPH.read_text()), GatewayOptions(subgraph_urls=tuple(urls)), provider=provider
    )
    gateway = serve_asgi(lambda: app, port)
    try:
        yield Graph(f"{base}/graphql", provider, gateway)
    finally:
        gateway.stop()
        for server in servers:
            server.stop()


APPEAL_FRAGMENT = """
fragment Shared on Appeal {
  id system status sourceStatus receivedAt dueAt closedAt
  reply { text repliedAt unit { id code name } }
  leadUnit { id code name }
  closure { closedAt outcome outcomeText }
  satisfaction { level score }
}
"""


async def test_one_fragment_on_appeal_reads_reply_due_date_and_unit_from_all_five_systems(graph: Graph) -> None:
    lists = " ".join(
        f"{field}(first: 40, filter: {{statuses: [{status}]}}) {{ nodes {{ ...Shared }} }}"
        for field, status in (
            ("hotlineTickets", "CLOSED"),
            ("petitions", "CLOSED"),
            ("boardMessages", "CLOSED"),
            ("gridEvents", "CLOSED"),
            ("suggestions", "CLOSED"),
        )
    )
    answer = await graph.query("{ " + lists + " }" + APPEAL_FRAGMENT)

    assert "errors" not in answer, answer["errors"]
    for system, (field, _) in LISTS.items():
        nodes = answer["data"][field]["nodes"]
        assert nodes, f"no closed {system} appeal"
        assert {n["system"] for n in nodes} == {"MSGBOARD" if system == "board" else system.upper()}
        assert all(n["status"] == "CLOSED" and n["receivedAt"].endswith("+08:00") for n in nodes)
        replied = [n for n in nodes if n["reply"] is not None]
        assert replied, f"no {system} reply read through the Appeal fragment"
        assert all(n["reply"]["repliedAt"].endswith("+08:00") for n in replied)
        assert any(n["reply"]["unit"] is not None for n in replied), system
        assert any(n["dueAt"] is not None and n["dueAt"].endswith("+08:00") for n in nodes), system
        units = [n["leadUnit"] for n in nodes if n["leadUnit"] is not None]
        assert units and all(u["id"] == f"unit:{u['code']}" for u in units), system
        assert all(n["closure"] is not None for n in nodes), system


async def test_node_finds_an_appeal_of_each_system_and_a_citizen(graph: Graph) -> None:
    lists = " ".join(f"{field}(first: 2) {{ nodes {{ id }} }}" for field, _ in LISTS.values())
    listed = await graph.query("{ " + lists + " }")
    ids = {system: listed["data"][field]["nodes"][0]["id"] for system, (field, _) in LISTS.items()}

    for system, node_id in ids.items():
        answer = await graph.query(
            "query($id: ID!) { node(id: $id) { __typename id ... on Appeal { system title } } }", {"id": node_id}
        )
        assert "errors" not in answer, answer
        node = answer["data"]["node"]
        assert node["__typename"] == LISTS[system][1] and node["id"] == node_id
        assert node["system"] == ("MSGBOARD" if system == "board" else system.upper()) and node["title"]

    citizen = await graph.query('{ citizen(phone: "13800001111") { id personKey } }')
    citizen_id = citizen["data"]["citizen"]["id"]
    assert citizen_id == f"citizen:{citizen['data']['citizen']['personKey']}"
    many = await graph.query(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Appeal { system } } }",
        {"ids": [*ids.values(), citizen_id, "hotline:00000000000000", "nothing:1", "petition:"]},
    )
    found = many["data"]["nodes"]
    assert [n["__typename"] for n in found[:6]] == [t for _, t in LISTS.values()] + ["Citizen"]
    assert found[6:] == [None, None, None]  # none by that number, no such type, no local id
    # another system's id is completed by its own subgraph, which finds nothing: that node is null, and the
    # error (if the serving subgraph was not the owner) sits at its path only
    assert all(e["path"][:2] == ["nodes", 6] for e in many.get("errors", [])), many


async def test_node_finds_the_unit_behind_a_unit_id_of_each_system_whichever_subgraph_answers(graph: Graph) -> None:
    lists = " ".join(
        f"{field}(first: 100) {{ nodes {{ leadUnit {{ id code name }} }} }}" for field, _ in LISTS.values()
    )
    listed = await graph.query("{ " + lists + " }")
    assert "errors" not in listed, listed["errors"]
    by_system = {
        system: [n["leadUnit"] for n in listed["data"][field]["nodes"] if n["leadUnit"] is not None]
        for system, (field, _) in LISTS.items()
    }
    # a city department that two systems both name (each in its own words) reads as one of them; take units only
    # one system names, so that the name to expect is known
    named: dict[str, set[tuple[str, str]]] = {}
    for system, units in by_system.items():
        for unit in units:
            named.setdefault(unit["code"], set()).add((system, unit["name"]))
    picked = [next(u for u in units if len(named[u["code"]]) == 1) for units in by_system.values()]
    ids = [u["id"] for u in picked]
    for _, appeal_type in LISTS.values():  # a fragment on each system's type makes that system's subgraph answer
        answer = await graph.query(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Unit { code name } "
            f"... on {appeal_type} {{ localNumber }} }} }}",
            {"ids": [*ids, "unit:no-such-unit"]},
        )
        assert "errors" not in answer, answer
        found = answer["data"]["nodes"]
        assert found[:5] == [{"__typename": "Unit", **u} for u in picked], appeal_type
        assert found[5] is None
    one = await graph.query("query($id: ID!) { node(id: $id) { id ... on Unit { name } } }", {"id": ids[0]})
    assert one["data"]["node"] == {"id": ids[0], "name": picked[0]["name"]}


async def test_a_connection_pages_to_the_end_with_page_info_and_total_count(graph: Graph) -> None:
    query = """query($after: String) {
      gridEvents(first: 30, after: $after, filter: {statuses: [CLOSED]}) {
        totalCount edges { cursor node { id receivedAt } } pageInfo { hasNextPage hasPreviousPage endCursor }
      } }"""
    seen: list[str] = []
    after: str | None = None
    totals: set[int] = set()
    pages = 0
    while True:
        answer = await graph.query(query, {"after": after})
        assert "errors" not in answer, answer
        page = answer["data"]["gridEvents"]
        totals.add(page["totalCount"])
        seen += [edge["node"]["id"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert all(edge["node"]["receivedAt"].endswith("+08:00") for edge in page["edges"])
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]
    assert pages > 1
    assert len(totals) == 1 and totals == {len(seen)}  # the count is the whole list, and paging reached it all
    assert len(set(seen)) == len(seen)


CITIZEN_LISTS = ("hotlineTickets", "petitions", "boardMessages", "gridEvents", "suggestions")


async def test_the_citizen_lists_are_connections_that_page_through_every_record(graph: Graph, world: World) -> None:
    counts = Counter(f.person.pid for f in world.filings)
    person = max(world.persons_in_systems(3), key=lambda p: counts[p.pid])
    old = await graph.query(
        "query($phone: String) { citizen(phone: $phone) { " + " ".join(f"{f} {{ id }}" for f in CITIZEN_LISTS) + " } }",
        {"phone": person.phone},
    )
    assert "errors" not in old, old
    paged_more_than_once = 0
    for field in CITIZEN_LISTS:
        query = (
            "query($phone: String, $after: String) { citizen(phone: $phone) { "
            f"{field}Connection(first: 1, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
            "edges { cursor node { id } } } } }"
        )
        seen: list[str] = []
        after: str | None = None
        while True:
            answer = await graph.query(query, {"phone": person.phone, "after": after})
            assert "errors" not in answer, answer
            page = answer["data"]["citizen"][f"{field}Connection"]
            seen += [edge["node"]["id"] for edge in page["edges"]]
            assert page["totalCount"] in (None, len(old["data"]["citizen"][field]))
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == [item["id"] for item in old["data"]["citizen"][field]], field  # the same records, in order
        paged_more_than_once += len(seen) > 1
    assert paged_more_than_once >= 2


async def test_the_deprecated_items_and_next_cursor_still_page(graph: Graph) -> None:
    first = await graph.query("{ suggestions(first: 5) { items { id } nextCursor nodes { id } } }")
    page = first["data"]["suggestions"]
    assert page["items"] == page["nodes"] and len(page["items"]) == 5 and page["nextCursor"]
    second = await graph.query(
        "query($a: String) { suggestions(first: 5, after: $a) { items { id } } }", {"a": page["nextCursor"]}
    )
    assert not {i["id"] for i in second["data"]["suggestions"]["items"]} & {i["id"] for i in page["items"]}


async def test_first_states_its_default_and_maximum(graph: Graph) -> None:
    answer = await graph.query(
        '{ __type(name: "Query") { fields { name args { name defaultValue description } } } }', principal=ADMIN
    )
    fields = {f["name"]: f for f in answer["data"]["__type"]["fields"]}
    for field, _ in LISTS.values():
        first = next(a for a in fields[field]["args"] if a["name"] == "first")
        assert first["defaultValue"] == "20" and "at most 100" in first["description"]
    too_many = await graph.query("{ petitions(first: 101) { nodes { id } } }")
    assert too_many["data"]["petitions"] is None
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_closed_sets_are_enums_with_the_systems_own_words_beside_them(graph: Graph) -> None:
    answer = await graph.query(
        """{
          hotlineTickets(first: 60) { nodes { intakeChannel channelText urgencyLevel urgencyText
                                              handlingLimit { amount unit unitText } } }
          gridEvents(first: 60) { nodes { intakeChannel channelText handlingLimit { amount unit unitText } } }
          petitions(first: 100, filter: {statuses: [CLOSED]}) { nodes { urgencyLevel urgencyText
                                                                         closure { outcome outcomeText } } }
        }"""
    )
    assert "errors" not in answer, answer
    data = answer["data"]
    tickets, events = data["hotlineTickets"]["nodes"], data["gridEvents"]["nodes"]
    petitions = data["petitions"]["nodes"]
    # every mapped value stands beside the word it was mapped from, and the words map to more than one value
    assert all(t["channelText"] for t in tickets + events) and len({t["intakeChannel"] for t in tickets}) > 1
    urgent = [(t["urgencyLevel"], t["urgencyText"]) for t in tickets + petitions if t["urgencyText"]]
    assert urgent and all(level in {"NORMAL", "URGENT", "VERY_URGENT"} for level, _ in urgent)
    assert len({level for level, _ in urgent}) > 1
    limits = [t["handlingLimit"] for t in tickets + events if t["handlingLimit"]]
    assert {limit["unit"] for limit in limits} >= {"WORKING_DAYS", "HOURS"}
    assert all(limit["amount"] > 0 and limit["unitText"] for limit in limits)
    outcomes = {(p["closure"]["outcome"], p["closure"]["outcomeText"]) for p in petitions if p["closure"]}
    verdicts = {
        "支持": "SUPPORTED",
        "部分支持": "PARTLY_SUPPORTED",
        "解释说明": "EXPLAINED",
        "不予支持": "NOT_SUPPORTED",
    }
    assert all(verdicts.get(text or "", "HANDLED") == outcome for outcome, text in outcomes), outcomes
    assert len({o for o, _ in outcomes}) > 1


async def test_date_time_is_rfc_3339_with_the_city_offset_and_says_so(graph: Graph) -> None:
    answer = await graph.query('{ __type(name: "DateTime") { specifiedByURL description } }', principal=ADMIN)
    scalar = answer["data"]["__type"]
    assert scalar["specifiedByURL"] == "https://scalars.graphql.org/andimarek/date-time"
    assert "+08:00" in scalar["description"]


async def test_a_get_carrying_a_phone_or_id_number_is_refused_and_a_plain_get_answers(graph: Graph) -> None:
    headers = {"Authorization": f"Bearer {graph.token(SUPERVISOR)}", "X-Minyi-Csrf": "1"}
    refused = [
        {"query": '{ citizen(phone: "13800001111") { personKey } }'},
        {
            "query": "query($n: String) { citizen(idNumber: $n) { personKey } }",
            "variables": '{"n": "430102199001011234"}',
        },
        {
            "query": "query($f: AppealFilter) { hotlineTickets(filter: $f) { nodes { id } } }",
            "variables": '{"f": {"phone": "13800001111"}}',
        },
    ]
    async with aiohttp.ClientSession() as http:
        for params in refused:
            async with http.get(graph.url, params=params, headers=headers) as r:
                body = await r.json()
                assert r.status == 405, body
                assert body["errors"][0]["extensions"]["code"] == "PERSONAL_DATA_IN_URL"
                assert "POST" in body["errors"][0]["message"]
                assert "data" not in body
        plain = {"query": "{ hotlineTickets(first: 1) { nodes { id } } }"}
        async with http.get(graph.url, params=plain, headers=headers) as r:
            body = await r.json()
            assert r.status == 200 and len(body["data"]["hotlineTickets"]["nodes"]) == 1


REVEAL = """mutation($input: RevealAppealContactInput!) {
  revealAppealContact(input: $input) {
    contact { appealId name phone auditId }
    appeal { id system }
    userErrors { code field message }
  } }"""
LEADER = Principal.from_claims(
    {"sub": "test-leader", "roles": ["leader"], "jurisdiction": {"admin_codes": [CITY], "grid_codes": []}}
)
"""领导 over the whole city: sees every appeal with masked personal data, and may never reveal a contact."""


async def audit_log(redis: Redis) -> list[dict[str, str]]:
    rows = await redis.xrange(AUDIT_STREAM)
    return [{k.decode(): v.decode() for k, v in fields.items()} for _, fields in rows]


async def masked_appeals(graph: Graph) -> dict[str, dict[str, Any]]:
    """One appeal of each system that the supervisor sees with a masked phone."""
    lists = " ".join(f"{field}(first: 40) {{ nodes {{ id petitioner {{ phone }} }} }}" for field, _ in LISTS.values())
    answer = await graph.query("{ " + lists + " }")
    assert "errors" not in answer, answer["errors"]
    return {
        system: next(
            n for n in answer["data"][field]["nodes"] if "****" in ((n["petitioner"] or {}).get("phone") or "")
        )
        for system, (field, _) in LISTS.items()
    }


async def test_a_refused_reveal_is_a_user_error_with_its_audit_record(graph: Graph, redis: Redis) -> None:
    appeal = (await masked_appeals(graph))["hotline"]
    refusals = [
        (LEADER, {"appealId": appeal["id"], "reason": "想看看是谁"}, "FORBIDDEN", None),
        (SUPERVISOR, {"appealId": appeal["id"], "reason": " "}, "REQUIRED", ["input", "reason"]),
        (SUPERVISOR, {"appealId": "hotline:00000000000000", "reason": "回访"}, "NOT_FOUND", ["input", "appealId"]),
        (SUPERVISOR, {"appealId": "nothing:1", "reason": "回访"}, "BAD_VALUE", ["input", "appealId"]),
    ]
    for principal, given, code, field in refusals:
        answer = await graph.query(REVEAL, {"input": given}, principal=principal)
        assert "errors" not in answer, answer  # a refusal is no error of the request: data, with userErrors
        payload = answer["data"]["revealAppealContact"]
        assert payload["contact"] is None
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)], payload
        assert payload["userErrors"][0]["message"]
        # the leader may see the appeal, only not its contact; nothing else names an appeal
        assert payload["appeal"] == ({"id": appeal["id"], "system": "HOTLINE"} if code == "FORBIDDEN" else None)

    records = await audit_log(redis)
    assert [(r["who"], r["role"], r["appeal"], r["reason"], r["action"]) for r in records] == [
        ("test-leader", "leader", appeal["id"], "想看看是谁", "reveal_contact_denied"),
        ("test-supervisor", "supervisor", appeal["id"], "", "reveal_contact_denied"),
        ("test-supervisor", "supervisor", "hotline:00000000000000", "回访", "reveal_contact_denied"),
        ("test-supervisor", "supervisor", "nothing:1", "回访", "reveal_contact_denied"),
    ]
    assert all(r["when"] for r in records)


async def test_one_reveal_mutation_serves_every_system_and_audits_each_grant(graph: Graph, redis: Redis) -> None:
    appeals = await masked_appeals(graph)
    for system, appeal in appeals.items():
        given = {"appealId": appeal["id"], "reason": "回访需要联系诉求人"}
        answer = await graph.query(REVEAL, {"input": given})
        assert "errors" not in answer, answer
        payload = answer["data"]["revealAppealContact"]
        assert payload["userErrors"] == [], (system, payload)
        contact = payload["contact"]
        masked = appeal["petitioner"]["phone"]
        assert contact["appealId"] == appeal["id"] and contact["name"], system
        assert "*" not in contact["phone"] and contact["phone"][:3] + "****" + contact["phone"][-4:] == masked
        assert payload["appeal"]["id"] == appeal["id"]

    records = await audit_log(redis)
    assert [(r["who"], r["appeal"], r["action"]) for r in records] == [
        ("test-supervisor", a["id"], "reveal_contact") for a in appeals.values()
    ]
    assert all(r["reason"] == "回访需要联系诉求人" for r in records)


async def test_the_old_reveal_mutations_still_answer_and_say_what_replaces_them(graph: Graph) -> None:
    answer = await graph.query(
        '{ __type(name: "Mutation") { fields(includeDeprecated: true) { name deprecationReason } } }', principal=ADMIN
    )
    reasons = {f["name"]: f["deprecationReason"] for f in answer["data"]["__type"]["fields"]}
    old = ["revealHotlineContact", "revealPetitionContact", "revealBoardContact", "revealGridContact"]
    assert all("revealAppealContact" in (reasons[name] or "") for name in [*old, "revealSuggestionContact"])
    assert reasons["revealAppealContact"] is None
    appeal = (await masked_appeals(graph))["grid"]
    still = await graph.query(
        'mutation($id: ID!) { revealGridContact(appealId: $id, reason: "核实") { phone } }', {"id": appeal["id"]}
    )
    assert "errors" not in still, still
    assert "*" not in still["data"]["revealGridContact"]["phone"]


async def test_errors_name_the_system_at_fault_as_a_source_system_value(graph: Graph) -> None:
    answer = await graph.query(
        "{ petitions(first: 101) { nodes { id } } boardMessages(first: 101) { nodes { id } } "
        'gridEvents(first: 5, filter: {sourceStatus: "x", statuses: [CLOSED]}) { nodes { id } } '
        'appeal(id: "nothing:1") { id } }'
    )
    named = {e["path"][0]: (e["extensions"]["code"], e["extensions"]["service"]) for e in answer["errors"]}
    assert named == {
        "petitions": ("BAD_USER_INPUT", "PETITION"),
        "boardMessages": ("BAD_USER_INPUT", "MSGBOARD"),
        "gridEvents": ("BAD_USER_INPUT", "GRID"),
        "appeal": ("BAD_USER_INPUT", "appeals"),  # the cross-system lookup is no one system
    }
    assert all(e["extensions"]["retryable"] is False for e in answer["errors"])


async def test_errors_suggest_names_only_to_who_may_read_the_schema(graph: Graph) -> None:
    query = "query($f: AppealFilter) { hotlineTickets(first: 1, filter: $f) { nodes { id } } }"
    variables = {"f": {"statuse": ["HANDLING"]}}
    [supervisor] = (await graph.query(query, variables))["errors"]
    [admin] = (await graph.query(query, variables, principal=ADMIN))["errors"]
    assert "not to include unknown field 'statuse'" in supervisor["message"]
    assert "Did you mean" not in supervisor["message"]
    assert "Did you mean 'statuses'?" in admin["message"]
    [typo] = (await graph.query("{ hotlineTickets(first: 1) { nodes { idd } } }"))["errors"]
    assert typo["message"] == "Cannot query field 'idd' on type 'HotlineTicket'."
