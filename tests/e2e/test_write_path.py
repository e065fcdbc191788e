"""The write path through the gateway: a dispatcher's token, a mutation with an idempotency key (input or header),
``dispatch(id:)``, the appeal read back from its system of record, and refusals before anything is written."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis

from auth.discovery import external_verifier
from gateway.app import create_app as create_gateway
from gateway.settings import GatewaySettings
from legacy.board.app import create_app as create_board_standin
from legacy.grid.app import create_app as create_grid_standin
from legacy.hotline.app import create_app as create_hotline_standin
from legacy.petition.app import create_app as create_petition_standin
from legacy.standin import StandinOptions
from legacy.suggestion.app import create_app as create_suggestion_standin
from resolvers.dispatch import LegacyWriters, Outbox, RetryPolicy, Worker, WorkerOptions
from resolvers.domain import person_key
from schema.supergraph import load_supergraph
from subgraphs.appeals.app import create_app as create_appeals
from subgraphs.board.app import create_app as create_board
from subgraphs.grid.app import create_app as create_grid
from subgraphs.hotline.app import create_app as create_hotline
from subgraphs.petition.app import create_app as create_petition
from subgraphs.settings import SubgraphSettings
from subgraphs.suggestion.app import create_app as create_suggestion
from tests.auth.issuer import TinyIssuer, serve_issuer
from tests.conftest import REDIS_URL
from tests.resolvers.dispatch.harness import board_client, clients, petition_client, suggestion_client
from tests.support.deployment import LEGACY_TIMEOUT_S
from tests.support.servers import BackgroundServer, free_port, serve_aiohttp, serve_asgi

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
UNIT = "43010503"

REGISTER = """mutation($input: RegisterAppealInput!) {
  registerAppeal(input: $input) {
    dispatch { id state steps { system state legacyReference } }
    appeal { id ... on HotlineTicket { title status sourceStatus } }
    userErrors { code field message }
  }
}"""
DISPATCH = """mutation($input: DispatchAppealInput!) {
  dispatchAppeal(input: $input) {
    dispatch { id state reason steps { description state attempts } }
    appeal { id ... on HotlineTicket { status sourceStatus leadUnit { code } } }
    userErrors { code field message }
  }
}"""
SUGGESTION_STEP = """mutation($register: RegisterAppealInput!) {
  registerAppeal(input: $register) {
    dispatch { state }
    appeal { id ... on Suggestion { title sourceStatus } }
    userErrors { code field message }
  }
}"""
REPLY = """mutation($input: ReplyAppealInput!) {
  replyAppeal(input: $input) {
    dispatch { state reason }
    appeal { id ... on Suggestion { sourceStatus adoption reply { text } } }
    userErrors { code field message }
  }
}"""
SIGN = """mutation($input: SignAppealInput!) {
  signAppeal(input: $input) { dispatch { state reason } userErrors { code field message } }
}"""
PETITION_STEP = """mutation($register: RegisterAppealInput!) {
  registerAppeal(input: $register) {
    dispatch { state reason }
    appeal { id ... on Petition { sourceStatus personsInvolved } }
    userErrors { code field message }
  }
}"""
ROUTE = """mutation($input: RouteAppealToGridInput!) {
  routeAppealToGrid(input: $input) { dispatch { state reason } userErrors { code field message } }
}"""
LINK = """mutation($input: LinkDuplicateAppealsInput!) {
  linkDuplicateAppeals(input: $input) { dispatch { state reason } userErrors { code field message } }
}"""
LINKS = """query($id: ID!) {
  appeal(id: $id) {
    id
    links {
      kind kindText
      appeal { __typename id status sourceStatus ... on GridEvent { links { kind appeal { id } } } }
    }
  }
}"""
PETITION_SEEN = """query($id: ID!) {
  appeal(id: $id) { links { kind appeal { id status leadUnit { code } ... on Petition { title } } } }
}"""
RATE = """mutation($input: RateAppealInput!) {
  rateAppeal(input: $input) {
    dispatch { state reason }
    appeal { id satisfaction { level score } }
    userErrors { code field message }
  }
}"""
NODE = "query($id: ID!) { node(id: $id) { __typename id ... on Dispatch { state } } }"
POLL = "query($id: ID!) { dispatch(id: $id) { id mutation state steps { description state } } }"


class Graph:
    def __init__(self, url: str, issuer: TinyIssuer, standins: dict[str, str]) -> None:
        self.url, self.issuer = url, issuer
        self.hotline, self.grid, self.suggestion = standins["hotline"], standins["grid"], standins["suggestion"]
        self.petition = standins["petition"]

    def token(self, roles: list[str], **claims: Any) -> str:
        return self.issuer.token(roles=roles, **{"unit": None, "jurisdiction": None, "sub": roles[0], **claims})

    async def ask(self, token: str, query: str, headers: dict[str, str] | None = None, **variables: Any) -> Any:
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{self.url}/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {token}", **(headers or {})},
            ) as resp,
        ):
            return await resp.json(content_type=None)


@pytest.fixture(scope="module")
def graph() -> Iterator[Graph]:
    started: list[BackgroundServer] = []
    try:
        issuer, issuer_server = serve_issuer()
        started.append(issuer_server)
        gateway_port = free_port()
        jwks = f"http://127.0.0.1:{gateway_port}/internal/jwks"
        standins = {
            "hotline": serve_aiohttp(lambda: create_hotline_standin(StandinOptions())),
            "grid": serve_aiohttp(lambda: create_grid_standin(StandinOptions())),
            "suggestion": serve_aiohttp(lambda: create_suggestion_standin(StandinOptions())),
            "petition": serve_aiohttp(lambda: create_petition_standin(StandinOptions())),
            "board": serve_aiohttp(lambda: create_board_standin(StandinOptions())),
        }
        started.extend(standins.values())
        urls: dict[str, str] = {}
        subgraphs = (
            ("hotline", create_hotline),
            ("grid", create_grid),
            ("suggestion", create_suggestion),
            ("petition", create_petition),
            ("board", create_board),
        )
        for name, make in subgraphs:
            settings = SubgraphSettings.model_validate(
                {
                    "legacy_url": standins[name].url,
                    "legacy_timeout_s": LEGACY_TIMEOUT_S,
                    "redis_url": REDIS_URL,
                    "internal_jwks_url": jwks,
                }
            )
            server = serve_asgi(lambda m=make, s=settings: m(s))  # type: ignore[misc]
            started.append(server)
            urls[name] = f"{server.url}/graphql"
        appeals_settings = SubgraphSettings.model_validate(
            {
                "legacy_urls": {n: s.url for n, s in standins.items()},
                "legacy_timeout_s": LEGACY_TIMEOUT_S,
                "redis_url": REDIS_URL,
                "internal_jwks_url": jwks,
            }
        )
        appeals = serve_asgi(lambda: create_appeals(appeals_settings))
        started.append(appeals)
        urls["appeals"] = f"{appeals.url}/graphql"

        def make_gateway() -> Any:
            options = GatewaySettings(oidc_issuer=issuer.issuer, subgraph_urls=urls).options()  # type: ignore[call-arg]
            return create_gateway(
                load_supergraph(SUPERGRAPH.read_text()),
                options,
                verifier=external_verifier(issuer.issuer, options.oidc_audience),
                provider=None,
            )

        started.append(serve_asgi(make_gateway, gateway_port))
        yield Graph(f"http://127.0.0.1:{gateway_port}", issuer, {n: s.url for n, s in standins.items()})
    finally:
        for server in reversed(started):
            server.stop()


@pytest.fixture
async def worker(redis: Redis, graph: Graph) -> AsyncIterator[None]:
    hotline, grid = clients(graph.hotline, graph.grid)
    stop = asyncio.Event()
    options = WorkerOptions(block_ms=100, retry=RetryPolicy(base_s=0.05, cap_s=0.2, max_attempts=5))
    writers = LegacyWriters(
        hotline=hotline,
        grid=grid,
        board=board_client(),
        suggestion=suggestion_client(graph.suggestion),
        petition=petition_client(graph.petition),
    )
    task = asyncio.create_task(Worker(Outbox(redis), writers, options).run(stop))
    yield
    stop.set()
    await task


def _registration(title: str, key: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": title,
        "content": "楼下餐馆油烟扰民",
        "phone": "13800006666",
        "appealType": "COMPLAINT",
        "adminCode": "430105002003",
        "gridCode": "430105002003001",
    }
    return data | ({"idempotencyKey": key} if key else {})


async def test_a_dispatcher_registers_and_dispatches_and_reads_the_result_back(graph: Graph, worker: None) -> None:
    token = graph.token(["dispatcher"], jurisdiction={"admin_codes": ["430100"], "grid_codes": []})
    registered = await graph.ask(token, REGISTER, input=_registration("油烟扰民", "reg-e2e-1"))
    assert registered.get("data"), registered
    payload = registered["data"]["registerAppeal"]
    assert payload["userErrors"] == [] and payload["dispatch"]["state"] == "APPLIED", registered
    appeal = payload["appeal"]
    assert appeal["title"] == "油烟扰民" and appeal["sourceStatus"] == "已受理"  # read from the hotline itself

    dispatched = await graph.ask(
        token,
        DISPATCH,
        headers={"Idempotency-Key": "dispatch-e2e-1"},
        input={"appealId": appeal["id"], "leadUnit": UNIT, "coUnits": ["43010201"]},
    )
    result = dispatched["data"]["dispatchAppeal"]
    assert result["dispatch"]["state"] == "APPLIED", dispatched
    assert result["appeal"]["sourceStatus"] == "已转办处理中" and result["appeal"]["leadUnit"]["code"] == UNIT

    again = await graph.ask(
        token,
        DISPATCH,
        headers={"Idempotency-Key": "dispatch-e2e-1"},
        input={"appealId": appeal["id"], "leadUnit": UNIT, "coUnits": ["43010201"]},
    )
    assert again["data"]["dispatchAppeal"]["dispatch"]["id"] == result["dispatch"]["id"]  # replayed, nothing written
    other = await graph.ask(
        token,
        DISPATCH,
        headers={"Idempotency-Key": "dispatch-e2e-1"},
        input={"appealId": appeal["id"], "leadUnit": "43010201"},
    )
    assert other["data"]["dispatchAppeal"]["userErrors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"

    polled = await graph.ask(token, POLL, id=result["dispatch"]["id"])
    assert polled["data"]["dispatch"]["mutation"] == "dispatchAppeal"
    as_node = await graph.ask(token, NODE, id=result["dispatch"]["id"])
    assert as_node["data"]["node"] == {"__typename": "Dispatch", "id": result["dispatch"]["id"], "state": "APPLIED"}
    assert [s["state"] for s in polled["data"]["dispatch"]["steps"]] == ["APPLIED"]
    stranger = graph.token(["dispatcher"], sub="another-dispatcher")
    assert (await graph.ask(stranger, POLL, id=result["dispatch"]["id"]))["data"]["dispatch"] is None
    assert (await graph.ask(stranger, NODE, id=result["dispatch"]["id"]))["data"]["node"] is None


async def test_bad_input_and_foreign_jurisdiction_are_refused_before_writing(graph: Graph, worker: None) -> None:
    token = graph.token(["dispatcher"], jurisdiction={"admin_codes": ["430100"], "grid_codes": []})
    registered = await graph.ask(token, REGISTER, input=_registration("拒绝用例", "reg-e2e-2"))
    appeal_id = registered["data"]["registerAppeal"]["appeal"]["id"]
    unknown = await graph.ask(
        token, DISPATCH, input={"appealId": appeal_id, "leadUnit": "99999999", "idempotencyKey": "u1"}
    )
    error = unknown["data"]["dispatchAppeal"]["userErrors"][0]
    assert (error["code"], error["field"]) == ("UNKNOWN_UNIT", ["input", "leadUnit"])
    assert unknown["data"]["dispatchAppeal"]["dispatch"] is None
    handler = graph.token(["unit_handler"], unit=UNIT)
    refused = await graph.ask(
        handler, DISPATCH, input={"appealId": appeal_id, "leadUnit": UNIT, "idempotencyKey": "u2"}
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    missing_key = await graph.ask(token, DISPATCH, input={"appealId": appeal_id, "leadUnit": UNIT})
    assert missing_key["data"]["dispatchAppeal"]["userErrors"][0]["field"] == ["input", "idempotencyKey"]


async def test_a_suggestion_is_registered_assigned_and_answered_in_the_suggestion_system(
    graph: Graph, worker: None
) -> None:
    dispatcher = graph.token(["dispatcher"], jurisdiction={"admin_codes": ["430100"], "grid_codes": []})
    register = {
        "title": "建议公交站加装座椅",
        "content": "四方坪公交站候车人多，建议加装座椅和雨棚",
        "phone": "13800007777",
        "callerName": "赵六",
        "appealType": "SUGGESTION",
        "system": "SUGGESTION",
        "category": "交通运输",
        "idempotencyKey": "sg-e2e-1",
    }
    registered = await graph.ask(dispatcher, SUGGESTION_STEP, register=register)
    payload = registered["data"]["registerAppeal"]
    assert payload["userErrors"] == [] and payload["dispatch"]["state"] == "APPLIED", registered
    appeal = payload["appeal"]
    assert appeal["id"].startswith("suggestion:JY") and appeal["sourceStatus"] == "待受理"  # read from the system

    dispatched = await graph.ask(
        dispatcher, DISPATCH, input={"appealId": appeal["id"], "leadUnit": UNIT, "idempotencyKey": "sg-e2e-2"}
    )
    assert dispatched["data"]["dispatchAppeal"]["dispatch"]["state"] == "APPLIED", dispatched
    handler = graph.token(["unit_handler"], unit=UNIT)
    signed = await graph.ask(handler, SIGN, input={"appealId": appeal["id"], "idempotencyKey": "sg-e2e-3"})
    assert signed["data"]["signAppeal"]["dispatch"]["state"] == "APPLIED", signed
    no_adoption = await graph.ask(
        handler, REPLY, input={"appealId": appeal["id"], "text": "已采纳", "idempotencyKey": "sg-e2e-4"}
    )
    error = no_adoption["data"]["replyAppeal"]["userErrors"][0]
    assert (error["code"], error["field"]) == ("REQUIRED", ["input", "adoption"])
    replied = await graph.ask(
        handler,
        REPLY,
        input={
            "appealId": appeal["id"],
            "text": "已采纳，下月加装。",
            "adoption": "ADOPTED",
            "idempotencyKey": "sg-e2e-5",
        },
    )
    result = replied["data"]["replyAppeal"]
    assert result["dispatch"]["state"] == "APPLIED", replied
    assert result["appeal"]["sourceStatus"] == "已反馈" and result["appeal"]["adoption"] == "采纳"
    assert result["appeal"]["reply"]["text"] == "已采纳，下月加装。"

    # the citizen who made the suggestion rates the feedback; another citizen cannot
    secret = SubgraphSettings().person_key_secret.encode()
    own = graph.token(["citizen"], person_key=person_key(secret, phone="13800007777"))
    other = graph.token(["citizen"], sub="another-citizen", person_key=person_key(secret, phone="13800000000"))
    rating = {"appealId": appeal["id"], "score": 5, "comment": "很好"}
    refused = await graph.ask(other, RATE, input=rating | {"idempotencyKey": "sg-e2e-6"})
    error = refused["data"]["rateAppeal"]["userErrors"][0]
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["input", "appealId"]), refused
    rated = await graph.ask(own, RATE, input=rating | {"idempotencyKey": "sg-e2e-7"})
    assert rated["data"]["rateAppeal"]["dispatch"]["state"] == "APPLIED", rated
    assert rated["data"]["rateAppeal"]["appeal"]["satisfaction"] == {"level": "SATISFIED", "score": 5}


async def test_a_group_visit_is_registered_answered_and_rated_online_by_the_petitioner(
    graph: Graph, worker: None
) -> None:
    officer = graph.token(["petition_officer"], jurisdiction={"admin_codes": ["430100"], "grid_codes": []})
    visit = {
        "title": "安置房漏水",
        "content": "安置小区多栋楼顶漏水，四十户居民集体来访",
        "phone": "13800009999",
        "callerName": "孙八",
        "address": "开福区四方坪街道安置小区",
        "appealType": "COMPLAINT",
        "system": "PETITION",
        "channel": "来访",
        "personsInvolved": 40,
    }
    six = await graph.ask(officer, PETITION_STEP, register=visit | {"representatives": 6, "idempotencyKey": "pt-e2e-1"})
    error = six["data"]["registerAppeal"]["userErrors"][0]
    assert (error["code"], error["field"]) == ("BAD_VALUE", ["input", "representatives"]), six
    five = await graph.ask(
        officer, PETITION_STEP, register=visit | {"representatives": 5, "idempotencyKey": "pt-e2e-2"}
    )
    payload = five["data"]["registerAppeal"]
    assert payload["dispatch"]["state"] == "APPLIED", five
    appeal = payload["appeal"]
    assert appeal["sourceStatus"] == "已登记" and appeal["personsInvolved"] == 40

    handler = graph.token(["unit_handler"], unit=UNIT)
    steps = [
        (officer, DISPATCH, {"appealId": appeal["id"], "leadUnit": UNIT, "idempotencyKey": "pt-e2e-3"}),
        (handler, SIGN, {"appealId": appeal["id"], "idempotencyKey": "pt-e2e-4"}),
        (
            handler,
            REPLY,
            {"appealId": appeal["id"], "text": "已责成物业维修。", "outcome": "SUPPORT", "idempotencyKey": "pt-e2e-5"},
        ),
    ]
    for who, mutation, data in steps:
        answer = await graph.ask(who, mutation, input=data)
        (result,) = answer["data"].values()
        assert result["dispatch"]["state"] == "APPLIED", answer

    secret = SubgraphSettings().person_key_secret.encode()
    petitioner = graph.token(["citizen"], sub="petitioner", person_key=person_key(secret, phone="13800009999"))
    rated = await graph.ask(
        petitioner, RATE, input={"appealId": appeal["id"], "score": 3, "idempotencyKey": "pt-e2e-6"}
    )
    assert rated["data"]["rateAppeal"]["dispatch"]["state"] == "APPLIED", rated
    assert rated["data"]["rateAppeal"]["appeal"]["satisfaction"] == {"level": "BASICALLY_SATISFIED", "score": 3}
    again = await graph.ask(
        petitioner, RATE, input={"appealId": appeal["id"], "score": 5, "idempotencyKey": "pt-e2e-7"}
    )
    assert again["data"]["rateAppeal"]["userErrors"][0]["code"] == "TRANSITION_NOT_ALLOWED"  # once (Art 21)


async def test_links_lead_from_a_hotline_order_to_its_grid_event_and_its_petition_and_back(
    graph: Graph, worker: None
) -> None:
    dispatcher = graph.token(["dispatcher"], jurisdiction={"admin_codes": ["430100"], "grid_codes": []})
    operator = graph.token(["operator"])  # the 坐席 who took the call registers the order, and may see it after
    order = (await graph.ask(operator, REGISTER, input=_registration("占道经营", "link-e2e-1")))["data"]
    order_id = order["registerAppeal"]["appeal"]["id"]
    routed = await graph.ask(
        dispatcher, ROUTE, input={"appealId": order_id, "eventType": "0102", "idempotencyKey": "link-e2e-2"}
    )
    assert routed["data"]["routeAppealToGrid"]["dispatch"]["state"] == "APPLIED", routed

    officer = graph.token(["petition_officer"], jurisdiction={"admin_codes": ["430100"], "grid_codes": []})
    petition = {
        "title": "占道经营多次投诉未果",
        "content": "路口摊贩占道经营",
        "phone": "13800006666",
        "callerName": "周九",
        "address": "开福区四方坪街道",
        "appealType": "COMPLAINT",
        "system": "PETITION",
        "idempotencyKey": "link-e2e-3",
    }
    petition_id = (await graph.ask(officer, PETITION_STEP, register=petition))["data"]["registerAppeal"]["appeal"]["id"]
    overlap = {"appealId": order_id, "duplicateId": petition_id, "kind": "OVERLAP", "idempotencyKey": "link-e2e-4"}
    linked = await graph.ask(officer, LINK, input=overlap)
    assert linked["data"]["linkDuplicateAppeals"]["dispatch"]["state"] == "APPLIED", linked

    seen = await graph.ask(dispatcher, LINKS, id=order_id)
    links = {link["kind"]: link for link in seen["data"]["appeal"]["links"]}
    assert set(links) == {"GRID_DIRECT", "OVERLAP"}, seen
    event = links["GRID_DIRECT"]["appeal"]
    assert event["__typename"] == "GridEvent" and links["GRID_DIRECT"]["kindText"] == "网格直办"
    assert {"kind": "GRID_DIRECT", "appeal": {"id": order_id}} in event["links"]  # and back, from the grid
    assert links["OVERLAP"]["appeal"]["id"] == petition_id and links["OVERLAP"]["kindText"] == "重合件"

    # the operator follows the link to the petition and sees its existence, status and unit only
    followed = await graph.ask(operator, PETITION_SEEN, id=order_id)
    petition_seen = next(lk for lk in followed["data"]["appeal"]["links"] if lk["kind"] == "OVERLAP")["appeal"]
    assert petition_seen["id"] == petition_id and petition_seen["status"] and petition_seen["title"] is None
    grid_seen = next(lk for lk in followed["data"]["appeal"]["links"] if lk["kind"] == "GRID_DIRECT")
    assert grid_seen["appeal"] is None  # a grid event is not the operator's to see: the link stays, the event not
    assert any(e["extensions"]["code"] == "FORBIDDEN" for e in followed["errors"]), followed
