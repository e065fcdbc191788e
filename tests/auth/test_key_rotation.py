"""Rotating the provider's signing keys: ``minyi keys rotate`` and the schedule (MINYI_AUTH_KEY_ROTATION_DAYS).
Tokens signed before a rotation keep verifying until they expire; new tokens are signed with the new key."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from joserfc import jws
from redis.asyncio import Redis

from auth.keys import KeyStore
from auth.principal import Principal, Role
from auth.provider import Provider
from auth.settings import AuthSettings
from auth.store import MemoryStore
from tests.conftest import REDIS_URL

OPERATOR = Principal(subject="operator", roles=frozenset({Role.OPERATOR}))


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def kid_of(token: str) -> str:
    return str(jws.extract_compact(token.encode()).headers()["kid"])


def minyi(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MINYI_REDIS", "MINYI_AUTH"))}
    return subprocess.run(
        [sys.executable, "-m", "minyi.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**clean, **env},
    )


async def test_keys_rotate_makes_a_new_key_and_old_tokens_keep_working_until_they_expire(redis: Redis) -> None:
    provider = Provider(AuthSettings().options(), kv=redis)  # type: ignore[arg-type]
    verifier = provider.verifier()
    before = await provider.mint_access_token(OPERATOR)
    assert (await verifier.verify(before)).subject == "operator"

    done = minyi("keys", "rotate", MINYI_REDIS_URL=REDIS_URL)
    assert done.returncode == 0, done.stderr
    assert "retired, published until" in done.stdout and kid_of(before) in done.stdout
    new_kid = done.stdout.split("current signing key: ")[1].split()[0]
    assert new_kid != kid_of(before)

    ring = await provider.keys.reload()  # what every replica does within its refresh interval
    after = await provider.mint_access_token(OPERATOR)
    assert kid_of(after) == new_kid == ring.current.kid
    assert (await verifier.verify(after)).subject == "operator"
    assert (await verifier.verify(before)).subject == "operator"  # signed before the rotation: still good
    [old] = [k for k in ring.keys if k.kid == kid_of(before)]
    expires = int((await verifier.verify(before)).claims["exp"])
    assert old.publish_until is not None and old.publish_until >= expires
    assert kid_of(before) in {k["kid"] for k in ring.public_jwks(now=expires)["keys"]}
    assert kid_of(before) not in {k["kid"] for k in ring.public_jwks(now=old.publish_until)["keys"]}


def test_keys_rotate_without_redis_says_where_the_keys_are() -> None:
    done = minyi("keys", "rotate")
    assert done.returncode == 2
    assert "MINYI_AUTH_KEY_ROTATION_DAYS" in done.stderr and "Traceback" not in done.stderr


async def test_the_schedule_rotates_a_key_once_it_is_old_enough() -> None:
    clock = Clock()
    kv = MemoryStore()
    store = KeyStore(kv, max_token_ttl_s=600, rotate_every_s=3600, clock=clock)
    first = (await store.reload()).current
    clock.now += 3599
    assert (await store.reload()).current == first and store.rotations == 0
    clock.now += 1
    ring = await store.reload()
    assert ring.current != first and store.rotations == 1
    [retired] = [k for k in ring.keys if k.kid == first.kid]
    assert retired.publish_until == int(clock.now) + 600 + 60


async def test_replicas_due_at_once_rotate_once() -> None:
    clock = Clock()
    kv = MemoryStore()
    replicas = [KeyStore(kv, max_token_ttl_s=600, rotate_every_s=3600, clock=clock) for _ in range(3)]
    await replicas[0].reload()
    clock.now += 3600
    for replica in replicas:
        await replica.reload()
    assert sum(r.rotations for r in replicas) == 1
    assert len({(await r.reload()).current.kid for r in replicas}) == 1


async def test_tokens_signed_before_a_scheduled_rotation_verify_after_it() -> None:
    clock = Clock()
    options = AuthSettings(key_rotation_days=1).options()
    assert options.key_rotation_s == 86400
    provider = Provider(options, kv=MemoryStore())
    provider.keys = KeyStore(provider.kv, max_token_ttl_s=options.max_token_ttl_s, rotate_every_s=86400, clock=clock)
    verifier = provider.verifier()
    before = await provider.mint_access_token(OPERATOR)
    clock.now += 86400
    await provider.keys.reload()
    after = await provider.mint_access_token(OPERATOR)
    assert kid_of(after) != kid_of(before)
    assert (await verifier.verify(before)).subject == (await verifier.verify(after)).subject == "operator"


def test_keys_must_outlive_the_tokens_they_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="rotate_every_s > max_token_ttl_s"):
        KeyStore(MemoryStore(), max_token_ttl_s=900, rotate_every_s=600)
    monkeypatch.setenv("MINYI_AUTH_KEY_ROTATION_DAYS", "30")
    assert AuthSettings().options().key_rotation_s == 30 * 86400
