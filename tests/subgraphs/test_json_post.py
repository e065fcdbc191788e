"""A subgraph serves a JSON POST to ``/graphql`` itself, and answers it exactly as Strawberry's HTTP view would:
every request here is sent both ways (the view called directly) and the answers compared byte for byte."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from functools import partial
from typing import Any

import orjson
import pytest
import strawberry
from graphql import GraphQLError
from strawberry.asgi import GraphQL
from strawberry.types import Info

from auth.principal import PRINCIPAL_SCOPE_KEY, Principal
from resolvers.adapters.errors import LegacyUnavailable
from resolvers.persons import Identifiers, MemoryDirectory
from subgraphs.common.app import SubgraphApp
from subgraphs.common.context import SubgraphContext
from subgraphs.common.schema import SubgraphSchema

CLERK = Principal.from_claims({"sub": "clerk-7", "roles": ["dispatcher"]})


@strawberry.type
class Query:
    @strawberry.field
    def echo(self, text: str) -> str:
        return text

    @strawberry.field
    def who(self, info: Info[SubgraphContext, None]) -> str:
        context = info.context
        return f"{context.principal.subject} {context.idempotency_key}"

    @strawberry.field
    def down(self) -> str | None:
        raise LegacyUnavailable("hotline", "no answer within 0.3s")

    @strawberry.field
    def crash(self) -> str | None:
        raise RuntimeError("secret internal detail")

    @strawberry.field
    def partly(self, info: Info[SubgraphContext, None]) -> list[str]:
        info.context.partial_errors.append(GraphQLError("the petition system did not answer in time"))
        return ["hotline"]

    @strawberry.field
    def person(self, info: Info[SubgraphContext, None], phone: str) -> str:
        info.context.seen_people["pk-" + phone] = Identifiers(phone=phone)
        return "pk-" + phone


@strawberry.type
class Mutation:
    @strawberry.mutation
    def touch(self, info: Info[SubgraphContext, None]) -> str:
        return f"touched with {info.context.idempotency_key}"


schema = SubgraphSchema(query=Query, mutation=Mutation)


class BrokenDirectory(MemoryDirectory):
    async def remember(self, entries: dict[str, Identifiers]) -> None:
        raise RuntimeError("the directory broke")


class CountingApp(SubgraphApp):
    """Counts the requests Strawberry's HTTP view answered; its requests share one person directory."""

    def __init__(self, directory: MemoryDirectory | None = None) -> None:
        self.directory = directory or MemoryDirectory()
        super().__init__(schema, lambda: SubgraphContext(client=None, directory=self.directory, person_secret=b"s"))
        self.view_runs = 0

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:
        self.view_runs += 1
        return await super().run(request)


class Answer:
    def __init__(self) -> None:
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.body = b""
        self.messages = 0

    async def send(self, message: Any) -> None:
        self.messages += 1
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [(bytes(n), bytes(v)) for n, v in message.get("headers", [])]
        else:
            self.body += message.get("body", b"")

    def header(self, name: bytes) -> bytes | None:
        return next((v for n, v in self.headers if n == name), None)

    def json(self) -> Any:
        return orjson.loads(self.body)


def scope(
    method: str = "POST",
    content_type: str | None = "application/json",
    headers: Sequence[tuple[str, str]] = (),
    principal: Principal | None = None,
) -> dict[str, Any]:
    raw = [(b"content-type", content_type.encode())] if content_type is not None else []
    raw += [(n.encode(), v.encode()) for n, v in headers]
    found: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": "/graphql", "raw_path": b"/graphql", "root_path": "", "query_string": b"", "headers": raw,
        "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 50000),
    }  # fmt: skip
    if principal is not None:
        found[PRINCIPAL_SCOPE_KEY] = principal
    return found


