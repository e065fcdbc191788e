"""The duplicate-detection index in a real Redis: candidates by person, place and text bucket within the window,
entries moved when an appeal changes, and nothing stored that names or describes anyone."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from redis.asyncio import Redis

from resolvers.dedupe.index import MemoryIndex, RedisIndex, entry_of
from resolvers.dedupe.item import DedupeItem
from resolvers.domain import SourceSystem

AT = datetime(2026, 11, 2, 9, 0)
FIRST = DedupeItem(
    id="hotline:1",
    system=SourceSystem.HOTLINE,
    received_at=AT,
    title="锦绣社区菜市场旁餐馆油烟扰民",
    content="锦绣社区菜市场旁的餐馆油烟直排，每天中午和晚上最严重。联系电话13800001111",
    address="湖南省长沙市开福区东风路街道锦绣社区菜市场旁",
    category="环境保护",
    admin_code="430105002003",
    grid_code="430105002003001",
    person_key="person-a",
)
SAME_TEXT = replace(FIRST, id="board:7", person_key=None, grid_code="", admin_code="", category="")
SAME_PERSON = replace(FIRST, id="grid:3", title="路灯不亮", content="小区路灯坏了", category="城乡建设", grid_code="")
UNRELATED = replace(
    FIRST, id="petition:4", title="工资拖欠", content="公司拖欠三个月工资", person_key="person-b", grid_code="",
    admin_code="430102001001", category="劳动和社会保障",
)  # fmt: skip
LATER = replace(FIRST, id="hotline:9", received_at=AT + timedelta(days=45))


async def test_candidates_share_a_block_within_the_window(redis: Redis) -> None:
    for index in (RedisIndex(redis), MemoryIndex()):
        assert await index.add([entry_of(i) for i in (FIRST, SAME_TEXT, SAME_PERSON, UNRELATED, LATER)]) == 5
        found = await index.candidates(entry_of(FIRST), timedelta(days=30))
        assert found == {"board:7", "grid:3"}
        assert await index.add([entry_of(FIRST)]) == 0  # unchanged: nothing written
        assert await index.size() == 5


async def test_a_changed_appeal_leaves_its_old_blocks(redis: Redis) -> None:
    index = RedisIndex(redis)
    await index.add([entry_of(FIRST), entry_of(SAME_PERSON)])
    moved = replace(SAME_PERSON, person_key="person-c")
    assert await index.add([entry_of(moved)]) == 1
    assert await index.candidates(entry_of(FIRST), timedelta(days=30)) == set()


async def test_the_index_holds_keys_fingerprints_and_times_only(redis: Redis) -> None:
    await RedisIndex(redis).add([entry_of(i) for i in (FIRST, SAME_TEXT, SAME_PERSON)])
    stored = []
    async for key in redis.scan_iter(match="minyi:dedupe:*"):
        stored.append(key.decode())
        kind = await redis.type(key)
        if kind == b"hash":
            stored.extend(v.decode() for v in (await redis.hgetall(key)).values())
        else:
            stored.extend(m.decode() for m in await redis.zrange(key, 0, -1))
    text = " ".join(stored)
    assert stored and "13800001111" not in text and "锦绣" not in text and "油烟" not in text
    assert all(ord(c) < 128 for c in text)  # no Chinese at all: no names, addresses or words
