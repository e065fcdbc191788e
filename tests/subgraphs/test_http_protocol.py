"""A subgraph's uvicorn sends each answer's head with its body in one write, and still answers every kind of
request whole: HEAD, ``Expect: 100-continue``, a streamed body, an app that fails half-way."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import aiohttp
import pytest
import uvicorn

from subgraphs.common.http_protocol import HeadWithBodyProtocol, _HeadHeldBack
from tests.support.servers import BackgroundServer

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


class Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def held(transport: Transport) -> Any:
    return _HeadHeldBack(transport)  # type: ignore[arg-type]


def test_the_head_goes_out_with_the_first_body_write() -> None:
    transport = Transport()
    cycle = held(transport)
    cycle.write(HEAD)
    assert transport.writes == []
    cycle.write(b"{}")
    assert transport.writes == [HEAD + b"{}"]


def test_a_continue_goes_out_at_once_and_the_head_after_it_is_held() -> None:
    transport = Transport()
    cycle = held(transport)
    cycle.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    cycle.write(HEAD)
    cycle.write(b"ok")
    assert transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n", HEAD + b"ok"]


def test_later_chunks_go_out_as_written_and_closing_sends_a_held_head() -> None:
    transport = Transport()
    cycle = held(transport)
    cycle.write(HEAD)
    cycle.write(b"a")
    cycle.write(b"b")
    assert transport.writes == [HEAD + b"a", b"b"]
    unanswered = Transport()
    other = held(unanswered)
    other.write(HEAD)
    other.close()
    assert (unanswered.writes, unanswered.closed, other.is_closing()) == ([HEAD], True, True)


Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]


async def app(scope: Any, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    path = scope["path"]
    if path == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        for part in (b"one ", b"two ", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
            await asyncio.sleep(0.01)
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/fail":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]})
        raise RuntimeError("failed after the start")
    answer = b"echo " + body if body else b"hello"
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(answer)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": answer})


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    async def start(port: int) -> Callable[[], Awaitable[None]]:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", http=HeadWithBodyProtocol)
        running = uvicorn.Server(config)
        task = asyncio.ensure_future(running.serve())
        while not running.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)

        async def stop() -> None:
            running.should_exit = True
            await task

        return stop

    s = BackgroundServer(start)
    yield s
    s.stop()


async def test_answers_arrive_whole_over_one_kept_alive_connection(server: BackgroundServer) -> None:
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector) as session:
        for _ in range(3):
            async with session.get(server.url + "/") as resp:
                assert (resp.status, await resp.read()) == (200, b"hello")
        async with session.post(server.url + "/", data=b"x" * 70_000) as resp:
            assert await resp.read() == b"echo " + b"x" * 70_000
        async with session.head(server.url + "/") as resp:
            assert (resp.status, resp.headers["content-length"], await resp.read()) == (200, "5", b"")
        async with session.post(server.url + "/", data=b"body", expect100=True) as resp:
            assert await resp.read() == b"echo body"
        async with session.get(server.url + "/stream") as resp:
            assert await resp.read() == b"one two three"
        async with session.get(server.url + "/") as resp:
            assert await resp.read() == b"hello"


async def test_an_app_failing_after_the_start_closes_the_connection(server: BackgroundServer) -> None:
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientPayloadError):
            async with session.get(server.url + "/fail") as resp:
                assert resp.status == 200
                await resp.read()
