"""The LRU, the plan cache's second tier and its in-flight deduplication."""

from __future__ import annotations

import asyncio

import pytest

from gateway.caches import DocumentCache, LruCache, PlanCache, PlanKey
from gateway.document import PreparedDocument
from gateway.planner.plan import Fetch, QueryPlan

PLAN = QueryPlan(Fetch(subgraph="users", operation="{ hello }"))
KEY = PlanKey("schema", "{\n  hello\n}", None)


def test_the_lru_evicts_the_least_recently_used_entry() -> None:
    cache: LruCache[str, int] = LruCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    assert len(cache) == 2


def test_plan_keys_differ_by_schema_document_and_operation_name() -> None:
    digests = {
        KEY.digest(),
        PlanKey("other", KEY.document, None).digest(),
        PlanKey("schema", "{ me }", None).digest(),
        PlanKey("schema", KEY.document, "Op").digest(),
    }
    assert len(digests) == 4
    assert KEY.digest().startswith("minyi:plan:schema:")


async def test_concurrent_misses_for_one_key_plan_once() -> None:
    built: list[int] = []
    release = asyncio.Event()

    class SlowStore:
        async def get(self, key: str) -> QueryPlan | None:
            await release.wait()  # holds the first miss in flight while the others arrive
            return None

        async def put(self, key: str, plan: QueryPlan) -> None:
            return None

    cache = PlanCache(10, SlowStore())

    def build() -> QueryPlan:
        built.append(1)
        return PLAN

    waiting = [asyncio.ensure_future(cache.load(KEY, build)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*waiting) == [PLAN] * 5
    assert built == [1]
    assert cache.get(KEY) is PLAN


async def test_the_second_tier_is_asked_before_planning_and_filled_after() -> None:
    stored: dict[str, QueryPlan] = {}

    class DictStore:
        async def get(self, key: str) -> QueryPlan | None:
            return stored.get(key)

        async def put(self, key: str, plan: QueryPlan) -> None:
            stored[key] = plan

    first = PlanCache(10, DictStore())
    assert await first.load(KEY, lambda: PLAN) is PLAN
    assert stored == {KEY.digest(): PLAN}

    def must_not_plan() -> QueryPlan:
        raise AssertionError("planned although the shared tier had the plan")

    second = PlanCache(10, DictStore())  # another replica
    assert await second.load(KEY, must_not_plan) is PLAN


async def test_a_planning_failure_reaches_the_caller_and_is_not_cached() -> None:
    cache = PlanCache(10)

    def broken() -> QueryPlan:
        raise ValueError("cannot plan")

    with pytest.raises(ValueError, match="cannot plan"):
        await cache.load(KEY, broken)
    assert cache.get(KEY) is None
    assert await cache.load(KEY, lambda: PLAN) is PLAN


def test_the_document_cache_is_bounded_by_the_size_of_the_texts_it_holds() -> None:
    cache = DocumentCache(100, max_chars=16_000)
    refused = PreparedDocument(None, "", ({"message": "no"},))
    for i in range(10):
        cache.put(f"{i:04d}" + " " * 996, refused)  # 1,000 characters each
    assert len(cache) == 10
    for i in range(10, 20):
        cache.put(f"{i:04d}" + " " * 996, refused)
    assert len(cache) == 16  # 16,000 characters at most: the oldest went
    assert cache.get("0000" + " " * 996) is None and cache.get("0019" + " " * 996) is refused
    cache.put("x" * 1_001, refused)  # over a sixteenth of the budget: not cached at all
    assert cache.get("x" * 1_001) is None
