"""How long each legacy stand-in takes to seed its database from the synthetic city (400 people, seed 1).

A stand-in seeds on first start, so this is part of every test and demo start. Prints one row per stand-in: the
median over ``--repeat`` runs and the ratio to the baseline measured in the same run — building the city the
seeding reads (``legacy.world.build_world``). Target: each stand-in under 1 s on an idle machine.

    .venv/bin/python bench/seeding.py [--repeat 5] [--people 400]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from legacy.board.app import open_store as open_board
from legacy.grid.store import SCHEMA as GRID_SCHEMA
from legacy.grid.store import seed_events
from legacy.hotline.limits import TimeLimits
from legacy.hotline.seed import seed_tickets
from legacy.hotline.store import SCHEMA as HOTLINE_SCHEMA
from legacy.hotline.store import HotlineStore
from legacy.petition.seed import seed_rows
from legacy.petition.store import SCHEMA as PETITION_SCHEMA
from legacy.petition.store import PetitionStore
from legacy.standin import StandinOptions, open_database
from legacy.suggestion.seed import suggestion_rows
from legacy.world import World, build_world


def seed_hotline(world: World) -> None:
    units, tickets = seed_tickets(world, 1, TimeLimits())
    conn, _ = open_database(None, HOTLINE_SCHEMA)
    HotlineStore(conn).save_all(tickets, units)
    conn.close()


def seed_petition(world: World) -> None:
    conn, _ = open_database(None, PETITION_SCHEMA)
    PetitionStore(conn).insert_many(seed_rows(world, 1, world.now))
    conn.close()


def seed_board(world: World) -> None:
    open_board(StandinOptions(seed=1), world).conn.close()


def seed_grid(world: World) -> None:
    conn, _ = open_database(None, GRID_SCHEMA)
    seed_events(conn, world)
    conn.close()


def seed_suggestion(world: World) -> None:
    suggestion_rows(world, 1)


SEEDERS: dict[str, Callable[[World], None]] = {
    "hotline": seed_hotline,
    "petition": seed_petition,
    "board": seed_board,
    "grid": seed_grid,
    "suggestion": seed_suggestion,
}


def median_s(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--people", type=int, default=400)
    args = parser.parse_args()
    baseline = median_s(lambda: build_world(1, people=args.people), args.repeat)
    world = build_world(1, people=args.people)
    print(f"{'what':<22}{'median ms':>11}{'x baseline':>12}{'target 1 s':>12}")
    print(f"{'build_world (baseline)':<22}{baseline * 1000:>11.1f}{1.0:>12.2f}{'':>12}")
    for name, seed in SEEDERS.items():
        took = median_s(lambda seed=seed: seed(world), args.repeat)  # type: ignore[misc]
        verdict = "ok" if took < 1.0 else "SLOW"
        print(f"{name:<22}{took * 1000:>11.1f}{took / baseline:>12.2f}{verdict:>12}")


if __name__ == "__main__":
    main()
