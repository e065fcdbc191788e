"""Real servers on loopback for tests, each in its own thread and event loop.

Running a server in a background thread lets one server (a seeded stand-in, a subgraph) serve a whole test
module or session while every test keeps its own event loop, and the traffic is real HTTP over 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from aiohttp import web

__all__ = ["BackgroundServer", "SilentServer", "free_port", "serve_aiohttp", "serve_asgi", "serve_silent"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class BackgroundServer:
    """A server running in a daemon thread; ``url`` is its base URL; ``stop()`` shuts it down."""

    def __init__(self, start: Callable[[int], Awaitable[Callable[[], Awaitable[None]]]], port: int = 0) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._start = start
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._stopper: Callable[[], Awaitable[None]] | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("server did not start within 30 s")
        if self._error is not None:
            raise RuntimeError(f"server failed to start: {self._error!r}") from self._error

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._stopper = self._loop.run_until_complete(self._start(self.port))
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()

    def call(self, coro: Awaitable[Any]) -> Any:
        """Run a coroutine on the server's loop (e.g. to inspect its state) and return its result."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)  # type: ignore[arg-type]

    def stop(self) -> None:
        if self._stopper is not None and self._loop.is_running():
            asyncio.run_coroutine_threadsafe(self._stopper(), self._loop).result(30)
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        if not self._loop.is_running():
            self._loop.close()


def serve_aiohttp(make_app: Callable[[], web.Application], port: int = 0) -> BackgroundServer:
    async def start(p: int) -> Callable[[], Awaitable[None]]:
        runner = web.AppRunner(make_app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", p).start()
        return runner.cleanup

    return BackgroundServer(start, port)


def serve_asgi(make_app: Callable[[], Any], port: int = 0) -> BackgroundServer:
    async def start(p: int) -> Callable[[], Awaitable[None]]:
        # proxy_headers off, as minyi/cli.py runs uvicorn: X-Forwarded-For is the app's to judge (auth/proxies.py)
        config = uvicorn.Config(
            make_app(), host="127.0.0.1", port=p, log_level="warning", lifespan="on", proxy_headers=False
        )
        server = uvicorn.Server(config)
        task = asyncio.ensure_future(server.serve())
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.01)

        async def stop() -> None:
            server.should_exit = True
            await task

        return stop

    return BackgroundServer(start, port)


class SilentServer:
    """A TCP server that accepts connections, reads what it is sent and never answers (a hung Redis, say).
    ``connections`` counts the connections accepted; ``url(scheme)`` is its address."""

    def __init__(self, server: BackgroundServer, connections: list[int]) -> None:
        self.server = server
        self.port = server.port
        self._connections = connections

    @property
    def connections(self) -> int:
        return self._connections[0]

    def url(self, scheme: str = "redis", path: str = "/0") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.server.stop()


def serve_silent() -> SilentServer:
    connections = [0]
    writers: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections[0] += 1
        writers.append(writer)
        while await reader.read(65536):
            pass

    async def start(p: int) -> Callable[[], Awaitable[None]]:
        server = await asyncio.start_server(swallow, "127.0.0.1", p)

        async def stop() -> None:
            server.close()
            for writer in writers:
                writer.close()
            await server.wait_closed()

        return stop

    return SilentServer(BackgroundServer(start), connections)
