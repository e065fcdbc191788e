"""The in-process store (a gateway without Redis) keeps its memory bounded: expired keys are swept without being
read again, a full store evicts the keys nearest to expiring, sets are capped, and a flood of anonymous visits to
the login page holds no more than the cap."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from auth.provider import Provider, create_provider_app
from auth.settings import AuthSettings
from auth.store import DEFAULT_MAX_KEYS, MemoryStore, StoreFull

REDIRECT = "http://127.0.0.1:9/portal/callback"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_expired_keys_are_swept_on_the_next_write_without_being_read() -> None:
    clock = Clock()
    store = MemoryStore(clock=clock)
    for n in range(100):
        await store.set(f"session:{n}", "x", ex=60)
    await store.set("key", "kept")  # no expiry
    clock.now += 61
    await store.set("another", "y", ex=60)
    assert len(store) == 2 and store.swept == 100
    assert store.pending_deadlines == 1


async def test_a_full_store_evicts_the_key_nearest_to_expiring() -> None:
    clock = Clock()
    store = MemoryStore(max_keys=3, clock=clock)
    await store.set("signing-key", "k")  # no expiry: never evicted
    await store.set("soon", "a", ex=10)
    await store.set("later", "b", ex=100)
    await store.set("new", "c", ex=50)
    assert len(store) == 3 and store.evicted == 1
    assert await store.get("soon") is None
    assert await store.get("signing-key") == b"k" and await store.get("later") == b"b"


async def test_a_store_full_of_keys_without_expiry_says_so() -> None:
    store = MemoryStore(max_keys=2)
    await store.set("a", "1")
    await store.set("b", "2")
    with pytest.raises(StoreFull, match="2 keys without an expiry"):
        await store.set("c", "3")
    await store.set("a", "again")  # rewriting a key needs no room


async def test_rewritten_expiries_keep_the_deadline_heap_bounded() -> None:
    store = MemoryStore(max_keys=10)
    for _ in range(1000):
        await store.set("counter", "1", ex=60)
        await store.expire("counter", 120)
    assert store.pending_deadlines <= 2 * 10 + 16


async def test_sets_keep_at_most_max_members_dropping_the_oldest() -> None:
    store = MemoryStore(max_members=3)
    await store.sadd("fams", "f1", "f2")
    await store.sadd("fams", "f3", "f4")
    assert await store.smembers("fams") == {b"f2", b"f3", b"f4"}


def test_the_gateway_store_has_the_default_cap() -> None:
    provider = Provider(AuthSettings(portal_redirect_uris=[REDIRECT]).options())
    assert isinstance(provider.kv, MemoryStore) and provider.kv.max_keys == DEFAULT_MAX_KEYS


async def _get(app: Any, path: str, query: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:9")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 9),
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


async def test_a_hundred_thousand_anonymous_login_pages_hold_at_most_the_cap() -> None:
    store = MemoryStore(max_keys=10_000)
    provider = Provider(AuthSettings(issuer="http://127.0.0.1:9", portal_redirect_uris=[REDIRECT]).options(), kv=store)
    app = create_provider_app(provider)
    query = (
        f"response_type=code&client_id=minyi-portal&redirect_uri={REDIRECT}&scope=openid"
        f"&code_challenge={'a' * 43}&code_challenge_method=S256"
    ).encode()
    largest = 0
    for batch in range(100):
        statuses = await asyncio.gather(*(_get(app, "/oauth/authorize", query) for _ in range(1000)))
        assert set(statuses) == {200}, batch
        largest = max(largest, len(store))
    assert largest <= 10_000 and store.pending_deadlines <= 2 * 10_000 + 16
    assert store.evicted >= 90_000  # every session past the cap pushed out the one nearest to expiring
