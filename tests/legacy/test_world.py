from __future__ import annotations

import datetime as dt
from collections import Counter
from datetime import datetime

import faker.providers.ssn.zh_CN
import pytest

from legacy.world import SYSTEMS, World, build_world


def test_same_seed_gives_the_same_city() -> None:
    now = datetime(2026, 11, 1, 9, 0)
    assert build_world(3, now=now) == build_world(3, now=now)
    assert build_world(3, now=now).filings != build_world(4, now=now).filings


def test_the_city_is_the_same_whatever_the_day_it_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime(2026, 11, 1, 9, 0)
    before = build_world(3, now=now)

    class _Tomorrow(dt.date):
        @classmethod
        def today(cls) -> _Tomorrow:
            return cls(2030, 1, 2)

    class _Clock:  # what faker's ID-number provider sees as the datetime module
        date = _Tomorrow
        timedelta = dt.timedelta

    monkeypatch.setattr(faker.providers.ssn.zh_CN, "datetime", _Clock)
    assert build_world(3, now=now) == before


def test_every_system_gets_filings(world: World) -> None:
    counts = Counter(f.system for f in world.filings)
    assert set(counts) == set(SYSTEMS)
    assert counts["hotline"] >= 100  # enough for a 100-representation _entities call


def test_about_a_fifth_of_people_are_in_two_or_more_systems(world: World) -> None:
    share = len(world.persons_in_systems(2)) / len(world.persons)
    assert 0.15 <= share <= 0.30


def test_some_people_file_the_same_matter_five_times_or_more(world: World) -> None:
    per_matter = Counter((f.person.pid, f.matter.mid) for f in world.filings)
    assert sum(1 for n in per_matter.values() if n >= 5) >= 3


def test_duplicates_and_near_misses_are_present(world: World) -> None:
    relations = Counter(f.relation for f in world.filings)
    assert relations["repeat"] > 0 and relations["near_miss"] > 0 and relations["neighbour"] > 0
    near = next(f for f in world.filings if f.relation == "near_miss")
    others = [f for f in world.filings if f.person == near.person and f.matter != near.matter]
    assert others, "a near miss is the same person with another matter"
    assert all(o.matter.category == near.matter.category for o in others)


def test_people_have_valid_looking_identifiers(world: World) -> None:
    for p in world.persons:
        assert len(p.phone) == 11 and p.phone.isdigit()
        assert len(p.id_number) == 18 and p.id_number.startswith(p.home.district_code)
        assert len(p.home.grid_code15) == 15 and p.home.grid_code15.startswith(p.home.admin_code12)
    assert len({p.phone for p in world.persons}) == len(world.persons)


def test_filings_are_in_time_order_within_a_system(world: World) -> None:
    for system in SYSTEMS:
        times = [f.received_at for f in world.filings_for(system)]
        assert times == sorted(times)
        assert all(t <= world.now for t in times)


def test_unknown_system_and_tiny_city_are_refused(world: World) -> None:
    with pytest.raises(ValueError, match="unknown system"):
        world.filings_for("fax")
    with pytest.raises(ValueError, match="at least 20"):
        build_world(1, people=5)
