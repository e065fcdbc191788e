"""A system without request receipts: the message board. Before a board answer is sent again, the worker reads
the thread back, and an answer already there counts as applied — it is never published twice."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace

import aiohttp
import pytest
from redis.asyncio import Redis

from legacy.board.app import create_app as create_board
from legacy.grid.app import create_app as create_grid
from legacy.hotline.app import create_app as create_hotline
from legacy.standin import StandinOptions
from resolvers.dispatch import Action, Command, DispatchState, StepState
from tests.resolvers.dispatch.harness import DISPATCHER, board_client, rig_for
from tests.support.servers import BackgroundServer, serve_aiohttp

ANSWER = "经核查，路灯已于今日修复。"
ORGANIZATION = "开福区城管局"


@pytest.fixture(scope="module")
def standins() -> Iterator[dict[str, BackgroundServer]]:
    servers = {
        "hotline": serve_aiohttp(lambda: create_hotline(StandinOptions())),
        "grid": serve_aiohttp(lambda: create_grid(StandinOptions())),
        "board": serve_aiohttp(lambda: create_board(StandinOptions())),
    }
    yield servers
    for server in servers.values():
        server.stop()


async def _replies_sent(board: BackgroundServer) -> int:
    async with aiohttp.ClientSession() as http, http.get(f"{board.url}/_admin/stats") as resp:
        stats = await resp.json()
    return int(stats["by_route"].get("POST /v1/threads/reply", 0))


async def test_an_answer_whose_reply_was_lost_is_read_back_and_not_published_twice(
    redis: Redis, standins: dict[str, BackgroundServer]
) -> None:
    board = board_client(standins["board"].url)
    thread = (await board.list_threads(count=1, state_text="待回复")).threads[0]
    appeal = f"board:{thread.thread_id}"
    urls = {name: server.url for name, server in standins.items()}
    async with rig_for(redis, urls["hotline"], urls["grid"], board_url=urls["board"], workers=0) as rig:
        command = Command(Action.REPLY, appeal, {"text": ANSWER, "organization": ORGANIZATION})
        accepted = (await rig.service.submit(DISPATCHER, command, "board-reply-1")).record
        # the first send reached the board, but its answer never came back: one attempt counted, step not applied
        await board.reply(thread.thread_id, ORGANIZATION, ANSWER)
        step = replace(accepted.steps[0], attempts=1, error="board could not be reached: no answer within 5s")
        await rig.outbox.save(accepted.with_step(0, step))
    sent_before = await _replies_sent(standins["board"])
    async with rig_for(redis, urls["hotline"], urls["grid"], board_url=urls["board"]) as rig:
        record = accepted
        for _ in range(100):
            loaded = await rig.outbox.load(accepted.id)
            assert loaded is not None
            record = loaded
            if record.terminal:
                break
            await asyncio.sleep(0.05)
    assert record.state is DispatchState.APPLIED, record.reason
    assert (record.steps[0].state, record.steps[0].attempts) == (StepState.APPLIED, 2)
    assert await _replies_sent(standins["board"]) == sent_before  # read back, not sent again
    published = await board.thread(thread.thread_id)
    assert (published.answer_organization, published.answer_content) == (ORGANIZATION, ANSWER)


async def test_only_the_centre_publishes_board_answers(redis: Redis, standins: dict[str, BackgroundServer]) -> None:
    from resolvers.dispatch import PermissionRefused
    from tests.resolvers.dispatch.harness import HANDLER

    board = board_client(standins["board"].url)
    thread = (await board.list_threads(count=1, state_text="待回复")).threads[0]
    urls = {name: server.url for name, server in standins.items()}
    async with rig_for(redis, urls["hotline"], urls["grid"], board_url=urls["board"], workers=0) as rig:
        command = Command(Action.REPLY, f"board:{thread.thread_id}", {"text": ANSWER, "organization": ORGANIZATION})
        with pytest.raises(PermissionRefused):
            await rig.service.submit(HANDLER, command, "board-reply-2")
