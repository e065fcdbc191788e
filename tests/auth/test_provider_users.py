"""Demo users: one per person role, with units and grid codes that exist in the stand-ins' data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from auth.principal import Role
from auth.users import DEMO_USERS, UserStore, demo_users, hash_password, verify_password
from legacy.hotline.units import build_directory
from legacy.world import World


def test_every_person_role_has_a_demo_user() -> None:
    assert {role for _, _, role, *_ in DEMO_USERS} == set(Role) - {Role.SERVICE}


def test_demo_units_and_grid_codes_exist_in_the_seeded_city(world: World) -> None:
    units = {u.code for u in build_directory([p.home for p in world.persons] + [m.place for m in world.matters])}
    places = [m.place for m in world.matters] + [p.home for p in world.persons]
    grid_codes = {p.grid_code15 for p in places}
    admin_codes = (
        {p.admin_code12 for p in places} | {p.admin_code12[:9] for p in places} | {p.district_code for p in places}
    )
    for user in demo_users("x"):
        assert user.unit is None or user.unit in units, user
        assert set(user.grid_codes) <= grid_codes, user
        assert set(user.admin_codes) <= admin_codes | {"430100"}, user


def test_scrypt_password_hashes() -> None:
    encoded = hash_password("秘密 password")
    assert encoded.startswith("scrypt$16384$8$1$") and "秘密" not in encoded
    assert verify_password("秘密 password", encoded) and not verify_password("wrong", encoded)
    assert not verify_password("x", "garbage")


def test_a_citizen_added_with_a_phone_carries_that_phones_person_key(tmp_path: Path) -> None:
    from resolvers.domain import person_key
    from subgraphs.settings import SubgraphSettings

    users = tmp_path / "users.json"
    env = {**os.environ, "MINYI_PERSON_KEY_SECRET": "test-secret"}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "minyi.cli",
            "users",
            "add",
            "c2",
            "--name",
            "测试",
            "--role",
            "citizen",
            "--password",
            "pw",
            "--phone",
            "+86 138-0013-8000",
            "--file",
            str(users),
        ],
        check=True,
        capture_output=True,
        env=env,
    )
    stored = UserStore(users).get("c2")
    assert stored is not None
    assert stored.person_key == person_key(b"test-secret", phone="13800138000")
    assert SubgraphSettings.model_fields["person_key_secret"].default != "test-secret"
