"""The garbage collector tuned for a serving process (a subgraph's, and the gateway's): :func:`settle_heap`.

A module of its own, importing nothing but ``gc``, so the gateway can use it without loading a subgraph's app."""

from __future__ import annotations

import gc

__all__ = ["GC_THRESHOLD_0", "settle_heap"]

GC_THRESHOLD_0 = 50_000  # allocations between young collections in a serving process (default 700)


def settle_heap() -> None:
    """Tune the cyclic garbage collector for serving, once the app is built.

    The schema, the documents and the adapters live as long as the process: frozen, they leave the collector's
    reach, and full collections stop walking them (about 150,000 objects in each subgraph). The legacy answers of
    requests in flight (decoded JSON, records, GraphQL results) are what the young generations find alive, and
    with the default threshold (700) the collector walked them again and again while they lived (a subgraph's
    CPU per citizen view 0.93× with these settings, bench/README.md, "The whole demo stack"). Garbage is freed
    by reference counting; the collector is only for cycles, which are rare here. ``minyi gateway`` settles the
    gateway's process with it too (there the collector's walks were about a quarter of the CPU with 20 deep
    queries in flight, bench/README.md, "hot path")."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD_0, 20, 100)
