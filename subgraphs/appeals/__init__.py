"""The cross-system appeals subgraph (port 4005): any appeal by id, one merged search over every system, and what
is known of an appeal across systems, added to each system's appeal type."""
