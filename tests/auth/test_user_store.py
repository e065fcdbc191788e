"""Users in Redis (area ``minyi:users``) on the real Redis: the store behind the provider's interface, demo seeding
in dev mode only, a login against it, and ``minyi users`` editing whichever store is configured (``--file`` still
edits a JSON file)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis
from typer.testing import CliRunner

from auth.principal import Role
from auth.provider import Provider, create_provider_app
from auth.user_store import KEY, RedisUserStore
from auth.users import DEMO_PASSWORD, User, UserStore, hash_password, verify_password
from minyi.cli import app
from tests.auth.conftest import PASSWORD, exchange, log_in, make_provider
from tests.conftest import REDIS_URL
from tests.support.servers import BackgroundServer, free_port, serve_asgi


async def test_the_redis_store_keeps_users_and_seeds_demo_users_only_in_dev(redis: Redis) -> None:
    plain = RedisUserStore(redis)
    assert KEY == "minyi:users"
    assert await plain.list_users() == [] and await plain.get_user("dispatcher") is None
    dev = RedisUserStore(redis, dev=True)
    users = await dev.list_users()
    assert "dispatcher" in [u.username for u in users] and len(users) > 5
    dispatcher = await plain.get_user(" Dispatcher ")
    assert dispatcher is not None and dispatcher.roles == (Role.DISPATCHER,)
    assert verify_password(DEMO_PASSWORD, dispatcher.password_hash)

    await plain.put_user(User("NewOne", "新人", (Role.OPERATOR,), hash_password("pw"), admin_codes=("430100",)))
    found = await dev.get_user("newone")
    assert found is not None and found.admin_codes == ("430100",) and found.username == "newone"
    assert await plain.remove_user("newone") and not await plain.remove_user("newone")
    await plain.remove_user("admin")
    assert await RedisUserStore(redis, dev=True).get_user("admin") is None  # not empty: no reseeding


@pytest.fixture
def served_on_redis_users(redis: Redis) -> Iterator[BackgroundServer]:
    port = free_port()
    clients: list[Redis] = []

    def make() -> object:
        client = Redis.from_url(REDIS_URL)
        clients.append(client)
        base = make_provider(port, client)
        return create_provider_app(Provider(base.options, kv=client, users=RedisUserStore(client)))

    server = serve_asgi(make, port)
    try:
        yield server
    finally:
        server.call(clients[0].aclose())
        server.stop()


async def test_a_login_against_users_in_redis(served_on_redis_users: BackgroundServer, redis: Redis) -> None:
    user = User("dispatcher", "王派单", (Role.DISPATCHER,), hash_password(PASSWORD), admin_codes=("430100",))
    await RedisUserStore(redis).put_user(user)  # another replica (or the CLI) added it
    base = served_on_redis_users.url
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        status, tokens = await exchange(browser, base, *(await log_in(browser, base)))
    assert status == 200 and tokens["access_token"]


def test_the_cli_edits_redis_when_configured_and_the_file_with_file(
    redis: Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINYI_REDIS_URL", REDIS_URL)
    monkeypatch.delenv("MINYI_AUTH_REDIS_URL", raising=False)
    monkeypatch.delenv("MINYI_AUTH_DEV", raising=False)
    monkeypatch.delenv("MINYI_AUTH_USERS_FILE", raising=False)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    added = runner.invoke(
        app, ["users", "add", "zhang", "--name", "张三", "--role", "operator", "--password", "pw-1234"]
    )
    assert added.exit_code == 0, added.output
    assert runner.invoke(app, ["users", "set-roles", "zhang", "--role", "analyst"]).exit_code == 0
    listed = runner.invoke(app, ["users", "list"])
    assert listed.exit_code == 0 and "zhang\t张三\tanalyst" in listed.output

    async def stored() -> User | None:
        client = Redis.from_url(REDIS_URL)
        try:
            return await RedisUserStore(client).get_user("zhang")
        finally:
            await client.aclose()

    user = asyncio.run(stored())
    assert user is not None and user.roles == (Role.ANALYST,) and verify_password("pw-1234", user.password_hash)
    assert not (tmp_path / ".minyi").exists()  # the file store was not touched

    users_file = tmp_path / "users.json"
    with_file = runner.invoke(app, ["users", "remove", "admin", "--file", str(users_file)])
    assert with_file.exit_code == 0, with_file.output
    in_file = UserStore(users_file)
    assert in_file.get("admin") is None and in_file.get("dispatcher") is not None and in_file.get("zhang") is None
    assert runner.invoke(app, ["users", "remove", "zhang"]).exit_code == 0
    assert asyncio.run(stored()) is None
