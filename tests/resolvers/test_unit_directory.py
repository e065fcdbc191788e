"""The unit directory behind ``node(id: "unit:…")``: what one process writes, another reads (real Redis)."""

from __future__ import annotations

from redis.asyncio import Redis

from resolvers.units import UNIT_NAMES, MemoryUnits, RedisUnits


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_unit_one_subgraph_served_is_found_by_another(redis: Redis) -> None:
    grid, petition = RedisUnits(redis), RedisUnits(redis)
    await grid.remember({"430105001-JD": "洪山街道办事处", "": "no code", "430105-CG": ""})
    assert await petition.name_of("430105001-JD") == "洪山街道办事处"
    assert await petition.name_of("430105-CG") is None  # nothing is written without a code and a name
    assert await redis.hlen(UNIT_NAMES) == 1


async def test_a_process_writes_a_unit_again_only_when_it_changed_or_a_while_has_passed(redis: Redis) -> None:
    clock = Clock()
    units = RedisUnits(redis, rewrite_after_s=300, clock=clock)
    await units.remember({"43010511": "伍家岭街道办事处"})
    await redis.delete(UNIT_NAMES)  # as if Redis had lost its data
    await units.remember({"43010511": "伍家岭街道办事处"})
    assert await units.name_of("43010511") is None  # written a moment ago: not again
    await units.remember({"43010511": "开福区伍家岭街道办事处"})
    assert await units.name_of("43010511") == "开福区伍家岭街道办事处"  # a new name is written at once
    await redis.delete(UNIT_NAMES)
    clock.now = 301
    await units.remember({"43010511": "开福区伍家岭街道办事处"})
    assert await units.name_of("43010511") == "开福区伍家岭街道办事处"


async def test_without_redis_a_process_knows_the_units_it_served() -> None:
    units = MemoryUnits()
    await units.remember({"430100JWJ": "市纪委监委"})
    assert await units.name_of("430100JWJ") == "市纪委监委" and await units.name_of("430100ZJJ") is None
