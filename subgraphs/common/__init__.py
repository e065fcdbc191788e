"""What every system subgraph shares: the Appeal interface and its value types, errors, ids, paging, the app."""