def receiving(*chunks: bytes, disconnect: bool = False) -> Any:
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1} for i, chunk in enumerate(chunks)
    ]
    if disconnect:
        messages = [*messages[:-1], {"type": "http.disconnect"}] if chunks else [{"type": "http.disconnect"}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return receive


async def served(app: Callable[..., Awaitable[None]], request_scope: dict[str, Any], *chunks: bytes) -> Answer:
    """What the ASGI callable ``app`` answers to a request of ``request_scope`` whose body comes in ``chunks``."""
    answer = Answer()
    await app(request_scope, receiving(*chunks), answer.send)
    return answer


async def by_the_view(app: SubgraphApp, request_scope: dict[str, Any], *chunks: bytes) -> Answer:
    return await served(partial(GraphQL.__call__, app), request_scope, *chunks)


def body(**fields: Any) -> bytes:
    return orjson.dumps(fields)


async def test_a_json_post_is_answered_without_strawberrys_http_view() -> None:
    app = CountingApp()
    answer = await served(app, scope(), body(query='{ echo(text: "你好") }'))
    assert (answer.status, answer.json()) == (200, {"data": {"echo": "你好"}})
    assert answer.header(b"content-type") == b"application/json"
    assert answer.header(b"content-length") == str(len(answer.body)).encode()
    assert app.view_runs == 0


async def test_variables_and_the_operation_name_choose_what_runs() -> None:
    document = "query A($t: String!) { echo(text: $t) } query B { who }"
    answer = await served(CountingApp(), scope(), body(query=document, variables={"t": "x"}, operationName="A"))
    assert answer.json() == {"data": {"echo": "x"}}


async def test_a_body_in_several_chunks_is_read_whole() -> None:
    whole = body(query='{ echo(text: "chunked") }')
    answer = await served(CountingApp(), scope(), whole[:5], whole[5:20], whole[20:])
    assert answer.json() == {"data": {"echo": "chunked"}}


async def test_the_principal_in_the_scope_and_the_idempotency_key_reach_the_context() -> None:
    request_scope = scope(headers=[("idempotency-key", "k-1")], principal=CLERK)
    answer = await served(CountingApp(), request_scope, body(query="{ who }"))
    assert answer.json() == {"data": {"who": "clerk-7 k-1"}}
    mutation = await served(
        CountingApp(), scope(headers=[("idempotency-key", "k-2")]), body(query="mutation { touch }")
    )
    assert mutation.json() == {"data": {"touch": "touched with k-2"}}


async def test_a_client_gone_before_its_body_arrived_gets_no_answer() -> None:
    app = CountingApp()
    answer = Answer()
    await app(scope(), receiving(b'{"query": "{ ech', disconnect=True), answer.send)
    assert answer.messages == 0
    assert app.view_runs == 0


async def test_resolver_failures_are_coded_and_internal_ones_masked() -> None:
    answer = await served(CountingApp(), scope(), body(query="{ down crash }"))
    errors = {e["path"][0]: e for e in answer.json()["errors"]}
    assert errors["down"]["extensions"]["code"] == "LEGACY_UNAVAILABLE"
    assert errors["down"]["extensions"]["service"] == "HOTLINE"
    assert errors["crash"]["message"] == "internal error"
    assert errors["crash"]["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "retryable": False}


SAME_AS_THE_VIEW = {
    "a query": (scope(), body(query='{ echo(text: "a") }')),
    "null variables and operation name": (scope(), body(query="{ who }", variables=None, operationName=None)),
    "charset in the content type": (scope(content_type="application/json; charset=utf-8"), body(query="{ who }")),
    "resolver errors": (scope(), body(query='{ echo(text: "b") down crash }')),
    "partial errors": (scope(), body(query="{ partly crash }")),
    "people served": (scope(), body(query='{ person(phone: "13800000000") }')),
    "a mutation": (scope(headers=[("idempotency-key", "k-9")]), body(query="mutation { touch }")),
    "a syntax error": (scope(), body(query="{ echo(")),
    "a validation error": (scope(), body(query="{ nothing }")),
    "a missing variable": (scope(), body(query="query($t: String!) { echo(text: $t) }")),
    "an unknown operation name": (scope(), body(query="query A { who }", operationName="B")),
    "two operations and no name": (scope(), body(query="query A { who } query B { who }")),
    "bad JSON": (scope(), b'{"query": '),
    "a JSON array (a batch)": (scope(), b'[{"query": "{ who }"}]'),
    "a JSON string (the view fails)": (scope(), b'"{ who }"'),
    "no query": (scope(), body(variables={})),
    "an empty query": (scope(), body(query="")),
    "a query that is not a string": (scope(), body(query=5)),
    "variables that are not an object": (scope(), body(query="{ who }", variables=[1])),
    "extensions that are not an object": (scope(), body(query="{ who }", extensions="x")),
    "an operation name that is not a string": (scope(), body(query="{ who }", operationName=["A"])),
    "a form content type": (scope(content_type="application/x-www-form-urlencoded"), b"query=%7B+who+%7D"),
    "no content type": (scope(content_type=None), body(query="{ who }")),
    "the content type in capitals": (scope(content_type="Application/JSON"), body(query="{ who }")),
    "a PUT": (scope(method="PUT"), body(query="{ who }")),
}


@pytest.mark.parametrize("case", SAME_AS_THE_VIEW)
async def test_every_answer_is_the_one_strawberrys_view_gives(case: str) -> None:
    request_scope, request_body = SAME_AS_THE_VIEW[case]
    first = await outcome(served(CountingApp(), dict(request_scope), request_body))  # validates a new document
    again = await outcome(served(CountingApp(), dict(request_scope), request_body))  # a known one
    theirs = await outcome(by_the_view(CountingApp(), dict(request_scope), request_body))
    assert first == theirs
    assert again == theirs


async def test_an_exception_out_of_execution_is_answered_as_strawberry_answers_it() -> None:
    request_body = body(query='{ person(phone: "13900000000") }')
    first = await outcome(served(CountingApp(BrokenDirectory()), scope(), request_body))
    again = await outcome(served(CountingApp(BrokenDirectory()), scope(), request_body))
    theirs = await outcome(by_the_view(CountingApp(BrokenDirectory()), scope(), request_body))
    assert first == again == theirs
    assert b"the directory broke" in theirs[1]


@pytest.fixture
def execute_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str | None]]:
    calls: list[str | None] = []
    original = schema.execute

    async def counting(query: str | None, *args: Any, **kwargs: Any) -> Any:
        calls.append(query)
        return await original(query, *args, **kwargs)

    monkeypatch.setattr(schema, "execute", counting)
    yield calls


