"""@authenticated, @requiresScopes and @policy enforced by the gateway before planning, over loopback HTTP.

Two test subgraphs are composed with our composer; the gateway (create_app) verifies Bearer tokens of a test
issuer and serves them with uvicorn. Unauthorized fields answer null with UNAUTHENTICATED/FORBIDDEN at their paths,
are never sent to a subgraph, and the rest of the query is answered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from auth.jwks import LocalJwks
from auth.verify import TokenVerifier
from gateway.app import create_app
from gateway.authorization import Authorization
from schema.access import read_access
from schema.compose import SubgraphSource, compose
from schema.supergraph import load_supergraph
from tests.auth.issuer import AUDIENCE, TinyIssuer
from tests.support.federation import Subgraph
from tests.support.servers import BackgroundServer, serve_asgi

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", '
    'import: ["@key", "@authenticated", "@requiresScopes", "@policy"])'
)
APPEALS_SDL = (
    LINK
    + """
type Query {
  appeals: [Appeal!]!
  appeal(id: ID!): Appeal
  stats: Stats @requiresScopes(scopes: [["appeals:stats"], ["admin"]])
  riskBoard: [RiskFlag!] @policy(policies: [["risk_flags"]])
}

type Appeal @key(fields: "id") {
  id: ID!
  title: String!
  contactPhone: String @authenticated
  internalNote: String! @policy(policies: [["internal_notes"]])
}

type Stats {
  total: Int!
}

type RiskFlag {
  appealId: ID!
  level: String!
}
"""
)
PEOPLE_SDL = (
    LINK
    + """
type Appeal @key(fields: "id") {
  id: ID!
  citizen: Citizen
}

