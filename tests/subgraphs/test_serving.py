"""A subgraph process tunes the garbage collector before it serves: what was built at start-up is frozen out of
the collector's reach, and young collections wait for many more allocations than the default 700."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from subgraphs.common import app as subgraph_app
from subgraphs.common import heap


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
def test_serve_settles_the_heap_before_uvicorn_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def run(app: Any, **options: Any) -> None:
        seen["threshold"] = gc.get_threshold()
        seen["frozen"] = gc.get_freeze_count()
        seen["port"] = options["port"]

    monkeypatch.setattr(uvicorn, "run", run)
    gc.unfreeze()
    subgraph_app.serve(object(), "127.0.0.1", 4999)  # type: ignore[arg-type]
    assert seen["port"] == 4999
    assert seen["threshold"][0] == heap.GC_THRESHOLD_0 > 700
    assert seen["frozen"] > 1000  # the modules, the schema: everything alive at start-up
