from __future__ import annotations

import pytest
from redis.asyncio import Redis

from resolvers.persons import DirectoryUnavailable, Identifiers, MemoryDirectory, RedisDirectory, connect_redis


async def test_redis_directory_round_trips_and_merges(redis: Redis) -> None:
    directory = RedisDirectory(redis)
    await directory.remember({"k1": Identifiers(phone="13800138000")})
    await directory.remember({"k1": Identifiers(id_number="430102199001011234"), "k2": Identifiers(phone="1")})
    found = await directory.lookup(["k1", "k2", "unknown"])
    assert found == {
        "k1": Identifiers("13800138000", "430102199001011234"),
        "k2": Identifiers("1", ""),
    }
    assert 0 < await redis.ttl("minyi:person:k1") <= 30 * 24 * 3600


async def test_memory_directory_behaves_the_same() -> None:
    directory = MemoryDirectory()
    await directory.remember({"k1": Identifiers(phone="13800138000")})
    await directory.remember({"k1": Identifiers(id_number="X")})
    assert await directory.lookup(["k1", "nope"]) == {"k1": Identifiers("13800138000", "X")}


async def test_an_unreachable_redis_is_a_clear_error() -> None:
    client = connect_redis("redis://127.0.0.1:1/0")
    try:
        with pytest.raises(DirectoryUnavailable, match="person directory unavailable"):
            await RedisDirectory(client).lookup(["k"])
    finally:
        await client.aclose()


async def test_redis_directory_writes_an_unchanged_entry_again_only_after_a_while(redis: Redis) -> None:
    now = [1000.0]
    directory = RedisDirectory(redis, rewrite_after_s=300, clock=lambda: now[0])
    await directory.remember({"k1": Identifiers(phone="13800138000")})
    await redis.delete("minyi:person:k1")  # had it been written again, it would be back
    await directory.remember({"k1": Identifiers(phone="13800138000")})
    assert await directory.lookup(["k1"]) == {}
    await directory.remember({"k1": Identifiers(phone="13800138000", id_number="X")})  # changed: written at once
    assert await directory.lookup(["k1"]) == {"k1": Identifiers("13800138000", "X")}
    await redis.delete("minyi:person:k1")
    now[0] += 301  # a while later the same entry is written again, which also renews its expiry
    await directory.remember({"k1": Identifiers(phone="13800138000", id_number="X")})
    assert await directory.lookup(["k1"]) == {"k1": Identifiers("13800138000", "X")}


async def test_redis_directory_answers_a_key_it_found_lately_from_memory(redis: Redis) -> None:
    now = [1000.0]
    directory = RedisDirectory(redis, known_for_s=30, clock=lambda: now[0])
    await directory.remember({"k1": Identifiers(phone="13800138000")})
    assert await directory.lookup(["k1", "k2"]) == {"k1": Identifiers("13800138000", "")}
    await redis.delete("minyi:person:k1")
    await redis.hset("minyi:person:k2", mapping={"phone": "2"})  # another process writes k2
    now[0] += 29  # k1 is answered from memory; k2 was not found before, so it is asked again
    assert await directory.lookup(["k1", "k2"]) == {"k1": Identifiers("13800138000", ""), "k2": Identifiers("2", "")}
    await redis.hset("minyi:person:k2", mapping={"id": "X"})
    now[0] += 2  # k1 found 31 s ago: read again (and gone); k2 found 2 s ago: from memory, without the new field
    assert await directory.lookup(["k1", "k2"]) == {"k2": Identifiers("2", "")}
    now[0] += 30
    assert await directory.lookup(["k2"]) == {"k2": Identifiers("2", "X")}


async def test_what_a_redis_directory_writes_its_next_lookup_reads_whole(redis: Redis) -> None:
    directory = RedisDirectory(redis, clock=lambda: 1000.0)
    await directory.remember({"k1": Identifiers(phone="13800138000")})
    assert await directory.lookup(["k1"]) == {"k1": Identifiers("13800138000", "")}
    await directory.remember({"k1": Identifiers(id_number="X")})
    assert await directory.lookup(["k1"]) == {"k1": Identifiers("13800138000", "X")}