async def test_a_known_document_runs_without_strawberrys_execute_and_serves_the_directory(
    execute_calls: list[str | None],
) -> None:
    app = CountingApp()
    document = 'query Known($p: String!) { person(phone: $p) echo(text: "k") }'
    for phone in ("13700000001", "13700000002", "13700000003"):
        answer = await served(app, scope(), body(query=document, variables={"p": phone}))
        assert answer.json() == {"data": {"person": f"pk-{phone}", "echo": "k"}}
    assert execute_calls == [document]  # only the first, which validated it
    assert set((await app.directory.lookup(["pk-13700000001", "pk-13700000003"])).keys()) == {
        "pk-13700000001",
        "pk-13700000003",
    }


async def outcome(answering: Awaitable[Answer]) -> tuple[Any, ...]:
    """Status, body and sorted headers; or the exception's type and text (uvicorn then answers 500)."""
    try:
        answer = await answering
    except Exception as exc:
        return (type(exc), str(exc))
    return (answer.status, answer.body, sorted(answer.headers))


async def test_only_the_unusual_requests_reach_strawberrys_view() -> None:
    app = CountingApp()
    await served(app, scope(), body(query="{ who }"))
    await served(app, scope(), body(query="{ nothing }"))
    assert app.view_runs == 0
    await served(app, scope(), b"[]")
    await served(app, scope(content_type="text/plain"), body(query="{ who }"))
    assert app.view_runs == 2