type Citizen @policy(policies: [["person_history"]]) {
  name: String!
  appealCount: Int!
}
"""
)

APPEALS = [
    {"id": "1", "title": "路灯不亮", "contactPhone": "13800001111", "internalNote": "复核中"},
    {"id": "2", "title": "噪音扰民", "contactPhone": "13900002222", "internalNote": "已派单"},
]
APPEALS_RESOLVERS: Any = {
    "Query": {
        "appeals": lambda _root, _info: APPEALS,
        "appeal": lambda _root, _info, id: next((a for a in APPEALS if a["id"] == id), None),
        "stats": lambda _root, _info: {"total": len(APPEALS)},
        "riskBoard": lambda _root, _info: [{"appealId": "1", "level": "red"}],
    },
    "Appeal": {"__resolve_reference": lambda ref, _info: next(a for a in APPEALS if a["id"] == ref["id"])},
}
PEOPLE_RESOLVERS: Any = {
    "Appeal": {
        "__resolve_reference": lambda ref, _info: {"id": ref["id"], "citizen": {"name": "张先生", "appealCount": 3}}
    }
}

ISSUER = TinyIssuer("https://login.test")
OPERATOR = {"roles": ["operator"], "scope": "openid"}
STATS_READER = {"roles": ["operator"], "scope": "openid appeals:stats"}
UNIT_HANDLER = {"roles": ["unit_handler"], "unit": "U-1", "scope": "openid"}
SUPERVISOR = {"roles": ["supervisor"], "jurisdiction": {"admin_codes": ["430102"], "grid_codes": []}}


class Deployment:
    def __init__(self) -> None:
        self.subgraphs = {
            "appeals": Subgraph("appeals", APPEALS_SDL, APPEALS_RESOLVERS),
            "people": Subgraph("people", PEOPLE_SDL, PEOPLE_RESOLVERS),
        }
        self.servers: dict[str, BackgroundServer] = {}
        for name, subgraph in self.subgraphs.items():
            self.servers[name] = serve_asgi(lambda s=subgraph: s)
        composed = compose(
            [SubgraphSource(n, f"{self.servers[n].url}/graphql", s.sdl) for n, s in self.subgraphs.items()]
        )
        assert composed.supergraph_sdl is not None, composed.errors
        self.supergraph = load_supergraph(composed.supergraph_sdl)

        def make_gateway() -> Any:
            verifier = TokenVerifier(LocalJwks(ISSUER.jwks), issuer=ISSUER.issuer, audience=AUDIENCE)
            return create_app(self.supergraph, verifier=verifier)

        self.gateway = serve_asgi(make_gateway)

    def reset(self) -> None:
        for subgraph in self.subgraphs.values():
            subgraph.reset()

    def stop(self) -> None:
        self.gateway.stop()
        for server in self.servers.values():
            server.stop()


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    served = Deployment()
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture
def gateway(deployment: Deployment) -> Deployment:
    deployment.reset()
    return deployment


async def _post(
    deployment: Deployment, query: str, claims: dict[str, Any] | None = None, token: str | None = None
) -> tuple[int, dict[str, Any], aiohttp.typedefs.LooseHeaders]:
    headers = {"content-type": "application/json"}
    if claims is not None:
        token = ISSUER.token(**claims)
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{deployment.gateway.url}/graphql", json={"query": query}, headers=headers) as response,
    ):
        return response.status, await response.json(), response.headers


def _codes(body: dict[str, Any]) -> dict[tuple[str | int, ...], str]:
    return {tuple(e["path"]): e["extensions"]["code"] for e in body.get("errors", [])}


async def test_anonymous_gets_null_and_unauthenticated_for_authenticated_fields(gateway: Deployment) -> None:
    status, body, _ = await _post(gateway, "{ appeals { id title contactPhone } }")
    assert status == 200
    assert body["data"] == {
        "appeals": [
            {"id": "1", "title": "路灯不亮", "contactPhone": None},
            {"id": "2", "title": "噪音扰民", "contactPhone": None},
        ]
    }
    assert _codes(body) == {("appeals", "@", "contactPhone"): "UNAUTHENTICATED"}
    assert "contactPhone" not in gateway.subgraphs["appeals"].queries[0]  # never planned, never fetched


async def test_a_logged_in_user_sees_authenticated_fields(gateway: Deployment) -> None:
    _, body, _ = await _post(gateway, "{ appeals { id contactPhone } }", OPERATOR)
    assert body == {
        "data": {"appeals": [{"id": "1", "contactPhone": "13800001111"}, {"id": "2", "contactPhone": "13900002222"}]}
    }


async def test_missing_scope_is_forbidden_and_the_rest_is_answered(gateway: Deployment) -> None:
    _, body, _ = await _post(gateway, "{ stats { total } appeals { id } }", OPERATOR)
    assert body["data"] == {"stats": None, "appeals": [{"id": "1"}, {"id": "2"}]}
    assert _codes(body) == {("stats",): "FORBIDDEN"}
    _, anonymous, _ = await _post(gateway, "{ stats { total } appeals { id } }")
    assert _codes(anonymous) == {("stats",): "UNAUTHENTICATED"}


async def test_one_of_the_scope_groups_is_enough(gateway: Deployment) -> None:
    _, body, _ = await _post(gateway, "{ stats { total } }", STATS_READER)
    assert body == {"data": {"stats": {"total": 2}}}
    _, admin, _ = await _post(gateway, "{ stats { total } }", {"roles": ["admin"], "scope": "admin"})
    assert admin == {"data": {"stats": {"total": 2}}}


async def test_an_operation_left_with_nothing_is_not_sent_to_any_subgraph(gateway: Deployment) -> None:
    _, body, _ = await _post(gateway, "{ stats { total } }")
    assert body["data"] == {"stats": None}
    assert _codes(body) == {("stats",): "UNAUTHENTICATED"}
    assert gateway.subgraphs["appeals"].requests == []


async def test_a_denied_policy_on_a_non_null_field_nulls_its_parent(gateway: Deployment) -> None:
    query = '{ appeal(id: "1") { id internalNote } appeals { id } }'
    _, body, _ = await _post(gateway, query, UNIT_HANDLER)
    assert body["data"] == {"appeal": None, "appeals": [{"id": "1"}, {"id": "2"}]}
    assert _codes(body) == {("appeal", "internalNote"): "FORBIDDEN"}  # no second "cannot return null" error
    _, allowed, _ = await _post(gateway, query, OPERATOR)
    assert allowed["data"]["appeal"] == {"id": "1", "internalNote": "复核中"}
    assert "errors" not in allowed


async def test_a_policy_on_a_type_guards_every_field_returning_it(gateway: Deployment) -> None:
    query = "{ appeals { id citizen { name } } riskBoard { level } }"
    _, denied, _ = await _post(gateway, query, UNIT_HANDLER)
    assert denied["data"] == {
        "appeals": [{"id": "1", "citizen": None}, {"id": "2", "citizen": None}],
        "riskBoard": None,
    }
    assert _codes(denied) == {("appeals", "@", "citizen"): "FORBIDDEN", ("riskBoard",): "FORBIDDEN"}
    assert gateway.subgraphs["people"].requests == []
    _, allowed, _ = await _post(gateway, query, SUPERVISOR)
    assert allowed == {
        "data": {
            "appeals": [{"id": "1", "citizen": {"name": "张先生"}}, {"id": "2", "citizen": {"name": "张先生"}}],
            "riskBoard": [{"level": "red"}],
        }
    }


async def test_fragments_are_filtered_too(gateway: Deployment) -> None:
    query = "query Q { appeals { ...A } } fragment A on Appeal { id contactPhone ... on Appeal { title } }"
    _, body, _ = await _post(gateway, query)
    assert body["data"]["appeals"][0] == {"id": "1", "contactPhone": None, "title": "路灯不亮"}
    assert _codes(body) == {("appeals", "@", "contactPhone"): "UNAUTHENTICATED"}


async def test_a_field_whose_every_subfield_is_removed_keeps_its_parent(gateway: Deployment) -> None:
    _, body, _ = await _post(gateway, '{ appeal(id: "2") { contactPhone } }')
    assert body["data"] == {"appeal": {"contactPhone": None}}


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + ISSUER.token(aud="hotline")],
)
async def test_an_invalid_token_is_refused_with_401(gateway: Deployment, authorization: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{gateway.gateway.url}/graphql",
            json={"query": "{ appeals { id } }"},
            headers={"authorization": authorization},
        ) as response,
    ):
        body = await response.json()
        assert response.status == 401
        assert response.headers["www-authenticate"].startswith('Bearer error="invalid_')
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in body
    token = authorization.partition(" ")[2]
    assert not token or token not in body["errors"][0]["message"]
    assert gateway.subgraphs["appeals"].requests == []


def test_access_metadata_is_read_from_the_supergraph(deployment: Deployment) -> None:
    access = read_access(deployment.supergraph.sdl)
    assert access.field_requirement("Appeal", "contactPhone").authenticated
    assert access.field_requirement("Query", "stats").scopes == (frozenset({"appeals:stats"}), frozenset({"admin"}))
    assert access.type_requirement("Citizen").policies == (frozenset({"person_history"}),)
    assert access.policy_names == frozenset({"risk_flags", "internal_notes", "person_history"})


def test_the_outcome_is_cached_per_profile_and_public_operations_once(deployment: Deployment) -> None:
    from auth.principal import ANONYMOUS, Principal

    authorization = Authorization.for_supergraph(deployment.supergraph)
    assert authorization is not None
    from graphql import parse, print_ast

    public = parse("{ appeals { id title } }")
    first = authorization.authorize(public, print_ast(public), None, ANONYMOUS)
    assert first.document is public and not first.errors
    guarded = parse("{ appeals { id contactPhone } }")
    one = authorization.authorize(
        guarded, print_ast(guarded), None, Principal.from_claims({"sub": "a", "roles": ["leader"]})
    )
    two = authorization.authorize(
        guarded, print_ast(guarded), None, Principal.from_claims({"sub": "b", "roles": ["dispatcher"]})
    )
    assert one is two  # same profile (authenticated, no relevant scope or policy): one outcome
