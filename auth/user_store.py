"""Users in Redis area ``minyi:users`` (only here): one hash, ``minyi:users`` username → the user's JSON (as in the
JSON file store, with the scrypt hash), so every replica reads the same users. Used when the provider has Redis;
empty, it is seeded with the demo users in dev mode (HSETNX, so replicas seeding at once agree).

:class:`Users` is the interface the provider and ``minyi users`` use; :class:`~auth.users.UserStore` (JSON file or
memory) and :class:`RedisUserStore` both implement it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol

from redis.asyncio import Redis

from auth.users import User, demo_users

__all__ = ["KEY", "RedisUserStore", "Users"]

KEY = "minyi:users"


class Users(Protocol):
    async def get_user(self, username: str) -> User | None: ...

    async def list_users(self) -> list[User]: ...

    async def put_user(self, user: User) -> None: ...

    async def remove_user(self, username: str) -> bool: ...


class RedisUserStore:
    """Users in Redis; ``dev``: an empty store is seeded with the demo users at the first use."""

    def __init__(self, redis: Redis, *, dev: bool = False) -> None:
        self._redis = redis
        self._seed = dev

    async def _ready(self) -> None:
        if self._seed:
            if not await self._redis.hlen(KEY):
                await self.seed(demo_users())
            self._seed = False

    async def seed(self, users: Iterable[User]) -> None:
        for user in users:
            await self._redis.hsetnx(KEY, user.username.lower(), _dump(user))

    async def get_user(self, username: str) -> User | None:
        await self._ready()
        raw = await self._redis.hget(KEY, username.strip().lower())
        return None if raw is None else User.from_json(json.loads(raw))

    async def list_users(self) -> list[User]:
        await self._ready()
        raw = await self._redis.hgetall(KEY)
        return sorted((User.from_json(json.loads(v)) for v in raw.values()), key=lambda u: u.username)

    async def put_user(self, user: User) -> None:
        await self._ready()
        await self._redis.hset(KEY, user.username.lower(), _dump(user))

    async def remove_user(self, username: str) -> bool:
        await self._ready()
        return bool(await self._redis.hdel(KEY, username.strip().lower()))


def _dump(user: User) -> str:
    return json.dumps(replace(user, username=user.username.lower()).to_json(), ensure_ascii=False)
